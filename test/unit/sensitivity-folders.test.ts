/**
 * Where sensitivity writes, run from a folder that is not the package: reports/ of that folder, as
 * `run` writes there, so the direct run sensitivity makes is the one it reuses next time.
 */
import { test } from 'node:test'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { PROJECT, defaultReportsDir } from '../../support/project'
import { latestDirect, sensitivityFolders } from '../../support/sensitivity/direct'
import { conditionsFolder } from '../../support/sensitivity/conditions'
import type { Summary } from '../../support/types'

/** Runs BODY with the current folder a fresh one outside the package, given as its real path. */
function inAnotherFolder(body: (folder: string) => void): void {
  const before = process.cwd()
  const folder = realpathSync(mkdtempSync(join(tmpdir(), 'netconform-folders-')))
  try {
    process.chdir(folder)
    body(folder)
  } finally {
    process.chdir(before)
    rmSync(folder, { recursive: true, force: true })
  }
}

/** A direct run's report as `run` leaves it: DIRECT/RUN/summary.json and DIRECT/latest pointing at it. */
function writeDirectRun(direct: string, runId: string): void {
  mkdirSync(join(direct, runId), { recursive: true })
  const summary = {
    runId,
    target: { name: 'docker' },
    scenarios: [{ id: 'new-bridge.ping-by-name.client-to-server', verdict: 'conforms', reason: '' }],
  } as unknown as Summary
  writeFileSync(join(direct, runId, 'summary.json'), JSON.stringify(summary))
  symlinkSync(runId, join(direct, 'latest'))
}

test('sensitivity run from another folder: its report, and the direct runs it reads and makes, are in reports/ there', () => {
  inAnotherFolder((folder) => {
    const reports = join(folder, 'reports')
    expect(defaultReportsDir()).to.equal(reports)
    const { reportsDir, direct, dir } = sensitivityFolders('docker', 'RUN-1')
    expect(reportsDir).to.equal(reports)
    expect(direct).to.equal(join(reports, 'docker'))
    expect(dir).to.equal(join(reports, 'docker', 'sensitivity', 'RUN-1'))
    expect(dir.startsWith(PROJECT)).to.equal(false)

    // The direct run a `run` (or sensitivity's own direct run, given reportsDir) left there is reused.
    expect(latestDirect(direct, ['new-bridge.ping-by-name.client-to-server'])).to.equal(undefined)
    writeDirectRun(direct, 'RUN-0')
    const found = latestDirect(direct, ['new-bridge.ping-by-name.client-to-server'])
    expect(found?.verdicts.get('new-bridge.ping-by-name.client-to-server')).to.equal('conforms')
    expect(found?.from).to.equal('reports/docker/RUN-0 (reports/docker/latest)')
    // One that does not cover every scenario is not.
    expect(latestDirect(direct, ['new-bridge.ping-by-name.client-to-server', 'subnet.default-mask-16'])).to.equal(
      undefined,
    )
  })
})

test('sensitivity --conditions run from another folder writes to reports/ there', () => {
  inAnotherFolder((folder) => {
    expect(conditionsFolder('podman', 'RUN-2')).to.equal(join(folder, 'reports', 'podman', 'conditions', 'RUN-2'))
  })
})

test('a reports folder given overrides the default, for sensitivity and its conditions alike', () => {
  inAnotherFolder((folder) => {
    const elsewhere = join(folder, 'elsewhere')
    expect(sensitivityFolders('docker', 'R', elsewhere).dir).to.equal(join(elsewhere, 'docker', 'sensitivity', 'R'))
    expect(conditionsFolder('docker', 'R', elsewhere)).to.equal(join(elsewhere, 'docker', 'conditions', 'R'))
  })
})
