/**
 * The end-of-run summary by cause (support/report/not-run.ts, summary-markdown.ts): a run with one scenario not run for each cause
 * (something not netconform's holds its host port; the endpoint failed a call, for want of a DHCP lease; the
 * endpoint stopped answering) names each cause with its first scenario's evidence, on the console's last line
 * and in summary.md. The fixture test/fixtures/not-run/messages.ndjson is real cucumber output of
 * test/fixtures/not-run/features with the records the suite's hooks attach; to regenerate it, from the
 * project root: npx cucumber-js --config test/fixtures/not-run/cucumber.json (exits 1: two scenarios fail).
 */
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { buildSummary } from '../../support/report/build-summary'
import { causeOf, noLeaseOf, notRunByCause } from '../../support/report/not-run'
import { notRunLine, renderSummaryMarkdown } from '../../support/report/summary-markdown'
import type { NetconformRecord } from '../../support/records'
import type { NotRun, Summary } from '../../support/types'

const FIXTURE = join(__dirname, '..', 'fixtures', 'not-run', 'messages.ndjson')
const META = {
  target: {
    name: 'podman-5',
    endpoint: 'unix:///run/netconform/podman-5/podman.sock',
    engine: { name: 'Podman Engine', version: '5.8.6', apiVersion: '1.44', os: 'linux', kernel: '6.18.0' },
  },
  runId: 'run-20261204-230000',
  startedAt: '2026-12-04T23:00:00.000Z',
  durationMs: 52_000,
}
const LOST = 'endpoint unix:///run/netconform/podman-5/podman.sock stopped answering after 41 s'
const LEASE =
  'no DHCP lease for the container within 8.2 s (docker: Error response from daemon: netavark: unable to obtain ' +
  'lease: get DHCP lease: Timeout: Timeout on acquiring DHCPv4 lease on eth0)'

function summary(): Summary {
  return buildSummary(readFileSync(FIXTURE, 'utf8'), META)
}

test('buildSummary gives each scenario not run its cause, from the record its hook attached', () => {
  const s = summary()
  expect(s.scenarios).to.deep.equal([])
  expect(s.notRun?.map((n) => [n.id, n.cause, n.reason])).to.deep.equal([
    ['not-run.held', 'held', "host port 8080 is held by my-own-web (not netconform's)"],
    [
      'not-run.failed-call',
      'failed-call',
      `the endpoint failed a call of the suite: POST /containers/0ced/start answered 500: ${LEASE}`,
    ],
    ['not-run.lost', 'endpoint-lost', LOST],
    ['not-run.after-loss', 'endpoint-lost', LOST],
  ])
  expect(s.interrupted).to.equal(LOST)
})

test("the console's last line names each cause, how many, and the first scenario's evidence", () => {
  expect(notRunLine(summary())).to.equal(
    `netconform: ${LOST}; 4 not run: ` +
      "1 held by another run or by something not netconform's (not-run.held: host port 8080 is held by my-own-web " +
      "(not netconform's)), " +
      `1 the endpoint failed a call (not-run.failed-call: POST /containers/0ced/start answered 500: ${LEASE}), ` +
      `2 endpoint lost (not-run.lost: ${LOST}) (listed in summary.md)`,
  )
  // Not cut short: the run is incomplete, and says so; every scenario run: no line.
  const held = { ...summary(), interrupted: undefined, notRun: summary().notRun!.slice(0, 2) }
  expect(notRunLine(held)).to.match(
    /^netconform: 2 not run: 1 held by .*, 1 the endpoint failed a call .*\(listed above and in summary\.md\); the run is incomplete, exit 1$/,
  )
  expect(notRunLine({ ...held, notRun: undefined })).to.equal(undefined)
})

test('summary.md says the same, and gives each scenario its cause', () => {
  const md = renderSummaryMarkdown(summary())
  expect(md).to.contain(`**Not run:** ${notRunByCause(summary().notRun!)}.`)
  expect(md).to.contain("- not-run.held (held by another run or by something not netconform's): host port 8080")
  expect(md).to.contain('- not-run.failed-call (the endpoint failed a call): the endpoint failed a call of the suite')
  expect(md).to.contain(`- not-run.after-loss (endpoint lost): ${LOST}`)
  expect(md).not.to.contain('what they need on the endpoint is held')
})

test("a summary written before causes were recorded: the cause is read from the reason's words", () => {
  const old = (reason: string): NotRun => ({ id: 'x', doc: 'd', name: 'n', reason })
  expect(causeOf(old('the endpoint failed a call of the suite: GET /_ping was refused'))).to.equal('failed-call')
  expect(causeOf(old(LOST))).to.equal('endpoint-lost')
  expect(causeOf(old('interrupted by SIGINT'))).to.equal('interrupted')
  expect(causeOf(old('waited 300 s for exclusive hold of n, held exclusive by run run-a'))).to.equal('held')
  expect(notRunByCause([])).to.equal('0 not run')
})

test("noLeaseOf: the engine's words for no DHCP lease, with the command's wait; CNI's words too; else nothing", () => {
  const command = (stderr: string, durationMs = 30_000): NetconformRecord => ({
    kind: 'command',
    documented: 'docker run',
    argv: ['run'],
    exitCode: 126,
    timedOut: false,
    durationMs,
    stdout: '',
    stderr,
  })
  expect(
    noLeaseOf([command('Error: netplugin failed: error calling DHCP.Allocate: no more tries\n', 31_250)]),
  ).to.equal(
    'no DHCP lease for the container within 31.3 s (Error: netplugin failed: error calling DHCP.Allocate: no more tries)',
  )
  const call: NetconformRecord = {
    kind: 'api-failure',
    call: 'POST /containers/c/start',
    status: 500,
    message: 'netavark: unable to obtain lease: get DHCP lease: Timeout',
    by: 'api',
  }
  expect(noLeaseOf([call])).to.equal(
    'no DHCP lease for the container (netavark: unable to obtain lease: get DHCP lease: Timeout)',
  )
  expect(noLeaseOf([command('Error: port is already allocated'), { ...call, message: 'HTTP 500' }])).to.equal(undefined)
})
