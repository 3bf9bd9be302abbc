/**
 * The observations as the steps state them, one function a step: each takes the World and the
 * real names the parameter types gave, finds the addresses the endpoint reports, and calls the
 * checks in observe/ (positive.ts, negative.ts, addresses.ts). Steps stay one-liners; the judging stays in observe/.
 */
import { addressInCidr, addressOn, findAddress, interfaceAddresses } from '../observe/addresses'
import { answersFromHost, answersFromOutside, answersInContainer, outsidePings, pingReplies } from '../observe/positive'
import { doesNotResolve, noAnswerFromOutside, noAnswerInContainer, type Control } from '../observe/negative'
import { containerReceiver } from '../observe/receiver'
import { execUntil } from '../observe/poll-attaching'
import { inRange } from '../ipv4'
import { judge } from '../observe/evidence'
import { interfacesOf, portsShown, subnetsOf } from './inspect'
import type { NetconformWorld } from './world'

/** Who asks, for a check: the scenario's endpoint, and its transcript. */
export const asker = (w: NetconformWorld) => ({ docker: w.docker, attach: w.note })

/** The peer a negative's control asks: its address on a network, the port its service answers on, and who it is. */
export async function control(
  w: NetconformWorld,
  { peer, network, expected, port }: { peer: string; network: string; expected: string; port: number },
): Promise<Control> {
  return { address: await addressOn(w.docker, peer, network), port, answerer: peer, expected }
}

/**
 * The target's container network; steps that need it come after "a container network …", which
 * makes it applicable.
 */
export function containerNetwork(w: NetconformWorld) {
  const net = w.containerNetwork
  if (!net)
    throw new Error(
      `target ${w.target.name} offers no container network (offers.containerNetwork in ${w.target.source})`,
    )
  return net
}

/** in FROM, `ping -c 3 TARGET` gets replies from REPLIER on NETWORK. */
export async function pingGetsReplies(
  w: NetconformWorld,
  { from, target, replier, network }: { from: string; target: string; replier: string; network: string },
): Promise<void> {
  await pingReplies({
    ...asker(w),
    from,
    command: `ping -c 3 ${target}`,
    toAddress: await addressOn(w.docker, replier, network),
    owner: replier,
  })
}

/** in FROM, `telnet TO PORT` and `GET /` answers EXPECTED from ANSWERER. */
export async function telnetAnswers(
  w: NetconformWorld,
  {
    from,
    to,
    port,
    expected,
    answerer,
  }: { from: string; to: string; port: number; expected: string; answerer: string },
): Promise<void> {
  await answersInContainer({
    ...asker(w),
    from,
    address: to,
    port,
    request: 'GET /',
    expected,
    answerer,
  })
}

/** in FROM, TO's address on NETWORK answers EXPECTED on PORT (from TO). */
export async function addressAnswers(
  w: NetconformWorld,
  { from, to, network, expected, port }: { from: string; to: string; network: string; expected: string; port: number },
): Promise<void> {
  await answersInContainer({
    ...asker(w),
    from,
    address: await addressOn(w.docker, to, network),
    port,
    request: 'GET /',
    expected,
    answerer: to,
    owner: to,
  })
}

/** from the public network, `telnet vch_public_interface PORT` and `GET /` answers EXPECTED from ANSWERER. */
export async function publicAnswers(
  w: NetconformWorld,
  port: number,
  expected: string,
  answerer: string,
): Promise<void> {
  await answersFromHost({ ...asker(w), address: w.target.publicAddress, port, request: 'GET /', expected, answerer })
}

/** in FROM, `LOOKUP NAME` cannot resolve NAME, while PEER's address on NETWORK answers EXPECTED on PORT. */
export async function cannotResolve(
  w: NetconformWorld,
  {
    from,
    lookup,
    name,
    peer,
    network,
    expected,
    port,
  }: { from: string; lookup: string; name: string; peer: string; network: string; expected: string; port: number },
): Promise<void> {
  await doesNotResolve({
    ...asker(w),
    from,
    command: `${lookup} ${name}`,
    name,
    control: await control(w, { peer, network, expected, port }),
  })
}

/**
 * in FROM, TO's address on NETWORK does not answer on PORT, while
 * PEER's address on PEER-NETWORK answers EXPECTED on PEER-PORT; nothing of it, nor of datagrams
 * and a ping sent beside it, reaches TO, while PEER shows the same probes arrive.
 */
export async function addressSilent(
  w: NetconformWorld,
  {
    from,
    to,
    network,
    port,
    peer,
    peerNetwork,
    expected,
    peerPort,
  }: {
    from: string
    to: string
    network: string
    port: number
    peer: string
    peerNetwork: string
    expected: string
    peerPort: number
  },
): Promise<void> {
  const address = await addressOn(w.docker, to, network)
  const theControl = await control(w, { peer, network: peerNetwork, expected, port: peerPort })
  const [receiver, controlReceiver] = [containerReceiver(w.docker, to), containerReceiver(w.docker, peer)]
  await noAnswerInContainer({
    ...asker(w),
    from,
    address,
    port,
    control: theControl,
    receiver,
    controlReceiver,
    datagrams: true,
  })
}

/** in CONTAINER, `ip addr` shows ADDRESS. */
export async function showsAddress(w: NetconformWorld, container: string, address: string): Promise<void> {
  findAddress(await interfaceAddresses(w.docker, w.note, container), address, container)
}

/** in CONTAINER, `ip addr` shows an address in RANGE (what: how the range is called, for the failure). */
async function showsAddressIn(w: NetconformWorld, container: string, range: string, what: string): Promise<void> {
  const shown = await interfaceAddresses(w.docker, w.note, container)
  const all = shown.map((a) => a.address)
  judge(
    all.some((a) => inRange(a, range)),
    {
      kind: 'address-in-range',
      what: `addresses of ${container}`,
      seen: all.length ? `${all.join(', ')}, none in ${range}` : 'none',
      documented: `one in ${what} ${range}`,
    },
  )
}

/** in CONTAINER, `ip addr` shows an address from the DHCP server's pool. */
export async function showsAddressInPool(w: NetconformWorld, container: string): Promise<void> {
  await showsAddressIn(w, container, w.target.offers.dhcpNetwork!.pool, "the DHCP server's pool")
}

/** in CONTAINER, `ip addr` shows an address in CIDR, with CIDR's mask. */
export async function showsAddressInCidr(w: NetconformWorld, container: string, cidr: string): Promise<void> {
  addressInCidr(await interfaceAddresses(w.docker, w.note, container), cidr, container)
}

/** in CONTAINER, `ip addr` shows its address on NETWORK with mask /BITS. */
export async function showsMask(w: NetconformWorld, container: string, network: string, bits: number): Promise<void> {
  const address = await addressOn(w.docker, container, network)
  const prefix = findAddress(await interfaceAddresses(w.docker, w.note, container), address, container).prefix
  judge(prefix === bits, {
    kind: 'mask',
    what: `mask of ${address} in ${container}`,
    seen: `/${prefix}`,
    documented: `/${bits}`,
  })
}

/** in CONTAINER, `ip addr` shows its addresses on A and B on one interface | distinct interfaces. */
export async function addressesLaidOut(
  w: NetconformWorld,
  { container, a, b, layout }: { container: string; a: string; b: string; layout: string },
): Promise<void> {
  const [ia, ib] = await interfacesOf(w, container, [a, b])
  const seen = ia === ib ? 'one interface' : 'distinct interfaces'
  judge(seen === layout, {
    kind: 'interfaces',
    what: `interfaces of ${container}'s addresses on ${a} (${ia}) and ${b} (${ib})`,
    seen: seen,
    documented: layout,
    fields: { interfaces: [ia, ib] },
  })
}

/** in CONTAINER, `cat /etc/resolv.conf` names the nameserver DNS. */
export async function namesNameserver(w: NetconformWorld, container: string, dns: string): Promise<void> {
  const r = await execUntil({
    ...asker(w),
    container,
    command: 'cat /etc/resolv.conf',
    awaited: `nameserver ${dns}`,
    ok: (x) => x.exitCode === 0,
  })
  const lines = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  judge(lines.includes(`nameserver ${dns}`), {
    kind: 'nameserver',
    what: `/etc/resolv.conf of ${container}`,
    seen: JSON.stringify(lines.join('; ')),
    documented: `nameserver ${dns}`,
  })
}

/** `docker network inspect NETWORK` shows the subnet CIDR. */
export async function inspectShowsSubnet(w: NetconformWorld, network: string, cidr: string): Promise<void> {
  const subnets = await subnetsOf(w, network)
  judge(subnets.includes(cidr), {
    kind: 'subnet',
    what: `subnets of ${network}`,
    seen: subnets.join(', ') || 'none',
    documented: cidr,
  })
}

/** `docker network inspect NETWORK` shows a subnet with mask /BITS. */
export async function inspectShowsMask(w: NetconformWorld, network: string, bits: number): Promise<void> {
  const masks = (await subnetsOf(w, network)).map((s) => `/${s.split('/')[1]}`)
  judge(masks.includes(`/${bits}`), {
    kind: 'subnet-mask',
    what: `subnet masks of ${network}`,
    seen: masks.join(', ') || 'none',
    documented: `/${bits}`,
  })
}

/** `docker ps` shows CONTAINER with ports "<its address on NETWORK>:HOST->CONTAINER/tcp", and no other entry. */
export async function psShowsMapping(
  w: NetconformWorld,
  {
    command,
    container,
    network,
    host,
    inside,
    documented,
  }: { command: string; container: string; network: string; host: number; inside: number; documented: string },
): Promise<void> {
  const { shown, expected } = await portsShown(w, {
    command,
    container,
    network,
    mapping: `:${host}->${inside}/tcp`,
    documented,
  })
  // exactly the documented entry: another mapping beside it (0.0.0.0:80->8080/tcp) is a mapping elsewhere
  const entries = shown
    .split(/,\s*/)
    .map((e) => e.trim())
    .filter(Boolean)
  judge(entries.length === 1 && entries[0] === expected, {
    kind: 'ports',
    what: `PORTS of ${container} in docker ps`,
    seen: JSON.stringify(shown),
    documented: JSON.stringify(expected),
  })
}

/** from the outside, CONTAINER's address on NETWORK answers EXPECTED on PORT. */
export async function outsideAnswers(
  w: NetconformWorld,
  { container, network, expected, port }: { container: string; network: string; expected: string; port: number },
): Promise<void> {
  await answersFromOutside({
    ...asker(w),
    net: containerNetwork(w),
    address: await addressOn(w.docker, container, network),
    port,
    expected,
    answerer: container,
    owner: container,
  })
}

/** from the outside, CONTAINER's address on NETWORK answers ping. */
export async function outsidePingAnswered(w: NetconformWorld, container: string, network: string): Promise<void> {
  await outsidePings({
    net: containerNetwork(w),
    attach: w.note,
    address: await addressOn(w.docker, container, network),
  })
}

/** from the outside, CONTAINER's address on NETWORK does not answer on PORT, while it answers ping. */
export async function outsideSilent(
  w: NetconformWorld,
  container: string,
  network: string,
  port: number,
): Promise<void> {
  await noAnswerFromOutside({
    net: containerNetwork(w),
    attach: w.note,
    address: await addressOn(w.docker, container, network),
    port,
    receiver: containerReceiver(w.docker, container),
  })
}
