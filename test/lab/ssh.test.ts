/**
 * docker-28 over ssh (target docker-28-ssh): the lab's OpenSSH server on the VCH-like host
 * vch-docker-28 at 198.51.100.11 (lab/ssh.sh; `netconform lab up` first). A scenario conforms with
 * its API calls and its docker CLI steps over ssh (the server's log counts the logins: one per CLI
 * command, beside dockerode's one connection), through the profile and through a docker context;
 * and the real server's refusals, each one line and exit 2: a key it does not know, a host key the
 * known_hosts file does not hold, a host that does not answer (198.51.100.9: no one on the lab
 * segment has it), a remote without docker (its port 2222, whose sessions have no docker on PATH).
 * Only the lab's own segment.
 */
import { test, before, after } from 'node:test'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const ENDPOINT = 'ssh://netconform@198.51.100.11'
const CLIENT = '/etc/netconform/ssh/client'
const SSHD_LOG = '/var/log/netconform/docker-28-ssh.log'
const SCENARIO = 'new-bridge.ping-by-name.client-to-server'

const dir = mkdtempSync(join(tmpdir(), 'netconform-ssh-lab-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e = { ...process.env }
  for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_TLS', 'DOCKER_CONTEXT']) delete e[k]
  return { ...e, ...extra }
}

const netconform = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  execa('node', [CLI, ...args], { cwd: PROJECT, reject: false, env: env(extra), all: true, timeout: 300_000 })

/** The logins the lab's sshd has accepted so far. */
const logins = () => (readFileSync(SSHD_LOG, 'utf8').match(/Accepted publickey for netconform/g) ?? []).length

/** A copy of targets/docker-28-ssh.yaml with another endpoint or other ssh files. */
function variant(name: string, endpoint: string, identityFile: string, knownHostsFile: string): string {
  const text = readFileSync(join(PROJECT, 'targets', 'docker-28-ssh.yaml'), 'utf8')
    .replace(/^endpoint: .*$/m, `endpoint: ${endpoint}`)
    .replace(/^ {2}identityFile: .*$/m, `  identityFile: ${identityFile}`)
    .replace(/^ {2}knownHostsFile: .*$/m, `  knownHostsFile: ${knownHostsFile}`)
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, text)
  return file
}

before(() => {
  expect(existsSync(join(CLIENT, 'id_ed25519')), `no ${CLIENT}/id_ed25519: run \`netconform lab up\``).to.equal(true)
})

test(`netconform run --target docker-28-ssh: ${SCENARIO} conforms, API and docker CLI over ssh`, async () => {
  const before = logins()
  const r = await netconform(['run', '--target', 'docker-28-ssh', '--tags', `@id:${SCENARIO}`, '--reports', dir])
  expect(r.exitCode, r.all).to.equal(0)
  expect(r.all).to.include(`→ ${ENDPOINT}: Docker Engine 28.`)
  expect(r.all).to.match(/netconform: docker-28-ssh: 1 conforms, 0 deviates, 0 fails, 0 not applicable/)
  // Its three documented docker commands ran through the CLI's own ssh: a login each, beyond dockerode's.
  expect(logins() - before).to.be.at.least(4)
})

test('a docker context for the ssh endpoint (docker context create --docker host=ssh://…) with the profile', async () => {
  const config = join(dir, 'docker-config')
  execFileSync('docker', ['context', 'create', 'lab-ssh', '--docker', `host=${ENDPOINT}`], {
    env: env({ DOCKER_CONFIG: config }),
    stdio: 'ignore',
  })
  // The context holds the endpoint; the key and known_hosts are the profile's (a context has no ssh files).
  const r = await netconform(
    ['run', '--target', 'docker-28-ssh', '--context', 'lab-ssh', '--tags', `@id:${SCENARIO}`, '--reports', dir],
    { DOCKER_CONFIG: config },
  )
  expect(r.exitCode, r.all).to.equal(0)
  expect(r.all).to.include(`endpoint from docker context lab-ssh (--context)) → ${ENDPOINT}: Docker Engine 28.`)
})

/** `netconform clean` reaches the endpoint first: one line on stderr, exit 2, matching `message`. */
async function expectOneLine(target: string, message: RegExp): Promise<void> {
  const r = await netconform(['clean', '--target', target])
  expect(r.exitCode, r.all).to.equal(2)
  const lines = String(r.stderr).trim().split('\n')
  expect(lines, String(r.stderr)).to.have.length(1)
  expect(lines[0]).to.match(message)
}

test('a key the server does not know: one line, exit 2', () => {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')])
  return expectOneLine(
    variant('stranger', ENDPOINT, join(dir, 'stranger'), join(CLIENT, 'known_hosts')),
    /^netconform: ssh to netconform@198\.51\.100\.11:22: the server refused the key .*stranger \(is its public key/,
  )
})

test('a host key known_hosts does not hold: one line, exit 2', () => {
  writeFileSync(join(dir, 'known_hosts'), '')
  return expectOneLine(
    variant('unknown-host', ENDPOINT, join(CLIENT, 'id_ed25519'), join(dir, 'known_hosts')),
    /^netconform: ssh to netconform@198\.51\.100\.11:22: the host key is not trusted: 198\.51\.100\.11 is not in /,
  )
})

test('a host that does not answer: one line, exit 2', () =>
  expectOneLine(
    variant('no-host', 'ssh://netconform@198.51.100.9', join(CLIENT, 'id_ed25519'), join(CLIENT, 'known_hosts')),
    /^netconform: ssh to netconform@198\.51\.100\.9:22: the host does not answer/,
  ))

test('a remote without docker: one line, exit 2', () =>
  expectOneLine(
    variant(
      'no-docker',
      'ssh://netconform@198.51.100.11:2222',
      join(CLIENT, 'id_ed25519'),
      join(CLIENT, 'known_hosts'),
    ),
    /^netconform: ssh to netconform@198\.51\.100\.11:2222: the remote has no docker command .*docker: not found/,
  ))
