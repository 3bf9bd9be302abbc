/** Podman's Docker API service and its quirks (engine/kind.ts). */
import type { EngineKind } from './kind'

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
  parentInterface: (docker, network) =>
    new Promise((resolve, reject) =>
      docker.modem.dial(
        {
          path: `/v4.0.0/libpod/networks/${encodeURIComponent(network)}/json`,
          method: 'GET',
          statusCodes: { 200: true, 404: 'no such network', 500: 'server error' },
        },
        (err: unknown, answer: unknown) =>
          err ? reject(err) : resolve((answer as { network_interface?: string }).network_interface || undefined),
      ),
    ),
  // Its port forwarder's bind (conmon, rootlessport, pasta): Linux's EADDRINUSE words.
  portTaken: (text) => /address already in use/i.test(text),
}
