/*
 * Only loopback: the HTTP servers here listen on 127.0.0.1, port 0, and the unix socket
 * probed does not exist. Nothing leaves this host.
 */
import { test } from 'node:test'
import { createServer, type RequestListener, type Server } from 'node:http'
import { expect } from 'chai'
import { UsageError } from '../../support/errors'
import {
  DEFAULT_ENDPOINT,
  cliEnvironment,
  dockerOptions,
  endpointFromEnvironment,
  endpointRefusal,
  probeEndpoint,
} from '../../support/engine/connection'
import { rejectionOf, thrownBy } from './errors-of'
import { listenOnLoopback } from './loopback'

/** An HTTP server on 127.0.0.1 and a random port; the endpoint URL to reach it. */
async function serve(
  handler: RequestListener,
): Promise<{ server: Server; endpoint: string; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = []
  const server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`)
    handler(req, res)
  })
  const port = await listenOnLoopback(server)
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return { server, endpoint: `tcp://127.0.0.1:${port}`, paths, close }
}

function json(res: Parameters<RequestListener>[1], body: unknown): void {
  res.setHeader('Content-Type', 'application/json')
  res.end(JSON.stringify(body))
}

// ---------------------------------------------------------------- dockerOptions

test('dockerOptions: unix:///x.sock is a socket path', () => {
  expect(dockerOptions('unix:///x.sock', 1234)).to.deep.equal({ socketPath: '/x.sock', timeout: 1234 })
  expect(dockerOptions('unix:///var/run/docker.sock', 5)).to.deep.equal({
    socketPath: '/var/run/docker.sock',
    timeout: 5,
  })
})

test('dockerOptions: tcp://h:2376 is plain HTTP to that host and port', () => {
  expect(dockerOptions('tcp://h:2376', 1000)).to.deep.equal({ protocol: 'http', host: 'h', port: 2376, timeout: 1000 })
})

test('dockerOptions: tcp:// without a port uses 2375; http:// is accepted too', () => {
  expect(dockerOptions('tcp://203.0.113.5', 1000)).to.deep.equal({
    protocol: 'http',
    host: '203.0.113.5',
    port: 2375,
    timeout: 1000,
  })
  expect(dockerOptions('http://127.0.0.1:2375', 1000)).to.deep.equal({
    protocol: 'http',
    host: '127.0.0.1',
    port: 2375,
    timeout: 1000,
  })
})

test('dockerOptions: an unsupported scheme is a UsageError naming the endpoint and the scheme', () => {
  const e = thrownBy(() => dockerOptions('gopher://user@host', 1000))
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message).to.equal(
    'endpoint "gopher://user@host" has an unsupported scheme "gopher" (supported: unix, tcp, ssh)',
  )
  expect(thrownBy(() => dockerOptions('ftp://h:21', 1000)).message).to.include('unsupported scheme "ftp"')
})

test('dockerOptions: something that is not a URL is a UsageError saying what is expected', () => {
  for (const bad of ['not a url', '/var/run/docker.sock', '']) {
    const e = thrownBy(() => dockerOptions(bad, 1000))
    expect(e, bad).to.be.instanceOf(UsageError)
    expect(e.message).to.equal(
      `endpoint "${bad}" is not a URL (expected unix:///path/to/docker.sock or tcp://host:port)`,
    )
  }
})

test('dockerOptions: a unix socket path with a space is the path on disk', {}, () => {
  expect(dockerOptions('unix:///tmp/my dir/docker.sock', 1000)).to.deep.equal({
    socketPath: '/tmp/my dir/docker.sock',
    timeout: 1000,
  })
})

// ---------------------------------------------------------------- environment

test('endpointFromEnvironment: DOCKER_HOST when set, trimmed', () => {
  expect(endpointFromEnvironment({ DOCKER_HOST: 'tcp://203.0.113.5:2375' })).to.equal('tcp://203.0.113.5:2375')
  expect(endpointFromEnvironment({ DOCKER_HOST: '  unix:///run/podman/podman.sock\n' })).to.equal(
    'unix:///run/podman/podman.sock',
  )
})

test('endpointFromEnvironment: the default socket without DOCKER_HOST, or with an empty one', () => {
  expect(DEFAULT_ENDPOINT).to.equal('unix:///var/run/docker.sock')
  expect(endpointFromEnvironment({})).to.equal(DEFAULT_ENDPOINT)
  expect(endpointFromEnvironment({ DOCKER_HOST: '' })).to.equal(DEFAULT_ENDPOINT)
  expect(endpointFromEnvironment({ DOCKER_HOST: '   ' })).to.equal(DEFAULT_ENDPOINT)
})

test('cliEnvironment gives the docker CLI the same endpoint, keeping the rest of the environment', () => {
  const env = cliEnvironment('tcp://127.0.0.1:2375')
  expect(env.DOCKER_HOST).to.equal('tcp://127.0.0.1:2375')
  expect(env.DOCKER_CLI_HINTS).to.equal('false')
  expect(env.PATH).to.equal(process.env.PATH)
})

// ---------------------------------------------------------------- probeEndpoint

test(
  'probeEndpoint: a unix socket that does not exist is a UsageError naming the endpoint, within 2 s',
  { timeout: 2000 },
  async () => {
    const started = Date.now()
    const e = await rejectionOf(probeEndpoint('unix:///nonexistent.sock', 1500))
    expect(Date.now() - started).to.be.below(2000)
    expect(e).to.be.instanceOf(UsageError)
    expect(e.message).to.match(/^cannot reach the Docker endpoint unix:\/\/\/nonexistent\.sock: /)
    expect(e.message).to.not.include('\n')
  },
)

test(
  'probeEndpoint: an HTTP server that answers 404 to everything "is not a Docker API"',
  { timeout: 2000 },
  async () => {
    const api = await serve((_req, res) => {
      res.statusCode = 404
      res.end('404 page not found\n')
    })
    try {
      const e = await rejectionOf(probeEndpoint(api.endpoint, 1500))
      expect(e).to.be.instanceOf(UsageError)
      expect(e.message).to.equal(`endpoint ${api.endpoint} is not a Docker API: GET /_ping answered 404`)
      expect(api.paths).to.deep.equal(['GET /_ping'])
    } finally {
      await api.close()
    }
  },
)

test(
  'probeEndpoint: a server that accepts but never answers is a UsageError after the timeout',
  { timeout: 2000 },
  async () => {
    const api = await serve(() => {})
    try {
      const started = Date.now()
      const e = await rejectionOf(probeEndpoint(api.endpoint, 300))
      expect(Date.now() - started).to.be.below(1500)
      expect(e).to.be.instanceOf(UsageError)
      expect(e.message).to.include(`cannot reach the Docker endpoint ${api.endpoint}: `)
    } finally {
      await api.close()
    }
  },
)

test('probeEndpoint: a Docker Engine says what it is', { timeout: 2000 }, async () => {
  const api = await serve((req, res) => {
    if (req.url === '/_ping') return void res.end('OK')
    if (req.url === '/version') {
      return json(res, {
        Platform: { Name: 'Docker Engine - Community' },
        Components: [{ Name: 'Engine', Version: '27.3.1' }],
        Version: '27.3.1',
        ApiVersion: '1.47',
        Os: 'linux',
        Arch: 'amd64',
        KernelVersion: '6.8.0-45-generic',
      })
    }
    res.statusCode = 404
    res.end()
  })
  try {
    expect(await probeEndpoint(api.endpoint, 1500)).to.deep.equal({
      name: 'Docker Engine - Community',
      version: '27.3.1',
      apiVersion: '1.47',
      os: 'linux/amd64',
      kernel: '6.8.0-45-generic',
    })
    expect(api.paths).to.deep.equal(['GET /_ping', 'GET /version'])
  } finally {
    await api.close()
  }
})

test(
  'probeEndpoint: Podman is named by its component; an empty platform name is "Docker Engine"',
  { timeout: 2000 },
  async () => {
    let version: Record<string, unknown> = {}
    const api = await serve((req, res) => (req.url === '/_ping' ? res.end('OK') : json(res, version)))
    try {
      version = {
        Platform: { Name: 'linux/amd64/debian-12' },
        Components: [{ Name: 'Podman Engine', Version: '4.3.1' }],
        Version: '4.3.1',
        ApiVersion: '1.41',
        Os: 'linux',
        Arch: 'amd64',
        KernelVersion: '6.1.0-26-amd64',
      }
      expect((await probeEndpoint(api.endpoint, 1500)).name).to.equal('Podman Engine')
      version = {
        Platform: { Name: '' },
        Version: '20.10.0',
        ApiVersion: '1.41',
        Os: 'linux',
        Arch: 'arm64',
        KernelVersion: '5.15',
      }
      expect(await probeEndpoint(api.endpoint, 1500)).to.deep.include({ name: 'Docker Engine', os: 'linux/arm64' })
    } finally {
      await api.close()
    }
  },
)

test(
  'probeEndpoint: when /_ping answers but /version fails, it is a UsageError naming the endpoint',
  { timeout: 2000 },
  async () => {
    const api = await serve((req, res) => {
      if (req.url === '/_ping') return void res.end('OK')
      res.statusCode = 500
      json(res, { message: 'boom' })
    })
    try {
      const e = await rejectionOf(probeEndpoint(api.endpoint, 1500))
      expect(e).to.be.instanceOf(UsageError)
      expect(e.message).to.include(api.endpoint)
    } finally {
      await api.close()
    }
  },
)

test(
  'probeEndpoint: an HTTP server that answers 200 "OK" to everything is not a Docker API',
  { timeout: 2000 },
  async () => {
    const api = await serve((_req, res) => res.end('OK'))
    try {
      const e = await rejectionOf(probeEndpoint(api.endpoint, 1500))
      expect(e).to.be.instanceOf(UsageError)
    } finally {
      await api.close()
    }
  },
)

test("endpointRefusal: the endpoint's own socket or address, never a refused published port", () => {
  const unix = endpointRefusal('unix:///var/run/docker.sock')
  expect(unix.test('connect ENOENT /var/run/docker.sock')).to.equal(true)
  expect(
    unix.test('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'),
  ).to.equal(true)
  expect(
    unix.test(
      'from the public network: awaited "Hello world!"; last seen: error: connect ECONNREFUSED 198.51.100.1:8080',
    ),
  ).to.equal(false)
  const tcp = endpointRefusal('tcp://127.0.0.1:2376')
  expect(tcp.test('connect ECONNREFUSED 127.0.0.1:2376')).to.equal(true)
  expect(tcp.test('connect ECONNREFUSED 127.0.0.1:8080')).to.equal(false)
})
