/**
 * ssh:// endpoints, reached as the docker CLI reaches them: an ssh session to the host that runs
 * `docker system dial-stdio` there, whose stdin and stdout carry the API.
 *
 * dockerode's calls go through an ssh agent made here (SshAgent; ssh2, as docker-modem's): the user's key (the
 * profile's `ssh.identityFile`, else the ssh agent of SSH_AUTH_SOCK, else ~/.ssh/id_ed25519, id_ecdsa,
 * id_rsa) and the server's host key checked against known_hosts (the profile's `ssh.knownHostsFile`,
 * else ~/.ssh/known_hosts) — ssh2 itself would accept any host key. The docker CLI runs OpenSSH's `ssh`:
 * with a profile's files, through a wrapper on PATH that gives ssh a configuration of exactly those
 * (IdentitiesOnly, StrictHostKeyChecking yes, BatchMode); without, the user's own ssh configuration.
 *
 * checkSsh opens one session the way the transport does and turns what can go wrong into one line:
 * a host that does not answer, a host key not in known_hosts or another than known, a key the server
 * refuses, a remote without `docker`.
 */
import { createHmac } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { Agent as HttpAgent } from 'node:http'
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { Client, type ConnectConfig } from 'ssh2'
import { UsageError, firstLine } from '../errors'
import type { SshFiles } from '../types'

/** The parts of an ssh:// URL: user, host, port. */
export interface SshAddress {
  username?: string
  host: string
  port: number
}

export function sshAddressOf(url: URL): SshAddress {
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 22),
  }
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** The known_hosts file the checks use: the profile's, else ~/.ssh/known_hosts. */
function knownHostsFileOf(ssh?: SshFiles): string {
  return ssh?.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts')
}

/** Whether one host pattern of a known_hosts line (plain, or hashed `|1|salt|hash`) names NAME. */
function patternMatches(pattern: string, name: string): boolean {
  const hashed = /^\|1\|([^|]+)\|(.+)$/.exec(pattern)
  if (hashed) {
    const digest = createHmac('sha1', Buffer.from(hashed[1], 'base64')).update(name).digest('base64')
    return digest === hashed[2]
  }
  return pattern === name
}

/**
 * The host keys known_hosts holds for NAME (base64 of the key blob, as the server sends it), and
 * those it marks @revoked. Wildcards and @cert-authority lines are not read: such a host is unknown.
 */
export function knownKeys(text: string, name: string): { keys: string[]; revoked: string[] } {
  const keys: string[] = []
  const revoked: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined
    const [hosts, , key] = fields
    if (!hosts || !key || marker === '@cert-authority') continue
    const patterns = hosts.split(',')
    if (patterns.some((p) => p.startsWith('!') && patternMatches(p.slice(1), name))) continue
    if (!patterns.some((p) => patternMatches(p, name))) continue
    if (marker === '@revoked') revoked.push(key)
    else keys.push(key)
  }
  return { keys, revoked }
}

/** What the host key check found: the key is known, or why not (for the one-line error). */
export type HostKeyVerdict = { known: true } | { known: false; why: string }

/** Checks the server's host key (the blob ssh2 hands over) against known_hosts, as StrictHostKeyChecking yes does. */
export function checkHostKey(blob: Buffer, address: SshAddress, file: string): HostKeyVerdict {
  const name = knownHostsName(address.host, address.port)
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const { keys, revoked } = knownKeys(text, name)
  const offered = blob.toString('base64')
  if (revoked.includes(offered)) return { known: false, why: `its host key is marked @revoked in ${file}` }
  if (keys.includes(offered)) return { known: true }
  if (keys.length > 0)
    return {
      known: false,
      why: `its host key is not the one ${file} holds for ${name} (the host changed, or someone is in between)`,
    }
  return { known: false, why: `${name} is not in ${file} (add its host key there, as ssh-keyscan or ssh would)` }
}

/** The private key the transport offers: the profile's file, else the first of ~/.ssh's default keys. */
function identityOf(ssh?: SshFiles): { file: string; key: Buffer } | undefined {
  const candidates = ssh?.identityFile
    ? [ssh.identityFile]
    : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f))
  for (const file of candidates) {
    try {
      return { file, key: readFileSync(file) }
    } catch (e) {
      if (ssh?.identityFile)
        throw new UsageError(`ssh key ${file} (the profile's ssh.identityFile) cannot be read: ${firstLine(e)}`)
    }
  }
  return undefined
}

/** The last host key check's verdict per address, for the error that follows a refusal. */
const lastVerdicts = new Map<string, HostKeyVerdict>()

/**
 * ssh2's connection options for the endpoint (docker-modem's sshOptions): the key, or the agent,
 * and a host key check against known_hosts.
 */
function sshOptions(address: SshAddress, ssh: SshFiles | undefined, timeoutMs: number): ConnectConfig {
  const knownHosts = knownHostsFileOf(ssh)
  const identity = identityOf(ssh)
  const where = `${address.host}:${address.port}`
  return {
    ...(identity ? { privateKey: identity.key } : {}),
    ...(!ssh?.identityFile && process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}),
    readyTimeout: Math.min(timeoutMs, 20_000),
    hostVerifier: (key: Buffer) => {
      const verdict = checkHostKey(key, address, knownHosts)
      lastVerdicts.set(where, verdict)
      return verdict.known
    },
  }
}

/** What went wrong on an ssh connection, in one line naming what to fix. */
function describeSshFailure(e: unknown, address: SshAddress, ssh?: SshFiles): string {
  const where = `${address.username ? `${address.username}@` : ''}${address.host}:${address.port}`
  const message = firstLine(e)
  const code = String((e as { code?: unknown }).code ?? '')
  if (/Host denied/i.test(message)) {
    const verdict = lastVerdicts.get(`${address.host}:${address.port}`)
    return `ssh to ${where}: the host key is not trusted: ${verdict && !verdict.known ? verdict.why : message}`
  }
  if (/authentication methods failed/i.test(message)) {
    const key = ssh?.identityFile ?? identityOf(ssh)?.file
    return (
      `ssh to ${where}: the server refused the key ${key ?? '(none: no ssh.identityFile, agent or ~/.ssh/id_*)'}` +
      ` (is its public key in the user's authorized_keys?)`
    )
  }
  if (/Timed out while waiting for handshake/i.test(message) || code === 'ETIMEDOUT')
    return `ssh to ${where}: the host does not answer (no ssh handshake within the deadline)`
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code))
    return `ssh to ${where}: the host does not answer: ${message}`
  return `ssh to ${where}: ${message}`
}

/**
 * One session as the transport opens it: connect, check the host key, log in, run `docker system
 * dial-stdio` and ask it GET /_ping. Resolves when the remote engine answers; one-line UsageError otherwise.
 */
export function checkSsh(
  url: string,
  address: SshAddress,
  ssh: SshFiles | undefined,
  timeoutMs: number,
): Promise<void> {
  const options = sshOptions(address, ssh, timeoutMs)
  const where = `${address.username ? `${address.username}@` : ''}${address.host}:${address.port}`
  return new Promise<void>((resolve, reject) => {
    const client = new Client()
    let settled = false
    const done = (error?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      client.end()
      if (error) reject(new UsageError(error))
      else resolve()
    }
    const timer = setTimeout(
      () => done(`ssh to ${where}: no answer from the remote docker within ${timeoutMs / 1000} s`),
      timeoutMs + 1000,
    )
    client.on('error', (e) => done(describeSshFailure(e, address, ssh)))
    client.on('ready', () => {
      client.exec('docker system dial-stdio', (err, stream) => {
        if (err) return done(`ssh to ${where}: could not run docker system dial-stdio: ${firstLine(err)}`)
        let answer = ''
        let stderr = ''
        stream.on('data', (b: Buffer) => {
          answer += b.toString('utf8')
          if (/^HTTP\/1\.[01] 200/.test(answer)) done()
        })
        stream.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')))
        // Judged once the channel has closed: its exit status may come before the last of its stderr.
        let status: number | null | undefined
        stream.on('exit', (code: number | null) => (status = code))
        stream.on('close', () => {
          if (settled) return
          if (status === 127 || /docker: (command )?not found/i.test(stderr))
            return done(
              `ssh to ${where}: the remote has no docker command (\`docker system dial-stdio\` exit ${status}: ` +
                `${stderr.trim().split('\n')[0] || 'not found'}); install the docker CLI there or put it on the PATH ` +
                'of non-interactive ssh sessions',
            )
          if (answer === '')
            return done(
              `ssh to ${where}: \`docker system dial-stdio\` ended (exit ${status ?? 'none'}) without an answer from ` +
                `the engine: ${stderr.trim().split('\n')[0] || 'nothing on stderr'}`,
            )
          done(`endpoint ${url} is not a Docker API: GET /_ping over ssh answered ${answer.split('\r\n')[0]}`)
        })
        stream.write(`GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n`)
      })
    })
    client.connect({
      host: address.host,
      port: address.port,
      username: address.username ?? process.env.USER ?? 'root',
      ...options,
    })
  })
}

// ---------------------------------------------------------------- dockerode's transport

/**
 * An http.Agent whose connections are `docker system dial-stdio` sessions on one ssh connection to
 * the host (opened when first needed, again after it closes), given to dockerode as its agent: what
 * docker-modem's own ssh transport (protocol 'ssh', also on ssh2) does, but that one throws
 * "TypeError: sock.setTimeout is not a function" out of Node's HTTP client as soon as a call has a
 * deadline (measured with dockerode 4.0.12: every call of the suite has one), and makes an ssh
 * connection per call. Here: one ssh handshake for many calls, and a socket with what Node's HTTP
 * client asks of one (setTimeout). At most 10 sessions at once (OpenSSH's MaxSessions default);
 * more calls wait in the agent's queue.
 */
class SshAgent extends HttpAgent {
  private client?: Promise<Client>
  private open = 0
  private sock?: Socket

  constructor(
    private readonly address: SshAddress,
    private readonly ssh: SshFiles | undefined,
    private readonly timeoutMs: number,
  ) {
    super({ keepAlive: false, maxSockets: 10 })
  }

  /** The ssh connection, made when none is open. */
  private connection(): Promise<Client> {
    if (this.client) return this.client
    const client = new Client()
    const sock = new Socket()
    this.sock = sock
    this.client = new Promise<Client>((resolve, reject) => {
      client.once('ready', () => resolve(client))
      // Every error, not only the first: one after the connection was made (it dropped) would otherwise
      // be thrown with no listener. The next call makes a new connection.
      client.on('error', (e) => {
        if (this.sock === sock) this.client = undefined
        reject(new Error(describeSshFailure(e, this.address, this.ssh)))
      })
      client.once('close', () => {
        if (this.sock === sock) this.client = undefined
      })
      client.connect({
        host: this.address.host,
        port: this.address.port,
        username: this.address.username ?? process.env.USER ?? 'root',
        sock,
        ...sshOptions(this.address, this.ssh, this.timeoutMs),
      })
      sock.connect(this.address.port, this.address.host)
    })
    return this.client
  }

  /** An open session keeps the process alive; an idle ssh connection does not. */
  private hold(delta: number): void {
    this.open += delta
    if (this.open > 0) this.sock?.ref()
    else this.sock?.unref()
  }

  override createConnection(_options: unknown, callback: (err: Error | null, stream?: Duplex) => void): Duplex {
    this.hold(1)
    this.connection()
      .then((client) =>
        client.exec('docker system dial-stdio', (err, channel) => {
          if (err) {
            this.hold(-1)
            return callback(new Error(`ssh: could not run docker system dial-stdio: ${firstLine(err)}`))
          }
          channel.once('close', () => this.hold(-1))
          callback(null, asSocket(channel))
        }),
      )
      .catch((e: Error) => {
        this.hold(-1)
        callback(e)
      })
    // Nothing returned: the agent waits for the callback's stream (a returned one would be used at once).
    return undefined as unknown as Duplex
  }
}

/** An ssh channel with the socket methods Node's HTTP client calls (an idle timeout, and no-ops). */
function asSocket(channel: Duplex): Duplex {
  const s = channel as Duplex & Record<string, unknown>
  let timer: NodeJS.Timeout | undefined
  let idleMs = 0
  const arm = () => {
    if (timer) clearTimeout(timer)
    timer = idleMs > 0 ? setTimeout(() => s.emit('timeout'), idleMs) : undefined
  }
  s.on('data', arm)
  s.once('close', () => timer && clearTimeout(timer))
  s.setTimeout = (ms: number, cb?: () => void) => {
    idleMs = ms
    if (cb) s.once('timeout', cb)
    arm()
    return s
  }
  s.setNoDelay = () => s
  s.setKeepAlive = () => s
  s.ref = () => s
  s.unref = () => s
  return s
}

/** The agents of this process, per host, user and ssh files: one ssh connection each. */
const agents = new Map<string, SshAgent>()

/** The http.Agent dockerode reaches the ssh endpoint through. */
export function sshAgentFor(address: SshAddress, ssh: SshFiles | undefined, timeoutMs: number): HttpAgent {
  const key = JSON.stringify({ address, ssh, timeoutMs })
  let agent = agents.get(key)
  if (!agent) {
    agent = new SshAgent(address, ssh, timeoutMs)
    agents.set(key, agent)
  }
  return agent
}

// ---------------------------------------------------------------- the docker CLI's ssh

/** Per set of ssh files: a folder with an `ssh` that runs OpenSSH with exactly those (removed at exit). */
const wrappers = new Map<string, string>()

/** OpenSSH's ssh on this PATH, skipping netconform's own wrappers. */
function realSsh(path: string): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '' || [...wrappers.values()].includes(dir)) continue
    if (existsSync(join(dir, 'ssh'))) return join(dir, 'ssh')
  }
  throw new UsageError("an ssh:// endpoint needs OpenSSH's ssh for the docker CLI steps: no ssh on PATH")
}

/**
 * The environment's PATH with a folder first whose `ssh` is OpenSSH with a configuration of the
 * profile's files only (the docker CLI runs `ssh … docker system dial-stdio` from PATH).
 */
export function cliSshPath(ssh: SshFiles, path = process.env.PATH ?? ''): string {
  const key = JSON.stringify(ssh)
  let dir = wrappers.get(key)
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'netconform-ssh-'))
    const made = dir
    process.once('exit', () => rmSync(made, { recursive: true, force: true }))
    const lines = [
      '# written by netconform for the docker CLI steps of an ssh:// endpoint (support/engine/ssh.ts)',
      'Host *',
      '  BatchMode yes',
      '  StrictHostKeyChecking yes',
      `  UserKnownHostsFile "${knownHostsFileOf(ssh)}"`,
      '  GlobalKnownHostsFile /dev/null',
      ...(ssh.identityFile ? [`  IdentityFile "${ssh.identityFile}"`, '  IdentitiesOnly yes'] : []),
    ]
    writeFileSync(join(dir, 'ssh_config'), `${lines.join('\n')}\n`)
    writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nexec '${realSsh(path)}' -F '${join(dir, 'ssh_config')}' "$@"\n`)
    chmodSync(join(dir, 'ssh'), 0o755)
    wrappers.set(key, dir)
  }
  return `${dir}${delimiter}${path}`
}
