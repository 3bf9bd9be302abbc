/**
 * Shared-endpoint locks on the lab's real engines, Docker and Podman: lock containers are
 * created atomically under fixed names, two acquirers take turns, shared holders coexist, an
 * exclusive hold waits for the shared ones, a stale lease is taken over, and a container that
 * is not netconform's on a host port is named. The lock names are this test's own (not the
 * suite's), the host port is published on 127.0.0.1 only; everything made here is removed by
 * its run label, and the foreign container by the id this test got for it.
 */
import { test, after } from 'node:test'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { expect } from 'chai'
import Docker from 'dockerode'
import { acquireHolds, type AcquireOptions } from '../../support/holds/lock'
import { LABEL_LEASE, LABEL_LOCK, exclusiveLockName } from '../../support/holds/lock-containers'
import { nameTaken } from '../../support/engine/kinds'
import { LABEL_RUN, LABEL_SCENARIO, removeLabelled } from '../../support/cleanup/resources'
import { listenOnLoopback } from '../unit/loopback'

const PROBE = 'netconform-probe:1'
const ENDPOINTS: Record<string, Docker> = {
  docker: new Docker({ socketPath: '/var/run/docker.sock' }),
  podman: new Docker({ socketPath: '/run/podman/podman.sock' }),
}
const tag = randomBytes(3).toString('hex')
const runIds: string[] = []
const newRun = (who: string) => {
  const id = `locktest-${tag}-${who}`
  runIds.push(id)
  return id
}
const base = (runId: string, scenarioId: string, tags: string[], log?: (l: string) => void): AcquireOptions => ({
  runId,
  scenarioId,
  probeImage: PROBE,
  tags,
  intervalMs: 100,
  timeoutMs: 30_000,
  log,
})
const lockNames = async (docker: Docker, name: string) =>
  (await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_LOCK}=${name}`] }) }))
    .map((c) => c.Names[0].replace(/^\//, ''))
    .sort()

after(async () => {
  for (const docker of Object.values(ENDPOINTS)) {
    for (const run of runIds) {
      const removed = await removeLabelled(docker, { [LABEL_RUN]: run })
      expect(removed.errors, `cleanup of ${run}`).to.deep.equal([])
      const left = await docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`${LABEL_RUN}=${run}`] }),
      })
      expect(
        left.map((c) => c.Names[0]),
        `left by ${run}`,
      ).to.deep.equal([])
    }
  }
})

for (const [engine, docker] of Object.entries(ENDPOINTS)) {
  test(`${engine}: a lock is a created, never started container of the probe image; a second create of its name is refused as a taken name`, async () => {
    const name = `locktest-${tag}-${engine}-create`
    const held = await acquireHolds(docker, base(newRun(`${engine}-c`), 'lock.create', [`@exclusive:${name}`]))
    expect(held.notRun).to.equal(undefined)
    const info = await docker.getContainer(exclusiveLockName(name)).inspect()
    expect(info.State.Running).to.equal(false)
    expect(info.Config.Labels).to.include({ [LABEL_LOCK]: name, [LABEL_SCENARIO]: 'lock.create' })
    const err = await docker.createContainer({ name: exclusiveLockName(name), Image: PROBE }).then(
      () => undefined,
      (e) => e,
    )
    expect(err?.statusCode, String(err)).to.equal(engine === 'docker' ? 409 : 500)
    expect(nameTaken(err), String(err)).to.equal(true)
    await held.release()
    expect(await lockNames(docker, name)).to.deep.equal([])
  })

  test(`${engine}: two acquirers of the same exclusive name take turns`, async () => {
    const name = `locktest-${tag}-${engine}-turns`
    const runA = newRun(`${engine}-a`)
    const a = await acquireHolds(docker, base(runA, 'lock.first', [`@exclusive:${name}`]))
    const lines: string[] = []
    let sawWaiting = false
    const b = await acquireHolds(
      docker,
      base(newRun(`${engine}-b`), 'lock.second', [`@exclusive:${name}`], (l) => {
        lines.push(l)
        if (l.startsWith('waiting') && !sawWaiting) {
          sawWaiting = true
          void a.release()
        }
      }),
    )
    expect(b.notRun).to.equal(undefined)
    expect(lines[0]).to.contain(
      `waiting for exclusive hold of ${name}, held exclusive by run ${runA}, scenario lock.first`,
    )
    expect(b.waitedMs).to.be.above(0)
    const holder = await docker.getContainer(exclusiveLockName(name)).inspect()
    expect(holder.Config.Labels[LABEL_SCENARIO]).to.equal('lock.second')
    await b.release()
  })

  test(`${engine}: shared holds coexist; an exclusive hold waits for them`, async () => {
    const name = `locktest-${tag}-${engine}-rw`
    const r1 = await acquireHolds(docker, base(newRun(`${engine}-r1`), 'lock.r1', [`@shared:${name}`]))
    const r2 = await acquireHolds(docker, base(newRun(`${engine}-r2`), 'lock.r2', [`@shared:${name}`]))
    expect([r1.waitedMs < 1000, r2.waitedMs < 1000, r1.notRun, r2.notRun]).to.deep.equal([
      true,
      true,
      undefined,
      undefined,
    ])
    expect(await lockNames(docker, name)).to.have.length(2)
    const lines: string[] = []
    let released = false
    const w = await acquireHolds(
      docker,
      base(newRun(`${engine}-w`), 'lock.w', [`@exclusive:${name}`], (l) => {
        lines.push(l)
        if (l.startsWith('waiting') && !released) {
          released = true
          void r1.release().then(() => r2.release())
        }
      }),
    )
    expect(w.notRun).to.equal(undefined)
    expect(lines[0]).to.match(
      new RegExp(`^waiting for exclusive hold of ${name}, held shared by run locktest-${tag}-${engine}-r`),
    )
    expect(await lockNames(docker, name)).to.deep.equal([exclusiveLockName(name)])
    await w.release()
  })

  test(`${engine}: a lock whose lease expired is taken over`, async () => {
    const name = `locktest-${tag}-${engine}-stale`
    const dead = newRun(`${engine}-dead`)
    await docker.createContainer({
      name: exclusiveLockName(name),
      Image: PROBE,
      Cmd: ['true'],
      HostConfig: { NetworkMode: 'none' },
      Labels: {
        [LABEL_RUN]: dead,
        [LABEL_SCENARIO]: 'lock.dead',
        [LABEL_LOCK]: name,
        [LABEL_LEASE]: String(Date.now() - 1000),
      },
    })
    const lines: string[] = []
    const held = await acquireHolds(
      docker,
      base(newRun(`${engine}-heir`), 'lock.heir', [`@exclusive:${name}`], (l) => lines.push(l)),
    )
    expect(held.notRun).to.equal(undefined)
    expect(lines).to.deep.equal([
      `removing the stale lock ${exclusiveLockName(name)} of run ${dead}, scenario lock.dead (lease expired)`,
    ])
    expect((await docker.getContainer(exclusiveLockName(name)).inspect()).Config.Labels[LABEL_SCENARIO]).to.equal(
      'lock.heir',
    )
    await held.release()
  })

  test(`${engine}: a running container that is not netconform's publishing the host port is named; the scenario is not run`, async () => {
    // a port free on this machine now (the engine binds it on 127.0.0.1)
    const probe = createServer()
    const port = await listenOnLoopback(probe)
    await new Promise((r) => probe.close(r))
    const foreignName = `locktest-${tag}-${engine}-users-web`
    const foreign = await docker.createContainer({
      name: foreignName,
      Image: PROBE,
      Cmd: ['sleep', '120'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
    })
    try {
      await foreign.start()
      const run = newRun(`${engine}-port`)
      const held = await acquireHolds(docker, base(run, 'lock.port', [`@exclusive:host-port-${port}`]))
      expect(held.notRun).to.equal(`host port ${port} is held by ${foreignName} (not netconform's)`)
      expect(await lockNames(docker, `host-port-${port}`)).to.deep.equal([])
    } finally {
      await foreign.remove({ force: true })
    }
  })
}
