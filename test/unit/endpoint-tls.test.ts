/*
 * TLS endpoints, as the docker CLI reaches them (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) or as a
 * profile's `tls` says. Only loopback: the servers here listen on 127.0.0.1, port 0, with
 * throwaway certificates that openssl makes in a temporary folder. Nothing leaves this host.
 */
import { test, before, after } from 'node:test'
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { Agent as HttpAgent, createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls'
import { expect } from 'chai'
import { execa } from 'execa'
import { UsageError } from '../../support/errors'
import {
  TLS_HINT,
  cliEnvironment,
  dockerFor,
  dockerOptions,
  endpointOf,
  probeEndpoint,
  tlsFromEnvironment,
} from '../../support/engine/connection'
import { defaultTarget, parseTarget } from '../../support/profile/targets'
import type { TlsFiles } from '../../support/types'
import { rejectionOf, thrownBy } from './errors-of'
import { listenOnLoopback } from './loopback'

// ---------------------------------------------------------------- throwaway PKI

let dir = ''
/** CA "good" signed the server's certificate (127.0.0.1) and the client's; CA "other" signed a second client certificate. */
let good: TlsFiles
let otherClient: TlsFiles
let unknownCa: TlsFiles
let serverCert: Buffer
let serverKey: Buffer
let goodCa: Buffer

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })

function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '2',
    '-subj',
    `/CN=netconform test ${name} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    `${name}-ca-key.pem`,
    '-out',
    `${name}-ca.pem`,
  )
}

function makeCert(ca: string, name: string, extensions: string[]): void {
  openssl(
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.csr`,
  )
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`)
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}-ca.pem`,
    '-CAkey',
    `${ca}-ca-key.pem`,
    '-set_serial',
    String(Date.now()),
    '-days',
    '2',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}-cert.pem`,
  )
}

const files = (ca: string, client: string): TlsFiles => ({
  caFile: join(dir, `${ca}-ca.pem`),
  certFile: join(dir, `${client}-cert.pem`),
  keyFile: join(dir, `${client}-key.pem`),
})

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'netconform-tls-test-'))
  makeCa('good')
  makeCa('other')
  makeCert('good', 'server', ['subjectAltName=IP:127.0.0.1', 'extendedKeyUsage=serverAuth'])
  makeCert('good', 'client', ['extendedKeyUsage=clientAuth'])
  makeCert('other', 'stranger', ['extendedKeyUsage=clientAuth'])
  good = files('good', 'client')
  otherClient = files('good', 'stranger') // the right CA for the server, a client certificate it does not know
  unknownCa = files('other', 'client') // a CA that did not sign the server's certificate
  serverCert = readFileSync(join(dir, 'server-cert.pem'))
  serverKey = readFileSync(join(dir, 'server-key.pem'))
  goodCa = readFileSync(join(dir, 'good-ca.pem'))
})

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

// ---------------------------------------------------------------- servers

/** A Docker API stand-in over mutual TLS (node:tls), on 127.0.0.1 and a random port: /_ping, /version. */
async function tlsDockerApi(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const sockets = new Set<TLSSocket>()
  const server: TlsServer = createTlsServer(
    { cert: serverCert, key: serverKey, ca: goodCa, requestCert: true, rejectUnauthorized: true },
    (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
      let head = ''
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1')
        if (!head.includes('\r\n\r\n')) return
        const [method, path] = head.split(' ')
        head = ''
        const body = /\/version$/.test(path)
          ? JSON.stringify({
              Version: '99.0.0-tls',
              ApiVersion: '1.41',
              MinAPIVersion: '1.12',
              Os: 'linux',
              Arch: 'amd64',
              KernelVersion: '6.1.0',
              Components: [{ Name: 'Engine', Version: '99.0.0-tls' }],
            })
          : 'OK'
        const type = body === 'OK' ? 'text/plain' : 'application/json'
        socket.write(
          `HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${method === 'HEAD' ? '' : body}`,
        )
      })
    },
  )
  server.on('tlsClientError', () => {})
  const port = await listenOnLoopback(server)
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  return { endpoint: `tcp://127.0.0.1:${port}`, close }
}

/** A plain HTTP server on 127.0.0.1 and a random port: a client that speaks TLS to it gets no TLS back. */
async function plainHttp(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server: HttpServer = createHttpServer((_req, res) => res.end('OK'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `tcp://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The UsageError a TLS probe gives: one line, naming the endpoint and TLS. */
async function tlsFailureOf(endpoint: string, tls: TlsFiles): Promise<string> {
  const e = await rejectionOf(probeEndpoint({ url: endpoint, tls }, 2_000))
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message, 'one line').to.not.include('\n')
  expect(e.message.startsWith(`TLS handshake with ${endpoint} failed: `), e.message).to.equal(true)
  expect(e.message.endsWith(TLS_HINT), e.message).to.equal(true)
  return e.message
}

// ---------------------------------------------------------------- dockerOptions

test("dockerOptions: tcp:// with TLS files is https to that host and port, with the files' contents", () => {
  const options = dockerOptions({ url: 'tcp://127.0.0.1:2376', tls: good }, 1000)
  expect(options).to.deep.equal({
    protocol: 'https',
    host: '127.0.0.1',
    port: 2376,
    ca: readFileSync(good.caFile),
    cert: readFileSync(good.certFile),
    key: readFileSync(good.keyFile),
    timeout: 1000,
  })
})

test('dockerOptions: tcp:// with TLS and no port uses 2376, as the docker CLI does', () => {
  expect(dockerOptions({ url: 'tcp://127.0.0.1', tls: good }, 1000)).to.deep.include({ protocol: 'https', port: 2376 })
})

test("dockerOptions: a target's tls goes with it; a bare URL is plain, whatever was used before", () => {
  const url = 'tcp://127.0.0.1:23760'
  expect(dockerOptions(url, 1000)).to.deep.include({ protocol: 'http', port: 23760 })
  expect(dockerOptions({ endpoint: url, tls: good }, 1000)).to.deep.include({ protocol: 'https', port: 23760 })
  expect(dockerOptions(url, 1000)).to.deep.include({ protocol: 'http', port: 23760 })
  expect(endpointOf(url)).to.deep.equal({ url })
})

test('dockerOptions: TLS files do not apply to a unix socket', () => {
  expect(dockerOptions({ url: 'unix:///x.sock', tls: good }, 5)).to.deep.equal({ socketPath: '/x.sock', timeout: 5 })
})

test('dockerOptions: ssh://user@host goes through one ssh agent per host, user and files (port 22 unless given)', () => {
  const a = dockerOptions('ssh://user@host', 1000) as { agent?: unknown; protocol?: string; port?: number }
  expect(a).to.deep.include({ protocol: 'http', host: 'host', port: 22, timeout: 1000 })
  expect(a.agent).to.be.instanceOf(HttpAgent)
  expect((dockerOptions('ssh://user@host', 1000) as { agent?: unknown }).agent).to.equal(a.agent)
  const b = dockerOptions('ssh://deploy@203.0.113.5:2222', 1000) as { agent?: unknown }
  expect(b).to.deep.include({ host: '203.0.113.5', port: 2222 })
  expect(b.agent).to.not.equal(a.agent)
})

test('dockerOptions: other schemes stay a UsageError naming the supported ones', () => {
  const e = thrownBy(() => dockerOptions('ftp://h:21', 1000))
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message).to.equal('endpoint "ftp://h:21" has an unsupported scheme "ftp" (supported: unix, tcp, ssh)')
})

test('dockerOptions: a missing TLS file is a UsageError naming the file and what it is', () => {
  for (const [field, role] of [
    ['caFile', 'CA certificate'],
    ['certFile', 'client certificate'],
    ['keyFile', 'client key'],
  ] as const) {
    const missing = join(dir, `absent-${field}.pem`)
    const e = thrownBy(() => dockerOptions({ url: 'tcp://127.0.0.1:2376', tls: { ...good, [field]: missing } }, 1000))
    expect(e, field).to.be.instanceOf(UsageError)
    expect(e.message).to.equal(`TLS ${role} for tcp://127.0.0.1:2376: cannot read ${missing}: no such file ${TLS_HINT}`)
  }
  // dockerFor and probeEndpoint say the same before connecting anywhere
  const absent = { ...good, keyFile: join(dir, 'nope.pem') }
  expect(thrownBy(() => dockerFor({ url: 'tcp://127.0.0.1:2376', tls: absent })).message).to.include(
    join(dir, 'nope.pem'),
  )
})

test('dockerOptions: a key that does not belong to the certificate is a UsageError naming the files', () => {
  const e = thrownBy(() =>
    dockerOptions({ url: 'tcp://127.0.0.1:2376', tls: { ...good, keyFile: otherClient.keyFile } }, 1000),
  )
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message).to.match(/^TLS files for tcp:\/\/127\.0\.0\.1:2376 are not usable: .*key values mismatch/)
  expect(e.message).to.include(good.certFile).and.include(otherClient.keyFile)
  expect(e.message).to.not.include('\n')
})

// ---------------------------------------------------------------- the environment, as the docker CLI reads it

test('tlsFromEnvironment: DOCKER_TLS_VERIFY (non-empty) and a tcp:// endpoint: the files in DOCKER_CERT_PATH', () => {
  expect(
    tlsFromEnvironment('tcp://127.0.0.1:2376', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }),
  ).to.deep.equal({
    caFile: '/certs/ca.pem',
    certFile: '/certs/cert.pem',
    keyFile: '/certs/key.pem',
  })
  expect(tlsFromEnvironment('tcp://127.0.0.1:2376', { DOCKER_TLS_VERIFY: '1' })).to.deep.equal({
    caFile: join(homedir(), '.docker', 'ca.pem'),
    certFile: join(homedir(), '.docker', 'cert.pem'),
    keyFile: join(homedir(), '.docker', 'key.pem'),
  })
  expect(tlsFromEnvironment('tcp://127.0.0.1:2376', { DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '/certs' })).to.equal(
    undefined,
  )
  expect(tlsFromEnvironment('tcp://127.0.0.1:2376', { DOCKER_CERT_PATH: '/certs' })).to.equal(undefined)
  expect(
    tlsFromEnvironment('unix:///var/run/docker.sock', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }),
  ).to.equal(undefined)
})

test('defaultTarget takes TLS from the environment, as the docker CLI does', () => {
  const t = defaultTarget('tcp://127.0.0.1:2376', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' })
  expect(t.tls).to.deep.equal({ caFile: '/certs/ca.pem', certFile: '/certs/cert.pem', keyFile: '/certs/key.pem' })
  expect(t.source).to.include('DOCKER_CERT_PATH')
  expect(defaultTarget('tcp://127.0.0.1:2375', {}).tls).to.equal(undefined)
})

test('cliEnvironment: a TLS endpoint whose files are ca.pem, cert.pem and key.pem: their folder is DOCKER_CERT_PATH', () => {
  const certs = join(dir, 'docker-named')
  mkdirSync(certs, { recursive: true })
  for (const [name, file] of [
    ['ca', good.caFile],
    ['cert', good.certFile],
    ['key', good.keyFile],
  ])
    writeFileSync(join(certs, `${name}.pem`), readFileSync(file))
  const tls = { caFile: join(certs, 'ca.pem'), certFile: join(certs, 'cert.pem'), keyFile: join(certs, 'key.pem') }
  const env = cliEnvironment({ url: 'tcp://127.0.0.1:2376', tls })
  expect(env).to.deep.include({
    DOCKER_HOST: 'tcp://127.0.0.1:2376',
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: certs,
    DOCKER_CLI_HINTS: 'false',
  })
  expect(env.PATH).to.equal(process.env.PATH)
})

test('cliEnvironment: other file names get a folder of links named as the docker CLI wants them, made once', () => {
  const env = cliEnvironment({ url: 'tcp://127.0.0.1:2376', tls: good })
  expect(env.DOCKER_TLS_VERIFY).to.equal('1')
  const certPath = env.DOCKER_CERT_PATH!
  expect(certPath.startsWith(tmpdir())).to.equal(true)
  for (const [name, file] of [
    ['ca', good.caFile],
    ['cert', good.certFile],
    ['key', good.keyFile],
  ]) {
    expect(lstatSync(join(certPath, `${name}.pem`)).isSymbolicLink()).to.equal(true)
    expect(readlinkSync(join(certPath, `${name}.pem`))).to.equal(file)
  }
  expect(cliEnvironment({ url: 'tcp://127.0.0.1:2376', tls: good }).DOCKER_CERT_PATH).to.equal(certPath)
})

test('cliEnvironment: a plain endpoint drops TLS settings this process has, so the CLI does what dockerode does', () => {
  const saved = { v: process.env.DOCKER_TLS_VERIFY, p: process.env.DOCKER_CERT_PATH }
  process.env.DOCKER_TLS_VERIFY = '1'
  process.env.DOCKER_CERT_PATH = '/somewhere'
  try {
    const env = cliEnvironment('unix:///var/run/docker.sock')
    expect(env.DOCKER_HOST).to.equal('unix:///var/run/docker.sock')
    expect(env).to.not.have.property('DOCKER_TLS_VERIFY')
    expect(env).to.not.have.property('DOCKER_CERT_PATH')
  } finally {
    if (saved.v === undefined) delete process.env.DOCKER_TLS_VERIFY
    else process.env.DOCKER_TLS_VERIFY = saved.v
    if (saved.p === undefined) delete process.env.DOCKER_CERT_PATH
    else process.env.DOCKER_CERT_PATH = saved.p
  }
})

test("cliEnvironment: the target's TLS files reach the docker CLI (the World passes its target)", () => {
  const url = 'tcp://127.0.0.1:23761'
  expect(cliEnvironment({ endpoint: url, tls: good })).to.deep.include({ DOCKER_HOST: url, DOCKER_TLS_VERIFY: '1' })
})

// ---------------------------------------------------------------- profiles

test("parseTarget: tls files, relative to the profile's folder or absolute", () => {
  const text = [
    'name: remote',
    'endpoint: tcp://127.0.0.1:2376',
    'publicAddress: 127.0.0.1',
    'probeImage: netconform-probe:1',
    'tls:',
    '  caFile: certs/ca.crt',
    '  certFile: /abs/client.crt',
    '  keyFile: ../client.key',
  ].join('\n')
  const t = parseTarget(text, '/profiles/here/remote.yaml')
  expect(t.tls).to.deep.equal({
    caFile: '/profiles/here/certs/ca.crt',
    certFile: '/abs/client.crt',
    keyFile: '/profiles/client.key',
  })
})

test('parseTarget: tls with an unknown or missing field, or on a unix:// endpoint, names the file and the field', () => {
  const base = [
    'name: remote',
    'endpoint: tcp://127.0.0.1:2376',
    'publicAddress: 127.0.0.1',
    'probeImage: netconform-probe:1',
  ]
  const parse = (lines: string[]) =>
    thrownBy(() => parseTarget([...base, ...lines].join('\n'), 'targets/remote.yaml')) as UsageError
  expect(parse(['tls:', '  caFile: a', '  certFile: b', '  keyFile: c', '  verify: no']).message).to.equal(
    'targets/remote.yaml: unknown field "tls.verify"',
  )
  expect(parse(['tls:', '  caFile: a', '  certFile: b']).message).to.equal(
    'targets/remote.yaml: missing field "tls.keyFile"',
  )
  const unix = thrownBy(() =>
    parseTarget(
      [...base, 'tls:', '  caFile: a', '  certFile: b', '  keyFile: c']
        .join('\n')
        .replace('tcp://127.0.0.1:2376', 'unix:///x.sock'),
      'targets/remote.yaml',
    ),
  )
  expect(unix).to.be.instanceOf(UsageError)
  expect(unix.message).to.match(/^targets\/remote\.yaml: field "tls": only a tcp:\/\/ endpoint speaks TLS/)
})

test('parseTarget: an ssh:// endpoint is accepted', () => {
  const text = [
    'name: remote',
    'endpoint: ssh://deploy@203.0.113.5',
    'publicAddress: 203.0.113.5',
    'probeImage: netconform-probe:1',
  ].join('\n')
  expect(parseTarget(text, 'targets/remote.yaml').endpoint).to.equal('ssh://deploy@203.0.113.5')
})

// ---------------------------------------------------------------- a real TLS server

test('probeEndpoint over mutual TLS: the right client certificate gets the engine', { timeout: 5000 }, async () => {
  const api = await tlsDockerApi()
  try {
    expect(await probeEndpoint({ url: api.endpoint, tls: good }, 2_000)).to.deep.include({
      name: 'Docker Engine',
      version: '99.0.0-tls',
      apiVersion: '1.41',
    })
    // dockerode's own https requests, with the mapped options
    expect((await dockerFor({ url: api.endpoint, tls: good }, 2_000).version()).Version).to.equal('99.0.0-tls')
  } finally {
    await api.close()
  }
})

test(
  'probeEndpoint over TLS: a client certificate the server does not know is a UsageError naming TLS',
  { timeout: 5000 },
  async () => {
    const api = await tlsDockerApi()
    try {
      const message = await tlsFailureOf(api.endpoint, otherClient)
      expect(message).to.match(/the server refused the client certificate \(.*alert.*\)|closed the connection/)
      console.log(`# wrong client certificate: ${message}`)
    } finally {
      await api.close()
    }
  },
)

test(
  'probeEndpoint over TLS: a server certificate from a CA the client does not trust is a UsageError naming TLS',
  { timeout: 5000 },
  async () => {
    const api = await tlsDockerApi()
    try {
      expect(await tlsFailureOf(api.endpoint, unknownCa)).to.include("the server's certificate is not accepted")
    } finally {
      await api.close()
    }
  },
)

test(
  'probeEndpoint over TLS to a plain HTTP server: a UsageError saying it does not speak TLS',
  { timeout: 5000 },
  async () => {
    const api = await plainHttp()
    try {
      expect(await tlsFailureOf(api.endpoint, good)).to.include('the server does not speak TLS')
    } finally {
      await api.close()
    }
  },
)

test('probeEndpoint over TLS: nothing listening is "cannot reach", not a TLS failure', { timeout: 5000 }, async () => {
  const api = await plainHttp()
  const endpoint = api.endpoint
  await api.close()
  const e = await rejectionOf(probeEndpoint({ url: endpoint, tls: good }, 2_000))
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message).to.match(new RegExp(`^cannot reach the Docker endpoint ${endpoint}: .*ECONNREFUSED`))
})

const dockerCli = (() => {
  try {
    execFileSync('docker', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

test(
  'the docker CLI, with cliEnvironment, talks to the same TLS endpoint; a wrong certificate fails it too',
  { timeout: 20_000, skip: !dockerCli && 'no docker CLI' },
  async () => {
    const api = await tlsDockerApi()
    try {
      const ok = await execa('docker', ['version', '--format', '{{.Server.Version}}'], {
        env: cliEnvironment({ url: api.endpoint, tls: good }),
        reject: false,
        timeout: 15_000,
      })
      expect(ok.stdout.trim(), ok.stderr).to.equal('99.0.0-tls')
      const bad = await execa('docker', ['version', '--format', '{{.Server.Version}}'], {
        env: cliEnvironment({ url: api.endpoint, tls: otherClient }),
        reject: false,
        timeout: 15_000,
      })
      expect(bad.exitCode).to.not.equal(0)
      expect(bad.stdout.trim()).to.not.equal('99.0.0-tls')
    } finally {
      await api.close()
    }
  },
)

test('the temporary DOCKER_CERT_PATH folders are links only: the key stays where it is', () => {
  const certPath = cliEnvironment({ url: 'tcp://127.0.0.1:2376', tls: unknownCa }).DOCKER_CERT_PATH!
  expect(existsSync(join(certPath, 'key.pem'))).to.equal(true)
  expect(lstatSync(join(certPath, 'key.pem')).isSymbolicLink()).to.equal(true)
})
