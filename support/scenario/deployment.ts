/**
 * The observations whose documented result depends on how the VCH was deployed (the profile's
 * `deployment`, VIC's defaults where it says nothing): the container network's trust level
 * (--container-network-firewall) and the default mask of a new bridge (--bridge-network-width).
 * Each says in the transcript which value it expects by, and where that value came from.
 */
import { deploymentOf, inboundOutcome } from '../profile/deployment'
import { within } from '../poll'
import type { Deployment } from '../types'
import { notApplicable } from './offers'
import { tryCommand } from './commands'
import { inspectShowsMask, outsideAnswers, outsideSilent, showsMask } from './scenario'
import type { NetconformWorld } from './world'

/** The step that reads the trust level: a scenario with it is not applicable at a level that lets nothing in. */
export const TRUST_LEVEL_STEP =
  "the container network's trust level, published unless set with --container-network-firewall"

/** Where an option's value came from, for the transcript: the profile's field, or VIC's default. */
function origin(w: NetconformWorld, option: keyof Deployment): string {
  return w.target.deployment?.[option] === undefined
    ? "VIC's default: the profile sets none"
    : `deployment.${option} in ${w.target.source}`
}

/**
 * "the container network's trust level, …": notes the level; not applicable where it lets
 * nothing in from the outside (closed, outbound, peers), for then no control from the outside
 * can answer and a blocked port cannot be told from a dead path.
 */
export function trustLevel(w: NetconformWorld): 'skipped' | undefined {
  const level = deploymentOf(w.target).containerNetworkFirewall
  if (inboundOutcome(level, true) === 'nothing in')
    return notApplicable(
      w,
      `target ${w.target.name} is deployed with --container-network-firewall ${level} ` +
        `(deployment.containerNetworkFirewall in ${w.target.source}): that level lets no connection in from the ` +
        'outside, so no control from the outside can answer and a blocked port cannot be told from a dead path',
      'deployment.containerNetworkFirewall',
    )
  w.note(`the container network's trust level is ${level} (${origin(w, 'containerNetworkFirewall')})`)
  return undefined
}

/**
 * from the outside, CONTAINER's address on NETWORK does not answer on PORT unless the trust level
 * is open, while it answers ping: at `open` an unpublished port answers (from CONTAINER), at
 * `published` it does not, while the same address answers ping.
 */
export async function outsideUnpublished(
  w: NetconformWorld,
  container: string,
  network: string,
  port: number,
): Promise<void> {
  const level = deploymentOf(w.target).containerNetworkFirewall
  if (inboundOutcome(level, false) === 'answers') {
    w.note(`at trust level ${level} a port not published with -p answers from the outside`)
    await outsideAnswers(w, { container, network, expected: 'Hello world!', port })
  } else await outsideSilent(w, container, network, port)
}

/** The default mask of a new bridge network: --bridge-network-width, 16 unless the profile says otherwise. */
function defaultWidth(w: NetconformWorld): number {
  const width = deploymentOf(w.target).bridgeNetworkWidth
  w.note(`the default mask of a new bridge network is /${width} (${origin(w, 'bridgeNetworkWidth')})`)
  return width
}

/** `docker network inspect NETWORK` shows a subnet with the default mask. */
export async function inspectShowsDefaultMask(w: NetconformWorld, network: string): Promise<void> {
  await inspectShowsMask(w, network, defaultWidth(w))
}

/** in CONTAINER, `ip addr` shows its address on NETWORK with the default mask. */
export async function showsDefaultMask(w: NetconformWorld, container: string, network: string): Promise<void> {
  await showsMask(w, container, network, defaultWidth(w))
}

/**
 * How long the DHCP step may take beyond the CLI call's own deadline: rewriting the command before
 * it and noting its transcript after it. Cucumber's timeout of that step is off (its definition says
 * -1); this bound, derived from the profile's deadline, is the step's cap instead.
 */
const DHCP_STEP_MARGIN_MS = 30_000

/**
 * I try COMMAND, for as long as the VCH's DHCP error may take: the CLI call's deadline is the
 * profile's deployment.dhcpErrorWithinSeconds (60 s by default), so a VCH whose own timeout is
 * longer still gets to say its error (VIC waits up to 3 minutes for the process launch,
 * constants.PropertyCollectorTimeout, before it answers). The step as a whole is bounded by that
 * deadline and DHCP_STEP_MARGIN_MS, no shorter global cap; the transcript says how long it took.
 */
export async function tryWithinDhcpDeadline(w: NetconformWorld, command: string): Promise<void> {
  const seconds = deploymentOf(w.target).dhcpErrorWithinSeconds
  w.note(`the command is given ${seconds} s to answer (${origin(w, 'dhcpErrorWithinSeconds')})`)
  const started = Date.now()
  await within(
    tryCommand(w, command, seconds * 1000),
    seconds * 1000 + DHCP_STEP_MARGIN_MS,
    `\`${command}\` outlived its ${seconds} s deadline`,
  )
  const elapsed = ((Date.now() - started) / 1000).toFixed(1)
  w.note(
    w.tried?.timedOut
      ? `no answer after ${elapsed} s: the ${seconds} s deadline ran out`
      : `answered after ${elapsed} s of the ${seconds} s it was given`,
  )
}
