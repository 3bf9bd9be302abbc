/**
 * The control plane stopped by a scenario is started again before the run leaves, however it is cut
 * short: Ctrl-C while it is down (the scenario finishes, its start step included) and Ctrl-C twice (the
 * run starts it itself before sweeping). Each leaves the endpoint answering and nothing labelled.
 * Runs on docker-28 (its control plane is lab/control-plane.sh docker-28). And the scenario itself,
 * which the lab test's runs leave out (they run beside decoys and beside each other): on each lab
 * endpoint that offers a control plane, alone, the verdict its profile declares; with a container
 * running there that is not the run's, it is not run and the control plane is not stopped.
 */
import { test } from 'node:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import Docker from 'dockerode'
import { eventually } from '../../support/poll'
import { loadTarget } from '../../support/profile/targets'
import { loadSummary } from '../../support/report/summary'
import { LAB_ENDPOINTS } from '../../support/cli/conformance'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const SOCKET = '/run/netconform/docker-28/docker.sock'
const docker = new Docker({ socketPath: SOCKET })
const REPORTS = mkdtempSync(join(tmpdir(), 'netconform-control-plane-'))
const ID = '@id:combine.control-plane-down.connectivity-kept'
const labelled = JSON.stringify({ label: ['io.netconform.run'] })

const answers = async () =>
  docker
    .ping()
    .then(() => true)
    .catch(() => false)

for (const presses of [1, 2]) {
  test(`docker-28: Ctrl-C ${presses === 1 ? 'once' : 'twice'} while the control plane is down: it is started again, nothing is left`, async () => {
    // In a process group of its own, as a terminal's foreground job: Ctrl-C reaches the run and its children.
    const child = execa('node', [CLI, 'run', '--reports', REPORTS, '--target', 'docker-28', '--tags', ID], {
      cwd: PROJECT,
      reject: false,
      all: true,
      detached: true,
    })
    await eventually(
      'the control plane of docker-28 to be down',
      async () => ({ ok: !(await answers()), seen: 'answers' }),
      {
        timeoutMs: 90_000,
        intervalMs: 250,
      },
    )
    for (let i = 0; i < presses; i++) {
      process.kill(-child.pid!, 'SIGINT')
      await new Promise((resolve) => setImmediate(resolve))
    }
    const r = await child
    expect(r.exitCode, r.all).to.equal(130)
    expect(await answers(), `docker-28 answers after the run\n${r.all}`).to.equal(true)
    const left =
      (await docker.listContainers({ all: true, filters: labelled })).length +
      (await docker.listNetworks({ filters: labelled })).length
    expect(left, `labelled containers and networks left on docker-28\n${r.all}`).to.equal(0)
  })
}

const ONE = ID.slice('@id:'.length)

for (const name of LAB_ENDPOINTS.filter((n) => loadTarget(n).offers.controlPlane)) {
  const profile = loadTarget(name)
  const declared = profile.deviations[ONE] ? 'deviates' : 'conforms'
  test(`${name}: the control plane down, alone on the endpoint: ${declared}, as its profile says`, async () => {
    const r = await execa('node', [CLI, 'run', '--reports', REPORTS, '--target', name, '--tags', ID], {
      cwd: PROJECT,
      reject: false,
      all: true,
    })
    expect(r.exitCode, r.all).to.equal(0)
    const [s] = loadSummary(join(REPORTS, name, 'latest')).scenarios
    expect(s.verdict, `${s.id}: ${s.reason}`).to.equal(declared)
  })
}

test("docker-28: with a container running that is not the run's, the control plane is not stopped: not run, saying so", async () => {
  const decoy = await docker.createContainer({
    Image: 'netconform-probe:1',
    Cmd: ['sleep', '300'],
    name: `decoy-not-netconform-${process.pid}`,
  })
  try {
    await decoy.start()
    const r = await execa('node', [CLI, 'run', '--reports', REPORTS, '--target', 'docker-28', '--tags', ID], {
      cwd: PROJECT,
      reject: false,
      all: true,
    })
    expect(r.exitCode, r.all).to.equal(1)
    const [s] = loadSummary(join(REPORTS, 'docker-28', 'latest')).notRun ?? []
    expect(s?.id).to.equal(ONE)
    expect(s.cause).to.equal('held')
    expect(s.reason).to.match(/1 running container on docker-28 not this run's \(decoy-not-netconform-\d+\)/)
    expect((await decoy.inspect()).State.Running, 'the decoy still runs').to.equal(true)
    expect(r.all).not.to.match(/control-plane\.sh docker-28 stop/)
  } finally {
    await decoy.remove({ force: true })
  }
})
