/**
 * Docker contexts read from a context store the test writes in a temporary DOCKER_CONFIG, in the
 * docker CLI's layout (contexts/meta/<sha256>/meta.json, contexts/tls/<sha256>/docker/*.pem), and
 * the docker CLI's precedence among --context, --endpoint, DOCKER_HOST, DOCKER_CONTEXT and
 * config.json's currentContext. The CLI's own answer for a missing context: one line, exit 2.
 */
import { test, after } from 'node:test'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { UsageError } from '../../support/errors'
import { chooseEndpoint, contextDigest, contextEndpoint, currentContextOf } from '../../support/engine/docker-contexts'
import { cliEnvironment, dockerOptions } from '../../support/engine/connection'
import { defaultTarget } from '../../support/profile/targets'
import { thrownBy } from './errors-of'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const config = mkdtempSync(join(tmpdir(), 'netconform-contexts-'))
after(() => rmSync(config, { recursive: true, force: true }))

/** A context as `docker context create NAME --docker host=HOST[,skip-tls-verify=true]` writes it, with TLS files. */
function writeContext(name: string, host: string, tlsFiles: string[] = [], skipVerify = false): void {
  const digest = createHash('sha256').update(name).digest('hex')
  const meta = join(config, 'contexts', 'meta', digest)
  mkdirSync(meta, { recursive: true })
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skipVerify } } }),
  )
  if (tlsFiles.length === 0) return
  const tls = join(config, 'contexts', 'tls', digest, 'docker')
  mkdirSync(tls, { recursive: true })
  for (const f of tlsFiles) writeFileSync(join(tls, f), 'not read here\n')
}

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ DOCKER_CONFIG: config, ...extra })

writeContext('remote-tls', 'tcp://127.0.0.1:2376', ['ca.pem', 'cert.pem', 'key.pem'])
writeContext('over-ssh', 'ssh://netconform@198.51.100.11')
writeContext('insecure', 'tcp://127.0.0.1:2376', ['cert.pem', 'key.pem'], true)
writeContext('half-tls', 'tcp://127.0.0.1:2376', ['cert.pem'])
writeContext('plain', 'tcp://127.0.0.1:2375')

test("a context's folder is the sha256 of its name, as the docker CLI names it", () => {
  expect(contextDigest('default')).to.equal('37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f')
})

test('a TLS context: its endpoint and the ca, cert and key of its tls folder', () => {
  const tls = join(config, 'contexts', 'tls', contextDigest('remote-tls'), 'docker')
  expect(contextEndpoint('remote-tls', env())).to.deep.equal({
    url: 'tcp://127.0.0.1:2376',
    tls: { caFile: join(tls, 'ca.pem'), certFile: join(tls, 'cert.pem'), keyFile: join(tls, 'key.pem') },
  })
})

test('an ssh context and a plain tcp one: the endpoint alone', () => {
  expect(contextEndpoint('over-ssh', env())).to.deep.equal({ url: 'ssh://netconform@198.51.100.11' })
  expect(contextEndpoint('plain', env())).to.deep.equal({ url: 'tcp://127.0.0.1:2375' })
})

test('SkipTLSVerify: no CA needed; the CLI gets DOCKER_TLS (not _VERIFY), dockerode an agent that does not check', () => {
  const e = contextEndpoint('insecure', env())
  expect(e.tls?.skipVerify).to.equal(true)
  // A client certificate and key that load (a throwaway self-signed pair).
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=client'].concat([
      '-keyout',
      e.tls?.keyFile ?? '',
      '-out',
      e.tls?.certFile ?? '',
    ]),
    { stdio: 'ignore' },
  )
  const cli = cliEnvironment(e)
  expect(cli.DOCKER_TLS).to.equal('1')
  expect(cli.DOCKER_TLS_VERIFY).to.equal(undefined)
  // The CLI reads a ca.pem even so: the client certificate stands in for the missing one.
  expect(readlinkSync(join(String(cli.DOCKER_CERT_PATH), 'ca.pem'))).to.equal(e.tls?.certFile)
  const options = dockerOptions(e, 1000)
  expect(options.protocol).to.equal('https')
  const agent = (options as { agent?: { options: { rejectUnauthorized?: boolean } } }).agent
  expect(agent?.options.rejectUnauthorized).to.equal(false)
})

test('a TLS context without all its files names the missing ones', () => {
  const e = thrownBy(() => contextEndpoint('half-tls', env()))
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message).to.match(
    /docker context "half-tls" speaks TLS to tcp:\/\/127\.0\.0\.1:2376 but lacks .*ca\.pem, .*key\.pem/,
  )
})

test('a context that is not in the store: one line naming it and where it was looked for', () => {
  const e = thrownBy(() => contextEndpoint('nowhere', env()))
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message).to.equal(
    `docker context "nowhere" not found: no ${join(config, 'contexts', 'meta', contextDigest('nowhere'), 'meta.json')} ` +
      `(docker context ls lists the contexts of ${config})`,
  )
})

test('precedence as the docker CLI: --context, --endpoint, DOCKER_HOST, DOCKER_CONTEXT, currentContext, the socket', () => {
  writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'plain' }))
  const all = env({ DOCKER_HOST: 'tcp://127.0.0.1:2999', DOCKER_CONTEXT: 'over-ssh' })
  const url = (choice: Parameters<typeof chooseEndpoint>[0], e: NodeJS.ProcessEnv) =>
    chooseEndpoint(choice, e).endpoint.url
  expect(url({ context: 'remote-tls' }, all)).to.equal('tcp://127.0.0.1:2376')
  expect(url({ endpoint: 'unix:///x.sock' }, all)).to.equal('unix:///x.sock')
  expect(url({}, all)).to.equal('tcp://127.0.0.1:2999')
  expect(url({}, env({ DOCKER_CONTEXT: 'over-ssh' }))).to.equal('ssh://netconform@198.51.100.11')
  expect(url({}, env())).to.equal('tcp://127.0.0.1:2375')
  expect(chooseEndpoint({}, env()).source).to.equal(
    `docker context plain (currentContext of ${join(config, 'config.json')})`,
  )
  expect(url({}, env({ DOCKER_CONTEXT: 'default' }))).to.equal('unix:///var/run/docker.sock')
  expect(url({}, { DOCKER_CONFIG: join(config, 'none') })).to.equal('unix:///var/run/docker.sock')
  rmSync(join(config, 'config.json'))
  expect(currentContextOf(env())).to.equal(undefined)
})

test('--context and --endpoint together contradict each other, as docker -H and --context do', () => {
  const e = thrownBy(() => chooseEndpoint({ context: 'plain', endpoint: 'unix:///x.sock' }, env()))
  expect(e).to.be.instanceOf(UsageError)
  expect(e.message).to.match(/--endpoint and --context contradict each other/)
})

test('the default target from a TLS context keeps its files and says where it came from', () => {
  const t = defaultTarget(chooseEndpoint({}, env({ DOCKER_CONTEXT: 'remote-tls' })))
  expect(t.endpoint).to.equal('tcp://127.0.0.1:2376')
  expect(t.tls?.caFile).to.match(/ca\.pem$/)
  expect(t.publicAddress).to.equal('127.0.0.1')
  expect(t.source).to.match(/^docker context remote-tls \(DOCKER_CONTEXT\); TLS: /)
})

for (const [how, args, extra] of [
  ['--context', ['--context', 'nowhere'], {}],
  ['DOCKER_CONTEXT', [], { DOCKER_CONTEXT: 'nowhere' }],
] as const) {
  test(`netconform run with a missing context (${how}): one line, exit 2, before anything runs`, async () => {
    const clean = { ...process.env }
    delete clean.DOCKER_HOST
    const r = await execa('node', [CLI, 'run', ...args], {
      cwd: PROJECT,
      reject: false,
      env: { ...clean, DOCKER_CONFIG: config, ...extra },
      timeout: 30_000,
    })
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(2)
    const lines = String(r.stderr).trim().split('\n')
    expect(lines).to.have.length(1)
    expect(lines[0]).to.match(/^netconform: docker context "nowhere" not found: no .*meta\.json/)
  })
}

test('netconform run --context with --endpoint: one line naming the command, exit 2', async () => {
  const r = await execa('node', [CLI, 'run', '--context', 'plain', '--endpoint', 'unix:///x.sock'], {
    cwd: PROJECT,
    reject: false,
    env: { ...process.env, DOCKER_CONFIG: config },
    timeout: 30_000,
  })
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(2)
  expect(String(r.stderr).trim().split('\n')).to.deep.equal([
    'netconform: run: --endpoint and --context contradict each other: give one (as docker -H and --context) ' +
      '(netconform help run)',
  ])
})
