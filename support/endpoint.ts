/**
 * Endpoint connection: one Docker API endpoint, reached by dockerode and by the docker CLI
 * alike (the CLI gets the same DOCKER_HOST), with a deadline on every call.
 */
import Docker from 'dockerode'
import { UsageError, firstLine } from './errors'
import type { EngineInfo } from './types'

export const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock'

/** The endpoint the docker CLI would use: DOCKER_HOST, else the default socket. */
export function endpointFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST && env.DOCKER_HOST.trim() !== '' ? env.DOCKER_HOST.trim() : DEFAULT_ENDPOINT
}

/** dockerode options for an endpoint URL; unix:// and tcp:// are supported. */
export function dockerOptions(endpoint: string, timeoutMs: number): Docker.DockerOptions {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new UsageError(`endpoint "${endpoint}" is not a URL (expected unix:///path/to/docker.sock or tcp://host:port)`)
  }
  if (url.protocol === 'unix:') return { socketPath: decodeURIComponent(url.pathname), timeout: timeoutMs }
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375), timeout: timeoutMs }
  }
  throw new UsageError(`endpoint "${endpoint}" has an unsupported scheme "${url.protocol.replace(/:$/, '')}" (supported: unix, tcp)`)
}

/** A dockerode client for the endpoint; `timeoutMs` bounds every request. */
export function dockerFor(endpoint: string, timeoutMs = 30_000): Docker {
  return new Docker(dockerOptions(endpoint, timeoutMs))
}

/** Environment for docker CLI processes so that they talk to the same endpoint as dockerode. */
export function cliEnvironment(endpoint: string): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: endpoint, DOCKER_CLI_HINTS: 'false' }
}

/**
 * Checks that a Docker API answers at the endpoint within `timeoutMs`, and says what engine it is.
 * Throws a UsageError naming the endpoint otherwise.
 */
export async function probeEndpoint(endpoint: string, timeoutMs = 8_000): Promise<EngineInfo> {
  const docker = dockerFor(endpoint, timeoutMs)
  const ask = async <T>(path: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call()
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode
      if (status) throw new UsageError(`endpoint ${endpoint} is not a Docker API: GET ${path} answered ${status}`)
      throw new UsageError(`cannot reach the Docker endpoint ${endpoint}: ${firstLine(e)}`)
    }
  }
  await ask('/_ping', () => docker.ping())
  const v = await ask('/version', () => docker.version())
  if (typeof v !== 'object' || !v.ApiVersion || !v.Version) {
    throw new UsageError(`endpoint ${endpoint} is not a Docker API: GET /version did not say a Version and an ApiVersion`)
  }
  const components = (v as { Components?: { Name: string }[] }).Components ?? []
  const podman = components.find((c) => /podman/i.test(c.Name))
  const platform = (v as { Platform?: { Name?: string } }).Platform?.Name
  return {
    name: podman?.Name ?? (platform && platform.trim() !== '' ? platform : 'Docker Engine'),
    version: v.Version,
    apiVersion: v.ApiVersion,
    os: `${v.Os}/${v.Arch}`,
    kernel: v.KernelVersion,
  }
}
