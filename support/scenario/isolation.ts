/**
 * The Combine section's NOTE: bridges segregated from each other and from the default bridge by
 * IP address management (each its own subnet), and container networks strongly isolated from all
 * other networks (no path from the container network's segment into a bridge).
 */
import { execa } from 'execa'
import { DEFAULT_NETWORKS } from '../engine/kinds'
import { judgeNoPathInto, judgeSegregated, type NetworkSubnets } from '../observe/isolation'
import { addressOn } from '../observe/addresses'
import { answersFromOutside, answersInContainer } from '../observe/positive'
import { negativeProbe } from '../observe/busybox'
import { describeOutside, outsideShell } from '../engine/outside'
import { GREETING, greetingOf } from '../document/doc-commands'
import { notApplicable } from './offers'
import { containerReceiver, duringProbe, judgeControlArrived, judgeNothingArrived } from '../observe/receiver'
import type { NetconformWorld } from './world'

/** The endpoint's default bridge, by the name its engine kind gives it ('bridge', 'podman'). */
async function defaultBridge(w: NetconformWorld): Promise<string> {
  const names = new Set((await w.docker.listNetworks()).map((n) => n.Name))
  const found = DEFAULT_NETWORKS.find((n) => names.has(n))
  if (!found) throw new Error(`the endpoint lists none of the default bridges ${DEFAULT_NETWORKS.join(', ')}`)
  return found
}

/** NETWORKS (the scenario's bridges) and the default bridge have pairwise disjoint subnets. */
export async function bridgesSegregated(w: NetconformWorld, networks: readonly string[]): Promise<void> {
  const all = [...networks, await defaultBridge(w)]
  const shown: NetworkSubnets[] = []
  for (const network of all) {
    const info = (await w.docker.getNetwork(network).inspect()) as { IPAM?: { Config?: { Subnet?: string }[] | null } }
    shown.push({ network, subnets: (info.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : [])) })
  }
  w.note(
    `the networks' subnets (GET /networks/NAME, IPAM.Config): ` +
      shown.map((n) => `${n.network} ${n.subnets.join(', ') || '(none)'}`).join('; '),
  )
  judgeSegregated(shown)
}

/**
 * From the outside client, TARGET's address on BRIDGE does not answer on PORT when the client routes it
 * through GATE's address on NETWORK (a container on both), nor through the endpoint's public address;
 * the controls, first: GATE answers the client on its own address, and TARGET answers GATE on BRIDGE.
 * The route is the outside client's for the length of each probe (@exclusive:outside-routes).
 */
export async function noPathIntoBridge(
  w: NetconformWorld,
  opts: { target: string; bridge: string; port: number; gate: string; network: string },
): Promise<'skipped' | undefined> {
  const net = w.containerNetwork
  if (!net) throw new Error(`target ${w.target.name} offers no container network`)
  const ns = net.outsideNetns
  if (!ns)
    return notApplicable(
      w,
      `the outside client of ${w.target.name} is this host (no offers.containerNetwork.outsideNetns in ` +
        `${w.target.source}): the suite changes routes only in an outside namespace of its own`,
      'offers.containerNetwork.outsideNetns',
    )
  const { target, bridge, port, gate, network } = opts
  const docker = w.docker
  const targetAddress = await addressOn(docker, target, bridge)
  const gateAddress = await addressOn(docker, gate, network)
  const [receiver, gateReceiver] = [containerReceiver(docker, target), containerReceiver(docker, gate)]
  const controlled = await duringProbe(gateReceiver, 'tcp', () =>
    answersFromOutside({
      docker,
      attach: w.note,
      net,
      address: gateAddress,
      port,
      expected: GREETING,
      answerer: gate,
      owner: gate,
    }),
  )
  const shown = await judgeControlArrived({
    receiver: gateReceiver,
    arrival: controlled.arrival,
    probe: "the outside client's connection to the gate",
  })
  await answersInContainer({
    docker,
    attach: w.note,
    from: gate,
    address: targetAddress,
    port,
    request: 'GET /',
    expected: GREETING,
    answerer: target,
  })
  const paths = [
    { via: gateAddress, path: `${gate}'s address on ${network} (${gateAddress})` },
    ...(w.target.publicAddress
      ? [{ via: w.target.publicAddress, path: `the endpoint's public address (${w.target.publicAddress})` }]
      : []),
  ]
  const tried: { path: string; received: string }[] = []
  const arrivals: Awaited<ReturnType<typeof duringProbe>>['arrival'][] = []
  for (const { via, path } of paths) {
    const added = await execa('ip', ['-n', ns, 'route', 'replace', `${targetAddress}/32`, 'via', via], {
      reject: false,
      timeout: 5_000,
      stdin: 'ignore',
    })
    if (added.exitCode !== 0)
      throw new Error(`could not route ${targetAddress} via ${via} in netns ${ns}: ${String(added.stderr).trim()}`)
    try {
      const probed = await duringProbe(receiver, 'tcp', () => outsideShell(net, negativeProbe(targetAddress, port)))
      const r = probed.value
      w.note(describeOutside(net, { ...r, command: `(route ${targetAddress}/32 via ${via}) ${r.command}` }))
      tried.push({ path, received: r.stdout })
      arrivals.push(probed.arrival)
    } finally {
      await execa('ip', ['-n', ns, 'route', 'del', `${targetAddress}/32`], { reject: false, stdin: 'ignore' })
    }
  }
  judgeNoPathInto({ target: `${target}'s address on ${bridge}`, greeting: greetingOf(target), tried })
  const nothing: string[] = []
  for (const [i, arrival] of arrivals.entries())
    nothing.push(
      await judgeNothingArrived({
        receiver,
        arrival,
        probe: `the outside client's connection to ${targetAddress}:${port} through ${tried[i].path}`,
      }),
    )
  w.note(
    `no answer from ${target}'s address on ${bridge} through ${paths.map((p) => p.path).join(' or ')}, ` +
      `and ${nothing.join('; ')}, while ${gate} answered the outside client (${shown}) and ${target} answered ` +
      `${gate}: the container network is isolated`,
  )
  return undefined
}
