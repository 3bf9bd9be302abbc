/** summary.md, the console's end-of-run lines, and the report set a run writes (summary.json and summary.md). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { oneLine } from '../text'
import { VERDICTS } from '../types'
import { type ScenarioResult, type Summary, writeSummary } from './summary'
import { NOT_RUN_CAUSES, causeOf, notRunByCause } from './not-run'
import { compareText } from './build-summary'

const SLOW_MS = 15_000

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
