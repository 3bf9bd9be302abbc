/*
 * Fixtures: test/fixtures/compare/base/summary.json (a report folder) and new.json are trimmed
 * from two real Podman runs (reports/podman/20261127T225143Z-a6af35 and …225553Z-bae2fd), then
 * hand-edited so that between them there is every kind of change:
 *
 *   regressions     new-bridge.ping-by-name        conforms → fails
 *                   subnet.default-mask-16          conforms → deviates
 *   fix             multi-bridge.connect-only-when-created   fails → conforms
 *   other changes   trust.published-port-reachable  conforms → not-applicable
 *                   static-ip.taken-address-refused fails → deviates
 *   changed reasons static-ip.outside-range-refused, dhcp.without-dns-times-out (real rewording)
 *   new             dhcp.lease-and-dns;  removed  combine.view-external-ip-port-80
 *   unchanged (7), five of them failing with reasons that differ only in run-specific tokens
 *   (resource names, addresses, attempt counts, durations).
 */
import { test } from 'node:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { compareCommand } from './cli-commands'
import {
  type Change,
  compareSummaries,
  DEVIATION_MISMATCHES,
  isFix,
  isRegression,
  renderComparison,
  ENDPOINT_SETTINGS,
  endpointInfoAt,
  settingChanges,
} from '../../support/report/compare'
import { loadSummary } from '../../support/report/summary'
import { maskReason } from '../../support/report/masks'
import { UsageError } from '../../support/errors'
import type { ScenarioResult, Summary, Verdict } from '../../support/types'

const FIXTURES = join(__dirname, '..', 'fixtures', 'compare')
const BASE_DIR = join(FIXTURES, 'base')
const NEW_FILE = join(FIXTURES, 'new.json')

function scenario(summary: Summary, id: string): ScenarioResult {
  const found = summary.scenarios.find((s) => s.id === id)
  if (!found) throw new Error(`no scenario ${id}`)
  return found
}

function ids(list: readonly { id: string }[]): string[] {
  return list.map((item) => item.id)
}

function transitions(changes: readonly Change[]): string[] {
  return changes.map((c) => `${c.id}: ${c.from} → ${c.to}`)
}

function result(id: string, verdict: Verdict, reason = ''): ScenarioResult {
  return {
    id,
    doc: 'Publish a Container Port',
    feature: 'features/publish.feature',
    name: `scenario ${id}`,
    verdict,
    reason,
    durationMs: 1,
  }
}

function summaryOf(runId: string, scenarios: ScenarioResult[]): Summary {
  const totals = { conforms: 0, deviates: 0, fails: 0, 'not-applicable': 0 }
  for (const s of scenarios) totals[s.verdict] += 1
  return {
    target: {
      name: 'docker',
      endpoint: 'unix:///var/run/docker.sock',
      engine: { name: 'Docker Engine', version: '20.10.24', apiVersion: '1.41', os: 'linux/amd64', kernel: '6.1.0' },
    },
    runId,
    startedAt: '2026-11-27T22:00:00.000Z',
    durationMs: 1000,
    scenarios,
    totals,
  }
}

/** Runs fn with a temporary folder, removed afterwards. */
async function withTempDir(fn: (dir: string) => unknown): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-compare-'))
  try {
    await fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function writeSummary(dir: string, name: string, summary: Summary): string {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify(summary))
  return file
}

async function expectUsageError(fn: () => unknown, ...fragments: string[]): Promise<void> {
  let thrown: unknown
  try {
    await fn()
  } catch (e) {
    thrown = e
  }
  expect(thrown).to.be.instanceOf(UsageError)
  const message = (thrown as Error).message
  expect(message).not.to.include('\n')
  for (const fragment of fragments) expect(message).to.include(fragment)
}

// --- loadSummary ------------------------------------------------------------------------------

test('loadSummary reads the summary.json in a report folder', async () => {
  const summary = loadSummary(BASE_DIR)
  expect(summary.target.name).to.equal('podman')
  expect(summary.runId).to.equal('20261127T225143Z-a6af35')
  expect(summary.scenarios).to.have.length(15)
})

test('loadSummary reads a summary.json file', async () => {
  const summary = loadSummary(NEW_FILE)
  expect(summary.runId).to.equal('20261127T225553Z-bae2fd')
  expect(scenario(summary, 'subnet.default-mask-16').verdict).to.equal('deviates')
})

test('loadSummary names a missing path in a one-line UsageError', async () => {
  const missing = join(FIXTURES, 'no-such-run')
  await expectUsageError(() => loadSummary(missing), missing)
})

test('loadSummary names a folder without summary.json', async () => {
  await withTempDir((dir) => expectUsageError(() => loadSummary(dir), join(dir, 'summary.json')))
})

test('loadSummary names a file that is not JSON', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'summary.json')
    writeFileSync(file, '{ "target": \n')
    await expectUsageError(() => loadSummary(file), file)
  })
})

test('loadSummary names a JSON file that is not a summary, and what it lacks', async () => {
  const file = join(FIXTURES, 'invalid.json')
  await expectUsageError(() => loadSummary(file), file, 'missing field "target.engine"', 'missing field "totals"')
})

test('loadSummary refuses unknown verdicts and repeated scenario ids', async () => {
  await withTempDir(async (dir) => {
    const unknown = summaryOf('r1', [{ ...result('a', 'conforms'), verdict: 'passes' as Verdict }])
    await expectUsageError(() => loadSummary(writeSummary(dir, 'unknown.json', unknown)), 'unknown.json', 'passes')
    const twice = summaryOf('r1', [result('a', 'conforms'), result('a', 'fails', 'x')])
    await expectUsageError(() => loadSummary(writeSummary(dir, 'twice.json', twice)), 'twice.json', 'a appears twice')
  })
})

// --- maskReason --------------------------------------------------------------------------

test('maskReason: real reasons from two runs that differ only in run-specific tokens normalize alike', async () => {
  const base = loadSummary(BASE_DIR)
  const next = loadSummary(NEW_FILE)
  for (const id of [
    'trust.unpublished-port-closed', // addresses
    'port-forwarding.port-80-on-container-network', // addresses, attempts, durations
    'exposed-port.ping-by-name', // resource names, addresses, durations
    'multi-bridge.model-reaches-both', // resource names, attempts, durations
    'combine.all-communicate',
  ]) {
    const [before, after] = [scenario(base, id).reason, scenario(next, id).reason]
    expect(before, id).not.to.equal(after)
    expect(maskReason(before), id).to.equal(maskReason(after))
  }
})

test('maskReason strips resource names, addresses, attempt counts and durations', async () => {
  const reason = scenario(loadSummary(BASE_DIR), 'multi-bridge.model-reaches-both').reason
  expect(maskReason(reason)).to.equal(
    'in model, `telnet db 80` and `GET /` answers "Hello world!": awaited "Hello world!" from nc-…-db:80 in nc-…-model ' +
      "for <duration> (<n> attempts); last seen: [in nc-…-model] $ printf '%s\\r\\n' 'GET /' | timeout 10 nc nc-…-db 80 | " +
      "nc: bad address 'nc-…-db' | exit 1 (<duration>)",
  )
  const port = scenario(loadSummary(BASE_DIR), 'port-forwarding.port-80-on-container-network').reason
  expect(maskReason(port)).to.include('from <ip>:80 at the outside client for <duration> (<n> attempts)')
  expect(maskReason(port)).to.include("nc: can't connect to remote host (<ip>): Connection refused")
})

test("maskReason strips the control-plane window's request counts (two runs of the lab's docker)", () => {
  const observed = (missed: number, sent: number, at: string) =>
    `(observed: the outside client got every answer from view and kept its connection open throughout: ${missed} of ` +
    `${sent} requests missed while the control plane was stopped and started (${missed} on the held connection, ` +
    `${missed} on new connections to port 80); the first at ${at} s after the stop began: held connection closed)`
  expect(maskReason(observed(58, 103, '10.5'))).to.equal(maskReason(observed(64, 109, '10.6')))
  expect(maskReason(observed(58, 103, '10.5'))).to.include('<n> of <n> requests missed')
  expect(maskReason(observed(58, 103, '10.5'))).to.include('new connections to port 80')
})

test('maskReason strips container ids, run ids and fractional durations', async () => {
  const id64 = 'e860be8591760eafe5fb20873718544d8803e1ab1f24008b5ca5c61754f556d2'
  expect(maskReason(`accepted (exit 0, printed ${id64})`)).to.equal('accepted (exit 0, printed <id>)')
  expect(maskReason('container 9cbd5bd8606e is running')).to.equal('container <id> is running')
  expect(maskReason('labelled io.netconform.run=20261127T224745Z-18dc41')).to.equal('labelled io.netconform.run=<run>')
  expect(maskReason('no answer within 1.5 s, then 70 ms, then 20 s')).to.equal(
    'no answer within <duration>, then <duration>, then <duration>',
  )
  expect(maskReason('awaited for 20 s (1 attempt)')).to.equal('awaited for <duration> (<n> attempts)')
  expect(maskReason('gave up after 6 attempts, waiting')).to.equal(maskReason('gave up after 5 attempts, waiting'))
})

test('maskReason keeps what tells reasons apart', async () => {
  const kept = "ping -c 3 server: expected [ '24' ] to include '16' on port 8080 (exit 64)"
  expect(maskReason(kept)).to.equal(kept)
  expect(maskReason('  two\n  lines ')).to.equal('two lines')
})

// --- compareSummaries -------------------------------------------------------------------------

test('compareSummaries sorts every scenario of the fixtures into one category', async () => {
  const c = compareSummaries(loadSummary(BASE_DIR), loadSummary(NEW_FILE))
  expect(transitions(c.regressions)).to.deep.equal([
    'new-bridge.ping-by-name: conforms → fails',
    'subnet.default-mask-16: conforms → deviates',
  ])
  expect(transitions(c.fixes)).to.deep.equal(['multi-bridge.connect-only-when-created: fails → conforms'])
  expect(transitions(c.otherChanges)).to.deep.equal([
    'trust.published-port-reachable: conforms → not-applicable',
    'static-ip.taken-address-refused: fails → deviates',
  ])
  expect(transitions(c.reasonChanges)).to.deep.equal([
    'static-ip.outside-range-refused: fails → fails',
    'dhcp.without-dns-times-out: fails → fails',
  ])
  expect(ids(c.added)).to.deep.equal(['dhcp.lease-and-dns'])
  expect(ids(c.removed)).to.deep.equal(['combine.view-external-ip-port-80'])
  expect(c.unchanged).to.equal(7)
})

test('compareSummaries names both runs and keeps both reasons of a change', async () => {
  const c = compareSummaries(loadSummary(BASE_DIR), loadSummary(NEW_FILE))
  expect(c.base).to.deep.equal({ target: 'podman', engineVersion: '4.3.1', runId: '20261127T225143Z-a6af35' })
  expect(c.next.runId).to.equal('20261127T225553Z-bae2fd')
  const [change] = c.reasonChanges
  expect(change.doc).to.equal('Deploy a Container with a Static IP Address')
  expect(change.fromReason).to.include('to be refused, but it succeeded')
  expect(change.toReason).to.include('was accepted (exit 0)')
})

test('compareSummaries ignores durations, run ids and reasons that differ only in run-specific tokens', async () => {
  const base = summaryOf('20261127T220000Z-aaaaaa', [
    result('a', 'fails', 'nc-aaaaaa-1234-db at 198.51.100.20 for 20 s (5 attempts)'),
  ])
  const next = summaryOf('20261128T220000Z-bbbbbb', [
    { ...result('a', 'fails', 'nc-bbbbbb-abcd-db at 198.51.100.21 for 20 s (7 attempts)'), durationMs: 99_999 },
  ])
  const c = compareSummaries(base, next)
  expect(c.unchanged).to.equal(1)
  expect(c.reasonChanges).to.deep.equal([])
})

test('isRegression and isFix: every pair of verdicts', async () => {
  const regressions = ['conforms→fails', 'conforms→deviates', 'not-applicable→fails', 'deviates→fails']
  const fixes = ['fails→conforms', 'deviates→conforms']
  const verdicts: Verdict[] = ['conforms', 'deviates', 'fails', 'not-applicable']
  for (const from of verdicts) {
    for (const to of verdicts) {
      const pair = `${from}→${to}`
      expect(isRegression(from, to), pair).to.equal(regressions.includes(pair))
      expect(isFix(from, to), pair).to.equal(fixes.includes(pair))
    }
  }
})

test('compareSummaries: a newly undeclared failure is a regression, a newly declared one is not', async () => {
  const base = summaryOf('r1', [
    result('na', 'not-applicable', 'no DHCP'),
    result('dev', 'deviates', 'declared'),
    result('fail', 'fails', 'x'),
  ])
  const next = summaryOf('r2', [
    result('na', 'fails', 'y'),
    result('dev', 'fails', 'z'),
    result('fail', 'deviates', 'declared (observed: x)'),
  ])
  const c = compareSummaries(base, next)
  expect(ids(c.regressions)).to.deep.equal(['na', 'dev'])
  expect(ids(c.otherChanges)).to.deep.equal(['fail'])
})

test('compareSummaries: deviates → fails because the declared deviation no longer matches is a regression with its own label', async () => {
  const deviation = { reason: 'Docker connects a running container.', step: 'it is refused', observed: 'was accepted' }
  const base = summaryOf('r1', [
    result('mismatch', 'deviates', 'Docker connects a running container. (observed: it is refused: was accepted)'),
    result('undeclared', 'deviates', 'declared'),
    result('stable', 'deviates', 'declared'),
  ])
  base.scenarios[0].deviation = deviation
  const mismatch: ScenarioResult = {
    ...result(
      'mismatch',
      'fails',
      'declared deviation does not match: declared it is refused / /was accepted/, observed I run `docker start db`: boom',
    ),
    failure: { step: 'I run `docker start db`', message: 'boom' },
    deviation: { ...deviation, mismatch: true },
  }
  const next = summaryOf('r2', [mismatch, result('undeclared', 'fails', 'z'), result('stable', 'deviates', 'declared')])
  const c = compareSummaries(base, next)
  expect(ids(c.regressions)).to.deep.equal(['mismatch', 'undeclared'])
  expect(transitions(c.deviationMismatches)).to.deep.equal(['mismatch: deviates → fails'])
  const lines = renderComparison(c).split('\n')
  expect(lines).to.include('Regressions (1)')
  expect(lines).to.include(`${DEVIATION_MISMATCHES} (1)`)
  const at = lines.indexOf(`${DEVIATION_MISMATCHES} (1)`)
  expect(lines[at + 1]).to.equal(`  mismatch: deviates → fails — ${mismatch.reason}`)
  expect(
    lines.filter((l) => l.startsWith('  mismatch:')),
    'listed once',
  ).to.have.length(1)
  expect(lines.at(-1)).to.equal(
    '2 regressions (1 declared deviations no longer matching), 0 fixes, 0 other verdict changes, 0 new, 0 removed, 0 reasons changed, 1 unchanged',
  )
  await withTempDir(async (dir) => {
    const out: string[] = []
    expect(
      await compareCommand([writeSummary(dir, 'b.json', base), writeSummary(dir, 'n.json', next)], (l) => out.push(l)),
      'exit 1',
    ).to.equal(1)
  })
})

test('compareSummaries: the fixtures have no deviation mismatch', async () => {
  expect(compareSummaries(loadSummary(BASE_DIR), loadSummary(NEW_FILE)).deviationMismatches).to.deep.equal([])
})

// --- renderComparison -------------------------------------------------------------------------

test('renderComparison lists the regression and the fix, with a header and the counts', async () => {
  const text = renderComparison(compareSummaries(loadSummary(BASE_DIR), loadSummary(NEW_FILE)))
  const lines = text.split('\n')
  expect(lines[0]).to.equal(
    'compare: podman 4.3.1 (run 20261127T225143Z-a6af35) → podman 4.3.1 (run 20261127T225553Z-bae2fd)',
  )
  expect(lines).to.include('Regressions (2)')
  expect(lines).to.include('Fixes (1)')
  expect(lines).to.include('Other verdict changes (2)')
  expect(lines).to.include('Changed reasons (2)')
  expect(lines).to.include('New scenarios (1)')
  expect(lines).to.include('Removed scenarios (1)')
  expect(lines.find((l) => l.startsWith('  new-bridge.ping-by-name: '))).to.match(
    /^ {2}new-bridge\.ping-by-name: conforms → fails — in client, `ping -c 3 server`/,
  )
  expect(lines).to.include(
    '  multi-bridge.connect-only-when-created: fails → conforms — was: it is refused: `docker network connect bridge-web db` ' +
      'to be refused, but it succeeded: (no output): expected true to equal false',
  )
  expect(lines).to.include('  combine.view-external-ip-port-80: conforms')
  expect(lines.at(-1)).to.equal(
    '2 regressions, 1 fixes, 2 other verdict changes, 1 new, 1 removed, 2 reasons changed, 7 unchanged',
  )
})

test('renderComparison shows the earlier reason of a changed reason, and no empty sections', async () => {
  const base = summaryOf('r1', [result('a', 'fails', 'old reason'), result('b', 'conforms')])
  const next = summaryOf('r2', [result('a', 'fails', 'new reason'), result('b', 'conforms')])
  expect(renderComparison(compareSummaries(base, next))).to.equal(
    [
      'compare: docker 20.10.24 (run r1) → docker 20.10.24 (run r2)',
      '',
      'Changed reasons (1)',
      '  a: fails → fails — new reason',
      '      was: old reason',
      '',
      '0 regressions, 0 fixes, 0 other verdict changes, 0 new, 0 removed, 1 reasons changed, 1 unchanged',
    ].join('\n'),
  )
})

// --- compareCommand ---------------------------------------------------------------------------

test('compareCommand prints the comparison and exits 1 when something regressed', async () => {
  const lines: string[] = []
  expect(await compareCommand([BASE_DIR, NEW_FILE], (line) => lines.push(line))).to.equal(1)
  expect(lines.join('\n')).to.equal(renderComparison(compareSummaries(loadSummary(BASE_DIR), loadSummary(NEW_FILE))))
})

test('compareCommand exits 0 when there are only fixes', async () => {
  await withTempDir(async (dir) => {
    const base = writeSummary(
      dir,
      'base.json',
      summaryOf('r1', [result('a', 'fails', 'x'), result('b', 'deviates', 'y'), result('c', 'conforms')]),
    )
    const next = writeSummary(
      dir,
      'next.json',
      summaryOf('r2', [result('a', 'conforms'), result('b', 'conforms'), result('c', 'conforms')]),
    )
    const lines: string[] = []
    expect(await compareCommand([base, next], (line) => lines.push(line))).to.equal(0)
    expect(lines).to.include('Fixes (2)')
    expect(lines.join('\n')).not.to.include('Regressions')
  })
})

test('compareCommand exits 0 comparing a run with itself', async () => {
  const lines: string[] = []
  expect(await compareCommand([NEW_FILE, NEW_FILE], (line) => lines.push(line))).to.equal(0)
  expect(lines.at(-1)).to.equal(
    '0 regressions, 0 fixes, 0 other verdict changes, 0 new, 0 removed, 0 reasons changed, 15 unchanged',
  )
})

test('compareCommand wants exactly two arguments', async () => {
  for (const argv of [[], [BASE_DIR], [BASE_DIR, NEW_FILE, NEW_FILE]]) {
    await expectUsageError(() => compareCommand(argv, () => {}), 'compare: ', 'usage: netconform compare BASE NEW')
  }
})

test('compareCommand names a missing report and prints nothing', async () => {
  const lines: string[] = []
  const missing = join(FIXTURES, 'missing')
  await expectUsageError(() => compareCommand([BASE_DIR, missing], (line) => lines.push(line)), missing)
  expect(lines).to.deep.equal([])
})

test('compareCommand --format markdown: one table row per changed scenario, what changed first, reasons without their evidence', async () => {
  const lines: string[] = []
  expect(await compareCommand([BASE_DIR, NEW_FILE, '--format', 'markdown'], (line) => lines.push(line))).to.equal(1)
  const rows = lines.filter((l) => l.startsWith('| ') && !l.startsWith('| scenario') && !l.startsWith('| ---'))
  expect(lines).to.include('| scenario | change | podman | podman |')
  expect(rows.map((r) => r.split(' | ')[0].slice(2) + ' ' + r.split(' | ')[1])).to.deep.equal([
    'new-bridge.ping-by-name regression',
    'subnet.default-mask-16 regression',
    'multi-bridge.connect-only-when-created fix',
    'trust.published-port-reachable other verdict change',
    'static-ip.taken-address-refused other verdict change',
    'static-ip.outside-range-refused reason changed',
    'dhcp.without-dns-times-out reason changed',
    'dhcp.lease-and-dns new',
    'combine.view-external-ip-port-80 removed',
  ])
  expect(rows.every((r) => !r.includes('(observed: '))).to.equal(true)
  expect(lines.at(-1)).to.match(/^2 regressions, 1 fixes/)
  await expectUsageError(
    () => compareCommand([BASE_DIR, NEW_FILE, '--format', 'html'], () => {}),
    '--format takes text or markdown, not "html"',
  )
})

test("maskReason strips a container's link-layer address, made anew each run", () => {
  const said = (mac: string) =>
    `model has resolved 10.91.0.2's link-layer address (${mac}, DELAY, the MAC the endpoint reports)`
  expect(maskReason(said('ae:d1:d9:0a:de:72'))).to.equal(maskReason(said('CE:EA:36:CC:5C:1E')))
  expect(maskReason(said('ae:d1:d9:0a:de:72'))).to.include('(<mac>, <resolved>')
})

// Two runs of the lab's Docker 20.10 (the reasons as summary.json keeps them): what each run measured
// anew differs (names, counts, durations, which network got eth0), the evidence does not.
const NO_ANSWER = 'held connection closed; new connection: no answer within 1000 ms'
interface Window {
  missed: number
  sent: number
  at: string
  first?: string
  ended?: string
}
const INTERFACES_DECLARED =
  'Docker gives a container one interface per network (eth0, eth1), not several addresses on one interface.'
const interfacesSeen = (run: string, db: string, web: string, seen = 'distinct interfaces') =>
  `${INTERFACES_DECLARED} (observed: in model, \`ip addr\` shows its addresses on bridge-db and bridge-web on one ` +
  `interface: interfaces of nc-${run}-ab40-model's addresses on bridge-db (${db}) and bridge-web (${web}): ` +
  `${seen}, where the document shows one interface)`
const controlPlaneSeen = ({ missed, sent, at, first = NO_ANSWER, ended = 'closed by the container' }: Window) =>
  'Docker Engine at its defaults stops its containers when the daemon stops. (observed: the outside client got ' +
  `every answer from view and kept its connection open throughout: ${missed} of ${sent} requests missed while the ` +
  `control plane was stopped and started (${missed} on the held connection, ${missed} on new connections to port ` +
  `80); the first at ${at} s after the stop began: ${first}; the held connection ended: ${ended}, where the ` +
  "document shows zero impact on the container's network connectivity)"
const addressesSeen = (list: string) =>
  `view's address 10.91.0.7 is on none of its interfaces: it shows ${list}, where the document shows it on one`

test('maskReason: two runs of one engine read alike though each measured its counts, durations and interfaces anew', () => {
  expect(maskReason(interfacesSeen('a490df', 'eth1', 'eth0'))).to.equal(
    maskReason(interfacesSeen('5c01d2', 'eth0', 'eth1')),
  )
  expect(maskReason(interfacesSeen('a490df', 'eth1', 'eth0'))).to.include('one interface per network (eth#1, eth#2)')
  expect(maskReason(interfacesSeen('a490df', 'eth1', 'eth0'))).to.include('bridge-db (eth#1) and bridge-web (eth#2)')
  expect(maskReason(interfacesSeen('5c01d2', 'eth1', 'eth2')), 'other numbers').to.equal(
    maskReason(interfacesSeen('a490df', 'eth1', 'eth0')),
  )
  expect(maskReason(controlPlaneSeen({ missed: 56, sent: 100, at: '10.5' }))).to.equal(
    maskReason(controlPlaneSeen({ missed: 60, sent: 105, at: '10.6' })),
  )
  expect(maskReason(addressesSeen('10.91.0.7/24 on eth0, 172.19.0.3/16 on eth1'))).to.equal(
    maskReason(addressesSeen('172.20.0.3/16 on eth0, 10.91.0.8/24 on eth1')),
  )
  expect(maskReason('the outside client asked only 12 times while the control plane was down (1.2–4.3 s)')).to.equal(
    maskReason('the outside client asked only 9 times while the control plane was down (0.9–3.8 s)'),
  )
})

test('maskReason: a real change of evidence still shows (one interface, another end, another prefix)', () => {
  const distinct = maskReason(interfacesSeen('a490df', 'eth1', 'eth0'))
  expect(maskReason(interfacesSeen('5c01d2', 'eth0', 'eth0', 'one interface')), 'one interface').not.to.equal(distinct)
  expect(maskReason(interfacesSeen('5c01d2', 'eth0', 'eth0')), 'both on one interface, as reported').not.to.equal(
    distinct,
  )
  expect(maskReason(interfacesSeen('5c01d2', 'net1', 'eth0')), 'another kind of interface').not.to.equal(distinct)
  const closed = maskReason(controlPlaneSeen({ missed: 56, sent: 100, at: '10.5' }))
  expect(
    maskReason(controlPlaneSeen({ missed: 60, sent: 105, at: '10.6', ended: 'ECONNRESET' })),
    'another end',
  ).not.to.equal(closed)
  expect(
    maskReason(controlPlaneSeen({ missed: 60, sent: 105, at: '10.6', first: 'new connection: ECONNREFUSED' })),
    'another first miss',
  ).not.to.equal(closed)
  expect(maskReason(addressesSeen('10.91.0.7/24 on eth0, 172.19.0.3/16 on eth1')), 'another prefix').not.to.equal(
    maskReason(addressesSeen('172.20.0.3/16 on eth0, 10.91.0.8/16 on eth1')),
  )
  expect(maskReason(addressesSeen('10.91.0.7/24 on eth0, 172.19.0.3/16 on eth1')), 'both on one').not.to.equal(
    maskReason(addressesSeen('10.91.0.7/24 on eth0, 172.19.0.3/16 on eth0')),
  )
})

test('compare: two runs of one engine give 0 changed reasons; a real change of evidence is one', () => {
  const run = (r: string, [db, web]: string[], [missed, sent]: number[], seen?: string) =>
    summaryOf(r, [
      result('multi-bridge.one-interface-several-addresses', 'deviates', interfacesSeen(r.slice(-6), db, web, seen)),
      result(
        'combine.control-plane-down.connectivity-kept',
        'deviates',
        controlPlaneSeen({ missed, sent, at: '10.5' }),
      ),
    ])
  const first = run('20261208T022454Z-a490df', ['eth1', 'eth0'], [56, 100])
  const again = compareSummaries(first, run('20261208T031207Z-5c01d2', ['eth0', 'eth1'], [60, 105]))
  expect(again.reasonChanges).to.deep.equal([])
  expect(again.unchanged).to.equal(2)
  const changed = compareSummaries(
    first,
    run('20261208T031207Z-5c01d2', ['eth0', 'eth0'], [60, 105], 'one interface, as the document shows'),
  )
  expect(changed.reasonChanges.map((c) => c.id)).to.deep.equal(['multi-bridge.one-interface-several-addresses'])
})

test("compare names the endpoint's settings that differ (endpoint.json beside each summary), and only those", async () => {
  const c = compareSummaries(loadSummary(BASE_DIR), loadSummary(NEW_FILE), {
    base: { ServerVersion: '28.5.2', LiveRestoreEnabled: false, IPv4Forwarding: true },
    next: { ServerVersion: '28.5.2', LiveRestoreEnabled: true, IPv4Forwarding: true },
  })
  expect(c.settings).to.deep.equal(['LiveRestoreEnabled: false → true'])
  expect(renderComparison(c)).to.contain(`${ENDPOINT_SETTINGS} (1)\n  LiveRestoreEnabled: false → true`)
  expect(settingChanges(undefined, { LiveRestoreEnabled: true }), 'a side without endpoint.json').to.deep.equal([])
  const dir = mkdtempSync(join(tmpdir(), 'netconform-settings-'))
  try {
    writeFileSync(join(dir, 'endpoint.json'), JSON.stringify({ version: {}, info: { LiveRestoreEnabled: true } }))
    expect(endpointInfoAt(dir)).to.deep.equal({ LiveRestoreEnabled: true })
    expect(endpointInfoAt(join(dir, 'summary.json')), 'a summary.json path: its folder').to.deep.equal({
      LiveRestoreEnabled: true,
    })
    expect(endpointInfoAt(join(dir, 'nothing', 'summary.json'))).to.equal(undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('maskReason: what reached a receiver reads alike across runs, and whether it reached still differs', () => {
  // podman-5's view-to-db on two consecutive lab runs (2026-12-08): the same evidence, measured anew.
  const run = (port: number, inSegs: string, rx: string) =>
    `deviates: view reaches db (observed: nc-43e67a-41e0-view's connection to 10.89.0.2:80 got no answer, but it ` +
    `reached nc-43e67a-41e0-db: a SYN-RECV connection at 10.89.0.2:80 from 10.89.0.1:${port}; Tcp.InSegs ${inSegs} ` +
    `(packets of any kind received meanwhile, not judged: ${rx}); 10.89.0.2 is on eth0 (nc-43e67a-41e0-bridge-db))`
  expect(maskReason(run(50182, '4 → 10', 'eth0 37 → 46'))).to.equal(maskReason(run(35098, '0 → 4', 'eth0 25 → 31')))
  const nothing =
    "deviates: view reaches db (observed: nothing of nc-43e67a-41e0-view's connection reached nc-43e67a-41e0-db " +
    '(its own evidence: no new connection at port 80; Tcp.PassiveOpens 0, Tcp.InSegs 4 unchanged))'
  expect(maskReason(run(50182, '4 → 10', 'eth0 37 → 46'))).to.not.equal(maskReason(nothing))
})
