/** Podman's Docker API service and its quirks (engine/kind.ts). */
import type Docker from 'dockerode'
import { blockHolding } from '../ipv4'
import type { EngineKind } from './kind'

/** A network as Podman's own API (libpod, v4 and later) describes it, as far as the suite reads it. */
interface LibpodNetwork {
  network_interface?: string
  subnets?: { subnet?: string; lease_range?: { start_ip?: string; end_ip?: string } }[]
}

function libpodNetwork(docker: Docker, network: string): Promise<LibpodNetwork> {
  return new Promise((resolve, reject) =>
    docker.modem.dial(
      {
        path: `/v4.0.0/libpod/networks/${encodeURIComponent(network)}/json`,
        method: 'GET',
        statusCodes: { 200: true, 404: 'no such network', 500: 'server error' },
      },
      (err: unknown, answer: unknown) => (err ? reject(err) : resolve(answer as LibpodNetwork)),
    ),
  )
}

export const PODMAN: EngineKind = {
  name: 'podman',
  // Podman lists itself among the version's components ("Podman Engine").
  productName: (v) => v.Components?.find((c) => /podman/i.test(c.Name))?.Name,
  builtinNetworks: ['podman', 'host', 'none'],
  defaultNetwork: 'podman',
  // 409 on Podman 5; Podman 4.3 answers 500 "… that name is already in use".
  nameTaken: (status, message) =>
    status === 409 || (status === 500 && /name .* is already in use|that name is already in use/.test(message)),
  // Its Docker API leaves a macvlan network's Options empty; its own API (libpod, v4 and later) names the interface.
  parentInterface: async (docker, network) => (await libpodNetwork(docker, network)).network_interface || undefined,
  // Its Docker API leaves a network's IPRange out; libpod gives the lease range (first and last), which a
  // range given as a block (--ip-range 198.51.100.32/28) became: .33 to .47, the smallest block holding it.
  addressRange: async (docker, network) => {
    const lease = (await libpodNetwork(docker, network)).subnets?.find((s) => s.lease_range)?.lease_range
    return lease?.start_ip && lease.end_ip ? blockHolding(lease.start_ip, lease.end_ip) : undefined
  },
  // Its port forwarder's bind (conmon, rootlessport, pasta): Linux's EADDRINUSE words.
  portTaken: (text) => /address already in use/i.test(text),
}
