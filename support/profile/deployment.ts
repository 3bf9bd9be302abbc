/**
 * How the endpoint was deployed, as a VIC administrator deploys a VCH with vic-machine: the
 * profile's `deployment` (targets/target.schema.json), each option absent taking VIC's default.
 * The scenarios whose documented result depends on one read its expected outcome from here.
 */
import type { Deployment, FirewallLevel, Target } from '../types'

export { FIREWALL_LEVELS, type Deployment, type FirewallLevel } from '../types'

export const VIC_DEFAULTS: Deployment = {
  containerNetworkFirewall: 'published',
  bridgeNetworkWidth: 16,
  dhcpErrorWithinSeconds: 60,
}

/** The target's deployment, VIC's defaults where the profile says nothing. */
export function deploymentOf(target: Pick<Target, 'deployment'>): Deployment {
  return { ...VIC_DEFAULTS, ...(target.deployment ?? {}) }
}

/**
 * What a client outside the VCH sees on a container's port on a container network, at a trust
 * level (VIC's vic-machine documentation): `closed` lets nothing in or out, `outbound` only
 * connections the container opens, `peers` only containers of the same network, `published` only
 * ports published with -p, `open` everything. 'nothing in': the level lets no connection in from
 * the outside, so no control from that source can answer either.
 */
export function inboundOutcome(level: FirewallLevel, published: boolean): 'answers' | 'no answer' | 'nothing in' {
  if (level === 'open') return 'answers'
  if (level === 'published') return published ? 'answers' : 'no answer'
  return 'nothing in'
}
