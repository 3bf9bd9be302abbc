/**
 * Endpoint connection: one Docker API endpoint, reached by dockerode and by the docker CLI
 * alike (the CLI gets the same DOCKER_HOST, and for TLS the same DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH), with a deadline on every call.
 *
 * An endpoint is its URL (unix://, tcp://, ssh://) and, for tcp://, the TLS client files: a
 * profile's `tls`, or DOCKER_TLS_VERIFY + DOCKER_CERT_PATH as the docker CLI reads them. The
 * functions here take a Target, an Endpoint, or a bare URL; a bare URL gets the TLS files last
 * given with that URL in this process (so code holding only `target.endpoint` talks to the same
 * endpoint the same way), and none otherwise.
 *
 * Longer than 400 lines: each transport's options for dockerode and for the docker CLI, and each
 * transport's failures in one line (TLS, ssh, a socket that is no Docker API), read the same parsed
 * endpoint; split by transport they would each need all of it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { isIP } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { Agent as HttpsAgent } from 'node:https'
import { connect as tlsConnect, createSecureContext } from 'node:tls'
import Docker from 'dockerode'
import { UsageError, firstLine, statusOf } from '../errors'
import type { EngineInfo, SshFiles, Target, TlsFiles } from '../types'
import { checkSsh, cliSshPath, sshAddressOf, sshAgentFor } from './ssh'
import { productName } from './kinds'

export const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock'

/** An endpoint: its URL, as DOCKER_HOST spells it, and the TLS client files when it speaks TLS. */
export interface Endpoint {
  url: string
  tls?: TlsFiles
  /** For ssh://: the key and known_hosts (absent: the user's, as ssh would take them). */
  ssh?: SshFiles
}

/** What the functions here accept: a target, an endpoint, or a bare URL. */
export type EndpointRef = string | Endpoint | Pick<Target, 'endpoint' | 'tls' | 'ssh'>

export const TLS_HINT = "(check DOCKER_CERT_PATH / the profile's tls files)"

/** The endpoint a reference means: a bare URL has no TLS files; pass the target to keep them. */
export function endpointOf(ref: EndpointRef): Endpoint {
  if (typeof ref === 'string') return { url: ref }
  const url = 'url' in ref ? ref.url : ref.endpoint
  return { url, ...(ref.tls ? { tls: ref.tls } : {}), ...(ref.ssh ? { ssh: ref.ssh } : {}) }
}

/** The endpoint the docker CLI would use: DOCKER_HOST, else the default socket. */
export function endpointFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST && env.DOCKER_HOST.trim() !== '' ? env.DOCKER_HOST.trim() : DEFAULT_ENDPOINT
}

/**
 * The TLS files the docker CLI would use for `url`: when DOCKER_TLS_VERIFY is set (non-empty)
 * and the endpoint is tcp://, ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (default: the
 * docker config folder, DOCKER_CONFIG or ~/.docker). Undefined otherwise.
 */
export function tlsFromEnvironment(url: string, env: NodeJS.ProcessEnv = process.env): TlsFiles | undefined {
  if (!env.DOCKER_TLS_VERIFY) return undefined
  if (!/^tcp:\/\//i.test(url.trim())) return undefined
  const dir = resolve(env.DOCKER_CERT_PATH || env.DOCKER_CONFIG || join(homedir(), '.docker'))
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }
}

const TLS_FILE_ROLES: ['caFile' | 'certFile' | 'keyFile', string, 'ca' | 'cert' | 'key'][] = [
  ['caFile', 'CA certificate', 'ca'],
  ['certFile', 'client certificate', 'cert'],
  ['keyFile', 'client key', 'key'],
]

/**
 * Reads and checks the TLS files; a missing, unreadable or unusable one is a UsageError naming it.
 * Without verification (skipVerify) the CA is not read.
 */
function readTls(url: string, tls: TlsFiles): { ca?: Buffer; cert: Buffer; key: Buffer } {
  const material = {} as { ca?: Buffer; cert: Buffer; key: Buffer }
  for (const [field, role, option] of TLS_FILE_ROLES) {
    if (field === 'caFile' && tls.skipVerify) continue
    const file = tls[field]
    try {
      material[option] = readFileSync(file)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'a folder, not a file'
              : firstLine(e)
      throw new UsageError(`TLS ${role} for ${url}: cannot read ${file}: ${why} ${TLS_HINT}`)
    }
  }
  try {
    createSecureContext(material)
  } catch (e) {
    throw new UsageError(
      `TLS files for ${url} are not usable: ${opensslReason(firstLine(e))} (ca ${tls.caFile}, cert ${tls.certFile}, ` +
        `key ${tls.keyFile}) ${TLS_HINT}`,
    )
  }
  return material
}

/** dockerode options for an endpoint; unix://, tcp:// (plain or TLS), http:// and ssh:// are supported. */
export function dockerOptions(ref: EndpointRef, timeoutMs: number): Docker.DockerOptions {
  const { url: endpoint, tls, ssh } = endpointOf(ref)
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new UsageError(
      `endpoint "${endpoint}" is not a URL (expected unix:///path/to/docker.sock or tcp://host:port)`,
    )
  }
  if (url.protocol === 'unix:') return { socketPath: decodeURIComponent(url.pathname), timeout: timeoutMs }
  if (url.protocol === 'tcp:' && tls) {
    const material = readTls(endpoint, tls)
    return {
      protocol: 'https',
      host: url.hostname,
      port: Number(url.port || 2376),
      ...material,
      // docker-modem hands a request only key, cert and ca: not checking the server takes an agent of its own.
      ...(tls.skipVerify ? { agent: new HttpsAgent({ ...material, rejectUnauthorized: false }) } : {}),
      timeout: timeoutMs,
    }
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375), timeout: timeoutMs }
  }
  if (url.protocol === 'ssh:') {
    // dockerode runs `docker system dial-stdio` on the remote host over ssh, as the docker CLI does,
    // with the key and the host key check of ssh.ts.
    const address = sshAddressOf(url)
    return {
      protocol: 'http',
      host: address.host,
      port: address.port,
      agent: sshAgentFor(address, ssh, timeoutMs),
      timeout: timeoutMs,
    } as Docker.DockerOptions
  }
  throw new UsageError(
    `endpoint "${endpoint}" has an unsupported scheme "${url.protocol.replace(/:$/, '')}" (supported: unix, tcp, ssh)`,
  )
}

/** docker-modem fills what an option leaves out from DOCKER_HOST, DOCKER_CERT_PATH…: these say "nothing". */
const NO_ENVIRONMENT_DEFAULTS: Docker.DockerOptions = {
  socketPath: undefined,
  host: undefined,
  port: undefined,
  protocol: undefined,
  username: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
}

function newDocker(options: Docker.DockerOptions, endpoint: string): Docker {
  try {
    return new Docker({ ...NO_ENVIRONMENT_DEFAULTS, ...options })
  } catch (e) {
    // docker-modem reads DOCKER_HOST and DOCKER_CERT_PATH itself, and throws when their files are missing.
    throw new UsageError(
      `cannot make a Docker client for ${endpoint}: ${firstLine(e)} (check DOCKER_HOST / DOCKER_CERT_PATH)`,
    )
  }
}

/** A dockerode client for the endpoint; `timeoutMs` bounds every request. */
export function dockerFor(ref: EndpointRef, timeoutMs = 30_000): Docker {
  const endpoint = endpointOf(ref)
  return newDocker(dockerOptions(endpoint, timeoutMs), endpoint.url)
}

/** Per set of TLS files: a folder where they are named as the docker CLI wants them. */
const cliCertPaths = new Map<string, string>()

/**
 * DOCKER_CERT_PATH for the TLS files: their folder when they are ca.pem, cert.pem and key.pem
 * side by side, else a temporary folder of symlinks named so (removed when this process exits).
 */
function cliCertPath(tls: TlsFiles): string {
  const files = { ca: resolve(tls.caFile), cert: resolve(tls.certFile), key: resolve(tls.keyFile) }
  const dir = dirname(files.ca)
  const asTheCliWants = Object.entries(files).every(
    ([name, file]) => dirname(file) === dir && basename(file) === `${name}.pem` && existsSync(file),
  )
  if (asTheCliWants) return dir
  const key = JSON.stringify(files)
  const known = cliCertPaths.get(key)
  if (known) return known
  const made = mkdtempSync(join(tmpdir(), 'netconform-tls-'))
  for (const [name, file] of Object.entries(files)) {
    // The CLI reads a ca.pem from DOCKER_CERT_PATH even when it does not verify (DOCKER_TLS alone):
    // without one, the client certificate stands in, loaded and never used to check anything.
    const target = name === 'ca' && tls.skipVerify && !existsSync(file) ? files.cert : file
    symlinkSync(target, join(made, `${name}.pem`))
  }
  process.once('exit', () => rmSync(made, { recursive: true, force: true }))
  cliCertPaths.set(key, made)
  return made
}

/** Environment for docker CLI processes so that they talk to the same endpoint as dockerode, the same way. */
export function cliEnvironment(ref: EndpointRef): NodeJS.ProcessEnv {
  const { url, tls, ssh } = endpointOf(ref)
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: url, DOCKER_CLI_HINTS: 'false' }
  // The CLI's ssh is OpenSSH from PATH: with the profile's key and known_hosts, a wrapper that uses only those.
  if (ssh && /^ssh:/i.test(url)) env.PATH = cliSshPath(ssh, env.PATH)
  // Whatever TLS settings this process was given, the CLI uses exactly the endpoint's.
  delete env.DOCKER_TLS
  delete env.DOCKER_TLS_VERIFY
  delete env.DOCKER_CERT_PATH
  if (tls && /^tcp:/i.test(url)) {
    // DOCKER_TLS alone: TLS with the client certificate, the server's not checked (the CLI's --tls).
    if (tls.skipVerify) env.DOCKER_TLS = '1'
    else env.DOCKER_TLS_VERIFY = '1'
    env.DOCKER_CERT_PATH = cliCertPath(tls)
  }
  return env
}

// ---------------------------------------------------------------- TLS failures

/** Errors that mean the endpoint's address did not take the connection: not TLS's doing. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'ENOENT',
])

/**
 * The reason part of an OpenSSL message ("C0…:error:0A000418:SSL
 * routines:ssl3_read_bytes:tlsv1 alert unknown ca:…" → "tlsv1 alert unknown ca").
 */
function opensslReason(message: string): string {
  const m = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:\n]+)/.exec(message)
  return (m ? m[1] : message).trim()
}

/** True for an error that a TLS connection's handshake or certificates caused. */
function isTlsError(e: unknown): boolean {
  const code = String((e as { code?: unknown }).code ?? '')
  if (UNREACHABLE.has(code)) return false
  const message = e instanceof Error ? e.message : String(e)
  return (
    /^ERR_SSL_|^ERR_TLS_|^EPROTO$|CERT|^UNABLE_TO_|SELF_SIGNED/.test(code) ||
    /SSL routines|certificate|altnames|secure TLS connection/i.test(message)
  )
}

/** The TLS alerts with which a server refuses the client's certificate. */
const CLIENT_REFUSED = new RegExp(
  'alert (' +
    'unknown ca|bad certificate|certificate unknown|certificate required|unsupported certificate|' +
    'certificate revoked|certificate expired|access denied' +
    ')',
  'i',
)

/** What went wrong in a TLS handshake, said for a person. */
function describeTlsFailure(e: unknown): string {
  const code = String((e as { code?: unknown }).code ?? '')
  const reason = opensslReason(firstLine(e))
  if (CLIENT_REFUSED.test(reason)) {
    return `the server refused the client certificate (${reason})`
  }
  if (/wrong version number|packet length too long|unknown protocol|http request|record layer failure/i.test(reason)) {
    return `the server does not speak TLS (${reason})`
  }
  if (/CERT|^UNABLE_TO_|SELF_SIGNED/.test(code) || /certificate|altnames/i.test(reason)) {
    return `the server's certificate is not accepted: ${reason}`
  }
  if (/secure TLS connection was established/i.test(reason))
    return 'the server closed the connection during the handshake'
  return reason
}

function tlsFailure(url: string, reason: string): UsageError {
  return new UsageError(`TLS handshake with ${url} failed: ${reason} ${TLS_HINT}`)
}

/**
 * A TLS handshake with the endpoint and a first request over it, so that a client certificate
 * the server refuses after the handshake (TLS 1.3) shows too. Resolves once the server answers.
 */
function checkTls(url: string, options: Docker.DockerOptions, verify: boolean, timeoutMs: number): Promise<void> {
  const host = String(options.host).replace(/^\[(.*)\]$/, '$1')
  return new Promise<void>((resolvePromise, reject) => {
    let secure = false
    let settled = false
    const socket = tlsConnect({
      host,
      port: Number(options.port),
      ca: options.ca as Buffer | undefined,
      cert: options.cert as Buffer,
      key: options.key as Buffer,
      ...(verify ? {} : { rejectUnauthorized: false }),
      ...(isIP(host) ? {} : { servername: host }),
    })
    const done = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolvePromise()
    }
    const timer = setTimeout(
      () =>
        done(
          new UsageError(
            `cannot reach the Docker endpoint ${url}: no ${secure ? 'answer' : 'TLS handshake'} within ` +
              `${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    )
    socket.once('secureConnect', () => {
      secure = true
      socket.write(`GET /_ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
    })
    socket.once('data', () => done())
    socket.once('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code ?? ''
      if (UNREACHABLE.has(code)) done(new UsageError(`cannot reach the Docker endpoint ${url}: ${firstLine(e)}`))
      else done(tlsFailure(url, describeTlsFailure(e)))
    })
    socket.once('close', () =>
      done(
        tlsFailure(
          url,
          secure
            ? 'the server closed the connection after the handshake (did it refuse the client certificate?)'
            : 'the server closed the connection during the handshake',
        ),
      ),
    )
  })
}

/**
 * Checks that a Docker API answers at the endpoint within `timeoutMs`, and says what engine it is.
 * Throws a UsageError naming the endpoint otherwise (for TLS: naming TLS and what failed).
 */
export async function probeEndpoint(ref: EndpointRef, timeoutMs = 8_000): Promise<EngineInfo> {
  const { url: endpoint, tls: files, ssh } = endpointOf(ref)
  const options = dockerOptions(ref, timeoutMs)
  // Over ssh: one session first, so a host, key, host key or remote docker problem is said in one line.
  if (/^ssh:/i.test(endpoint)) await checkSsh(endpoint, sshAddressOf(new URL(endpoint)), ssh, timeoutMs)
  const tls = options.protocol === 'https'
  if (tls) await checkTls(endpoint, options, !files?.skipVerify, timeoutMs)
  const docker = newDocker(options, endpoint)
  const ask = async <T>(path: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call()
    } catch (e) {
      const status = statusOf(e)
      if (status === 400 && /HTTPS server/i.test(firstLine(e))) {
        throw new UsageError(
          `endpoint ${endpoint} speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, ` +
            'or give the profile tls files',
        )
      }
      if (status) throw new UsageError(`endpoint ${endpoint} is not a Docker API: GET ${path} answered ${status}`)
      if (tls && isTlsError(e)) throw tlsFailure(endpoint, describeTlsFailure(e))
      throw new UsageError(`cannot reach the Docker endpoint ${endpoint}: ${firstLine(e)}`)
    }
  }
  await ask('/_ping', () => docker.ping())
  const v = await ask('/version', () => docker.version())
  if (typeof v !== 'object' || !v.ApiVersion || !v.Version) {
    throw new UsageError(
      `endpoint ${endpoint} is not a Docker API: GET /version did not say a Version and an ApiVersion`,
    )
  }
  return {
    name: productName(v),
    version: v.Version,
    apiVersion: v.ApiVersion,
    os: `${v.Os}/${v.Arch}`,
    kernel: v.KernelVersion,
  }
}

/** True when the endpoint answers GET /_ping within `timeoutMs`: the cheap liveness check for mid-run faults. */
export async function endpointAnswers(ref: EndpointRef, timeoutMs = 10_000): Promise<boolean> {
  try {
    await dockerFor(ref, timeoutMs).ping()
    return true
  } catch {
    return false
  }
}

/**
 * How the docker CLI and dockerode say the endpoint itself is not there: only messages that
 * name the endpoint's own socket or address (a refused connection to a published port is
 * evidence about that port, never the endpoint's loss), or an HTTP exchange with it cut short.
 */
export function endpointRefusal(endpoint: string): RegExp {
  const url = new URL(endpoint)
  const where =
    url.protocol === 'unix:'
      ? decodeURIComponent(url.pathname)
      : `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || (url.protocol === 'ssh:' ? 22 : 2375)}`
  const escaped = where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`Cannot connect to the Docker daemon|connect (ECONNREFUSED|ENOENT) ${escaped}|socket hang up`)
}
