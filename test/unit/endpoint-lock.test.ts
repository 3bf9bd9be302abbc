import { test } from 'node:test'
import { createServer } from 'node:net'
import { expect } from 'chai'
import { acquireHolds, type AcquireOptions } from '../../support/holds/lock'
import {
  LABEL_LEASE,
  LABEL_LOCK,
  exclusiveLockName,
  leaseOf,
  safeName,
  sharedMarkerName,
} from '../../support/holds/lock-containers'
import { holdsOf, hostPortOf } from '../../support/holds/tags'
import { portAnswers } from '../../support/holds/host-port'
import { nameTaken } from '../../support/engine/kinds'
import { LABEL_RUN, LABEL_SCENARIO, removeLabelled } from '../../support/cleanup/resources'
import { FakeDocker } from './fake-docker'
import { listenOnLoopback } from './loopback'

const T0 = 1_750_000_000_000
const MIN = 60_000

/** A fake clock shared by the acquirers of a test: sleeping advances it and lets the others go. */
function clock() {
  const c = {
    t: T0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms
      await new Promise((r) => setImmediate(r))
    },
  }
  return c
}

/** A scenario's acquire options: its run, its id and its tags, on the fake clock, logging into `lines`. */
function opts(
  c: ReturnType<typeof clock>,
  { runId, scenarioId }: { runId: string; scenarioId: string },
  tags: string[],
  extra: Partial<AcquireOptions> = {},
) {
  const lines: string[] = []
  const o: AcquireOptions = {
    runId,
    scenarioId,
    probeImage: 'netconform-probe:1',
    tags,
    now: c.now,
    sleep: c.sleep,
    log: (l) => lines.push(l),
    ...extra,
  }
  return { o, lines }
}

const locks = (d: FakeDocker) =>
  [...d.containers.values()]
    .filter((c) => c.labels[LABEL_LOCK] !== undefined)
    .map((c) => c.name)
    .sort()

test('names: the exclusive lock has a fixed name; a shared marker adds the run and a random tail', () => {
  expect(exclusiveLockName('host-port-8080')).to.equal('netconform-lock-host-port-8080')
  expect(sharedMarkerName('container-network-range', '20250102T030405Z-a1b2c3', 'beef01')).to.equal(
    'netconform-lock-container-network-range.shared.20250102T030405Z-a1b2c3.beef01',
  )
  expect(sharedMarkerName('x', 'r')).to.match(/^netconform-lock-x\.shared\.r\.[0-9a-f]{6}$/)
  expect(sharedMarkerName('x', 'r')).to.not.equal(sharedMarkerName('x', 'r'))
  expect(safeName('a b/c:d')).to.equal('a-b-c-d')
  // valid container names
  for (const n of [
    exclusiveLockName('host-port-80'),
    sharedMarkerName('container-network-range', '20250102T030405Z-a1b2c3'),
  ])
    expect(n).to.match(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/)
})

test("holdsOf: the scenario's @exclusive:/@shared: names, sorted; exclusive wins over shared", () => {
  expect(holdsOf(['@id:combine.mapping', '@shared:container-network-range', '@exclusive:host-port-80'])).to.deep.equal([
    { name: 'container-network-range', mode: 'shared' },
    { name: 'host-port-80', mode: 'exclusive' },
  ])
  expect(holdsOf(['@shared:a', '@exclusive:a'])).to.deep.equal([{ name: 'a', mode: 'exclusive' }])
  expect(holdsOf(['@id:x', '@wip', '@exclusive:'])).to.deep.equal([])
})

test('hostPortOf: host-port-N names a port; nothing else does', () => {
  expect(hostPortOf('host-port-8080')).to.equal(8080)
  expect(hostPortOf('host-port-5000')).to.equal(5000)
  expect(hostPortOf('host-port-0')).to.equal(undefined)
  expect(hostPortOf('host-port-70000')).to.equal(undefined)
  expect(hostPortOf('container-network-range')).to.equal(undefined)
})

test('leaseOf: the lease label in epoch ms; a lock without a readable lease is stale (0)', () => {
  expect(leaseOf({ [LABEL_LEASE]: '1750000000000' })).to.equal(1_750_000_000_000)
  expect(leaseOf({ [LABEL_LEASE]: 'soon' })).to.equal(0)
  expect(leaseOf({})).to.equal(0)
})

test('a scenario that holds nothing makes no API call', async () => {
  const d = new FakeDocker()
  const c = clock()
  const held = await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 'x' }, ['@id:x']).o)
  expect(held).to.include({ waitedMs: 0 })
  expect(held.notRun).to.equal(undefined)
  expect(d.calls).to.deep.equal([])
  await held.release()
})

test("an exclusive hold: a created (never started) container from the probe image with the scenario's labels, the lock name and a lease; release removes it", async () => {
  const d = new FakeDocker()
  const c = clock()
  const held = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'publish.port-8080' }, ['@exclusive:host-port-8080'], {
      leaseMs: 10 * MIN,
      timeoutMs: 10 * MIN,
    }).o,
  )
  expect(held.notRun).to.equal(undefined)
  const lock = d.byName('netconform-lock-host-port-8080')!
  expect(lock, 'lock container').to.not.equal(undefined)
  expect(lock.running).to.equal(false)
  expect(lock.image).to.equal('netconform-probe:1')
  expect(lock.labels).to.include({
    [LABEL_RUN]: 'run-a',
    [LABEL_SCENARIO]: 'publish.port-8080',
    [LABEL_LOCK]: 'host-port-8080',
  })
  // the lease covers the longest wait for other names plus the scenario's lease
  expect(leaseOf(lock.labels)).to.equal(T0 + 20 * MIN)
  await held.release()
  expect(locks(d)).to.deep.equal([])
  await held.release() // idempotent
})

test('two acquirers of the same exclusive name take turns; the waiter says who held it', async () => {
  const d = new FakeDocker()
  const c = clock()
  const a = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'publish.port-8080' }, ['@exclusive:host-port-8080']).o,
  )
  const { o, lines } = opts(c, { runId: 'run-b', scenarioId: 'multi-bridge.view-on-public-8080' }, [
    '@exclusive:host-port-8080',
  ])
  let releasedWhileWaiting = false
  o.log = (l) => {
    lines.push(l)
    if (l.startsWith('waiting') && !releasedWhileWaiting) {
      releasedWhileWaiting = true
      expect(locks(d)).to.deep.equal(['netconform-lock-host-port-8080'])
      void a.release()
    }
  }
  const b = await acquireHolds(d.asDocker, o)
  expect(b.notRun).to.equal(undefined)
  expect(releasedWhileWaiting).to.equal(true)
  expect(b.waitedMs).to.be.above(0)
  expect(lines[0]).to.match(
    /^waiting for exclusive hold of host-port-8080, held exclusive by run run-a, scenario publish\.port-8080 \(lease \d+ s left\)$/,
  )
  expect(lines.at(-1)).to.match(/^holds exclusive host-port-8080 after waiting \d+\.\d s$/)
  expect(d.byName('netconform-lock-host-port-8080')!.labels[LABEL_RUN]).to.equal('run-b')
  await b.release()
  expect(locks(d)).to.deep.equal([])
})

test('shared holds coexist: two runs hold the same name shared at once, neither waits', async () => {
  const d = new FakeDocker()
  const c = clock()
  const a = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'trust.x' }, ['@shared:container-network-range']).o,
  )
  const b = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-b', scenarioId: 'trust.x' }, ['@shared:container-network-range']).o,
  )
  expect([a.waitedMs, b.waitedMs]).to.deep.equal([0, 0])
  const names = locks(d)
  expect(names).to.have.length(2)
  expect(names[0]).to.match(/^netconform-lock-container-network-range\.shared\.run-a\.[0-9a-f]{6}$/)
  expect(names[1]).to.match(/^netconform-lock-container-network-range\.shared\.run-b\.[0-9a-f]{6}$/)
  await a.release()
  await b.release()
  expect(locks(d)).to.deep.equal([])
})

test('an exclusive hold waits for the shared holders; a shared one that comes meanwhile makes way and waits for it', async () => {
  const d = new FakeDocker()
  const c = clock()
  const reader = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'trust.x' }, ['@shared:container-network-range']).o,
  )
  const order: string[] = []
  const w = opts(c, { runId: 'run-b', scenarioId: 'static-ip.x' }, ['@exclusive:container-network-range'])
  let lateReader: Promise<Awaited<ReturnType<typeof acquireHolds>>> | undefined
  const late = opts(c, { runId: 'run-c', scenarioId: 'trust.y' }, ['@shared:container-network-range'])
  late.o.log = (l) => {
    late.lines.push(l)
    // the late reader made way: only the writer's lock and the first reader's marker are there
    if (l.startsWith('waiting') && order.length === 0) {
      order.push('late reader waits')
      expect(locks(d).filter((n) => n.includes('run-c'))).to.deep.equal([])
      void reader.release()
    }
  }
  w.o.log = (l) => {
    w.lines.push(l)
    if (l.startsWith('waiting') && !lateReader) lateReader = acquireHolds(d.asDocker, late.o)
  }
  const writer = await acquireHolds(d.asDocker, w.o)
  order.push('writer holds')
  expect(writer.notRun).to.equal(undefined)
  expect(w.lines[0]).to.match(
    /^waiting for exclusive hold of container-network-range, held shared by run run-a, scenario trust\.x/,
  )
  expect(late.lines[0]).to.match(
    /^waiting for shared hold of container-network-range, held exclusive by run run-b, scenario static-ip\.x/,
  )
  expect(locks(d)).to.deep.equal(['netconform-lock-container-network-range'])
  await writer.release()
  const r = await lateReader!
  expect(r.notRun).to.equal(undefined)
  expect(order).to.deep.equal(['late reader waits', 'writer holds'])
  expect(locks(d)).to.have.length(1)
  expect(locks(d)[0]).to.contain('.shared.run-c.')
  await r.release()
})

test('a stale exclusive lock (lease passed) is removed by id after its labels are checked, and taken over', async () => {
  const d = new FakeDocker()
  const c = clock()
  const stale = d.add({
    name: 'netconform-lock-host-port-5000',
    labels: {
      [LABEL_RUN]: 'run-dead',
      [LABEL_SCENARIO]: 'exposed-port.x',
      [LABEL_LOCK]: 'host-port-5000',
      [LABEL_LEASE]: String(T0 - 1),
    },
  })
  const { o, lines } = opts(c, { runId: 'run-a', scenarioId: 'exposed-port.public-5000' }, [
    '@exclusive:host-port-5000',
  ])
  const held = await acquireHolds(d.asDocker, o)
  expect(held.notRun).to.equal(undefined)
  expect(held.waitedMs).to.equal(0)
  expect(d.calls).to.include(`inspect ${stale.id}`)
  expect(lines).to.deep.equal([
    'removing the stale lock netconform-lock-host-port-5000 of run run-dead, scenario exposed-port.x (lease expired)',
  ])
  expect(d.byName('netconform-lock-host-port-5000')!.labels[LABEL_RUN]).to.equal('run-a')
  await held.release()
})

test('a stale shared marker does not keep an exclusive hold waiting', async () => {
  const d = new FakeDocker()
  const c = clock()
  d.add({
    name: 'netconform-lock-r.shared.run-dead.abcdef',
    labels: { [LABEL_RUN]: 'run-dead', [LABEL_LOCK]: 'r', [LABEL_LEASE]: String(T0 - 1) },
  })
  const held = await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:r']).o)
  expect(held.notRun).to.equal(undefined)
  expect(locks(d)).to.deep.equal(['netconform-lock-r'])
  await held.release()
})

test('a live lock is never removed; the wait ends at its deadline with who held it, and the scenario is not run', async () => {
  const d = new FakeDocker()
  const c = clock()
  await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'publish.port-8080' }, ['@exclusive:host-port-8080']).o,
  )
  const before = d.containers.size
  const held = await acquireHolds(
    d.asDocker,
    opts(
      c,
      { runId: 'run-b', scenarioId: 'multi.x' },
      ['@shared:container-network-range', '@exclusive:host-port-8080'],
      {
        timeoutMs: 30_000,
        intervalMs: 1000,
      },
    ).o,
  )
  expect(held.notRun).to.equal(
    'waited 30 s for exclusive hold of host-port-8080, held exclusive by run run-a, scenario publish.port-8080 (lease 1170 s left)',
  )
  expect(held.waitedMs).to.be.within(29_000, 30_000)
  // the shared hold it had taken is given back; run-a's lock stays
  expect(d.containers.size).to.equal(before)
  expect(locks(d)).to.deep.equal(['netconform-lock-host-port-8080'])
})

test('an interruption stops the wait: not run, with its reason', async () => {
  const d = new FakeDocker()
  const c = clock()
  await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n']).o)
  let reason: string | undefined
  const { o } = opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:n'], { stop: () => reason })
  const p = acquireHolds(d.asDocker, o)
  await c.sleep(0)
  reason = 'interrupted by SIGINT'
  expect((await p).notRun).to.equal('interrupted by SIGINT')
})

test("a running container that is not netconform's publishing the host port: not run, named, without waiting or creating a lock", async () => {
  const d = new FakeDocker()
  const c = clock()
  d.add({ name: 'my-own-web', running: true, ports: [8080] })
  d.add({ name: 'stopped-one', running: false, ports: [8080] })
  d.add({ name: 'other-port', running: true, ports: [8081] })
  const held = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'publish.port-8080' }, ['@exclusive:host-port-8080']).o,
  )
  expect(held.notRun).to.equal("host port 8080 is held by my-own-web (not netconform's)")
  expect(held.waitedMs).to.equal(0)
  expect(d.calls.filter((x) => x.startsWith('create'))).to.deep.equal([])
})

test('a foreign container that starts on the port while the scenario waits is found after the wait; the lock is given back', async () => {
  const d = new FakeDocker()
  const c = clock()
  const a = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:host-port-8080']).o,
  )
  const { o } = opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:host-port-8080'])
  o.log = () => {
    d.add({ name: 'users-nginx', running: true, ports: [8080] })
    void a.release()
  }
  const held = await acquireHolds(d.asDocker, o)
  expect(held.notRun).to.equal("host port 8080 is held by users-nginx (not netconform's)")
  expect(locks(d)).to.deep.equal([])
})

test("a container of another netconform run on the port (a run without locks, a crashed run's) is waited for and named", async () => {
  const d = new FakeDocker()
  const c = clock()
  const other = d.add({
    name: 'nc-abcdef-1234-view',
    running: true,
    ports: [8080],
    labels: { [LABEL_RUN]: 'run-old', [LABEL_SCENARIO]: 'multi-bridge.x' },
  })
  d.add({ name: 'nc-own', running: true, ports: [8080], labels: { [LABEL_RUN]: 'run-a', [LABEL_SCENARIO]: 'earlier' } })
  const { o, lines } = opts(c, { runId: 'run-a', scenarioId: 'publish.port-8080' }, ['@exclusive:host-port-8080'])
  o.log = (l) => {
    lines.push(l)
    if (l.startsWith('waiting')) d.containers.delete(other.id)
  }
  const held = await acquireHolds(d.asDocker, o)
  expect(held.notRun).to.equal(undefined)
  expect(lines[0]).to.equal(
    'waiting for host port 8080 to be free, published by nc-abcdef-1234-view of run run-old, scenario multi-bridge.x',
  )
  await held.release()
})

test("a container that is not a lock under the lock's name: not run, said so", async () => {
  const d = new FakeDocker()
  const c = clock()
  d.add({ name: 'netconform-lock-n', labels: {} })
  const held = await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n']).o)
  expect(held.notRun).to.equal('the lock name netconform-lock-n is taken by a container that is not a netconform lock')
  expect(d.containers.size).to.equal(1)
})

test('names are taken in sorted order: two runs holding the same two names, tagged in either order, do not deadlock', async () => {
  const d = new FakeDocker()
  const c = clock()
  const a = opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:b', '@exclusive:a'], { timeoutMs: 60_000 })
  const b = opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:a', '@exclusive:b'], { timeoutMs: 60_000 })
  const pa = acquireHolds(d.asDocker, a.o).then((h) => ({ h, who: 'run-a' }))
  const pb = acquireHolds(d.asDocker, b.o).then((h) => ({ h, who: 'run-b' }))
  const first = await Promise.race([pa, pb])
  expect(first.h.notRun).to.equal(undefined)
  expect(locks(d)).to.deep.equal(['netconform-lock-a', 'netconform-lock-b'])
  await first.h.release()
  // the other gets both after it
  const second = await (first.who === 'run-a' ? pb : pa)
  expect(second.h.notRun).to.equal(undefined)
  expect(['a', 'b'].map((n) => d.byName(`netconform-lock-${n}`)!.labels[LABEL_RUN])).to.deep.equal([
    second.who,
    second.who,
  ])
  await second.h.release()
})

test("removeLabelled removes a scenario's lock containers after its other containers", async () => {
  const d = new FakeDocker()
  const c = clock()
  const held = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'publish.port-8080' }, [
      '@exclusive:host-port-8080',
      '@shared:container-network-range',
    ]).o,
  )
  d.add({
    name: 'nc-a-1-test1',
    running: true,
    ports: [8080],
    labels: { [LABEL_RUN]: 'run-a', [LABEL_SCENARIO]: 'publish.port-8080' },
  })
  d.add({ name: 'someone-else', running: true, labels: {} })
  const removed = await removeLabelled(d.asDocker, { [LABEL_RUN]: 'run-a', [LABEL_SCENARIO]: 'publish.port-8080' })
  expect(removed.errors).to.deep.equal([])
  expect(removed.containers[0]).to.equal('nc-a-1-test1')
  expect(removed.containers.slice(1).sort()).to.have.length(2)
  expect(removed.containers.slice(1).every((n) => n.startsWith('netconform-lock-'))).to.equal(true)
  expect([...d.containers.values()].map((x) => x.name)).to.deep.equal(['someone-else'])
  await held.release() // already gone: no error
})

test('nameTaken: Docker\'s 409 and Podman 4.3\'s 500 "that name is already in use"; not other errors', () => {
  const err = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode })
  expect(
    nameTaken(
      err(
        409,
        '(HTTP code 409) unexpected - Conflict. The container name "/netconform-lock-x" is already in use by container "ab12"',
      ),
    ),
  ).to.equal(true)
  expect(
    nameTaken(
      err(
        500,
        '(HTTP code 500) server error - container create: creating container storage: the container name "netconform-lock-x" is already in use by fe52. You have to remove that container to be able to reuse that name: that name is already in use',
      ),
    ),
  ).to.equal(true)
  expect(nameTaken(err(500, '(HTTP code 500) server error - no space left on device'))).to.equal(false)
  expect(nameTaken(err(404, 'No such image: netconform-probe:1'))).to.equal(false)
  expect(nameTaken(new Error('socket hang up'))).to.equal(false)
})

test('portAnswers: true while a loopback server listens on the port, false once it is closed', async () => {
  const server = createServer((s) => s.end())
  const port = await listenOnLoopback(server)
  expect(await portAnswers('127.0.0.1', port)).to.equal(true)
  await new Promise((r) => server.close(r))
  expect(await portAnswers('127.0.0.1', port)).to.equal(false)
})

test("with the public address: a host port still answering (a removed container's proxy) is waited for until it stops", async () => {
  const d = new FakeDocker()
  const c = clock()
  const server = createServer((s) => s.end())
  const port = await listenOnLoopback(server)
  const { o, lines } = opts(
    c,
    { runId: 'run-a', scenarioId: 'exposed-port.public-5000' },
    [`@exclusive:host-port-${port}`],
    {
      publicAddress: '127.0.0.1',
    },
  )
  o.log = (l) => {
    lines.push(l)
    if (l.startsWith('waiting')) server.close()
  }
  const held = await acquireHolds(d.asDocker, o)
  expect(held.notRun).to.equal(undefined)
  expect(lines[0]).to.equal(
    `waiting for host port ${port} at 127.0.0.1 to stop answering (a removed container's proxy)`,
  )
  expect(await portAnswers('127.0.0.1', port)).to.equal(false)
  await held.release()
})

test('with the public address: a host port that keeps answering with no container publishing it: not run after the grace, said so', async () => {
  const d = new FakeDocker()
  const c = clock()
  const asked: string[] = []
  const answers = async (address: string, port: number) => (asked.push(`${address}:${port}`), true)
  const held = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'publish.port-8080' }, ['@exclusive:host-port-8080'], {
      publicAddress: '198.51.100.1',
      answers,
      portGraceMs: 5000,
      intervalMs: 1000,
    }).o,
  )
  expect(held.notRun).to.equal(
    "host port 8080 answers at 198.51.100.1, but no running container publishes it: held by something that is not netconform's",
  )
  expect(held.waitedMs).to.be.within(4000, 5000)
  expect(asked[0]).to.equal('198.51.100.1:8080')
  expect(locks(d)).to.deep.equal([])
})

test('without the public address the port is not probed; a name that is no host port is never probed', async () => {
  const d = new FakeDocker()
  const c = clock()
  const asked: string[] = []
  const answers = async (address: string, port: number) => (asked.push(`${address}:${port}`), true)
  const a = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:host-port-8080'], { answers }).o,
  )
  const b = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:container-network-range'], {
      answers,
      publicAddress: '198.51.100.1',
    }).o,
  )
  expect([a.notRun, b.notRun, asked]).to.deep.equal([undefined, undefined, []])
})

// Under a flaky endpoint (a 5xx or a reset on a lock's create, inspect or remove) a lock is never held when it is
// not, never leaked for good (its lease passes and others take it), and the scenario is not run, naming the call.

test('a lock create answered 500: not run naming the call, nothing held or left; the next acquirer takes it at once', async () => {
  const d = new FakeDocker().failNext('create', 500)
  const c = clock()
  const held = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:host-port-8080']).o,
  )
  expect(held.call).to.equal('POST /containers/create')
  expect(held.notRun).to.match(
    /^the endpoint failed a call of the locks: POST \/containers\/create \(lock netconform-lock-host-port-8080\) answered 500: /,
  )
  expect(locks(d)).to.deep.equal([])
  const other = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:host-port-8080']).o,
  )
  expect(other.notRun).to.equal(undefined)
  expect(other.waitedMs).to.equal(0)
  await other.release()
  await held.release()
})

test('a lock create cut off after the engine made it: the lock it made (its very labels) is removed, and not run', async () => {
  const d = new FakeDocker().failNext('create', 'reset', { done: true })
  const c = clock()
  const held = await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n']).o)
  expect(held.notRun).to.match(
    /^the endpoint failed a call of the locks: POST \/containers\/create \(lock .*\) was cut off/,
  )
  expect(held.call).to.equal('POST /containers/create')
  expect(d.removed).to.deep.equal(['netconform-lock-n'])
  expect(locks(d)).to.deep.equal([])
})

test("a made lock that cannot be looked at or removed is not leaked for good: the run's cleanup by label removes it, or others take it once its lease passes", async () => {
  const d = new FakeDocker().failNext('create', 'reset', { done: true }).failNext('inspect', 503)
  const c = clock()
  const held = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n'], { leaseMs: 2 * MIN, timeoutMs: 1 * MIN }).o,
  )
  expect(held.notRun).to.match(/POST \/containers\/create \(lock netconform-lock-n\) was cut off/)
  expect(locks(d)).to.deep.equal(['netconform-lock-n']) // left, with its lease and the scenario's labels
  const lease = leaseOf(d.byName('netconform-lock-n')!.labels)
  expect(lease).to.equal(T0 + 3 * MIN)
  // another run waits while the lease runs, then removes it as stale and takes the name
  const { o, lines } = opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:n'], {
    timeoutMs: 10 * MIN,
    intervalMs: 10_000,
  })
  const other = await acquireHolds(d.asDocker, o)
  expect(other.notRun).to.equal(undefined)
  expect(c.t).to.be.within(lease, lease + 10_000)
  expect(lines.at(-2)).to.equal('removing the stale lock netconform-lock-n of run run-a, scenario s (lease expired)')
  expect(d.byName('netconform-lock-n')!.labels[LABEL_RUN]).to.equal('run-b')
  await other.release()
  // and the scenario's own cleanup by label would have removed it at once
  const d2 = new FakeDocker().failNext('create', 'reset', { done: true }).failNext('inspect', 503)
  await acquireHolds(d2.asDocker, opts(clock(), { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n']).o)
  const removed = await removeLabelled(d2.asDocker, { [LABEL_RUN]: 'run-a', [LABEL_SCENARIO]: 's' })
  expect(removed.containers).to.deep.equal(['netconform-lock-n'])
})

test("a lock's release answered 500: it stays, labelled, until its lease passes; then another run takes it", async () => {
  const d = new FakeDocker()
  const c = clock()
  const held = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n'], { leaseMs: MIN, timeoutMs: MIN }).o,
  )
  d.failNext('remove', 500)
  const stderr = process.stderr.write
  const said: string[] = []
  process.stderr.write = ((t: string) => said.push(t) !== 0) as typeof process.stderr.write
  try {
    await held.release() // never throws
  } finally {
    process.stderr.write = stderr
  }
  expect(said.join('')).to.match(/could not remove lock container netconform-lock-n: \(HTTP code 500\)/)
  expect(locks(d)).to.deep.equal(['netconform-lock-n'])
  const other = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:n'], { intervalMs: 5000 }).o,
  )
  expect(other.notRun).to.equal(undefined)
  expect(c.t - T0).to.be.within(2 * MIN, 2 * MIN + 5000)
  expect(d.byName('netconform-lock-n')!.labels[LABEL_RUN]).to.equal('run-b')
})

test("the holder's inspect answered 503: not run naming it; the holder's lock is untouched and this one holds nothing", async () => {
  const d = new FakeDocker()
  const c = clock()
  const a = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n', '@shared:m']).o,
  )
  d.failNext('inspect', 503)
  const b = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-b', scenarioId: 't' }, ['@shared:m', '@exclusive:n']).o,
  )
  expect(b.notRun).to.match(
    /^the endpoint failed a call of the locks: GET \/containers\/\{id\}\/json \(lock netconform-lock-n\) answered 503/,
  )
  expect(b.call).to.equal('GET /containers/{id}/json')
  // b's shared marker of m, taken first, was given back; a's locks stay
  expect(locks(d).filter((n) => d.byName(n)!.labels[LABEL_RUN] === 'run-b')).to.deep.equal([])
  expect(locks(d)).to.have.length(2)
  await a.release()
})

test('a stale lock whose removal keeps failing: not run naming the remove, after one try (no loop of asks)', async () => {
  const d = new FakeDocker()
  const c = clock()
  d.add({
    name: 'netconform-lock-n',
    labels: { [LABEL_RUN]: 'run-dead', [LABEL_LOCK]: 'n', [LABEL_LEASE]: String(T0 - 1) },
  })
  d.failNext('remove', 500, { times: 1000 })
  const held = await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n']).o)
  expect(held.notRun).to.match(/DELETE \/containers\/\{id\} \(the stale lock netconform-lock-n\) answered 500/)
  expect(held.call).to.equal('DELETE /containers/{id}')
  expect(d.failed).to.have.length(1)
  expect(d.byName('netconform-lock-n')!.labels[LABEL_RUN]).to.equal('run-dead')
})

test('a shared marker that cannot be removed to make way for a writer: not run naming the remove; it is not counted as given back', async () => {
  const d = new FakeDocker()
  const c = clock()
  const writer = await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 'w' }, ['@exclusive:r']).o)
  d.failNext('remove', 'reset')
  const reader = await acquireHolds(d.asDocker, opts(c, { runId: 'run-b', scenarioId: 'x' }, ['@shared:r']).o)
  expect(reader.notRun).to.match(
    /DELETE \/containers\/\{id\} \(own marker netconform-lock-r\.shared\.run-b\.[0-9a-f]{6}\) was cut off/,
  )
  // still owned, so released on the way out: only the writer's lock remains
  expect(locks(d)).to.deep.equal(['netconform-lock-r'])
  await writer.release()
})

test('a list of the locks reset: not run naming it, what was taken is given back', async () => {
  const d = new FakeDocker().failNext('list', 'reset')
  const c = clock()
  const held = await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:r']).o)
  expect(held.notRun).to.match(/GET \/containers\/json \(the locks of r\) was cut off/)
  expect(locks(d)).to.deep.equal([])
})

test("Podman 4.3's 500 for a taken name is a taken name, not a failed call: the acquirer waits", async () => {
  const d = new FakeDocker()
  d.takenAs500 = true
  const c = clock()
  await acquireHolds(d.asDocker, opts(c, { runId: 'run-a', scenarioId: 's' }, ['@exclusive:n']).o)
  const b = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-b', scenarioId: 't' }, ['@exclusive:n'], { timeoutMs: 5000 }).o,
  )
  expect(b.call).to.equal(undefined)
  expect(b.notRun).to.match(/^waited 5 s for exclusive hold of n, held exclusive by run run-a/)
})

test("a lock this run's ended scenario left (its cleanup failed) is removed at once; a kept fixture's lock of the run is waited for", async () => {
  const d = new FakeDocker()
  const c = clock()
  const first = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'static-ip.connect-with-ip' }, ['@exclusive:r']).o,
  )
  expect(first.notRun).to.equal(undefined) // and never released: its cleanup by label failed
  const { o, lines } = opts(c, { runId: 'run-a', scenarioId: 'static-ip.outside-range-refused' }, ['@exclusive:r'])
  const next = await acquireHolds(d.asDocker, o)
  expect(next.notRun).to.equal(undefined)
  expect(next.waitedMs).to.equal(0)
  expect(lines).to.deep.equal([
    "removing the lock netconform-lock-r that this run's scenario static-ip.connect-with-ip left (it has ended; its cleanup could not remove it)",
  ])
  expect(d.byName('netconform-lock-r')!.labels[LABEL_SCENARIO]).to.equal('static-ip.outside-range-refused')
  await next.release()
  // a fixture's lock is held as long as the fixture lives
  await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'fixture:publish.x' }, ['@exclusive:host-port-8080']).o,
  )
  const waiting = await acquireHolds(
    d.asDocker,
    opts(c, { runId: 'run-a', scenarioId: 'publish.y' }, ['@exclusive:host-port-8080'], { timeoutMs: 2000 }).o,
  )
  expect(waiting.notRun).to.match(
    /^waited 2 s for exclusive hold of host-port-8080, held exclusive by run run-a, scenario fixture:publish\.x/,
  )
})
