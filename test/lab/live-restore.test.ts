/**
 * One engine with and without Docker's live-restore (the lab's Docker Engine 20.10, target docker): at
 * its defaults, as the lab runs it, the control-plane scenario deviates as the profile declares (the
 * engine stops its containers with the daemon); started again with --live-restore
 * (LAB_DOCKER_LIVE_RESTORE=1, which the profile's start command passes on to lab/control-plane.sh) it
 * conforms, and `netconform compare` names the setting and the fix. The engine is put back at its
 * defaults however the test ends.
 */
import { test } from 'node:test'
import { mkdtempSync, realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import Docker from 'dockerode'
import { loadSummary } from '../../support/report/summary'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const CONTROL = join(PROJECT, 'lab', 'control-plane.sh')
const ID = 'combine.control-plane-down.connectivity-kept'
const docker = new Docker({ socketPath: '/var/run/docker.sock' })

/** This process's environment with live-restore asked for, or not. */
function envWith(liveRestore: boolean): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.LAB_DOCKER_LIVE_RESTORE
  return liveRestore ? { ...env, LAB_DOCKER_LIVE_RESTORE: '1' } : env
}

/** Restarts the lab's Docker Engine with live-restore or without, and says which it now runs with. */
async function restart(liveRestore: boolean): Promise<boolean> {
  await execa('bash', [CONTROL, 'docker', 'stop'], { env: envWith(liveRestore), extendEnv: false })
  await execa('bash', [CONTROL, 'docker', 'start'], { env: envWith(liveRestore), extendEnv: false })
  return ((await docker.info()) as { LiveRestoreEnabled?: boolean }).LiveRestoreEnabled === true
}

/** Runs the control-plane scenario on docker; its report folder and its verdict. */
async function runScenario(reports: string, liveRestore: boolean) {
  const r = await execa('node', [CLI, 'run', '--reports', reports, '--target', 'docker', '--tags', `@id:${ID}`], {
    cwd: PROJECT,
    env: envWith(liveRestore),
    extendEnv: false,
    reject: false,
    all: true,
  })
  expect(r.exitCode, r.all).to.equal(0)
  const dir = realpathSync(join(reports, 'docker', 'latest'))
  const scenario = loadSummary(dir).scenarios.find((s) => s.id === ID)
  return { dir, verdict: scenario?.verdict, reason: scenario?.reason ?? '', output: r.all ?? '' }
}

test('docker without and with live-restore: the control-plane scenario deviates, then conforms; compare names the setting', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'netconform-live-restore-'))
  try {
    expect(((await docker.info()) as { LiveRestoreEnabled?: boolean }).LiveRestoreEnabled, 'the lab default').to.equal(
      false,
    )
    const without = await runScenario(reports, false)
    expect(without.verdict, without.output).to.equal('deviates')
    expect(without.reason).to.match(/missed/)

    expect(await restart(true), 'LiveRestoreEnabled after a start with LAB_DOCKER_LIVE_RESTORE=1').to.equal(true)
    const withIt = await runScenario(reports, true)
    expect(withIt.verdict, withIt.output).to.equal('conforms')

    const c = await execa('node', [CLI, 'compare', without.dir, withIt.dir], { cwd: PROJECT, reject: false, all: true })
    expect(c.exitCode, c.all).to.equal(0)
    expect(c.all).to.contain("The endpoint's settings that differ (GET /info) (1)\n  LiveRestoreEnabled: false → true")
    expect(c.all).to.contain(`Fixes (1)\n  ${ID}: deviates → conforms`)
  } finally {
    expect(await restart(false), 'LiveRestoreEnabled after the lab default is restored').to.equal(false)
  }
})
