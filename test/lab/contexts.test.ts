/**
 * Docker contexts as users make them: the docker CLI itself (`docker context create`, `docker
 * context use`) writes a context store in a temporary DOCKER_CONFIG for the lab's TLS endpoint
 * (tcp://127.0.0.1:2376, the lab client's certificate, copied into the store by the CLI), and
 * netconform runs one scenario through it, named by --context, by DOCKER_CONTEXT and as the
 * current context; DOCKER_HOST still comes first, as for the docker CLI. Needs `netconform lab up`.
 * Only loopback and the lab's own socket.
 */
import { test, before, after } from 'node:test'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const TLS_ENDPOINT = 'tcp://127.0.0.1:2376'
const LAB_CLIENT = '/etc/netconform/tls/client'
const SCENARIO = 'new-bridge.ping-by-name.client-to-server'

const config = mkdtempSync(join(tmpdir(), 'netconform-contexts-lab-'))
const REPORTS = mkdtempSync(join(tmpdir(), 'netconform-contexts-reports-'))
after(() => {
  rmSync(config, { recursive: true, force: true })
  rmSync(REPORTS, { recursive: true, force: true })
})

/** The environment with no endpoint settings of the caller's, and this test's context store. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e = { ...process.env }
  for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS', 'DOCKER_CONTEXT']) delete e[k]
  return { ...e, DOCKER_CONFIG: config, ...extra }
}

const docker = (...args: string[]) => execFileSync('docker', args, { env: env(), encoding: 'utf8' })

const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  execa('node', [CLI, 'run', '--tags', `@id:${SCENARIO}`, '--reports', REPORTS, ...args], {
    cwd: PROJECT,
    reject: false,
    env: env(extra),
    all: true,
    timeout: 300_000,
  })

before(() => {
  expect(existsSync(join(LAB_CLIENT, 'cert.pem')), `no ${LAB_CLIENT}/cert.pem: run \`netconform lab up\``).to.equal(
    true,
  )
  docker(
    'context',
    'create',
    'lab-tls',
    '--docker',
    `host=${TLS_ENDPOINT},ca=${LAB_CLIENT}/ca.pem,cert=${LAB_CLIENT}/cert.pem,key=${LAB_CLIENT}/key.pem`,
  )
})

for (const [how, args, extra] of [
  ['--context lab-tls', ['--context', 'lab-tls'], {}],
  ['DOCKER_CONTEXT=lab-tls', [], { DOCKER_CONTEXT: 'lab-tls' }],
] as const) {
  test(`${how}: the scenario conforms through ${TLS_ENDPOINT}, with the context's TLS files`, async () => {
    const r = await run([...args], extra)
    expect(r.exitCode, r.all).to.equal(0)
    expect(r.all).to.match(new RegExp(`docker context lab-tls \\(${how.split(/[ =]/)[0]}\\); TLS: ${config}`))
    expect(r.all).to.include(`→ ${TLS_ENDPOINT}: Docker Engine`)
    expect(r.all).to.match(/netconform: default: 1 conforms, 0 deviates, 0 fails, 0 not applicable/)
  })
}

test('`docker context use lab-tls`: the current context, unless DOCKER_HOST names another endpoint', async () => {
  docker('context', 'use', 'lab-tls')
  const current = await run([])
  expect(current.exitCode, current.all).to.equal(0)
  expect(current.all).to.match(/docker context lab-tls \(currentContext of .*config\.json\)/)
  expect(current.all).to.include(`→ ${TLS_ENDPOINT}: Docker Engine`)
  // The control: the same store and current context, DOCKER_HOST set; the CLI and netconform take DOCKER_HOST.
  const host = await run([], { DOCKER_HOST: 'unix:///var/run/docker.sock' })
  expect(host.exitCode, host.all).to.equal(0)
  expect(host.all).to.include('→ unix:///var/run/docker.sock: Docker Engine')
  expect(docker('context', 'show').trim()).to.equal('lab-tls')
})

test('a context the store does not hold: one line, exit 2', async () => {
  const r = await run(['--context', 'not-there'])
  expect(r.exitCode, r.all).to.equal(2)
  expect(String(r.stderr).trim().split('\n')).to.have.length(1)
  expect(String(r.stderr)).to.match(/^netconform: docker context "not-there" not found: no .*meta\.json/)
})
