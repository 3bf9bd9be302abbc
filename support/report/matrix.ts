/**
 * The conformance matrix: several runs' summaries side by side. Documented behaviours are the
 * rows (one per scenario id, grouped under the seed document's section headings, in document
 * order), endpoints the columns, grouped by engine family and version (matrix-groups.ts); each cell
 * is that run's verdict, linking to its report.html. Rendered as matrix.md and as matrix.html (one
 * self-contained file: inline CSS, no scripts), where a cell is a verdict chip and a row's reasons
 * are said once each below it, whole on demand (matrix-reasons.ts).
 *
 *   netconform matrix reports/docker/latest reports/podman/latest [--out reports]
 *
 * Longer than 400 lines: the matrix and its two renderings share the matrix's own types (Cell,
 * Matrix, the section rows), and 60 lines are matrix.html's inline CSS.
 */
import { VERDICT_MEANING, esc, htmlPage } from './html'
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { DOC_TITLE, docOrder } from '../document/doc'
import { oneLine } from '../text'
import { type Verdict, VERDICTS } from '../types'
import { loadSummary, type Summary, summaryFileOf } from './summary'
import { isRecordPath } from './record/pack'
import { recordSummary } from './record/verify'
import { engineGroup, groupOrder, groupSpans } from './matrix-groups'
import { type RowReason, rowReasons } from './matrix-reasons'

export interface LoadedReport {
  /** The report folder as given (e.g. reports/docker/latest, a symlink to one run's folder). */
  dir: string
  summary: Summary
  /** For a record (netconform record): the record file, which the matrix links to instead of a report.html. */
  record?: string
}

/** What a cell shows: a verdict, or that the endpoint's run has no such scenario. */
type CellVerdict = Verdict | 'not-run'

const REASON_MAX = 140
const NOT_RUN_TEXT = 'not run'
const MATRIX_TITLE = 'Container networking conformance matrix'

const MARK: Record<CellVerdict, string> = {
  conforms: '🟢',
  deviates: '🟡',
  fails: '🔴',
  'not-applicable': '⚪',
  'not-run': '➖',
}

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Reads summary.json from each report folder (or a summary.json given itself, its folder being
 * the report's); a missing folder or summary, or one that is no summary, is a UsageError.
 */
export function loadReports(dirs: string[]): LoadedReport[] {
  return dirs.map((dir) => ({ dir: summaryFileOf(dir) === dir ? dirname(dir) : dir, summary: loadSummary(dir) }))
}

/** As loadReports, where each path may also be a record (netconform record). */
export async function loadReportsOrRecords(paths: string[]): Promise<LoadedReport[]> {
  const loaded: LoadedReport[] = []
  for (const path of paths) {
    loaded.push(
      isRecordPath(path)
        ? { dir: dirname(path), summary: await recordSummary(path), record: path }
        : loadReports([path])[0],
    )
  }
  return loaded
}

/** Where a report's cells link: its report.html, or the record file. */
function linkOf(report: LoadedReport, linkBase: string): string {
  if (!report.record) return reportLink(report.dir, linkBase)
  return relative(realOrResolved(linkBase), realOrResolved(report.record))
    .split(sep)
    .map((part) => encodeURIComponent(part))
    .join('/')
}

// ---------------------------------------------------------------------------------------------
// The matrix, independent of how it is rendered

interface Cell {
  verdict: CellVerdict
  reason: string
  /** A deviation's reason as its profile declares it (the reason adds what the run observed). */
  declaredReason?: string
  /** Link to the run's report.html, relative to the matrix's folder; none when not run. */
  href?: string
}

interface Row {
  id: string
  name: string
  cells: Cell[]
  /** The row's reasons, each once, with the cells that give it. */
  reasons: RowReason[]
}

interface Section {
  doc: string
  rows: Row[]
}

interface Column {
  target: string
  engine: string
  /** Engine family and major.minor version, e.g. "Podman Engine 6.1" (matrix-groups.ts). */
  group: string
  /** The engine's whole version, e.g. "6.1.1". */
  engineVersion: string
  apiVersion: string
  runDate: string
  runId: string
  href: string
  totals: Record<CellVerdict, number>
}

interface Matrix {
  columns: Column[]
  sections: Section[]
  scenarioCount: number
}

function matrixOf(given: readonly LoadedReport[], linkBase: string): Matrix {
  // The columns grouped by engine family and version; within a group, in the order given.
  const reports = groupOrder(given.map((r) => r.summary.target)).map((i) => given[i])
  const links = reports.map((r) => linkOf(r, linkBase))
  const byId = reports.map((r) => {
    const map = new Map<string, Summary['scenarios'][number]>()
    for (const s of r.summary.scenarios) if (!map.has(s.id)) map.set(s.id, s)
    return map
  })
  const sections = sectionsOf(given).map(({ doc, scenarios }) => ({
    doc,
    rows: scenarios.map(({ id, name }) => {
      const cells = byId.map((map, i): Cell => {
        const s = map.get(id)
        if (!s) return { verdict: 'not-run', reason: '' }
        const declared = s.deviation && !s.deviation.mismatch ? s.deviation.reason : undefined
        return { verdict: s.verdict, reason: s.reason ?? '', declaredReason: declared, href: links[i] }
      })
      const reasons = rowReasons(cells.map((c, i) => ({ ...c, target: reports[i].summary.target.name })))
      return { id, name, cells, reasons }
    }),
  }))
  const scenarioCount = sections.reduce((n, s) => n + s.rows.length, 0)
  const columns = reports.map((r, i): Column => {
    const totals = Object.fromEntries([...VERDICTS, 'not-run'].map((v) => [v, 0])) as Record<CellVerdict, number>
    for (const section of sections)
      for (const row of section.rows) totals[row.cells[i].verdict] = (totals[row.cells[i].verdict] ?? 0) + 1
    const engine = r.summary.target.engine
    return {
      target: r.summary.target.name,
      engine: engine ? `${engine.name} ${engine.version}`.trim() : '',
      group: engineGroup(r.summary.target),
      engineVersion: engine?.version ?? '',
      apiVersion: engine?.apiVersion ?? '',
      runDate: runDate(r.summary.startedAt),
      runId: r.summary.runId ?? '',
      href: links[i],
      totals,
    }
  })
  return { columns, sections, scenarioCount }
}

interface ScenarioKey {
  id: string
  doc: string
  name: string
}

/**
 * Every scenario id of every run, once, grouped by doc heading in document order. Within a
 * heading, the runs' own order (theirs is document order): an id only a later run has comes
 * right after the one it follows there.
 */
function sectionsOf(reports: readonly LoadedReport[]): { doc: string; scenarios: ScenarioKey[] }[] {
  const order: ScenarioKey[] = []
  const seen = new Set<string>()
  for (const { summary } of reports) {
    let at = 0
    for (const s of summary.scenarios) {
      const known = order.findIndex((k) => k.id === s.id)
      if (known !== -1) {
        at = known + 1
        continue
      }
      if (seen.has(s.id)) continue
      seen.add(s.id)
      order.splice(at, 0, { id: s.id, doc: s.doc ?? '', name: s.name ?? s.id })
      at += 1
    }
  }
  const byDoc = new Map<string, ScenarioKey[]>()
  for (const key of order) byDoc.set(key.doc, [...(byDoc.get(key.doc) ?? []), key])
  return [...byDoc]
    .map(([doc, scenarios], i) => ({ doc, scenarios, i }))
    .sort((a, b) => docOrder(a.doc) - docOrder(b.doc) || a.i - b.i)
    .map(({ doc, scenarios }) => ({ doc, scenarios }))
}

/**
 * The run's report.html relative to the matrix's folder, as a URL path. A symlinked folder
 * (reports/docker/latest) is followed, so the link keeps pointing at this run.
 */
export function reportLink(dir: string, linkBase: string): string {
  const path = relative(realOrResolved(linkBase), join(realOrResolved(dir), 'report.html'))
  return path
    .split(sep)
    .map((part) =>
      encodeURIComponent(part).replace(/[()'*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/')
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return resolve(path)
  }
}

export function runDate(startedAt: string | undefined): string {
  const date = new Date(startedAt ?? '')
  if (Number.isNaN(date.getTime())) return startedAt ?? ''
  const iso = date.toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** On one line, at most REASON_MAX characters, an ellipsis ending a cut one. */
export function truncateReason(reason: string, max = REASON_MAX): string {
  return oneLine(reason, max)
}

function verdictWord(verdict: CellVerdict): string {
  return verdict === 'not-run' ? NOT_RUN_TEXT : verdict
}

function sectionTitle(doc: string): string {
  return oneLine(doc) || '(feature without a name)'
}

function totalsText(totals: Record<CellVerdict, number>): string {
  const parts = VERDICTS.map((v) => `${totals[v]} ${v}`)
  if (totals['not-run'] > 0) parts.push(`${totals['not-run']} ${NOT_RUN_TEXT}`)
  return parts.join(', ')
}

function introText(matrix: Matrix): string {
  const n = matrix.columns.length
  return `${matrix.scenarioCount} documented behaviours from “${DOC_TITLE}”, on ${n} endpoint${n === 1 ? '' : 's'}.`
}

// ---------------------------------------------------------------------------------------------
// Markdown

export function renderMatrixMarkdown(reports: readonly LoadedReport[], linkBase: string): string {
  const matrix = matrixOf(reports, linkBase)
  const width = matrix.columns.length + 1
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`
  const header = matrix.columns.map(
    (c) => `[**${md(c.target)}**](${c.href})<br>${md(c.engine)}<br>API ${md(c.apiVersion)}<br>${md(c.runDate)}`,
  )
  const legend = (Object.keys(MARK) as CellVerdict[])
    .map((v) => `${MARK[v]} **${verdictWord(v)}**: ${md(VERDICT_MEANING[v])}`)
    .join(' · ')
  const lines = [
    `# ${MATRIX_TITLE}`,
    '',
    `${md(introText(matrix))} Each verdict links to that run's report, with every step's transcript.`,
    '',
    `Legend: ${legend}`,
    '',
    row(['Documented behaviour', ...header]),
    row(Array.from({ length: width }, () => '---')),
    row(['**Totals**', ...matrix.columns.map((c) => md(totalsText(c.totals)))]),
  ]
  for (const section of matrix.sections) {
    lines.push(row([`**${md(sectionTitle(section.doc))}**`, ...matrix.columns.map(() => '')]))
    for (const r of section.rows) {
      lines.push(row([`${md(r.name)}<br><sub>${md(r.id)}</sub>`, ...r.cells.map(markdownCell)]))
    }
  }
  lines.push('')
  return lines.join('\n')
}

function markdownCell(cell: Cell): string {
  const word = verdictWord(cell.verdict)
  if (!cell.href) return `${MARK[cell.verdict]} *${md(word)}*`
  const title = cell.reason ? ` "${md(oneLine(cell.reason)).replace(/"/g, '\\"')}"` : ''
  const reason = cell.reason ? `<br><sub>${md(truncateReason(cell.reason))}</sub>` : ''
  return `${MARK[cell.verdict]} [${md(word)}](${cell.href}${title})${reason}`
}

/** Text for a Markdown table cell: one line, HTML and Markdown punctuation escaped. */
function md(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|#~]/g, (c) => `\\${c}`)
}

// ---------------------------------------------------------------------------------------------
// HTML

const CSS = `
body {
  margin: 0; padding: 16px 24px 32px;
  font: 13px/1.35 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
}
h1 { font-size: 20px; margin: 0 0 2px; }
.lede { margin: 0 0 8px; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0 0 12px; padding: 0; list-style: none; \
font-size: 12px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.chip { display: inline-block; padding: 0 6px 0 8px; border-radius: 3px; font-weight: 700; white-space: nowrap; }
table {
  width: 100%; min-width: calc(220px + var(--columns) * 92px);
  table-layout: fixed; border-collapse: separate; border-spacing: 0;
  border: 1px solid var(--rule);
}
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--rule); padding: 0; }
td + td, th + td, th + th { border-left: 1px solid var(--rule); }
thead { position: sticky; top: 0; z-index: 3; }
thead th, thead td { background: var(--head); }
thead tr.groups > * { padding: 5px 8px 3px; font-size: 12px; }
thead tr.groups th.group { text-align: center; border-bottom: 2px solid var(--muted); overflow-wrap: anywhere; }
thead tr.targets > * { padding: 4px 6px; }
thead .target { font-size: 12.5px; font-weight: 700; overflow-wrap: anywhere; }
thead .target a { color: inherit; }
thead .meta { font-weight: 400; color: var(--muted); font-size: 11px; overflow-wrap: anywhere; }
thead .corner { vertical-align: bottom; color: var(--muted); }
tr.totals > * { padding: 4px 6px; font-size: 11px; border-bottom: 2px solid var(--muted); }
.counts { display: flex; flex-wrap: wrap; gap: 2px 3px; margin: 0; padding: 0; list-style: none; }
.counts li { padding: 0 5px; border-radius: 3px; white-space: nowrap; font-weight: 700; box-shadow: none; }
.counts li.zero { display: none; }
tbody th[scope="row"], thead tr > :first-child {
  position: sticky; left: 0; z-index: 1; background: var(--paper);
  border-right: 1px solid var(--rule);
}
thead tr > :first-child { background: var(--head); z-index: 4; }
tbody th[scope="row"] { padding: 4px 10px; font-weight: 400; overflow-wrap: anywhere; }
tbody th .name { display: block; }
tbody th .id { display: block; font: 10.5px/1.3 "DejaVu Sans Mono", ui-monospace, monospace; color: var(--muted); }
tr.section th {
  padding: 8px 10px 3px; background: var(--head); font-size: 13px; font-weight: 700;
  color: var(--ink); border-bottom: 1px solid var(--muted);
}
tr.section th span { position: sticky; left: 10px; }
td { position: relative; }
td a, td .cell { display: block; padding: 3px 4px 3px 8px; color: inherit; text-decoration: none; white-space: nowrap; }
td a::after { content: ""; position: absolute; inset: 0; }
td a:hover .verdict, td a:focus-visible .verdict { text-decoration: underline; }
td a:focus-visible { outline: none; }
td:focus-within { outline: 2px solid #0969da; outline-offset: -2px; }
.verdict { font-weight: 700; font-size: 12px; }
.key { font: 700 10px/1 "DejaVu Sans Mono", ui-monospace, monospace; margin-left: 3px; vertical-align: super; }
tr.has-reasons > * { border-bottom: 0; }
tr.reasons td { padding: 0 8px 4px 10px; background: var(--paper); }
tr.reasons ul { margin: 0; padding: 0; list-style: none; position: sticky; left: 10px; max-width: calc(100vw - 80px); }
tr.reasons li { font-size: 11.5px; line-height: 1.35; }
tr.reasons summary { cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
tr.reasons summary .key { vertical-align: baseline; margin: 0 4px 0 0; }
tr.reasons .who { font-weight: 700; margin-right: 4px; }
tr.reasons .who .chip { font-size: 10.5px; margin-right: 3px; }
tr.reasons .whole { margin: 2px 0 6px 18px; white-space: normal; overflow-wrap: anywhere; }
tr.reasons .whole p { margin: 0 0 3px; }
tr.reasons .whole .target { font-weight: 700; }
.v-conforms { background: var(--conforms-bg); color: var(--conforms-ink); \
box-shadow: inset 4px 0 0 var(--conforms-edge); }
.v-deviates { background: var(--deviates-bg); color: var(--deviates-ink); \
box-shadow: inset 4px 0 0 var(--deviates-edge); }
.v-fails { background: var(--fails-bg); color: var(--fails-ink); box-shadow: inset 4px 0 0 var(--fails-edge); }
.v-not-applicable { background: var(--na-bg); color: var(--na-ink); box-shadow: inset 4px 0 0 var(--na-edge); }
.v-not-run { background: repeating-linear-gradient(135deg, #ffffff 0 6px, #eceff2 6px 12px); color: var(--muted); \
font-style: italic; }
.v-not-run .verdict { font-weight: 400; }
tbody:last-child tr:last-child > * { border-bottom: 0; }
`

/** A verdict as a chip says it: short enough for eleven columns in 1400 px; the legend says each in full. */
const CHIP: Record<CellVerdict, string> = {
  conforms: 'conforms',
  deviates: 'deviates',
  fails: 'fails',
  'not-applicable': 'n/a',
  'not-run': NOT_RUN_TEXT,
}

export function renderMatrixHtml(reports: readonly LoadedReport[], linkBase: string): string {
  const matrix = matrixOf(reports, linkBase)
  const n = matrix.columns.length
  const legend = (Object.keys(VERDICT_MEANING) as CellVerdict[])
    .map(
      (v) =>
        `<li><span class="chip v-${v}">${esc(CHIP[v])}</span> ${esc(verdictWord(v))}: ${esc(VERDICT_MEANING[v])}</li>`,
    )
    .join('\n')
  const groupCells = groupSpans(matrix.columns.map((c) => c.group))
    .map(
      ([group, span]) => `<th scope="colgroup" colspan="${span}" class="group">${esc(group || 'engine unknown')}</th>`,
    )
    .join('\n')
  const headerCells = matrix.columns
    .map(
      (c) =>
        `<th scope="col" title="${esc(`${c.engine} · API ${c.apiVersion} · run ${c.runDate}`)}">` +
        `<div class="target"><a href="${esc(c.href)}">${esc(c.target)}</a></div>` +
        `<div class="meta">${esc(c.engineVersion)} · API ${esc(c.apiVersion)}</div></th>`,
    )
    .join('\n')
  const totalsCells = matrix.columns
    .map((c) => `<td data-target="${esc(c.target)}"><ul class="counts">${countItems(c.totals)}</ul></td>`)
    .join('\n')
  const bodies = matrix.sections
    .map((section) => {
      const rows = section.rows
        .map(
          (r) =>
            `<tr id="${esc(`scenario-${r.id}`)}" data-scenario="${esc(r.id)}"${hasReasons(r)}>` +
            `<th scope="row"><span class="name">${esc(r.name)}</span>` +
            `<span class="id">${esc(r.id)}</span></th>\n` +
            r.cells.map((cell, i) => htmlCell(cell, matrix.columns[i].target, keyOfCell(r, i))).join('\n') +
            '</tr>' +
            reasonsRow(r, matrix.columns),
        )
        .join('\n')
      return (
        `<tbody>\n<tr class="section"><th scope="rowgroup" colspan="${n + 1}">` +
        `<span>${esc(sectionTitle(section.doc))}</span></th></tr>\n` +
        `${rows}\n</tbody>`
      )
    })
    .join('\n')
  return htmlPage(
    MATRIX_TITLE,
    CSS,
    `<h1>${esc(MATRIX_TITLE)}</h1>
<p class="lede">${esc(introText(matrix))} Endpoints are grouped by engine and version. \
Each verdict links to its run’s report; a row’s reasons are said once each below it \
(the letter by a verdict names its reason): open one for the whole of it.</p>
<ul class="legend" aria-label="Legend">
${legend}
</ul>
<table style="--columns: ${n}">
<colgroup><col class="label" style="width: ${labelWidth(n)}%">${'<col>'.repeat(n)}</colgroup>
<thead>
<tr class="groups"><th scope="col" rowspan="2" class="corner">Documented behaviour</th>
${groupCells}</tr>
<tr class="targets">
${headerCells}</tr>
<tr class="totals"><th scope="row">Totals</th>
${totalsCells}</tr>
</thead>
${bodies}
</table>`,
  )
}

/** The first column's share of the width: enough for a scenario's name on two or three lines. */
function labelWidth(columns: number): number {
  return columns <= 2 ? 34 : columns === 3 ? 28 : columns <= 5 ? 24 : 21
}

function countItems(totals: Record<CellVerdict, number>): string {
  const shown: CellVerdict[] = totals['not-run'] > 0 ? [...VERDICTS, 'not-run'] : [...VERDICTS]
  return shown
    .map(
      (v) =>
        `<li class="v-${v}${totals[v] === 0 ? ' zero' : ''}" title="${esc(verdictWord(v))}">` +
        `${totals[v]} ${esc(CHIP[v])}</li>`,
    )
    .join('')
}

/** A row with reasons below it has no rule beneath it: they read as its own. */
function hasReasons(row: Row): string {
  return row.reasons.length ? ' class="has-reasons"' : ''
}

/** The letter of the row's reason a cell gives, if it gives one. */
function keyOfCell(row: Row, column: number): string | undefined {
  return row.reasons.find((r) => r.columns.includes(column))?.key
}

function htmlCell(cell: Cell, target: string, key: string | undefined): string {
  const chip = esc(CHIP[cell.verdict])
  const attrs = `class="v-${esc(cell.verdict)}" data-target="${esc(target)}" data-verdict="${esc(cell.verdict)}"`
  if (!cell.href) return `<td ${attrs}><span class="cell"><span class="verdict">${chip}</span></span></td>`
  const title = cell.reason ? ` title="${esc(oneLine(cell.reason))}"` : ''
  const mark = key ? `<span class="key">${esc(key)}</span>` : ''
  return `<td ${attrs}><a href="${esc(cell.href)}"${title}><span class="verdict">${chip}</span>${mark}</a></td>`
}

/**
 * Below a row with reasons: each reason once, closed to one line (its letter, the verdicts and endpoints
 * that give it, its words cut by the page's width); opened, its whole words and what each endpoint's run
 * observed besides.
 */
function reasonsRow(row: Row, columns: readonly Column[]): string {
  if (!row.reasons.length) return ''
  const items = row.reasons
    .map((reason) => {
      const verdicts = [...new Set(reason.columns.map((i) => row.cells[i].verdict))]
      const who =
        verdicts.map((v) => `<span class="chip v-${v}">${esc(CHIP[v])}</span>`).join('') +
        esc(reason.columns.map((i) => columns[i].target).join(', '))
      const more = reason.more
        .map((m) => `<p><span class="target">${esc(columns[m.column].target)}</span>: ${esc(oneLine(m.reason))}</p>`)
        .join('')
      return (
        `<li data-reason="${esc(reason.key)}"><details><summary><span class="key">${esc(reason.key)}</span>` +
        `<span class="who">${who}</span><span class="gist">${esc(oneLine(reason.gist))}</span></summary>` +
        `<div class="whole"><p>${esc(oneLine(reason.gist))}</p>${more}</div></details></li>`
      )
    })
    .join('')
  const cell = `<td colspan="${columns.length + 1}"><ul>${items}</ul></td>`
  return `\n<tr class="reasons" data-reasons-of="${esc(row.id)}">${cell}</tr>`
}

// ---------------------------------------------------------------------------------------------
// Files and command

/** Writes matrix.html and matrix.md into outDir; returns their paths. */
export function writeMatrix(dirs: string[], outDir: string): { html: string; md: string } {
  return writeMatrixOf(loadReports(dirs), outDir)
}

/** Writes matrix.html and matrix.md of loaded reports into outDir; returns their paths. */
export function writeMatrixOf(reports: readonly LoadedReport[], outDir: string): { html: string; md: string } {
  mkdirSync(outDir, { recursive: true })
  const html = join(outDir, 'matrix.html')
  const mdFile = join(outDir, 'matrix.md')
  writeFileSync(html, renderMatrixHtml(reports, outDir))
  writeFileSync(mdFile, renderMatrixMarkdown(reports, outDir))
  return { html, md: mdFile }
}
