/** Docker Engine's quirks (engine/kind.ts): the reference the Docker API describes. */
import type { EngineKind } from './kind'

export const DOCKER: EngineKind = {
  name: 'docker',
  // Docker names itself in Platform.Name ("Docker Engine - Community"); Debian's build leaves it empty.
  productName: (v) => (v.Platform?.Name?.trim() ? v.Platform.Name : 'Docker Engine'),
  builtinNetworks: ['bridge', 'host', 'none'],
  defaultNetwork: 'bridge',
  nameTaken: (status) => status === 409,
  parentInterface: async (docker, network) =>
    ((await docker.getNetwork(network).inspect()) as { Options?: Record<string, string> }).Options?.parent,
  addressRange: async (docker, network) => {
    const inspected = (await docker.getNetwork(network).inspect()) as {
      IPAM?: { Config?: { Subnet?: string; IPRange?: string }[] }
    }
    return inspected.IPAM?.Config?.find((c) => c.Subnet && !c.Subnet.includes(':'))?.IPRange || undefined
  },
  // Its own allocator ("port is already allocated"), or its userland proxy's bind ("address already in use").
  portTaken: (text) => /address already in use|port is already allocated/i.test(text),
}
