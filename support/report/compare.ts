/**
 * `netconform compare BASE NEW`: what changed between two runs' summaries (summary.json), keyed
 * by scenario id. Reasons are compared with what each run measures anew masked (masks.ts: resource
 * names, ids, addresses, durations, counts, interface numbering).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { oneLine } from '../text'
import { ENDPOINT_FILE, INFO_NETWORK_FIELDS } from '../engine/identity'
import type { Verdict } from '../types'
import { loadSummary, type ScenarioResult, type Summary } from './summary'
import { isRecordPath } from './record/pack'
import { recordSummary } from './record/verify'
import { maskReason } from './masks'

export interface Change {
  id: string
  doc: string
  name: string
  from: Verdict
  to: Verdict
  fromReason: string
  toReason: string
}

/** Which run a side of the comparison is. */
interface RunInfo {
  target: string
  engineVersion: string
  runId: string
}

export interface Comparison {
  base: RunInfo
  next: RunInfo
  /** conforms → fails|deviates, and a new undeclared failure: not-applicable|deviates → fails. */
  regressions: Change[]
  /**
   * The regressions to `fails` whose declared deviation no longer matches the failure (e.g.
   * deviates → fails: the scenario now fails at another step, or with another message). Also
   * in `regressions`; listed apart under their own label.
   */
  deviationMismatches: Change[]
  /** fails|deviates → conforms. */
  fixes: Change[]
  /** Any other change of verdict, e.g. conforms → not-applicable, fails → deviates. */
  otherChanges: Change[]
  /** Same verdict, but the normalized reason differs. */
  reasonChanges: Change[]
  /** In next only. */
  added: ScenarioResult[]
  /** In base only. */
  removed: ScenarioResult[]
  /** Same verdict and same normalized reason. */
  unchanged: number
  /** The endpoint's settings (its /info fields a report keeps) that differ: `Field: before → after`. */
  settings: string[]
}

// ---------------------------------------------------------------------------------------------
// Comparing

/**
 * The settings of each side's endpoint, as its report folder's endpoint.json keeps them (GET /info's
 * networking fields); what differs, one line per field. Sides without the file give none.
 */
export function settingChanges(base?: Record<string, unknown>, next?: Record<string, unknown>): string[] {
  if (!base || !next) return []
  const shown = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v))
  return INFO_NETWORK_FIELDS.filter((f) => shown(base[f]) !== shown(next[f])).map(
    (f) => `${f}: ${shown(base[f])} → ${shown(next[f])}`,
  )
}

/** The /info fields of the endpoint.json beside a report folder's (or summary.json's) summary; none for a record. */
export function endpointInfoAt(path: string): Record<string, unknown> | undefined {
  // A record holds its endpoint.json inside: a file beside the record is another run's.
  if (isRecordPath(path)) return undefined
  const dir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path)
  const file = join(dir, ENDPOINT_FILE)
  if (!existsSync(file)) return undefined
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { info?: Record<string, unknown> }).info
  } catch {
    return undefined
  }
}

export function compareSummaries(
  base: Summary,
  next: Summary,
  infos: { base?: Record<string, unknown>; next?: Record<string, unknown> } = {},
): Comparison {
  const baseById = new Map(base.scenarios.map((s) => [s.id, s]))
  const nextIds = new Set(next.scenarios.map((s) => s.id))
  const comparison: Comparison = {
    base: runInfoOf(base),
    next: runInfoOf(next),
    regressions: [],
    deviationMismatches: [],
    fixes: [],
    otherChanges: [],
    reasonChanges: [],
    added: next.scenarios.filter((s) => !baseById.has(s.id)),
    removed: base.scenarios.filter((s) => !nextIds.has(s.id)),
    unchanged: 0,
    settings: settingChanges(infos.base, infos.next),
  }
  for (const after of next.scenarios) {
    const before = baseById.get(after.id)
    if (before) classify(comparison, before, after)
  }
  return comparison
}

function runInfoOf(summary: Summary): RunInfo {
  return { target: summary.target.name, engineVersion: summary.target.engine.version, runId: summary.runId }
}

function classify(comparison: Comparison, before: ScenarioResult, after: ScenarioResult): void {
  const change = changeOf(before, after)
  if (isRegression(before.verdict, after.verdict)) {
    comparison.regressions.push(change)
    if (after.verdict === 'fails' && after.deviation?.mismatch) comparison.deviationMismatches.push(change)
  } else if (isFix(before.verdict, after.verdict)) comparison.fixes.push(change)
  else if (before.verdict !== after.verdict) comparison.otherChanges.push(change)
  else if (maskReason(before.reason) !== maskReason(after.reason)) comparison.reasonChanges.push(change)
  else comparison.unchanged += 1
}

function changeOf(before: ScenarioResult, after: ScenarioResult): Change {
  return {
    id: after.id,
    doc: after.doc,
    name: after.name,
    from: before.verdict,
    to: after.verdict,
    fromReason: before.reason,
    toReason: after.reason,
  }
}

/** Conforms no more, or fails where it did not fail undeclared before. */
export function isRegression(from: Verdict, to: Verdict): boolean {
  if (from === 'conforms') return to === 'fails' || to === 'deviates'
  return to === 'fails' && (from === 'not-applicable' || from === 'deviates')
}

export function isFix(from: Verdict, to: Verdict): boolean {
  return (from === 'fails' || from === 'deviates') && to === 'conforms'
}

// ---------------------------------------------------------------------------------------------
// Text

export function renderComparison(c: Comparison): string {
  return [
    `compare: ${runLabel(c.base)} → ${runLabel(c.next)}`,
    ...section(
      ENDPOINT_SETTINGS,
      c.settings.map((line) => [`  ${line}`]),
    ),
    ...section('Regressions', c.regressions.filter((r) => !c.deviationMismatches.includes(r)).map(changeLines)),
    ...section(DEVIATION_MISMATCHES, c.deviationMismatches.map(changeLines)),
    ...section('Fixes', c.fixes.map(changeLines)),
    ...section('Other verdict changes', c.otherChanges.map(changeLines)),
    ...section('Changed reasons', c.reasonChanges.map(changeLines)),
    ...section('New scenarios', c.added.map(scenarioLines)),
    ...section('Removed scenarios', c.removed.map(scenarioLines)),
    '',
    countsLine(c),
  ].join('\n')
}

export const ENDPOINT_SETTINGS = "The endpoint's settings that differ (GET /info)"

export const DEVIATION_MISMATCHES = 'Regressions: the declared deviation no longer matches the failure'

function runLabel(run: RunInfo): string {
  return `${run.target} ${run.engineVersion} (run ${run.runId})`
}

/** A blank line, a heading with the count, and the entries; nothing when there are none. */
function section(title: string, entries: string[][]): string[] {
  return entries.length === 0 ? [] : ['', `${title} (${entries.length})`, ...entries.flat()]
}

/** `  id: from → to — reason`; a fix names the reason it had, a changed reason the one it had before. */
function changeLines(change: Change): string[] {
  const head = `  ${change.id}: ${change.from} → ${change.to}`
  const [from, to] = [oneLine(change.fromReason), oneLine(change.toReason)]
  if (to === '') return [from === '' ? head : `${head} — was: ${from}`]
  const lines = [`${head} — ${to}`]
  if (change.from === change.to && from !== '') lines.push(`      was: ${from}`)
  return lines
}

function scenarioLines(scenario: ScenarioResult): string[] {
  const reason = oneLine(scenario.reason)
  return [`  ${scenario.id}: ${scenario.verdict}${reason ? ` — ${reason}` : ''}`]
}

function countsLine(c: Comparison): string {
  const mismatches = c.deviationMismatches.length
  return [
    `${c.regressions.length} regressions` +
      (mismatches > 0 ? ` (${mismatches} declared deviations no longer matching)` : ''),
    `${c.fixes.length} fixes`,
    `${c.otherChanges.length} other verdict changes`,
    `${c.added.length} new`,
    `${c.removed.length} removed`,
    `${c.reasonChanges.length} reasons changed`,
    `${c.unchanged} unchanged`,
  ].join(', ')
}

// ---------------------------------------------------------------------------------------------
// Command

/** The summary a report folder, a summary.json or a record (netconform record) holds. */
export async function summaryOrRecord(path: string): Promise<Summary> {
  return isRecordPath(path) ? recordSummary(path) : loadSummary(path)
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** A reason without its evidence (what follows " (observed: "), on one line, for a table cell. */
function shortReason(reason: string): string {
  const text = oneLine(reason.replace(/ \(observed: [\s\S]*$/, ''))
  return text.length > 200 ? `${text.slice(0, 199)}…` : text
}

const tableCell = (text: string) => text.replace(/\|/g, '\\|')

/**
 * The comparison as one markdown table of every scenario whose verdict or reason changed (what
 * changed first: regressions, fixes, other verdict changes, changed reasons, new, removed), then
 * the counts line. Reasons lose their evidence (run-specific) but keep what the profile says.
 */
export function renderComparisonTable(c: Comparison): string {
  const kinds: [string, Change[]][] = [
    ['regression', c.regressions],
    ['fix', c.fixes],
    ['other verdict change', c.otherChanges],
    ['reason changed', c.reasonChanges],
  ]
  const rows = kinds.flatMap(([kind, changes]) =>
    changes.map((ch) => [
      ch.id,
      kind,
      `${ch.from}: ${shortReason(ch.fromReason) || '—'}`,
      `${ch.to}: ${shortReason(ch.toReason) || '—'}`,
    ]),
  )
  rows.push(...c.added.map((s) => [s.id, 'new', '—', `${s.verdict}: ${shortReason(s.reason) || '—'}`]))
  rows.push(...c.removed.map((s) => [s.id, 'removed', `${s.verdict}: ${shortReason(s.reason) || '—'}`, '—']))
  return [
    `${runLabel(c.base)} → ${runLabel(c.next)}`,
    ...(c.settings.length > 0 ? ['', `${ENDPOINT_SETTINGS}: ${c.settings.map(tableCell).join('; ')}`] : []),
    '',
    `| scenario | change | ${tableCell(c.base.target)} | ${tableCell(c.next.target)} |`,
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.map(tableCell).join(' | ')} |`),
    '',
    countsLine(c),
  ].join('\n')
}
