/**
 * What a run keeps of where it ran, for a conformance record. The endpoint's identity
 * (endpoint.json in a run's report folder): the API's GET /version whole, and of GET /info only
 * what bears on networking. /info also carries the host's name, proxies (which may hold
 * credentials), registry settings and labels: none of that is kept, the fields below are taken by name.
 */
import type Docker from 'dockerode'
import type { Target } from '../types'

export const ENDPOINT_FILE = 'endpoint.json'

/**
 * Also in the run's report folder: run.json (this netconform's version and the profile as the run
 * used it, overrides applied) and profile.yaml (the profile file's own text, when it came from a file).
 */
export const RUN_FILE = 'run.json'
export const PROFILE_FILE = 'profile.yaml'

export interface RunContext {
  netconform: string
  profile: Target
}

/** The /info fields kept: the engine, the host's kernel and the networking settings. */
export const INFO_NETWORK_FIELDS = [
  'ServerVersion',
  'OperatingSystem',
  'OSType',
  'Architecture',
  'KernelVersion',
  'CgroupVersion',
  'IPv4Forwarding',
  'BridgeNfIptables',
  'BridgeNfIp6tables',
  'DefaultAddressPools',
  'FirewallBackend',
  'SecurityOptions',
  'DefaultRuntime',
  // Whether containers keep running while the daemon is stopped (Docker; the control-plane scenario).
  'LiveRestoreEnabled',
] as const

export interface EndpointIdentity {
  /** GET /version as the endpoint answered it. */
  version: Record<string, unknown>
  /** The networking part of GET /info: INFO_NETWORK_FIELDS present, and Plugins.Network. */
  info: Record<string, unknown>
  /** When it was asked (ISO 8601). */
  askedAt: string
}

/** What of an /info answer a record keeps. */
function networkInfoOf(info: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {}
  for (const field of INFO_NETWORK_FIELDS) if (info[field] !== undefined) kept[field] = info[field]
  const network = (info.Plugins as { Network?: unknown } | undefined)?.Network
  if (network !== undefined) kept.Plugins = { Network: network }
  return kept
}

export async function endpointIdentity(docker: Docker): Promise<EndpointIdentity> {
  const [version, info] = await Promise.all([docker.version(), docker.info() as Promise<Record<string, unknown>>])
  return {
    version: version as unknown as Record<string, unknown>,
    info: networkInfoOf(info),
    askedAt: new Date().toISOString(),
  }
}
