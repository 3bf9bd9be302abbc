/**
 * What differs between engine kinds where the suite talks to them: how an endpoint says which
 * engine it is, the networks it makes itself, the network a container joins by default, how
 * it refuses a name that is taken, and how it refuses a host port that is taken. One module per kind
 * (docker.ts, podman.ts) holds its quirks; a new kind is one more module here, a profile in targets/
 * and a lab script.
 */

import type Docker from 'dockerode'

/** GET /version's answer, as far as the suite reads it. */
export interface VersionAnswer {
  Components?: { Name: string }[]
  Platform?: { Name?: string }
}

export interface EngineKind {
  /** The kind's name: 'docker', 'podman'. */
  readonly name: string
  /** The product name this endpoint reports, when its GET /version is this kind's. */
  productName(version: VersionAnswer): string | undefined
  /** Networks the engine makes itself: never a scenario's, never removed. */
  readonly builtinNetworks: readonly string[]
  /** The network a container created without --network joins. */
  readonly defaultNetwork: string
  /** Whether a create refused with STATUS and MESSAGE was refused because the name is taken. */
  nameTaken(status: number | undefined, message: string): boolean
  /** The host interface a macvlan NETWORK sits on, as the engine tells it; undefined when it does not say. */
  parentInterface(docker: Docker, network: string): Promise<string | undefined>
  /**
   * The range a NETWORK assigns addresses from, as a CIDR block, as the engine tells it (VIC's
   * --container-network-ip-range); undefined when it assigns from its whole subnet or does not say.
   */
  addressRange(docker: Docker, network: string): Promise<string | undefined>
  /**
   * Whether TEXT (a failure's reason) is this kind's refusal of a host port that something else
   * holds: a collision with another run on the host, which says nothing of the endpoint.
   */
  portTaken(text: string): boolean
}
