/**
 * The observations that tie a documented result to exactly what it says (issue 25's strengthened
 * checks): a container's own address on the container network, read from `ip addr` on the interface
 * that carries inspect's address; and a public port's silence judged beside a control that answers
 * on the same interface.
 */
import { addressOn, findAddress, interfaceAddresses } from '../observe/addresses'
import { noAnswerBesideControl } from '../observe/public-silence'
import { judge } from '../observe/evidence'
import { inRange } from '../ipv4'
import { containerReceiver } from '../observe/receiver'
import { LABEL_RUN, LABEL_SCENARIO } from '../cleanup/resources'
import type { NetconformWorld } from './world'

/**
 * in CONTAINER, `ip addr` shows its address on NETWORK, in the container network's range and not
 * the VCH's public address: the address the endpoint reports for NETWORK (inspect) is on one of
 * the container's interfaces, it is in the profile's range, and it is not where -p ports answer.
 */
export async function showsOwnAddressInRange(w: NetconformWorld, container: string, network: string): Promise<void> {
  const range = w.containerNetwork?.ipRange
  if (!range)
    throw new Error(
      `target ${w.target.name} gives its container network no ipRange (offers.containerNetwork.ipRange ` +
        `in ${w.target.source})`,
    )
  const address = await addressOn(w.docker, container, network)
  const shown = findAddress(await interfaceAddresses(w.docker, w.note, container), address, container)
  judge(inRange(address, range), {
    kind: 'address-in-range',
    what: `${container}'s address on ${network} (${shown.iface})`,
    seen: `${address}, not in ${range}`,
    documented: `one in the container network's range ${range}`,
  })
  judge(address !== w.target.publicAddress, {
    kind: 'own-address',
    what: `${container}'s address on ${network}`,
    seen: `${address}, the VCH's public address`,
    documented: 'an address of its own',
  })
  w.note(`${container}'s own address on ${network}: ${address} on ${shown.iface}, in ${range}`)
}

/**
 * from the public network, `telnet vch_public_interface PORT` gets no answer, while port CONTROL
 * there answers EXPECTED from ANSWERER: refused or silent, once the control answered, and nothing
 * of it reaches any of the scenario's containers.
 */
export async function publicSilentBesideControl(
  w: NetconformWorld,
  { port, controlPort, expected, answerer }: { port: number; controlPort: number; expected: string; answerer: string },
): Promise<void> {
  await noAnswerBesideControl({
    docker: w.docker,
    attach: w.note,
    address: w.target.publicAddress,
    port,
    control: { port: controlPort, expected, answerer, receiver: containerReceiver(w.docker, answerer) },
    receivers: (await scenarioContainers(w)).map((c) => containerReceiver(w.docker, c)),
  })
}

/** The running containers the scenario made, and those of the fixture it observes (by their labels). */
async function scenarioContainers(w: NetconformWorld): Promise<string[]> {
  const scenarios = new Set([w.labels[LABEL_SCENARIO], w.fixture?.labels[LABEL_SCENARIO]].filter(Boolean))
  const listed = await w.docker.listContainers({ filters: { label: [`${LABEL_RUN}=${w.runId}`] } })
  return listed
    .filter((c) => scenarios.has(c.Labels?.[LABEL_SCENARIO]))
    .map((c) => (c.Names?.[0] ?? c.Id).replace(/^\//, ''))
}
