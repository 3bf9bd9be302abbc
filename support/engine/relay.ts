/**
 * A fault-injecting Docker API proxy: listens on a unix socket in a temporary folder and
 * forwards every request to the upstream endpoint (unix socket, tcp, or tcp with TLS), except
 * what a fault's hooks change:
 *
 * - `request`: rewrites a request's JSON body before it is forwarded (container create, network
 *   create, network connect…);
 * - `response`: rewrites a JSON response body (inspect, network ls, container list…);
 * - `answer`: answers itself, without forwarding (an error, a fake success);
 * - `before`/`after`: side effects on the upstream (through `ctx.upstream`) around forwarding.
 *
 * Only what a hook rewrites is buffered: every other response streams through chunk by chunk
 * (the docker CLI's `POST /containers/{id}/wait?condition=next-exit` is answered only when the
 * container exits), and HTTP Upgrade requests (attach, exec start:
 * 101 or 200 followed by a raw stream) are spliced through as raw bytes in both directions.
 * Paths are matched without their API version prefix (/v1.41/containers/create → /containers/create).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import {
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
import { setTimeout as pause } from 'node:timers/promises'
import type { Duplex } from 'node:stream'
import type { TlsFiles } from '../types'

/** What a hook sees of a request. */
export interface HookContext {
  method: string
  /** The path without the API version prefix and without the query. */
  path: string
  /** The API version prefix as sent ("/v1.41"), or "". */
  version: string
  query: URLSearchParams
  /** The groups the hook's path pattern captured. */
  params: string[]
  /** The parsed request body, for hooks that rewrite or read it (undefined when there is none). */
  body?: unknown
  /** A request of the proxy's own to the upstream endpoint; JSON in and out. */
  upstream: Upstream
}

type Upstream = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>

interface Answer {
  status: number
  body: unknown
}

export interface Hook {
  /** HTTP method, upper case. */
  method: string
  /** Matched against the path without version prefix and query; groups become ctx.params. */
  path: RegExp
  /** Returns the body to forward (or undefined to forward the body unchanged). */
  request?: (body: any, ctx: HookContext) => unknown | Promise<unknown>
  /** Answers in the proxy's name; undefined: forward as usual. */
  answer?: (ctx: HookContext) => Answer | undefined | Promise<Answer | undefined>
  /** Runs before forwarding (after `request`). */
  before?: (ctx: HookContext) => void | Promise<void>
  /** Runs after the upstream answered with `status`, before the answer goes back. */
  after?: (ctx: HookContext, status: number, body: unknown) => void | Promise<void>
  /** Rewrites a JSON response body of a 2xx answer; returns the new body (undefined: unchanged). */
  response?: (body: any, ctx: HookContext) => unknown | Promise<unknown>
}

export interface ProxyOptions {
  /** The upstream endpoint, as DOCKER_HOST spells it: unix:///path or tcp://host:port. */
  upstream: string
  tls?: TlsFiles
  hooks?: Hook[]
  /** Called when a hook throws; the request is then answered 502 with the error. */
  onError?: (what: string, e: unknown) => void
  /** Told how the upstream answered each forwarded request: its status, or the error that ended it (a code). */
  onAnswer?: (call: string, outcome: { status: number } | { error: string; message: string }) => void
  /** Conditions to survive rather than faults to catch (see Conditions); none: as transparent as hooks allow. */
  conditions?: Conditions
}

/**
 * How the endpoint behaves as a slow or flaky one would, whatever the hooks: each mode is a
 * condition under which a verdict must stay the same or become `not run` naming the call.
 */
export interface Conditions {
  /** Every request (upgrades too) waits this long before it is forwarded. */
  latencyMs?: number
  /**
   * This fraction of requests, chosen by a PRNG seeded with
   * `seed`, is answered 500 (half) or reset (half), unforwarded.
   */
  apiErrors?: { rate: number; seed: number }
  /**
   * At the `call`-th request the proxy stops listening and drops
   * every open connection, for `downMs`, as a restarting engine.
   */
  restartAt?: { call: number; downMs: number }
}

/** What a condition did to one request. */
export interface Injected {
  /** 1-based count of the request among all the proxy saw. */
  n: number
  call: string
  what: '500' | 'reset' | 'down'
}

/** A small seeded PRNG (mulberry32): the same seed picks the same requests in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Proxy {
  /** unix:///tmp/netconform-proxy-XXXX/docker.sock */
  url: string
  socketPath: string
  /** Replaces the hooks (one proxy serves fault after fault). */
  setHooks(hooks: Hook[]): void
  /** Requests seen, by "METHOD /path" without version, for reports and tests. */
  seen: string[]
  /** What the conditions did, in order. */
  injected: Injected[]
  /** Sets the conditions for the requests to come (and restarts the count of requests). */
  setConditions(conditions: Conditions | undefined): void
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
  throw new Error(`the sensitivity proxy forwards to unix:// and tcp:// endpoints only, not ${url}`)
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

function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined
  try {
    return JSON.parse(buf.toString('utf8'))
  } catch {
    return undefined
  }
}

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const up = upstreamOf(opts.upstream, opts.tls)
  let hooks = opts.hooks ?? []
  const seen: string[] = []
  const dir = mkdtempSync(join(tmpdir(), 'netconform-proxy-'))
  const socketPath = join(dir, 'docker.sock')
  const sockets = new Set<Socket | Duplex>()
  let conditions = opts.conditions ?? {}
  let random = seededRandom(conditions.apiErrors?.seed ?? 1)
  let count = 0
  let downUntil = 0
  const injected: Injected[] = []

  /**
   * What the conditions do to the request about to be handled: wait first, then `undefined` to
   * forward it, or what to do instead. The restart happens here, at its request.
   */
  const condition = async (call: string): Promise<Injected['what'] | undefined> => {
    const n = ++count
    if (conditions.latencyMs) await pause(conditions.latencyMs)
    if (conditions.restartAt && n === conditions.restartAt.call) restart(conditions.restartAt.downMs)
    if (Date.now() < downUntil) {
      injected.push({ n, call, what: 'down' })
      return 'down'
    }
    const errors = conditions.apiErrors
    if (errors && random() < errors.rate) {
      const what = random() < 0.5 ? '500' : 'reset'
      injected.push({ n, call, what })
      return what
    }
    return undefined
  }

  /** As an engine restarting: no listener on the socket for `downMs`, every open connection dropped. */
  const restart = (downMs: number) => {
    downUntil = Date.now() + downMs
    httpServer.close()
    for (const s of sockets) s.destroy()
    setTimeout(() => {
      if (closed) return
      httpServer.listen(socketPath)
    }, downMs).unref()
  }
  let closed = false

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
      req.on('response', async (res) => {
        try {
          const buf = await readAll(res)
          resolve({ status: res.statusCode ?? 0, body: parseJson(buf) ?? buf.toString('utf8') })
        } catch (e) {
          reject(e)
        }
      })
      req.on('error', reject)
      req.end(data)
    })

  const matching = (method: string, path: string): { hook: Hook; params: string[] }[] =>
    hooks.flatMap((hook) => {
      if (hook.method !== method) return []
      const m = hook.path.exec(path)
      return m ? [{ hook, params: m.slice(1) }] : []
    })

  const fail = (res: ServerResponse, what: string, e: unknown) => {
    opts.onError?.(what, e)
    if (res.headersSent) {
      res.destroy()
      return
    }
    const body = JSON.stringify({
      message: `netconform sensitivity proxy: ${what}: ${e instanceof Error ? e.message : String(e)}`,
    })
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const { version, path, query } = splitUrl(url)
    if (seen.length < 20_000) seen.push(`${method} ${path}`)
    const cond = await condition(`${method} ${path}`)
    if (cond === 'reset' || cond === 'down') {
      req.socket.destroy()
      return
    }
    if (cond === '500') {
      const text = JSON.stringify({
        message: `netconform conditions: ${method} ${path} answered 500 (injected server error)`,
      })
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
      return
    }
    const hits = matching(method, path)
    const ctx: HookContext = { method, path, version, query, params: [], upstream }
    let headers = withoutHopByHop(req.headers)
    let body: Buffer | undefined

    // Only a request some hook reads or rewrites is buffered; any other streams through.
    if (hits.some(({ hook }) => hook.request || hook.answer || hook.before || hook.after)) {
      body = await readAll(req)
      ctx.body = parseJson(body)
      for (const { hook, params } of hits) {
        ctx.params = params
        if (hook.request && ctx.body !== undefined) {
          const changed = await hook.request(ctx.body, ctx)
          if (changed !== undefined) ctx.body = changed
        }
      }
      if (hits.some(({ hook }) => hook.request))
        body = ctx.body === undefined ? body : Buffer.from(JSON.stringify(ctx.body))
      headers = { ...headers, 'content-length': String(body.length) }
      for (const { hook, params } of hits) {
        ctx.params = params
        const answer = hook.answer ? await hook.answer(ctx) : undefined
        if (answer) {
          const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
          res
            .writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
            .end(text)
          return
        }
      }
      for (const { hook, params } of hits) {
        ctx.params = params
        await hook.before?.(ctx)
      }
    }

    const rewriters = hits.filter(({ hook }) => hook.response || hook.after)
    const out = forward(method, url, headers)
    let answered = false
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered) opts.onAnswer?.(`${method} ${path}`, { error: e.code ?? 'error', message: e.message })
      fail(res, `${method} ${url} upstream${answered ? ' (after its answer began)' : ''}`, e)
    })
    res.on('close', () => {
      if (!res.writableFinished) out.destroy()
    })
    out.on('response', async (upRes) => {
      answered = true
      opts.onAnswer?.(`${method} ${path}`, { status: upRes.statusCode ?? 0 })
      try {
        const status = upRes.statusCode ?? 502
        const json = /json/i.test(String(upRes.headers['content-type'] ?? ''))
        const buffer = rewriters.some(({ hook }) => hook.after || (hook.response && json))
        if (!buffer) {
          // Streamed: headers go out at once, then each chunk as it arrives.
          res.writeHead(status, upRes.statusMessage, withoutHopByHop(upRes.headers))
          res.flushHeaders()
          upRes.pipe(res)
          return
        }
        const raw = await readAll(upRes)
        let value = parseJson(raw)
        let rewritten = false
        for (const { hook, params } of rewriters) {
          ctx.params = params
          await hook.after?.(ctx, status, value)
          if (hook.response && status >= 200 && status < 300 && value !== undefined) {
            const changed = await hook.response(value, ctx)
            if (changed !== undefined) {
              value = changed
              rewritten = true
            }
          }
        }
        const text = !rewritten ? raw : Buffer.from(value === undefined ? '' : JSON.stringify(value))
        const h = withoutHopByHop(upRes.headers)
        delete h['content-length']
        res.writeHead(status, upRes.statusMessage, { ...h, 'content-length': String(text.length) }).end(text)
      } catch (e) {
        fail(res, `rewriting the answer to ${method} ${path}`, e)
      }
    })
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
    const cond = await condition(`${req.method} ${path}`)
    if (cond === 'reset' || cond === 'down') {
      client.destroy()
      sockets.delete(client)
      return
    }
    if (cond === '500') {
      const text = JSON.stringify({
        message: `netconform conditions: ${req.method} ${path} answered 500 (injected server error)`,
      })
      client.end(
        `HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: ` +
          `${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
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
    injected,
    setHooks(next) {
      hooks = next
    },
    setConditions(next) {
      conditions = next ?? {}
      random = seededRandom(conditions.apiErrors?.seed ?? 1)
      count = 0
      downUntil = 0
    },
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
