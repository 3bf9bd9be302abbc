/**
 * The sensitivity proxy against a fake upstream Docker API on a unix socket: transparent
 * forwarding, streaming chunk by chunk, Upgrade (hijacked) streams, request and response
 * rewrites, answers of its own, and the API version prefix.
 */
import { test, before, after } from 'node:test'
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import { connect } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { splitUrl } from '../../support/engine/relay'
import { startProxy, type Proxy } from '../../support/sensitivity/proxy'

const dir = mkdtempSync(join(tmpdir(), 'netconform-proxy-test-'))
const upstreamSocket = join(dir, 'upstream.sock')
let upstream: Server
/** What the upstream received, per request: method, url, body. */
const received: { method: string; url: string; body: string }[] = []
/** Lets the streaming test release the second chunk. */
let releaseSecondChunk: () => void = () => {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = ''
    req.on('data', (b) => (s += b))
    req.on('end', () => resolve(s))
  })
}

before(async () => {
  upstream = createServer(async (req, res) => {
    const body = await readBody(req)
    received.push({ method: req.method!, url: req.url!, body })
    const path = req.url!.split('?')[0]
    if (path.endsWith('/containers/json')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify([{ Id: 'a', Names: ['/one'], Ports: [{ PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }] }]),
        )
    } else if (path.endsWith('/containers/create')) {
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Id: 'new', Warnings: [], echo: JSON.parse(body) }))
    } else if (path.endsWith('/wait')) {
      // Headers at once, the body only when released: as `wait?condition=next-exit` does.
      res.writeHead(200, { 'content-type': 'application/json' })
      res.flushHeaders()
      res.write('{"StatusCode":')
      releaseSecondChunk = () => res.end('0}')
    } else if (path.endsWith('/_ping')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK')
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"page not found"}')
    }
  })
  // Hijack: answer 101, then echo bytes upper-cased on the raw socket, as attach/exec stream.
  upstream.on('upgrade', (req, socket) => {
    received.push({ method: req.method!, url: req.url!, body: '' })
    socket.write(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    )
    socket.on('data', (b: Buffer) => socket.write(b.toString().toUpperCase()))
  })
  await new Promise<void>((resolve) => upstream.listen(upstreamSocket, resolve))
})

after(() => {
  upstream.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Reply {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

function call(proxy: Proxy, method: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      { socketPath: proxy.socketPath, method, path, headers: data ? { 'content-type': 'application/json' } : {} },
      async (res) => {
        resolve({ status: res.statusCode!, headers: res.headers, body: await readBody(res) })
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

async function withProxy(fn: (p: Proxy) => Promise<void>, hooks: Parameters<Proxy['setHooks']>[0] = []) {
  const proxy = await startProxy({ upstream: `unix://${upstreamSocket}`, hooks })
  try {
    await fn(proxy)
  } finally {
    await proxy.close()
  }
}

test('splitUrl separates the API version prefix, the path and the query', () => {
  expect(splitUrl('/v1.41/containers/json?all=1')).to.deep.include({ version: '/v1.41', path: '/containers/json' })
  expect(splitUrl('/v1.41/containers/json?all=1').query.get('all')).to.equal('1')
  expect(splitUrl('/containers/abc/json')).to.deep.include({ version: '', path: '/containers/abc/json' })
})

test('transparent: JSON passes unchanged, with the version prefix, and the proxy listens on a unix socket URL', async () => {
  await withProxy(async (proxy) => {
    expect(proxy.url).to.match(/^unix:\/\/\/.*netconform-proxy-.*\/docker\.sock$/)
    const r = await call(proxy, 'GET', '/v1.41/containers/json?all=1')
    expect(r.status).to.equal(200)
    expect(JSON.parse(r.body)[0].Ports[0].PublicPort).to.equal(8080)
    expect(received.at(-1)!.url).to.equal('/v1.41/containers/json?all=1')
    const c = await call(proxy, 'POST', '/v1.43/containers/create?name=x', {
      Image: 'i',
      HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
    })
    expect(c.status).to.equal(201)
    expect(JSON.parse(received.at(-1)!.body).HostConfig.PortBindings['80/tcp'][0].HostPort).to.equal('8080')
    const missing = await call(proxy, 'GET', '/v1.41/nothing')
    expect(missing.status).to.equal(404)
    expect(proxy.seen).to.include('GET /containers/json')
  })
})

test(
  'streaming: a response that arrives in chunks passes chunk by chunk (headers and first chunk before the rest exists)',
  { timeout: 5_000 },
  async () => {
    await withProxy(async (proxy) => {
      const chunks: string[] = []
      const done = new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(
          { socketPath: proxy.socketPath, method: 'POST', path: '/v1.41/containers/abc/wait?condition=next-exit' },
          (res) => {
            res.on('data', (b: Buffer) => {
              chunks.push(b.toString())
              // The first chunk arrived while the upstream still holds the second: release it now.
              if (chunks.length === 1) releaseSecondChunk()
            })
            res.on('end', () => resolve(res))
          },
        )
        req.on('error', reject)
        req.end()
      })
      const res = await done
      expect(res.statusCode).to.equal(200)
      expect(chunks[0]).to.equal('{"StatusCode":')
      expect(chunks.join('')).to.equal('{"StatusCode":0}')
    })
  },
)

test('streaming is kept for a path a response hook watches when the answer is not JSON-rewritable', async () => {
  await withProxy(
    async (proxy) => {
      const r = await call(proxy, 'GET', '/_ping')
      expect(r.body).to.equal('OK')
    },
    [{ method: 'GET', path: /^\/_ping$/, response: () => 'never' }],
  )
})

test('Upgrade (hijacked) streams pass through as raw bytes both ways', { timeout: 5_000 }, async () => {
  await withProxy(async (proxy) => {
    const socket = connect(proxy.socketPath)
    let text = ''
    const got = new Promise<void>((resolve) => {
      socket.on('data', (b: Buffer) => {
        text += b.toString()
        if (text.includes('\r\n\r\n') && !text.includes('HELLO')) socket.write('hello raw stream')
        if (text.includes('HELLO RAW STREAM')) resolve()
      })
    })
    socket.write(
      'POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}',
    )
    await got
    socket.destroy()
    expect(text).to.match(/^HTTP\/1.1 101 UPGRADED\r\n/)
    expect(received.at(-1)!.url).to.equal('/v1.41/exec/abc/start')
    expect(proxy.seen).to.include('POST /exec/abc/start (upgrade)')
  })
})

test('a request rewrite changes the JSON body the upstream gets; paths match without the version prefix', async () => {
  await withProxy(
    async (proxy) => {
      await call(proxy, 'POST', '/v1.41/containers/create?name=web', {
        Image: 'i',
        HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
      })
      const sent = JSON.parse(received.at(-1)!.body)
      expect(sent.HostConfig.PortBindings).to.deep.equal({})
      expect(sent.Image).to.equal('i')
    },
    [
      {
        method: 'POST',
        path: /^\/containers\/create$/,
        request: (body, ctx) => (
          expect(ctx.query.get('name')).to.equal('web'),
          { ...body, HostConfig: { ...body.HostConfig, PortBindings: {} } }
        ),
      },
    ],
  )
})

test('a response rewrite changes the JSON the client gets, with a matching content-length', async () => {
  await withProxy(
    async (proxy) => {
      const r = await call(proxy, 'GET', '/v1.41/containers/json')
      expect(JSON.parse(r.body)[0].Ports).to.deep.equal([])
      expect(Number(r.headers['content-length'])).to.equal(Buffer.byteLength(r.body))
    },
    [
      {
        method: 'GET',
        path: /^\/containers\/json$/,
        response: (list: { Ports: unknown[] }[]) => list.map((c) => ({ ...c, Ports: [] })),
      },
    ],
  )
})

test('an answer of its own is not forwarded; hooks can be replaced; side requests reach the upstream', async () => {
  await withProxy(async (proxy) => {
    const before = received.length
    let pinged: unknown
    proxy.setHooks([
      {
        method: 'POST',
        path: /^\/networks\/([^/]+)\/connect$/,
        answer: (ctx) => ({ status: 500, body: { message: `unrelated ${ctx.params[0]}` } }),
      },
      {
        method: 'GET',
        path: /^\/info$/,
        before: async (ctx) => void (pinged = (await ctx.upstream('GET', '/_ping')).body),
      },
    ])
    const r = await call(proxy, 'POST', '/v1.41/networks/n1/connect', { Container: 'c' })
    expect(r.status).to.equal(500)
    expect(JSON.parse(r.body).message).to.equal('unrelated n1')
    expect(received.length).to.equal(before)
    await call(proxy, 'GET', '/v1.41/info')
    expect(pinged).to.equal('OK')
    proxy.setHooks([])
    expect((await call(proxy, 'POST', '/v1.41/networks/n1/connect', { Container: 'c' })).status).to.equal(404)
  })
})

test('a response hook that changes the body in place and returns it is a rewrite too', async () => {
  await withProxy(
    async (proxy) => {
      const r = await call(proxy, 'GET', '/v1.41/containers/json')
      expect(JSON.parse(r.body)[0].Names).to.deep.equal(['/changed'])
    },
    [
      {
        method: 'GET',
        path: /^\/containers\/json$/,
        response: (list: { Names: string[] }[]) => ((list[0].Names = ['/changed']), list),
      },
    ],
  )
})
