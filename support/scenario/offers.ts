/**
 * What a target offers beyond plain bridges. A documented name (ExternalNetwork,
 * container-net, DhcpNetwork…) stands for the network the profile names; where the target
 * offers none, the scenario is not applicable, with the reason in its transcript.
 */
import { attachRecord } from '../records'
import { LABEL_RUN } from '../cleanup/resources'
import { outsideRange, pickInRange } from '../ipv4'
import { freshNeighbours } from '../engine/outside'
import { replayed } from './commands'
import type { NetconformWorld } from './world'
import type { Offers } from '../types'

/**
 * The steps that ask the profile for an offer, as steps/container-network.steps.ts registers them
 * (cucumber expressions): a scenario with one of them is not applicable where the target lacks
 * that offer. The lab test reads which offers each scenario needs from its steps (neededOffers).
 */
export const OFFER_STEPS = {
  containerNetwork: 'a container network {word}',
  containerNetworkWithRange: 'a container network {word} with an address range',
  dhcpNetwork: 'a DHCP container network {word}, whose DNS server the document calls {word}',
  controlPlane: 'an endpoint whose control plane the suite may stop and start',
} as const

/** The offer each of OFFER_STEPS asks for. */
const OFFER_OF: Record<keyof typeof OFFER_STEPS, keyof Offers> = {
  containerNetwork: 'containerNetwork',
  containerNetworkWithRange: 'containerNetwork',
  dhcpNetwork: 'dhcpNetwork',
  controlPlane: 'controlPlane',
}

/** An expression of OFFER_STEPS as a regular expression over a step's text ({word}: no white space, as cucumber's). */
function stepPattern(expression: string): RegExp {
  const escaped = expression.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
  return new RegExp(`^${escaped.replace(/\{word\}/g, '[^\\s]+')}$`)
}

/**
 * The offers a scenario needs, from its steps (Background's included, as a pickle has them), in
 * the order its steps ask: the first of them a target lacks makes it not applicable there.
 */
export function neededOffers(steps: readonly { text: string }[]): (keyof Offers)[] {
  const asks = Object.entries(OFFER_STEPS).map(([key, expression]) => ({
    offer: OFFER_OF[key as keyof typeof OFFER_STEPS],
    pattern: stepPattern(expression),
  }))
  const needed: (keyof Offers)[] = []
  for (const { text } of steps) {
    const ask = asks.find(({ pattern }) => pattern.test(text))
    if (ask && !needed.includes(ask.offer)) needed.push(ask.offer)
  }
  return needed
}

/** The first offer a scenario needs (neededOffers), or undefined. */
export function neededOffer(steps: readonly { text: string }[]): keyof Offers | undefined {
  return neededOffers(steps)[0]
}

/**
 * Marks the scenario not applicable: a not-applicable record with the reason and the profile
 * field whose absence caused it (e.g. 'offers.dhcpNetwork') goes to the transcript, and the
 * step is skipped. A skip without such a record fails.
 */
export function notApplicable(world: NetconformWorld, reason: string, field: string): 'skipped' {
  attachRecord(world.attach, { kind: 'not-applicable', reason, field })
  return 'skipped'
}

/**
 * Maps the document's container network name to the target's, with the placeholders of its
 * examples: ip_address (a free address in its range) and outside_address (in the subnet,
 * outside the range). False when the target offers no container network.
 */
function offerContainerNetwork(world: NetconformWorld, docName: string): boolean {
  const net = world.containerNetwork
  if (!net) return false
  world.names.alias(docName, net.name)
  if (net.ipRange) {
    const ip = pickInRange(net.ipRange)
    world.names.alias('ip_address', ip)
    const outside = net.subnet ? outsideRange(net.subnet, net.ipRange, [ip, net.outsideAddress ?? ip]) : undefined
    if (outside) world.names.alias('outside_address', outside)
  }
  world.note(
    `${docName} is ${net.name} on ${world.target.name}` +
      `${net.ipRange ? ` (range ${net.ipRange}, ip_address = ${world.real('ip_address')})` : ''}`,
  )
  return true
}

/** Maps the document's DHCP network and its DNS server placeholder to the target's. */
function offerDhcpNetwork(world: NetconformWorld, docName: string, dnsName: string): boolean {
  const net = world.target.offers.dhcpNetwork
  if (!net) return false
  world.names.alias(docName, net.name)
  world.names.alias(dnsName, net.dns)
  world.note(
    `${docName} is ${net.name} on ${world.target.name}; ${dnsName} = ${net.dns}; the DHCP server's pool is ${net.pool}`,
  )
  return true
}

/** The profile's word on why it lacks OFFER (`lacks.OFFER`), as the reason's end: ': rootless: …', or ''. */
function lackOf(world: NetconformWorld, offer: keyof NetconformWorld['target']['offers']): string {
  const why = world.target.lacks?.[offer]
  return why ? `: ${why}` : ''
}

/**
 * "a container network NAME": the target's container network
 * under the document's name, or not applicable, naming the field.
 */
export async function needContainerNetwork(world: NetconformWorld, docName: string): Promise<'skipped' | undefined> {
  // A fixture is kept only when its Background passed: the network was offered, and its names are in the book.
  if (world.replayingStep) return replayed(world, `a container network ${docName}`)
  if (offerContainerNetwork(world, docName)) {
    const fresh = await freshNeighbours(world.containerNetwork!)
    if (fresh) world.note(fresh)
    return undefined
  }
  return notApplicable(
    world,
    `target ${world.target.name} offers no container network ` +
      `(offers.containerNetwork in ${world.target.source})${lackOf(world, 'containerNetwork')}`,
    'offers.containerNetwork',
  )
}

/**
 * "a DHCP container network NAME, whose DNS server the document
 * calls DNS": the target's, or not applicable, naming the field.
 */
export function needDhcpNetwork(world: NetconformWorld, docName: string, dnsName: string): 'skipped' | undefined {
  if (offerDhcpNetwork(world, docName, dnsName)) return undefined
  return notApplicable(
    world,
    `target ${world.target.name} offers no DHCP network ` +
      `(offers.dhcpNetwork in ${world.target.source})${lackOf(world, 'dhcpNetwork')}`,
    'offers.dhcpNetwork',
  )
}

/**
 * "an endpoint whose control plane the suite may stop and start": the profile's commands for it,
 * or not applicable, naming the field. With containers running on the endpoint that are not this
 * run's (another user's, another run's), the suite stops no control plane (an engine may stop them
 * with it: Docker without live-restore does): the scenario is not run, naming them.
 */
export async function needControlPlane(world: NetconformWorld): Promise<'skipped' | undefined> {
  const plane = world.target.offers.controlPlane
  if (!plane)
    return notApplicable(
      world,
      `target ${world.target.name} offers no way to stop its control plane ` +
        `(offers.controlPlane in ${world.target.source})${lackOf(world, 'controlPlane')}`,
      'offers.controlPlane',
    )
  const others = (await world.docker.listContainers()).filter((c) => c.Labels?.[LABEL_RUN] !== world.runId)
  if (others.length > 0) {
    const reason =
      `${others.length} running container${others.length === 1 ? '' : 's'} on ${world.target.name} ` +
      `not this run's (${others.map((c) => (c.Names?.[0] ?? c.Id).replace(/^\//, '')).join(', ')}): ` +
      "the suite stops no control plane that others' containers may depend on"
    attachRecord(world.attach, { kind: 'not-run', reason, held: true })
    return 'skipped'
  }
  world.note(
    `the control plane of ${world.target.name} is stopped with \`${plane.stop}\` and started with ` +
      `\`${plane.start}\` (offers.controlPlane in ${world.target.source}), and stays down for ` +
      `${plane.downSeconds ?? DEFAULT_DOWN_SECONDS} s; no container but this run's runs on it`,
  )
  return undefined
}

/** How long the control plane stays down when the profile does not say (offers.controlPlane.downSeconds). */
export const DEFAULT_DOWN_SECONDS = 10
