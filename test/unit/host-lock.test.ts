/** This host's port locks (support/holds/host-lock.ts): abstract Unix sockets, freed when their holder dies. */
import { test } from 'node:test'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { acquireHostLocks, hostHoldsOf, isLocalAddress } from '../../support/holds/host-lock'

const prefix = () => `netconform-test-${randomBytes(4).toString('hex')}-`
const tags = [
  '@exclusive:host-port-8080',
  '@shared:container-network-range',
  '@exclusive:host-port-5000',
  '@exclusive:subnet-x',
]

test('hostHoldsOf: the exclusive host ports and subnets of the tags, sorted as holdsOf takes them', () => {
  expect(hostHoldsOf(tags)).to.deep.equal(['host-port-5000', 'host-port-8080', 'subnet-x'])
  expect(hostHoldsOf(['@shared:host-port-80', '@shared:subnet-x', '@exclusive:container-network-range'])).to.deep.equal(
    [],
  )
})

test("isLocalAddress: loopback and this machine's own addresses, not a documentation address", () => {
  expect(isLocalAddress('127.0.0.1')).to.equal(true)
  expect(isLocalAddress('203.0.113.77')).to.equal(false)
  expect(
    isLocalAddress('198.51.100.1', {
      ext0h: [
        { address: '198.51.100.1', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null },
      ],
    }),
  ).to.equal(true)
})

test('a second acquirer waits, told who holds the port, and takes it once the first releases', async () => {
  const p = prefix()
  const first = await acquireHostLocks({ tags, holder: 'run A, scenario a on docker', prefix: p })
  const log: string[] = []
  const second = acquireHostLocks({
    tags: ['@exclusive:host-port-8080'],
    holder: 'run B',
    prefix: p,
    log: (l) => log.push(l),
    intervalMs: 20,
  })
  await new Promise((r) => setTimeout(r, 150))
  expect(log).to.deep.equal(["waiting for this host's port 8080, held by run A, scenario a on docker"])
  await first.release()
  const got = await second
  expect(got.notRun).to.equal(undefined)
  expect(log.at(-1)).to.equal("took this host's port 8080")
  await got.release()
})

test('the wait has a deadline: not run, naming the holder; what was taken is given back', async () => {
  const p = prefix()
  const first = await acquireHostLocks({ tags: ['@exclusive:host-port-8080'], holder: 'run A', prefix: p })
  const second = await acquireHostLocks({ tags, holder: 'run B', prefix: p, timeoutMs: 100, intervalMs: 20 })
  expect(second.notRun).to.match(/^this host's port 8080 stayed held by run A/)
  // 5000 was taken before 8080 and given back: a third acquirer gets it at once
  const third = await acquireHostLocks({
    tags: ['@exclusive:host-port-5000'],
    holder: 'run C',
    prefix: p,
    timeoutMs: 100,
  })
  expect(third.notRun).to.equal(undefined)
  await Promise.all([first.release(), third.release()])
})

test('a holder that dies frees the port: no stale lock', async () => {
  const p = prefix()
  const child = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen({ path: '\\0${p}host-port-8080' }, () => console.log('bound'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await new Promise((r) => child.stdout.once('data', r))
  const blocked = await acquireHostLocks({
    tags: ['@exclusive:host-port-8080'],
    holder: 'run B',
    prefix: p,
    timeoutMs: 100,
    intervalMs: 20,
  })
  expect(blocked.notRun).to.match(/stayed held by a process that does not say/)
  child.kill('SIGKILL')
  await new Promise((r) => child.once('exit', r))
  const got = await acquireHostLocks({
    tags: ['@exclusive:host-port-8080'],
    holder: 'run B',
    prefix: p,
    timeoutMs: 1000,
    intervalMs: 20,
  })
  expect(got.notRun).to.equal(undefined)
  await got.release()
})

test("a bridge subnet is this host's too: a second acquirer of @exclusive:subnet-… on another engine waits for it", async () => {
  const p = prefix()
  const first = await acquireHostLocks({
    tags: ['@exclusive:subnet-203.0.113.0-24'],
    holder: 'run A, scenario s on docker',
    prefix: p,
  })
  const second = await acquireHostLocks({
    tags: ['@exclusive:subnet-203.0.113.0-24'],
    holder: 'run B',
    prefix: p,
    timeoutMs: 100,
    intervalMs: 20,
  })
  expect(second.notRun).to.match(/^this host's subnet-203\.0\.113\.0-24 stayed held by run A, scenario s on docker/)
  await first.release()
})
