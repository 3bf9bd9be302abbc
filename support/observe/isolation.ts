/**
 * Judging "Multiple bridge networks are backed by the same port group as the default bridge,
 * segregated via IP address management": the bridges' IPv4 subnets, the default bridge's among
 * them, pairwise disjoint.
 */
import { bounds, isIPv4 } from '../ipv4'
import { Evidence } from './evidence'

export interface NetworkSubnets {
  network: string
  subnets: readonly string[]
}

/** The pairs of networks whose IPv4 subnets overlap, as "a (s) and b (t)". */
export function overlaps(networks: readonly NetworkSubnets[]): string[] {
  const v4 = networks.flatMap((n) =>
    n.subnets.filter((s) => isIPv4(s.split('/')[0])).map((s) => ({ network: n.network, subnet: s, span: bounds(s) })),
  )
  const out: string[] = []
  for (let i = 0; i < v4.length; i++)
    for (let j = i + 1; j < v4.length; j++) {
      const [a, b] = [v4[i], v4[j]]
      if (a.network !== b.network && a.span[0] <= b.span[1] && b.span[0] <= a.span[1])
        out.push(`${a.network} (${a.subnet}) and ${b.network} (${b.subnet})`)
    }
  return out
}

/** Throws Evidence (kind ipam) unless every network shows an IPv4 subnet and no two overlap. */
export function judgeSegregated(networks: readonly NetworkSubnets[]): void {
  const none = networks.filter((n) => !n.subnets.some((s) => isIPv4(s.split('/')[0]))).map((n) => n.network)
  if (none.length > 0)
    throw new Evidence(
      'ipam',
      { networks, without: none },
      `${none.join(', ')} show${none.length === 1 ? 's' : ''} no IPv4 subnet, ` +
        'where the document shows bridges segregated via IP address management',
    )
  const pairs = overlaps(networks)
  if (pairs.length > 0)
    throw new Evidence(
      'ipam',
      { networks, overlapping: pairs },
      `overlapping subnets: ${pairs.join('; ')}, where the document shows bridges segregated via IP address management`,
    )
}

/**
 * Throws Evidence (kind isolation) when the outside client, routing TARGET through any of the paths,
 * got the service's answer (its greeting) from the container on the bridge: the container network
 * reached into a bridge network. Every path that answered is named, in the order tried.
 */
export function judgeNoPathInto(opts: {
  target: string
  greeting: string
  tried: readonly { path: string; received: string }[]
}): void {
  const leaks = opts.tried.filter((t) => t.received.includes(opts.greeting))
  if (leaks.length === 0) return
  throw new Evidence(
    'isolation',
    { target: opts.target, leaks },
    `the outside client reached ${opts.target} ` +
      leaks.map((l) => `through ${l.path} and got "${l.received.trim()}"`).join('; ') +
      ', where the document shows container networks strongly isolated from all other networks',
  )
}
