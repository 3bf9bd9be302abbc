/**
 * The lab's Docker Engine through its TLS listener, tcp://127.0.0.1:2376 (`npx --no netconform lab up`
 * first; `lab down && lab up` when Docker ran before it had the listener), as a user reaches it:
 * through the CLI, with the profile's tls files, and with DOCKER_TLS_VERIFY + DOCKER_CERT_PATH
 * holding a client certificate from a CA the engine does not know (made here with openssl).
 * Only loopback.
 */
import { test, before, after } from 'node:test'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { loadSummary } from '../../support/report/summary'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const ENDPOINT = 'tcp://127.0.0.1:2376'
const LAB_CLIENT = '/etc/netconform/tls/client'
const SCENARIO = 'new-bridge.ping-by-name.client-to-server'

/** The environment without any TLS or endpoint settings of the caller's. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS', 'DOCKER_CONTEXT'])
    delete env[k]
  return { ...env, ...extra }
}

/** This test's runs report here, not in reports/: the lab's full runs there stay the latest. */
const REPORTS = mkdtempSync(join(tmpdir(), 'netconform-tls-'))
const netconform = (args: string[], env: NodeJS.ProcessEnv) =>
  execa('node', [CLI, ...args, ...(args[0] === 'run' ? ['--reports', REPORTS] : [])], {
    cwd: PROJECT,
    reject: false,
    env,
    all: true,
    timeout: 300_000,
  })

let stranger = ''

before(() => {
  expect(
    existsSync(join(LAB_CLIENT, 'cert.pem')),
    `no lab client certificate in ${LAB_CLIENT}: run \`netconform lab up\``,
  ).to.equal(true)
  // A client certificate signed by a CA of this test's own, next to the lab's real CA (so the
  // server's certificate is trusted): only the client side is wrong.
  stranger = mkdtempSync(join(tmpdir(), 'netconform-tls-stranger-'))
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: stranger, stdio: ['ignore', 'ignore', 'pipe'] })
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '1',
    '-subj',
    '/CN=not the lab CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
    '-keyout',
    'other-ca-key.pem',
    '-out',
    'other-ca.pem',
  )
  openssl(
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=stranger',
    '-keyout',
    'key.pem',
    '-out',
    'client.csr',
  )
  writeFileSync(join(stranger, 'client.ext'), 'extendedKeyUsage=clientAuth\n')
  openssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'other-ca.pem',
    '-CAkey',
    'other-ca-key.pem',
    '-set_serial',
    '1',
    '-days',
    '1',
    '-sha256',
    '-extfile',
    'client.ext',
    '-out',
    'cert.pem',
  )
  writeFileSync(join(stranger, 'ca.pem'), readFileSync(join(LAB_CLIENT, 'ca.pem')))
})

after(() => {
  if (stranger) rmSync(stranger, { recursive: true, force: true })
})

test(`netconform run --target docker-tls --tags @id:${SCENARIO}: exit 0, it conforms, through ${ENDPOINT}`, async () => {
  const r = await netconform(['run', '--target', 'docker-tls', '--tags', `@id:${SCENARIO}`], cleanEnv())
  expect(r.exitCode, r.all).to.equal(0)
  expect(r.all).to.include(`→ ${ENDPOINT}: Docker Engine`)
  expect(r.all).to.match(/netconform: docker-tls: 1 conforms, 0 deviates, 0 fails, 0 not applicable/)
  const summary = loadSummary(join(REPORTS, 'docker-tls', 'latest'))
  expect(summary.target).to.deep.include({ name: 'docker-tls', endpoint: ENDPOINT })
  expect(summary.scenarios.map((s) => [s.id, s.verdict])).to.deep.equal([[SCENARIO, 'conforms']])
})

test("DOCKER_TLS_VERIFY=1 DOCKER_HOST=tcp://127.0.0.1:2376 with the lab client files: the docker CLI's way works too", async () => {
  const r = await netconform(
    ['run', '--tags', `@id:${SCENARIO}`],
    cleanEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_HOST: ENDPOINT, DOCKER_CERT_PATH: LAB_CLIENT }),
  )
  expect(r.exitCode, r.all).to.equal(0)
  expect(r.all).to.match(/netconform: default: 1 conforms, 0 deviates, 0 fails, 0 not applicable/)
})

test('DOCKER_CERT_PATH with a client certificate from another CA: exit 2, one line naming TLS and the endpoint', async () => {
  const started = Date.now()
  const r = await netconform(
    ['run', '--tags', `@id:${SCENARIO}`],
    cleanEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_HOST: ENDPOINT, DOCKER_CERT_PATH: stranger }),
  )
  expect(r.exitCode, r.all).to.equal(2)
  expect(Date.now() - started).to.be.below(20_000)
  const lines = (r.all ?? '').trim().split('\n')
  expect(lines, r.all).to.have.length(1)
  expect(lines[0]).to.match(new RegExp(`^netconform: TLS handshake with ${ENDPOINT.replace(/[./]/g, '\\$&')} failed: `))
  expect(lines[0]).to.include("(check DOCKER_CERT_PATH / the profile's tls files)")
  console.log(`# wrong client certificate: ${lines[0]}`)
})

test('no TLS settings at all: the TLS listener is not mistaken for a plain Docker API (exit 2, one line saying it speaks TLS)', async () => {
  const r = await netconform(['run', '--tags', `@id:${SCENARIO}`], cleanEnv({ DOCKER_HOST: ENDPOINT }))
  expect(r.exitCode, r.all).to.equal(2)
  expect((r.all ?? '').trim().split('\n'), r.all).to.have.length(1)
  expect(r.all).to.include(`endpoint ${ENDPOINT} speaks TLS`)
})
