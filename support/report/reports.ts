/**
 * Turns cucumber's message stream (messages.ndjson) into the run's Summary, and renders it as
 * summary.json and summary.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  type Duration,
  type Envelope,
  type TestCaseStarted,
  type TestStepResult,
  TestStepResultStatus,
} from '@cucumber/messages'
import { Query } from '@cucumber/query'
import { findRecord, recordsOf, type NetconformRecord, type RecordOf } from '../records'
import { docOrder } from '../document/doc'
import { scenarioId } from '../scenario-id'
import { oneLine } from '../text'
import { type Deviation, type EngineInfo, type NotRun, type NotRunCause, type Verdict, VERDICTS } from '../types'
import { type Failure, type ScenarioResult, type Summary, writeSummary } from './summary'
import { classify } from '../profile/verdicts'

export interface SummaryMeta {
  target: { name: string; endpoint: string; engine: EngineInfo }
  runId: string
  startedAt: string
  durationMs: number
  /** The target profile's declared deviations, by scenario id. */
  deviations?: Record<string, Deviation>
  /** What cut the run short: a signal, or the endpoint that stopped answering. */
  interrupted?: string
}

/** The reason of a scenario skipped without a not-applicable record: it fails. */
export const UNEXPLAINED_SKIP = 'skipped without a stated reason'
const SLOW_MS = 15_000

// ---------------------------------------------------------------------------------------------
// Summary from messages

/**
 * The verdict a test case's most severe step status stands for. A skip is not-applicable only
 * with a not-applicable record saying why (see scenarioOf); without one, it fails.
 */
export function verdictOf(status: TestStepResultStatus): Verdict {
  switch (status) {
    case TestStepResultStatus.PASSED:
      return 'conforms'
    case TestStepResultStatus.SKIPPED:
      return 'not-applicable'
    default:
      return 'fails'
  }
}

export function buildSummary(ndjson: string, meta: SummaryMeta): Summary {
  const query = queryOf(ndjson)
  const all = query
    .findAllTestCaseStarted() // final attempts only: retried attempts are left out
    .map((testCaseStarted) => testCaseVerdict(query, testCaseStarted, meta.deviations))
    .sort(byDocument)
  const scenarios = all
    .filter((s) => s.notRun === undefined)
    .map(({ line: _line, notRun: _notRun, ...scenario }) => scenario)
  const notRun = all
    .filter((s) => s.notRun !== undefined)
    .map((s) => ({ id: s.id, doc: s.doc, name: s.name, reason: s.notRun!.reason, cause: recordCause(s.notRun!) }))
  // A scenario whose host port something else holds was not run, but the run was not cut short.
  const cutShort = all.find((s) => s.notRun !== undefined && !s.notRun.held && !s.notRun.call)?.notRun?.reason
  return {
    target: meta.target,
    runId: meta.runId,
    startedAt: meta.startedAt,
    durationMs: meta.durationMs,
    // A worker of a parallel run knows of an interruption only in itself: its not-run scenarios say it.
    ...(meta.interrupted || cutShort ? { interrupted: meta.interrupted ?? cutShort } : {}),
    scenarios,
    ...(notRun.length > 0 ? { notRun } : {}),
    totals: totalsOf(scenarios),
  }
}

/**
 * One test case's result: its verdict with the profile's declared deviations applied, or the
 * record saying it was not run. The reports and the live console both read verdicts here.
 */
export function testCaseVerdict(
  query: Query,
  testCaseStarted: TestCaseStarted,
  deviations?: Record<string, Deviation>,
): SortableResult & { notRun?: RecordOf<'not-run'> } {
  const scenario = scenarioOf(query, testCaseStarted)
  // Scenarios the run did not get to (interrupted, endpoint gone, held by another): listed apart, with no verdict.
  const notRun = findRecord(query, testCaseStarted, 'not-run')
  // A failure that the endpoint's disappearance explains is no declared deviation.
  const lost = findRecord(query, testCaseStarted, 'endpoint-lost')
  const { line } = scenario
  const judged = classify(scenario, lost ? undefined : deviations?.[scenario.id])
  const failedCall = notRun ? undefined : noVerdictOf(judged.verdict, recordsOf(query, testCaseStarted))
  return { ...judged, line, ...((notRun ?? failedCall) ? { notRun: notRun ?? failedCall } : {}) }
}

/**
 * A scenario that fails where the endpoint failed one of the suite's calls (a 5xx, a connection
 * reset or refused: api-failure records) has no verdict: its evidence may be the endpoint's failure,
 * not the documented behaviour. It is not run, naming the first such call. Any other verdict
 * stands: a behaviour observed (or a declared deviation matched) was observed all the same.
 */
export function failedCallOf(verdict: Verdict, records: readonly NetconformRecord[]): RecordOf<'not-run'> | undefined {
  if (verdict !== 'fails') return undefined
  const failed = records.filter((r): r is RecordOf<'api-failure'> => r.kind === 'api-failure')
  if (failed.length === 0) return undefined
  const f = failed[0]
  const how =
    typeof f.status === 'number' ? `answered ${f.status}` : f.status === 'reset' ? 'was cut off' : 'was refused'
  const more = failed.length > 1 ? ` (and ${failed.length - 1} other call${failed.length === 2 ? '' : 's'})` : ''
  const lease = noLeaseOf(records)
  return {
    kind: 'not-run',
    reason: `the endpoint failed a call of the suite: ${f.call} ${how}${more}${lease ? `: ${lease}` : ''}`,
    call: f.call,
  }
}

/**
 * The engine's words for a container that got no address from the DHCP server: netavark's proxy ("unable to
 * obtain lease … Timeout on acquiring DHCPv4 lease"), CNI's dhcp plugin ("error calling DHCP.Allocate", "no more
 * tries").
 */
const NO_LEASE = /unable to obtain lease|DHCPv?4? lease|DHCP\.Allocate|dhcp.*no more tries/i

/**
 * "no DHCP lease for the container within 8.2 s (the engine's words)" when a documented command's error (its
 * duration is the wait) or a failed call's message says the container got no DHCP lease; else undefined.
 */
export function noLeaseOf(records: readonly NetconformRecord[]): string | undefined {
  for (const r of records) {
    if (r.kind === 'command' && NO_LEASE.test(r.stderr)) {
      const words = r.stderr.split('\n').find((l) => NO_LEASE.test(l)) ?? r.stderr
      return `no DHCP lease for the container within ${(r.durationMs / 1000).toFixed(1)} s (${oneLine(words, 160)})`
    }
  }
  const call = records.find((r): r is RecordOf<'api-failure'> => r.kind === 'api-failure' && NO_LEASE.test(r.message))
  return call ? `no DHCP lease for the container (${oneLine(call.message, 160)})` : undefined
}

/**
 * Why a scenario has no verdict although it ran: it failed where the endpoint failed a call (failedCallOf), or
 * the endpoint stopped answering after it failed (an endpoint-lost record: the failure may be the loss's, the
 * declared deviation is not applied to it), named so. Any other verdict stands.
 */
export function noVerdictOf(verdict: Verdict, records: readonly NetconformRecord[]): RecordOf<'not-run'> | undefined {
  const failed = failedCallOf(verdict, records)
  if (failed) return failed
  const lost = records.find((r): r is RecordOf<'endpoint-lost'> => r.kind === 'endpoint-lost')
  return lost && verdict === 'fails' ? { kind: 'not-run', reason: lost.reason, lost: true } : undefined
}

/** A not-run record's cause, from the field its maker set. */
function recordCause(r: RecordOf<'not-run'>): NotRunCause {
  return r.call ? 'failed-call' : r.held ? 'held' : r.lost ? 'endpoint-lost' : 'interrupted'
}

/** The words for each cause, in the order the end-of-run line gives them. */
const NOT_RUN_CAUSES: Record<NotRunCause, string> = {
  held: "held by another run or by something not netconform's",
  'failed-call': 'the endpoint failed a call',
  'endpoint-lost': 'endpoint lost',
  interrupted: 'interrupted',
}

/**
 * A scenario's cause of not being run: the recorded one, or for a summary written before causes were recorded,
 * the one its reason's words say.
 */
export function causeOf(n: NotRun): NotRunCause {
  if (n.cause) return n.cause
  if (n.reason.startsWith('the endpoint failed a call')) return 'failed-call'
  if (/stopped answering/.test(n.reason)) return 'endpoint-lost'
  if (/^interrupted by /.test(n.reason)) return 'interrupted'
  return 'held'
}

/**
 * What was not run, by cause, each with its first scenario's evidence: "3 not run: 1 held by … (a.b: host port
 * 8080 is held by web (not netconform's)), 1 the endpoint failed a call (c.d: POST … answered 500), 1 endpoint
 * lost (e.f: endpoint … stopped answering after 41 s)". The console's end-of-run line and summary.md say it.
 */
export function notRunByCause(notRun: readonly NotRun[]): string {
  const causes = (Object.keys(NOT_RUN_CAUSES) as NotRunCause[]).flatMap((cause) => {
    const these = notRun.filter((n) => causeOf(n) === cause)
    if (these.length === 0) return []
    // The category already says the endpoint failed a call: the evidence starts at the call.
    const evidence = these[0].reason.replace(/^the endpoint failed a call of the suite: /, '')
    return [`${these.length} ${NOT_RUN_CAUSES[cause]} (${these[0].id}: ${oneLine(evidence, 240)})`]
  })
  return `${notRun.length} not run${causes.length > 0 ? `: ${causes.join(', ')}` : ''}`
}

function queryOf(ndjson: string): Query {
  const query = new Query()
  for (const line of ndjson.split('\n')) {
    if (line.trim() !== '') query.update(JSON.parse(line) as Envelope)
  }
  return query
}

type SortableResult = ScenarioResult & { line: number }

function scenarioOf(query: Query, testCaseStarted: TestCaseStarted): SortableResult {
  const pickle = query.findPickleBy(testCaseStarted)
  if (!pickle) throw new Error(`messages: no pickle for test case ${testCaseStarted.testCaseId}`)
  const line = query.findLocationOf(pickle)?.line ?? 0
  const records = recordsOf(query, testCaseStarted)
  return {
    id: idOf(pickle.tags, pickle.uri, line),
    doc: query.findLineageBy(pickle)?.feature?.name ?? '',
    feature: pickle.uri,
    name: pickle.name,
    ...outcomeOf(query, testCaseStarted),
    durationMs: millisecondsOf(query.findTestCaseDurationBy(testCaseStarted)),
    ...vantageOf(records),
    ...deadlineWaitsOf(records),
    ...fixtureOf(records),
    line,
  }
}

/** The Background fixture a scenario used, from its fixture record. */
export function fixtureOf(records: readonly NetconformRecord[]): Pick<ScenarioResult, 'fixture'> {
  const r = records.find((x): x is RecordOf<'fixture'> => x.kind === 'fixture')
  return r ? { fixture: { id: r.id, builtBy: r.builtBy } } : {}
}

/**
 * The polls of a scenario that did not see what they awaited
 * and waited out their deadline (not those that gave up early).
 */
export function deadlineWaitsOf(records: readonly NetconformRecord[]): Pick<ScenarioResult, 'deadlineWaits'> {
  const waits = records.flatMap((r) =>
    r.kind === 'poll' && !r.ok && !r.gaveUpEarly && r.waitedMs !== undefined
      ? [{ awaited: r.awaited, waitedMs: r.waitedMs }]
      : [],
  )
  return waits.length > 0 ? { deadlineWaits: waits } : {}
}

/** Where a scenario's observations were made from (its exec and probe records), in the order first used. */
export function vantageOf(records: readonly NetconformRecord[]): Pick<ScenarioResult, 'vantage'> {
  const seen = new Set<string>()
  for (const r of records) {
    if (r.kind === 'exec') seen.add('inside the containers')
    else if (r.kind === 'probe') seen.add(r.from === 'this host' ? `this host → ${r.target}` : r.from)
  }
  return seen.size > 0 ? { vantage: [...seen] } : {}
}

type Outcome = Pick<ScenarioResult, 'verdict' | 'reason' | 'failure' | 'notApplicableField'>

/** The verdict, its reason, and where it failed or which profile field made it not applicable. */
function outcomeOf(query: Query, testCaseStarted: TestCaseStarted): Outcome {
  if (query.findTestCaseFinishedBy(testCaseStarted) === undefined) return { verdict: 'fails', reason: 'did not finish' }
  const status = query.findMostSevereTestStepResultBy(testCaseStarted)?.status ?? TestStepResultStatus.UNKNOWN
  const verdict = verdictOf(status)
  if (verdict === 'conforms') return { verdict, reason: '' }
  const failure = failureOf(query, testCaseStarted, status)
  if (verdict === 'not-applicable') {
    const record = findRecord(query, testCaseStarted, 'not-applicable')
    if (record) return { verdict, reason: record.reason, notApplicableField: record.field }
    return {
      verdict: 'fails',
      reason: failure ? `${failure.step}: ${UNEXPLAINED_SKIP}` : UNEXPLAINED_SKIP,
      ...(failure ? { failure } : {}),
    }
  }
  const lost = findRecord(query, testCaseStarted, 'endpoint-lost')
  if (!failure) return { verdict, reason: lost?.reason ?? 'no steps ran' }
  const reason =
    lost?.reason ??
    (status === TestStepResultStatus.UNDEFINED
      ? `step is not defined: ${failure.step}`
      : `${failure.step}: ${firstLine(failure.message)}`)
  return { verdict, reason, failure }
}

function idOf(tags: readonly { name: string }[], uri: string, line: number): string {
  return scenarioId(tags) ?? `missing-id:${uri}:${line}`
}

/** The first step (or hook) that has the test case's most severe status, and its whole message. */
function failureOf(query: Query, testCaseStarted: TestCaseStarted, status: TestStepResultStatus): Failure | undefined {
  const found = query
    .findTestStepFinishedAndTestStepBy(testCaseStarted)
    .find(([testStepFinished]) => testStepFinished.testStepResult.status === status)
  if (!found) return undefined
  const [testStepFinished, testStep] = found
  const pickleStep = query.findPickleStepBy(testStep)
  const step = pickleStep ? pickleStep.text : hookLabel(query.findHookBy(testStep)?.name)
  const message =
    status === TestStepResultStatus.SKIPPED
      ? UNEXPLAINED_SKIP
      : status === TestStepResultStatus.UNDEFINED
        ? 'step is not defined'
        : errorMessageOf(testStepFinished.testStepResult).trim() || status.toLowerCase()
  return { step, message }
}

function hookLabel(name: string | undefined): string {
  return name ? `hook "${name}"` : 'hook'
}

function errorMessageOf(result: TestStepResult): string {
  return result.exception?.message || result.message || ''
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0].trim()
}

function millisecondsOf(duration: Duration | undefined): number {
  if (!duration) return 0
  return Math.round(duration.seconds * 1000 + duration.nanos / 1_000_000)
}

function byDocument(a: SortableResult, b: SortableResult): number {
  return docOrder(a.doc) - docOrder(b.doc) || compareText(a.feature, b.feature) || a.line - b.line
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function totalsOf(scenarios: readonly ScenarioResult[]): Record<Verdict, number> {
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>
  for (const scenario of scenarios) totals[scenario.verdict] += 1
  return totals
}

// ---------------------------------------------------------------------------------------------
// Markdown

export function renderSummaryMarkdown(summary: Summary): string {
  return [
    ...headerLines(summary),
    '',
    totalsLine(summary),
    ...interruptedLines(summary),
    ...docSections(summary.scenarios).flatMap((lines) => ['', ...lines]),
    '',
    ...deadlineLines(summary.scenarios),
    ...slowestLines(summary.scenarios),
    '',
  ].join('\n')
}

function headerLines(summary: Summary): string[] {
  const { target } = summary
  const engine = target.engine
  return [
    `# Conformance of ${target.name}`,
    '',
    `- Endpoint: ${target.endpoint}`,
    `- Engine: ${engine.name} ${engine.version} (API ${engine.apiVersion}), ${engine.os}, kernel ${engine.kernel}`,
    `- Run: ${summary.runId}`,
    `- Started: ${summary.startedAt}`,
    `- Duration: ${seconds(summary.durationMs)}`,
  ]
}

/**
 * The console's end-of-run line on what was not run, by cause, each with its first scenario's evidence;
 * undefined when every scenario ran and nothing cut the run short.
 */
export function notRunLine(summary: Summary): string | undefined {
  const notRun = notRunByCause(summary.notRun ?? [])
  if (summary.interrupted) return `netconform: ${summary.interrupted}; ${notRun} (listed in summary.md)`
  if (!summary.notRun?.length) return undefined
  return `netconform: ${notRun} (listed above and in summary.md); the run is incomplete, exit 1`
}

/** Says the run was cut short, and lists what it did not get to. */
function interruptedLines(summary: Summary): string[] {
  const lines = summary.interrupted
    ? ['', `**Interrupted:** ${summary.interrupted}. The verdicts below are those of the scenarios that ran.`]
    : []
  if (summary.notRun?.length) {
    lines.push(
      '',
      `**Not run:** ${notRunByCause(summary.notRun)}.`,
      '',
      ...summary.notRun.map((s) => `- ${s.id} (${NOT_RUN_CAUSES[causeOf(s)]}): ${s.reason}`),
    )
  }
  return lines
}

function totalsLine(summary: Summary): string {
  const { totals } = summary
  const scenarios = VERDICTS.reduce((sum, v) => sum + totals[v], 0)
  const causes = notApplicableCauses(summary.scenarios)
  return (
    `**Totals:** ${scenarios} scenarios: ` +
    `${VERDICTS.map((v) => `${totals[v]} ${v}`).join(', ')}${causes ? ` (${causes})` : ''}`
  )
}

/**
 * Which profile fields' absence made scenarios not applicable, and how many each:
 * `offers.dhcpNetwork absent: 2`, or '' when none is not applicable.
 */
export function notApplicableCauses(scenarios: readonly ScenarioResult[]): string {
  const counts = new Map<string, number>()
  for (const s of scenarios) {
    if (s.verdict !== 'not-applicable') continue
    const cause = s.notApplicableField ? `${s.notApplicableField} absent` : 'no field named'
    counts.set(cause, (counts.get(cause) ?? 0) + 1)
  }
  return [...counts]
    .sort(([a], [b]) => compareText(a, b))
    .map(([cause, n]) => `${cause}: ${n}`)
    .join(', ')
}

/** One section per doc heading, in the order the scenarios are in (document order). */
function docSections(scenarios: readonly ScenarioResult[]): string[][] {
  const byDoc = new Map<string, ScenarioResult[]>()
  for (const scenario of scenarios) {
    byDoc.set(scenario.doc, [...(byDoc.get(scenario.doc) ?? []), scenario])
  }
  return [...byDoc].map(([doc, results]) => [
    `## ${oneLine(doc) || '(feature without a name)'}`,
    '',
    '| id | scenario | verdict | reason | observed from | duration |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(tableRow),
  ])
}

function tableRow(s: ScenarioResult): string {
  const cells = [s.id, s.name, s.verdict, s.reason, (s.vantage ?? []).join('; '), seconds(s.durationMs)]
  return `| ${cells.map(cell).join(' | ')} |`
}

export const DEADLINE_HEADING = '## Waits that ran out their deadline'

/** Every poll that waited its whole deadline in vain, slowest first: where a failing endpoint costs time. */
function deadlineLines(scenarios: readonly ScenarioResult[]): string[] {
  const waits = scenarios
    .flatMap((s) => (s.deadlineWaits ?? []).map((w) => ({ id: s.id, ...w })))
    .sort((a, b) => b.waitedMs - a.waitedMs)
  if (waits.length === 0) return []
  const total = waits.reduce((ms, w) => ms + w.waitedMs, 0)
  return [
    DEADLINE_HEADING,
    '',
    `${waits.length} waits, ${seconds(total)} in all ` +
      '(a poll that gives up early because waiting cannot change what it saw is not here):',
    '',
    ...waits.map((w) => `- ${oneLine(w.id)}: awaited ${oneLine(w.awaited)} (${seconds(w.waitedMs)})`),
    '',
  ]
}

function slowestLines(scenarios: readonly ScenarioResult[]): string[] {
  const slowest = [...scenarios].sort((a, b) => b.durationMs - a.durationMs)
  const lines = slowest.map((s, i) => {
    const flag = s.durationMs > SLOW_MS ? ' ⚠ over 15 s' : ''
    return `${i + 1}. ${oneLine(s.id)}: ${oneLine(s.name)} (${seconds(s.durationMs)})${flag}`
  })
  return ['## Durations, slowest first', '', ...(lines.length > 0 ? lines : ['No scenarios ran.'])]
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** A table cell: on one line, with its pipes escaped. */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|')
}

// ---------------------------------------------------------------------------------------------
// Files

/** Writes summary.md and summary.json (report/summary.ts) into the run's report folder. */
export function writeReportSet(dir: string, summary: Summary): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'summary.md'), renderSummaryMarkdown(summary))
  writeSummary(dir, summary)
}
