/**
 * The static-IP section's own setup: "For you to be able to deploy containers with static IP addresses,
 * the vSphere administrator must have specified the --container-network-ip-range option". To observe
 * the other side of it, the suite deploys a second container network as an administrator would without
 * that option: the same driver on the same parent interface as the profile's container network, a
 * subnet of its own and no range. And the refusal of an address outside the range, or taken, at
 * the connect or at the start that follows it.
 */
import { parentInterface } from '../engine/kinds'
import { apiFailures } from '../engine/api-calls'
import { commandFailureLine, describeCommand, runDocumented, succeeded } from '../engine/docker-cli'
import { heldAddress, judgeRefusedInTurn } from '../observe/refusal'
import { tryCommand } from './commands'
import type { NetconformWorld } from './world'

/** The second network's subnet: a documentation range nothing of the lab uses (the scenario holds it by tag). */
const RANGELESS_SUBNET = '192.0.2.0/24'
/** The static address asked for on it (the document's placeholder is ip_address; here rangeless_address). */
const RANGELESS_ADDRESS = '192.0.2.9'

/** "a container network NAME on the same interface, deployed without an address range". */
export async function deployRangelessNetwork(w: NetconformWorld, docName: string): Promise<void> {
  const net = w.containerNetwork
  if (!net) throw new Error(`target ${w.target.name} offers no container network`)
  const info = (await w.docker.getNetwork(net.name).inspect()) as { Driver?: string }
  const parent = await parentInterface(w.docker, net.name)
  if (!info.Driver || !parent)
    throw new Error(
      `the endpoint names no driver or parent interface for ${net.name} (driver ${info.Driver ?? 'none'}, ` +
        `parent ${parent ?? 'none'}): no second container network can be deployed beside it`,
    )
  w.note(
    `${net.name} is a ${info.Driver} network on parent interface ${parent}: the second container network goes ` +
      `on the same interface, with subnet ${RANGELESS_SUBNET} and no --ip-range; ` +
      `rangeless_address = ${RANGELESS_ADDRESS}`,
  )
  const create = `docker network create -d ${info.Driver} --subnet ${RANGELESS_SUBNET} -o parent=${parent} ${docName}`
  const mark = apiFailures.mark()
  const r = await runDocumented(create, w.commandContext)
  w.note(describeCommand(r))
  if (!succeeded(r)) {
    // Docker 20.10 answers this create with a 500 and its reason: a refusal of the deployment, judged here (the
    // scenario's failure, or its declared deviation), not the endpoint failing a call (which makes it not run).
    const judged = apiFailures.judgedRefusals(mark, 'POST /networks/create')
    throw new Error(
      `the endpoint refused to deploy ${docName} beside ${net.name}: ${commandFailureLine(r)}` +
        (judged.length > 0 ? ` (its ${judged.map((f) => f.status).join(', ')} answer judged here as a refusal)` : ''),
    )
  }
  w.names.alias('rangeless_address', RANGELESS_ADDRESS)
}

/**
 * I try FIRST, then THEN if it was accepted: FIRST (a `docker network connect --ip`) may be refused
 * itself, or accepted and the address refused when THEN (`docker start`) binds the container, as VIC
 * does. Both are kept for the step that judges them.
 */
export async function tryInTurn(w: NetconformWorld, first: string, then: string): Promise<void> {
  await tryCommand(w, first)
  w.triedInTurn = [w.tried!]
  if (!succeeded(w.tried!)) return
  w.note(`\`${first}\` was accepted: \`${then}\` is tried, where the address may be refused instead`)
  await tryCommand(w, then)
  w.triedInTurn.push(w.tried!)
}

/**
 * one of them is refused, naming ABOUT, and neither inspect nor `ip addr` shows CONTAINER running
 * with ADDRESS (observe/refusal.ts).
 */
export async function refusedInTurn(
  w: NetconformWorld,
  { about, container, address }: { about: string; container: string; address: string },
): Promise<void> {
  w.unchecked = undefined
  const seen = await heldAddress(w.docker, w.note, container, address)
  w.note(judgeRefusedInTurn(w.triedInTurn ?? [], seen, { about, address }))
}
