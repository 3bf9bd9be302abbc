/**
 * Turns cucumber's message stream (messages.ndjson) into the run's Summary: each test case's
 * verdict, reason and evidence, its records read once and passed down (summary-markdown.ts renders
 * it; not-run.ts says why a scenario has no verdict).
 */
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
import { type Deviation, type EngineInfo, type Verdict, VERDICTS } from '../types'
import { type Failure, type ScenarioResult, type Summary } from './summary'
import { classify } from '../profile/verdicts'
import { noVerdictOf, recordCause } from './not-run'

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
  // The test case's records, decoded once from its attachments and passed down.
  const records = recordsOf(query, testCaseStarted)
  const scenario = scenarioOf(query, testCaseStarted, records)
  // Scenarios the run did not get to (interrupted, endpoint gone, held by another): listed apart, with no verdict.
  const notRun = findRecord(records, 'not-run')
  // A failure that the endpoint's disappearance explains is no declared deviation.
  const lost = findRecord(records, 'endpoint-lost')
  const { line } = scenario
  const judged = classify(scenario, lost ? undefined : deviations?.[scenario.id])
  const failedCall = notRun ? undefined : noVerdictOf(judged.verdict, records)
  return { ...judged, line, ...((notRun ?? failedCall) ? { notRun: notRun ?? failedCall } : {}) }
}

function queryOf(ndjson: string): Query {
  const query = new Query()
  for (const line of ndjson.split('\n')) {
    if (line.trim() !== '') query.update(JSON.parse(line) as Envelope)
  }
  return query
}

type SortableResult = ScenarioResult & { line: number }

function scenarioOf(
  query: Query,
  testCaseStarted: TestCaseStarted,
  records: readonly NetconformRecord[],
): SortableResult {
  const pickle = query.findPickleBy(testCaseStarted)
  if (!pickle) throw new Error(`messages: no pickle for test case ${testCaseStarted.testCaseId}`)
  const line = query.findLocationOf(pickle)?.line ?? 0
  return {
    id: idOf(pickle.tags, pickle.uri, line),
    doc: query.findLineageBy(pickle)?.feature?.name ?? '',
    feature: pickle.uri,
    name: pickle.name,
    ...verdictReasonOf(query, testCaseStarted, records),
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

type VerdictReason = Pick<ScenarioResult, 'verdict' | 'reason' | 'failure' | 'notApplicableField'>

/** The verdict, its reason, and where it failed or which profile field made it not applicable. */
function verdictReasonOf(
  query: Query,
  testCaseStarted: TestCaseStarted,
  records: readonly NetconformRecord[],
): VerdictReason {
  if (query.findTestCaseFinishedBy(testCaseStarted) === undefined) return { verdict: 'fails', reason: 'did not finish' }
  const status = query.findMostSevereTestStepResultBy(testCaseStarted)?.status ?? TestStepResultStatus.UNKNOWN
  const verdict = verdictOf(status)
  if (verdict === 'conforms') return { verdict, reason: '' }
  const failure = failedStepOf(query, testCaseStarted, status)
  if (verdict === 'not-applicable') {
    const record = findRecord(records, 'not-applicable')
    if (record) return { verdict, reason: record.reason, notApplicableField: record.field }
    return {
      verdict: 'fails',
      reason: failure ? `${failure.step}: ${UNEXPLAINED_SKIP}` : UNEXPLAINED_SKIP,
      ...(failure ? { failure } : {}),
    }
  }
  const lost = findRecord(records, 'endpoint-lost')
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
function failedStepOf(
  query: Query,
  testCaseStarted: TestCaseStarted,
  status: TestStepResultStatus,
): Failure | undefined {
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

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function totalsOf(scenarios: readonly ScenarioResult[]): Record<Verdict, number> {
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>
  for (const scenario of scenarios) totals[scenario.verdict] += 1
  return totals
}
