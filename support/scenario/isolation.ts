/**
 * The Combine section's NOTE: bridges segregated from each other and from the default bridge by
 * IP address management (each its own subnet).
 */
import { DEFAULT_NETWORKS } from '../engine/kinds'
import { judgeSegregated, type NetworkSubnets } from '../observe/isolation'
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
