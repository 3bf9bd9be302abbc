/** The engine kinds the suite knows, and what it asks of all of them at once. */
import type Docker from 'dockerode'
import { firstLine, statusOf } from '../errors'
import { DOCKER } from './docker'
import type { EngineKind, VersionAnswer } from './kind'
import { PODMAN } from './podman'

/** In the order they are recognised: Podman answers like Docker but names itself. */
const ENGINE_KINDS: readonly EngineKind[] = [PODMAN, DOCKER]

/** The host interface a macvlan NETWORK sits on, as the endpoint's kind of engine tells it. */
export async function parentInterface(docker: Docker, network: string): Promise<string | undefined> {
  return kindOf((await docker.version()) as VersionAnswer).parentInterface(docker, network)
}

/** The range a NETWORK assigns addresses from, as a CIDR block, as the endpoint's kind of engine tells it. */
export async function addressRange(docker: Docker, network: string): Promise<string | undefined> {
  return kindOf((await docker.version()) as VersionAnswer).addressRange(docker, network)
}

/** The kind that answered GET /version (Docker, the API's reference, when none names itself). */
function kindOf(version: VersionAnswer): EngineKind {
  return ENGINE_KINDS.find((k) => k !== DOCKER && k.productName(version)) ?? DOCKER
}

/** The product name an endpoint reports: "Podman Engine", "Docker Engine - Community", "Docker Engine". */
export function productName(version: VersionAnswer): string {
  return kindOf(version).productName(version) ?? 'Docker Engine'
}

/** The networks any known engine makes itself. */
export const BUILTIN_NETWORKS: ReadonlySet<string> = new Set(ENGINE_KINDS.flatMap((k) => k.builtinNetworks))

/** The networks a container created without --network joins, on any known engine. */
export const DEFAULT_NETWORKS: readonly string[] = ENGINE_KINDS.map((k) => k.defaultNetwork)

/** Whether TEXT says a host port was taken, as any known engine says it. */
export function portTaken(text: string): boolean {
  return ENGINE_KINDS.some((k) => k.portTaken(text))
}

/** Whether a create was refused because its name is taken, as any known engine says it. */
export function nameTaken(e: unknown): boolean {
  return ENGINE_KINDS.some((k) => k.nameTaken(statusOf(e), firstLine(e)))
}
