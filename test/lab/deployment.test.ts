/**
 * A VCH judged as its administrator deployed it: lab profiles copied with another deployment
 * (targets/target.schema.json's `deployment`) give the verdicts that setting implies, on the same
 * endpoints (`npx --no netconform lab up` first).
 *
 * - docker-28 with containerNetworkFirewall: open. Its macvlan container network lets every port
 *   in (the deviation the real profile declares for trust.unpublished-port-closed): at `open`
 *   that is what the level implies, so the copy declares no deviation and all three trust
 *   scenarios conform; at `closed` they are not applicable, naming the field.
 * - podman-5 with bridgeNetworkWidth: 24. Podman gives a new network a /24 (the real profile's
 *   deviation for subnet.default-mask-16): a VCH deployed with --bridge-network-width 24 conforms.
 */
import { test } from 'node:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { stringify } from 'yaml'
import { loadTarget } from '../../support/profile/targets'
import { loadSummary } from '../../support/report/summary'
import type { Deployment } from '../../support/types'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const TRUST = [
  'trust.published-port-reachable',
  'trust.create-published-port-reachable',
  'trust.unpublished-port-closed',
]

/** TARGET's profile as a file of its own: NAME, with `deployment`, without the deviations `drop` names. */
function copiedProfile(target: string, name: string, deployment: Partial<Deployment>, drop: string[]): string {
  const profile = loadTarget(target)
  const deviations = Object.fromEntries(Object.entries(profile.deviations).filter(([id]) => !drop.includes(id)))
  const copy = { ...profile, name, deployment, deviations, source: undefined }
  const file = join(mkdtempSync(join(tmpdir(), 'netconform-deployment-')), `${name}.yaml`)
  writeFileSync(file, stringify(JSON.parse(JSON.stringify(copy))))
  return file
}

/** Runs the ids on the profile FILE; returns each id's verdict and not-applicable field. */
async function verdicts(file: string, name: string, ids: string[]) {
  const reports = mkdtempSync(join(tmpdir(), 'netconform-deployment-reports-'))
  const tags = ids.map((id) => `@id:${id}`).join(' or ')
  const r = await execa('node', [CLI, 'run', '--target', file, '--tags', tags, '--reports', reports], {
    cwd: PROJECT,
    reject: false,
    all: true,
    timeout: 600_000,
  })
  const summary = loadSummary(join(reports, name, 'latest'))
  return {
    exitCode: r.exitCode,
    all: r.all,
    results: Object.fromEntries(summary.scenarios.map((s) => [s.id, [s.verdict, s.notApplicableField ?? s.reason]])),
  }
}

test('docker-28 deployed with --container-network-firewall open: every trust scenario conforms, no deviation', async () => {
  const file = copiedProfile('docker-28', 'docker-28-open', { containerNetworkFirewall: 'open' }, TRUST)
  const r = await verdicts(file, 'docker-28-open', TRUST)
  expect(r.results, r.all).to.deep.equal(Object.fromEntries(TRUST.map((id) => [id, ['conforms', '']])))
  expect(r.exitCode, r.all).to.equal(0)
})

test('docker-28 deployed with --container-network-firewall closed: the trust scenarios are not applicable', async () => {
  const file = copiedProfile('docker-28', 'docker-28-closed', { containerNetworkFirewall: 'closed' }, TRUST)
  const r = await verdicts(file, 'docker-28-closed', TRUST)
  expect(r.results, r.all).to.deep.equal(
    Object.fromEntries(TRUST.map((id) => [id, ['not-applicable', 'deployment.containerNetworkFirewall']])),
  )
})

test('podman-5 deployed with --bridge-network-width 24: a new bridge with a /24 conforms, no deviation', async () => {
  const id = 'subnet.default-mask-16'
  const file = copiedProfile('podman-5', 'podman-5-width-24', { bridgeNetworkWidth: 24 }, [id])
  const r = await verdicts(file, 'podman-5-width-24', [id])
  expect(r.results, r.all).to.deep.equal({ [id]: ['conforms', ''] })
  // and the default (16) on the same endpoint, without the deviation, fails as the real profile declares
  const bare = copiedProfile('podman-5', 'podman-5-width-16', {}, [id])
  const d = await verdicts(bare, 'podman-5-width-16', [id])
  expect(d.results[id]?.[0], d.all).to.equal('fails')
  expect(String(d.results[id]?.[1])).to.match(/subnet masks of my-bridge-network: \/24, where the document shows \/16/)
})
