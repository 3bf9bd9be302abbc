/**
 * A Docker API relay: listens on a unix socket in a temporary folder and forwards every request to
 * the upstream endpoint (unix socket, tcp, or tcp with TLS), unchanged unless an interceptor
 * (`Interceptor`) admits it otherwise or exchanges it. The docker CLI's calls go through one
 * (api-calls.ts: it sees each HTTP status); the sensitivity proxy is one with its faults' hooks
 * and its conditions as the interceptor (support/sensitivity/proxy.ts).
 *
 * Only what an interceptor reads or rewrites is buffered: every other response streams through
 * chunk by chunk (the docker CLI's `POST /containers/{id}/wait?condition=next-exit` is answered
 * only when the container exits), and HTTP Upgrade requests (attach, exec start: 101 or 200
 * followed by a raw stream) are spliced through as raw bytes in both directions. Paths are given
 * to the interceptor without their API version prefix (/v1.41/containers/create → /containers/create).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import {
  STATUS_CODES,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect as netConnect, isIP, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import type { Duplex } from 'node:stream'
import type { TlsFiles } from '../types'

/** A request of the relay's own to the upstream endpoint; JSON in and out. */
export type Upstream = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>

/** An answer sent in the relay's name, unforwarded: a status and a JSON body. */
export interface Answer {
  status: number
  body: unknown
}

/** A plain (not upgraded) request, as an interceptor sees it. */
export interface RelayedRequest {
  method: string
  /** The path without the API version prefix and without the query. */
  path: string
  /** The API version prefix as sent ("/v1.41"), or "". */
  version: string
  query: URLSearchParams
}

/**
 * What an interceptor does with one plain request it reads or rewrites. The relay buffers the
 * request's body only when `request` is there, and the answer's only when `buffersAnswer` says so.
 */
export interface Exchange {
  /** The request's whole body: the body to forward, or an answer to send instead. */
  request?: (body: Buffer) => Promise<{ body: Buffer } | { answer: Answer }>
  /** Whether the upstream's answer is to be buffered and handed to `answer` (json: its content type is JSON). */
  buffersAnswer: (json: boolean) => boolean
  /** The upstream's whole answer: the bytes to send back, or undefined to send it unchanged. */
  answer?: (status: number, raw: Buffer) => Promise<Buffer | undefined>
}

/** What comes between the client and the upstream endpoint. */
interface Interceptor {
  /**
   * Before anything else, every request (upgrades too), by "METHOD /path": undefined forwards it,
   * 'drop' closes its connection, an Answer is sent unforwarded.
   */
  admit?: (call: string) => Promise<'drop' | Answer | undefined>
  /** A plain request's exchange, or undefined to stream it through. */
  exchange?: (request: RelayedRequest, upstream: Upstream) => Exchange | undefined
}

export interface RelayOptions {
  /** The upstream endpoint, as DOCKER_HOST spells it: unix:///path or tcp://host:port. */
  upstream: string
  tls?: TlsFiles
  interceptor?: Interceptor
  /** Who answers 502 when forwarding or an interceptor fails, in the answer's message (default "netconform relay"). */
  says?: string
  /** Called when forwarding or an interceptor fails; the request is then answered 502 with the error. */
  onError?: (what: string, e: unknown) => void
  /** Told how the upstream answered each forwarded request: its status, or the error that ended it (a code). */
  onAnswer?: (call: string, outcome: { status: number } | { error: string; message: string }) => void
}

export interface Relay {
  /** unix:///tmp/netconform-proxy-XXXX/docker.sock */
  url: string
  socketPath: string
  /** Requests seen, by "METHOD /path" without version, for reports and tests. */
  seen: string[]
  /** Replaces the interceptor (one relay serves fault after fault). */
  setInterceptor(interceptor: Interceptor | undefined): void
  /** As an engine restarting: no listener on the socket for `downMs`, every open connection dropped. */
  goDown(downMs: number): void
  close(): Promise<void>
}

const VERSION = /^(\/v\d+(?:\.\d+)?)(\/.*)$/
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
])

/** Splits a request URL into version prefix, path and query. */
export function splitUrl(url: string): { version: string; path: string; query: URLSearchParams } {
  const q = url.indexOf('?')
  const raw = q >= 0 ? url.slice(0, q) : url
  const m = VERSION.exec(raw)
  return { version: m ? m[1] : '', path: m ? m[2] : raw, query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : '') }
}

interface UpstreamTarget {
  socketPath?: string
  host?: string
  port?: number
  tls?: { ca: Buffer; cert: Buffer; key: Buffer }
}

function upstreamOf(url: string, tls?: TlsFiles): UpstreamTarget {
  const u = new URL(url)
  if (u.protocol === 'unix:') return { socketPath: decodeURIComponent(u.pathname) }
  if (u.protocol === 'tcp:' || u.protocol === 'http:') {
    const target: UpstreamTarget = {
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(u.port || (tls ? 2376 : 2375)),
    }
    if (tls)
      target.tls = { ca: readFileSync(tls.caFile), cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }
    return target
  }
  throw new Error(`netconform's relay forwards to unix:// and tcp:// endpoints only, not ${url}`)
}

function withoutHopByHop(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v
  return out
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (b: Buffer) => chunks.push(b))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}

/** A body as JSON, or undefined when it is empty or not JSON. */
export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined
  try {
    return JSON.parse(buf.toString('utf8'))
  } catch {
    return undefined
  }
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const up = upstreamOf(opts.upstream, opts.tls)
  const says = opts.says ?? 'netconform relay'
  let interceptor = opts.interceptor ?? {}
  const seen: string[] = []
  const dir = mkdtempSync(join(tmpdir(), 'netconform-proxy-'))
  const socketPath = join(dir, 'docker.sock')
  const sockets = new Set<Socket | Duplex>()
  let closed = false

  const goDown = (downMs: number) => {
    httpServer.close()
    for (const s of sockets) s.destroy()
    setTimeout(() => {
      if (closed) return
      httpServer.listen(socketPath)
    }, downMs).unref()
  }

  /** A request to the upstream endpoint: streamed both ways. */
  const forward = (method: string, url: string, headers: Record<string, string | string[]>) => {
    const common = { method, path: url, headers, agent: false as const }
    if (up.socketPath) return httpRequest({ ...common, socketPath: up.socketPath })
    // The certificate is the upstream's, whatever Host the client sent (the docker CLI sends
    // api.moby.localhost, which Node would otherwise check it against): SNI and the identity check
    // go by the upstream's host ('' for an address, which SNI cannot carry).
    if (up.tls)
      return httpsRequest({
        ...common,
        host: up.host,
        port: up.port,
        servername: isIP(up.host ?? '') ? '' : up.host,
        ...up.tls,
      })
    return httpRequest({ ...common, host: up.host, port: up.port })
  }

  const upstream: Upstream = (method, path, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
      const headers: Record<string, string> = { host: 'docker' }
      if (data) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(data.length) })
      const req = forward(method, path, headers)
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)))
      req.on('response', (res) => {
        readAll(res).then(
          (buf) => resolve({ status: res.statusCode ?? 0, body: parseJson(buf) ?? buf.toString('utf8') }),
          reject,
        )
      })
      req.on('error', reject)
      req.end(data)
    })

  const fail = (res: ServerResponse, what: string, e: unknown) => {
    opts.onError?.(what, e)
    if (res.headersSent) {
      res.destroy()
      return
    }
    const body = JSON.stringify({
      message: `${says}: ${what}: ${e instanceof Error ? e.message : String(e)}`,
    })
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
  }

  const sendAnswer = (res: ServerResponse, answer: Answer) => {
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
    res
      .writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      .end(text)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const { version, path, query } = splitUrl(url)
    if (seen.length < 20_000) seen.push(`${method} ${path}`)
    const admission = await interceptor.admit?.(`${method} ${path}`)
    if (admission === 'drop') {
      req.socket.destroy()
      return
    }
    if (admission) {
      sendAnswer(res, admission)
      return
    }
    const exchange = interceptor.exchange?.({ method, path, version, query }, upstream)
    let headers = withoutHopByHop(req.headers)
    let body: Buffer | undefined

    // Only a request the interceptor reads or rewrites is buffered; any other streams through.
    if (exchange?.request) {
      const outcome = await exchange.request(await readAll(req))
      if ('answer' in outcome) {
        sendAnswer(res, outcome.answer)
        return
      }
      body = outcome.body
      headers = { ...headers, 'content-length': String(body.length) }
    }

    const out = forward(method, url, headers)
    let answered = false
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered) opts.onAnswer?.(`${method} ${path}`, { error: e.code ?? 'error', message: e.message })
      fail(res, `${method} ${url} upstream${answered ? ' (after its answer began)' : ''}`, e)
    })
    res.on('close', () => {
      if (!res.writableFinished) out.destroy()
    })
    const relayAnswer = async (upRes: IncomingMessage) => {
      answered = true
      opts.onAnswer?.(`${method} ${path}`, { status: upRes.statusCode ?? 0 })
      try {
        const status = upRes.statusCode ?? 502
        const json = /json/i.test(String(upRes.headers['content-type'] ?? ''))
        if (!exchange?.buffersAnswer(json)) {
          // Streamed: headers go out at once, then each chunk as it arrives.
          res.writeHead(status, upRes.statusMessage, withoutHopByHop(upRes.headers))
          res.flushHeaders()
          upRes.pipe(res)
          return
        }
        const raw = await readAll(upRes)
        const text = (await exchange.answer?.(status, raw)) ?? raw
        const h = withoutHopByHop(upRes.headers)
        delete h['content-length']
        res.writeHead(status, upRes.statusMessage, { ...h, 'content-length': String(text.length) }).end(text)
      } catch (e) {
        fail(res, `rewriting the answer to ${method} ${path}`, e)
      }
    }
    out.on('response', (upRes) => void relayAnswer(upRes))
    if (body !== undefined) out.end(body)
    // A small body with a length is sent whole, with its headers: piped, Podman 4.3 closes about
    // one new connection in 150 before reading it (write EPIPE; measured with exec create).
    else if (Number(req.headers['content-length'] ?? -1) >= 0 && Number(req.headers['content-length']) < 1_000_000)
      out.end(await readAll(req))
    else req.pipe(out)
  }

  /** attach, exec start…: the request head is sent as it came, then bytes flow both ways unchanged. */
  const splice = async (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const { path } = splitUrl(req.url ?? '/')
    if (seen.length < 20_000) seen.push(`${req.method} ${path} (upgrade)`)
    sockets.add(client)
    const admission = await interceptor.admit?.(`${req.method} ${path}`)
    if (admission === 'drop') {
      client.destroy()
      sockets.delete(client)
      return
    }
    if (admission) {
      const text = admission.body === undefined ? '' : JSON.stringify(admission.body)
      client.end(
        `HTTP/1.1 ${admission.status} ${STATUS_CODES[admission.status] ?? ''}\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
      )
      sockets.delete(client)
      return
    }
    sockets.add(client)
    const server: Socket = up.socketPath
      ? netConnect(up.socketPath)
      : up.tls
        ? tlsConnect({ host: up.host, port: up.port, ...up.tls })
        : netConnect({ host: up.host!, port: up.port! })
    sockets.add(server)
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`]
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
    server.write(`${lines.join('\r\n')}\r\n\r\n`)
    if (head.length > 0) server.write(head)
    server.pipe(client)
    client.pipe(server)
    const end = () => {
      client.destroy()
      server.destroy()
      sockets.delete(client)
      sockets.delete(server)
    }
    server.on('error', end)
    client.on('error', end)
    server.on('close', end)
    client.on('close', end)
  }

  const httpServer: Server = createServer((req, res) => {
    handle(req, res).catch((e) => fail(res, `${req.method} ${req.url}`, e))
  })
  httpServer.requestTimeout = 0
  httpServer.headersTimeout = 60_000
  httpServer.keepAliveTimeout = 5_000
  httpServer.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => void splice(req, client, head))
  httpServer.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(socketPath, resolve)
  })

  return {
    url: `unix://${socketPath}`,
    socketPath,
    seen,
    setInterceptor(next) {
      interceptor = next ?? {}
    },
    goDown,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true
        if (!httpServer.listening) {
          rmSync(dir, { recursive: true, force: true })
          resolve()
          return
        }
        httpServer.close(() => {
          rmSync(dir, { recursive: true, force: true })
          resolve()
        })
        for (const s of sockets) s.destroy()
      }),
  }
}
