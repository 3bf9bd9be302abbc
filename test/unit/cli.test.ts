/**
 * Every error a user can cause ends in one line on stderr and exit 2, never a stack trace.
 * These run the real CLI; endpoints are fakes this test serves on 127.0.0.1, or sockets that
 * do not exist.
 */
import { test, after } from 'node:test'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { listenOnLoopback } from './loopback'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const dir = mkdtempSync(join(tmpdir(), 'netconform-cli-'))
const servers: Server[] = []
after(() => servers.forEach((s) => s.close()))

async function netconform(args: string[], env: NodeJS.ProcessEnv = {}) {
  return execa('node', [CLI, ...args], {
    cwd: PROJECT,
    reject: false,
    env: { ...process.env, ...env },
    timeout: 30_000,
  })
}

/** Exit 2, nothing on stdout but what precedes the error, one line on stderr matching `message`. */
async function expectUsageError(args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}) {
  const r = await netconform(args, env)
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(2)
  const lines = String(r.stderr).trim().split('\n')
  expect(lines, 'stderr lines').to.have.length(1)
  expect(lines[0])
    .to.match(/^netconform: /)
    .and.match(message)
  expect(String(r.stderr)).to.not.match(/\n\s+at /)
}

/** A fake endpoint on 127.0.0.1: `routes` maps "METHOD path" prefixes to [status, body]. */
async function fakeEndpoint(routes: Record<string, [number, unknown]>): Promise<string> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]
    const hit = Object.entries(routes).find(([k]) => `${req.method} ${path}`.startsWith(k))
    const [status, body] = hit ? hit[1] : [404, { message: 'page not found' }]
    res
      .writeHead(status, { 'Content-Type': 'application/json' })
      .end(typeof body === 'string' ? body : JSON.stringify(body))
  })
  servers.push(server)
  return `tcp://127.0.0.1:${await listenOnLoopback(server)}`
}

function profile(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const DOCKER_YAML = readFileSync(join(PROJECT, 'targets', 'docker.yaml'), 'utf8')

test('an unknown command', () => expectUsageError(['frobnicate'], /unknown command "frobnicate"/))
test('an unknown option', () => expectUsageError(['run', '--bogus'], /bogus/))
test('--share-setup with --setup-per-scenario: one line, before anything runs', async () => {
  await expectUsageError(['run', '--share-setup', '--setup-per-scenario'], /contradict each other/)
})
test('an unknown target names the known ones', () =>
  expectUsageError(['run', '--target', 'nope'], /unknown target "nope".*known targets: .*docker.*podman/))
test('a profile without an endpoint names the file and the field', () =>
  expectUsageError(
    ['run', '--target', profile('no-endpoint.yaml', DOCKER_YAML.replace(/^endpoint:.*$/m, ''))],
    /no-endpoint\.yaml: missing field "endpoint"/,
  ))
test('a misspelt key names the file and the key', () =>
  expectUsageError(
    ['run', '--target', profile('typo.yaml', DOCKER_YAML.replace('publicAddress:', 'publicAdress:'))],
    /typo\.yaml: .*unknown field "publicAdress"/,
  ))
test('a deviation for an unknown scenario id names the file and the field', () =>
  expectUsageError(
    [
      'run',
      '--target',
      profile(
        'bad-id.yaml',
        `${DOCKER_YAML}\n  no.such-scenario:\n    reason: x\n    step: it is refused\n    observed: accepted\n`,
      ),
    ],
    /bad-id\.yaml: field "deviations\.no\.such-scenario": no scenario has the id/,
  ))
test('a deviation whose observed is not a regular expression names the file and the field', () =>
  expectUsageError(
    [
      'run',
      '--target',
      profile('bad-regex.yaml', DOCKER_YAML.replace("observed: 'the outside client", "observed: '(the outside client")),
    ],
    /bad-regex\.yaml: field "deviations\.trust\.unpublished-port-closed\.observed": not a valid regular expression: /,
  ))
test('a profile that is not YAML', () =>
  expectUsageError(['run', '--target', profile('broken.yaml', 'name: [unclosed\n')], /broken\.yaml: not valid YAML/))
test('an unreadable profile path', () =>
  expectUsageError(['run', '--target', join(dir, 'missing.yaml')], /unknown target .*missing\.yaml/))
test('a tag expression that does not parse', () =>
  expectUsageError(['run', '--tags', '@a and'], /invalid tag expression "@a and"/))
test('a tag expression that selects nothing', () =>
  expectUsageError(['run', '--tags', '@id:no.such'], /no scenario matches the tags "@id:no\.such"/))
test('--endpoint with an unsupported scheme', () =>
  expectUsageError(['run', '--endpoint', 'ftp://127.0.0.1:21'], /unsupported scheme "ftp"/))
test('an unreachable endpoint is named, within 10 s', async () => {
  const started = Date.now()
  await expectUsageError(['run'], /cannot reach the Docker endpoint unix:\/\/\/nonexistent\.sock/, {
    DOCKER_HOST: 'unix:///nonexistent.sock',
  })
  expect(Date.now() - started).to.be.below(10_000)
})
test('an HTTP server that is not a Docker API', async () => {
  const endpoint = await fakeEndpoint({})
  await expectUsageError(['run', '--endpoint', endpoint], /is not a Docker API: GET \/_ping answered 404/)
})
test('a missing probe image, with no busybox to build it from', async () => {
  const endpoint = await fakeEndpoint({
    'GET /_ping': [200, 'OK'],
    'GET /version': [200, { Version: '20.10.24', ApiVersion: '1.41', Os: 'linux', Arch: 'amd64', KernelVersion: '6' }],
    'GET /images/': [404, { message: 'No such image: netconform-probe:1' }],
  })
  await expectUsageError(
    ['run', '--endpoint', endpoint],
    /cannot build the probe image: \/nonexistent\/busybox is missing/,
    { NETCONFORM_BUSYBOX: '/nonexistent/busybox' },
  )
})
test('--repeat and --parallel take whole numbers', async () => {
  await expectUsageError(['run', '--repeat', 'x'], /--repeat takes a whole number/)
  await expectUsageError(['run', '--parallel', 'two'], /--parallel takes a whole number/)
})
test('clean --older-than takes a duration', () =>
  expectUsageError(['clean', '--older-than', 'soon'], /--older-than takes a duration/))
