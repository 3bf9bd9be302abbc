/**
 * Docker contexts, read from the context store as the docker CLI reads it, and which endpoint a
 * command talks to when no profile names one, with the docker CLI's precedence
 * (docker/cli cli/command/cli.go resolveContextName):
 *
 *   --context NAME                    (with --endpoint too: a usage error, as docker -H … --context …)
 *   --endpoint URL                    (the CLI's --host)
 *   DOCKER_HOST
 *   DOCKER_CONTEXT
 *   currentContext of config.json     (DOCKER_CONFIG, else ~/.docker)
 *   unix:///var/run/docker.sock
 *
 * The context named `default` is the docker CLI's own: DOCKER_HOST, else the default socket.
 * The store: DOCKER_CONFIG/contexts/meta/<sha256 of the name>/meta.json holds the endpoint
 * (Endpoints.docker.Host, SkipTLSVerify), DOCKER_CONFIG/contexts/tls/<sha256>/docker/ the TLS
 * files ca.pem, cert.pem, key.pem.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { UsageError, firstLine } from '../errors'
import type { TlsFiles } from '../types'
import { DEFAULT_ENDPOINT, type Endpoint, tlsFromEnvironment } from './connection'

/** The docker CLI's name for "no context: DOCKER_HOST or the default socket". */
const DEFAULT_CONTEXT = 'default'

/** The docker CLI's configuration folder: DOCKER_CONFIG, else ~/.docker. */
function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG.trim() !== '' ? env.DOCKER_CONFIG : join(homedir(), '.docker')
}

/** A context's folder name in the store: the sha256 of its name, in hex. */
export function contextDigest(name: string): string {
  return createHash('sha256').update(name).digest('hex')
}

/** The current context of config.json (`docker context use`), or undefined when it names none. */
export function currentContextOf(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = join(dockerConfigDir(env), 'config.json')
  if (!existsSync(file)) return undefined
  let config: unknown
  try {
    config = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new UsageError(`cannot read the docker CLI's configuration ${file}: ${firstLine(e)}`)
  }
  const name = (config as { currentContext?: unknown } | null)?.currentContext
  return typeof name === 'string' && name !== '' ? name : undefined
}

/** An endpoint and where it came from, in words for the run's profile source. */
export interface ChosenEndpoint {
  endpoint: Endpoint
  source: string
}

interface ContextMeta {
  Name?: unknown
  Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } }
}

/** The endpoint context NAME holds in the store, with its TLS files; one line naming what is missing otherwise. */
export function contextEndpoint(name: string, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const dir = dockerConfigDir(env)
  const digest = contextDigest(name)
  const metaFile = join(dir, 'contexts', 'meta', digest, 'meta.json')
  if (!existsSync(metaFile))
    throw new UsageError(
      `docker context "${name}" not found: no ${metaFile} (docker context ls lists the contexts of ${dir})`,
    )
  let meta: ContextMeta
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta
  } catch (e) {
    throw new UsageError(`docker context "${name}": cannot read ${metaFile}: ${firstLine(e)}`)
  }
  const docker = meta?.Endpoints?.docker
  const host = docker?.Host
  if (typeof host !== 'string' || host.trim() === '')
    throw new UsageError(`docker context "${name}" has no Docker endpoint (Endpoints.docker.Host in ${metaFile})`)
  const url = host.trim()
  const tlsDir = join(dir, 'contexts', 'tls', digest, 'docker')
  const skipVerify = docker?.SkipTLSVerify === true
  const files: TlsFiles = {
    caFile: join(tlsDir, 'ca.pem'),
    certFile: join(tlsDir, 'cert.pem'),
    keyFile: join(tlsDir, 'key.pem'),
    ...(skipVerify ? { skipVerify: true } : {}),
  }
  const present = [files.caFile, files.certFile, files.keyFile].filter((f) => existsSync(f))
  if (!/^tcp:\/\//i.test(url) || (present.length === 0 && !skipVerify)) return { url }
  const needed = skipVerify ? [files.certFile, files.keyFile] : [files.caFile, files.certFile, files.keyFile]
  const missing = needed.filter((f) => !existsSync(f))
  if (missing.length > 0)
    throw new UsageError(
      `docker context "${name}" speaks TLS to ${url} but lacks ${missing.join(', ')} ` +
        '(netconform needs ca.pem, cert.pem and key.pem, or cert.pem and key.pem with SkipTLSVerify)',
    )
  return { url, tls: files }
}

/** The command line's choice of endpoint, when it names no profile (or overrides the profile's). */
export interface EndpointChoice {
  endpoint?: string
  context?: string
}

/**
 * The endpoint a command talks to when no profile names one, with the docker CLI's precedence
 * (above). `choice` is what the command line says; env what the environment says.
 */
export function chooseEndpoint(choice: EndpointChoice, env: NodeJS.ProcessEnv = process.env): ChosenEndpoint {
  if (choice.context !== undefined && choice.endpoint !== undefined)
    throw new UsageError('--endpoint and --context contradict each other: give one (as docker -H and --context)')
  if (choice.context !== undefined) return fromContext(choice.context, '--context', env)
  if (choice.endpoint !== undefined) return { endpoint: { url: choice.endpoint }, source: '--endpoint' }
  const host = env.DOCKER_HOST?.trim()
  if (host) return fromHost(host, 'DOCKER_HOST', env)
  const named = env.DOCKER_CONTEXT?.trim()
  if (named) return fromContext(named, 'DOCKER_CONTEXT', env)
  const current = currentContextOf(env)
  if (current) return fromContext(current, `currentContext of ${join(dockerConfigDir(env), 'config.json')}`, env)
  return { endpoint: { url: DEFAULT_ENDPOINT }, source: 'the default socket' }
}

/** The context NAME, or for `default` the environment's endpoint (the docker CLI's default context). */
function fromContext(name: string, how: string, env: NodeJS.ProcessEnv): ChosenEndpoint {
  if (name === DEFAULT_CONTEXT) {
    const host = env.DOCKER_HOST?.trim()
    return host
      ? fromHost(host, `docker context default (${how}): DOCKER_HOST`, env)
      : { endpoint: { url: DEFAULT_ENDPOINT }, source: `docker context default (${how}): the default socket` }
  }
  const endpoint = contextEndpoint(name, env)
  const tls = endpoint.tls ? `; TLS: ${join(dockerConfigDir(env), 'contexts', 'tls', contextDigest(name))}` : ''
  return { endpoint, source: `docker context ${name} (${how})${tls}` }
}

/** DOCKER_HOST, with TLS as the docker CLI takes it (DOCKER_TLS_VERIFY and DOCKER_CERT_PATH). */
function fromHost(url: string, how: string, env: NodeJS.ProcessEnv): ChosenEndpoint {
  const tls = tlsFromEnvironment(url, env)
  return {
    endpoint: tls ? { url, tls } : { url },
    source: `${how}${tls ? '; TLS: DOCKER_TLS_VERIFY, DOCKER_CERT_PATH' : ''}`,
  }
}
