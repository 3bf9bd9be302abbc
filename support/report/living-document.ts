/**
 * The living document: the VIC networking document itself (its title, headings, prose and command
 * blocks, in order, from the project's copy), with each stated result marked inline by every
 * endpoint's verdict. After the words a scenario verifies (support/document/anchors.ts) comes one
 * badge group per scenario id, labelled by the id's short suffix, with one badge per endpoint:
 * colour and verdict word, the reason on hover (title=), a link to that run's report.html.
 * One self-contained HTML file: inline CSS, no scripts, a CSP that forbids loading anything.
 *
 *   netconform document reports/docker/latest reports/podman/latest [--out reports]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DOC_TITLE } from '../document/doc'
import { type Anchor, ANCHORS, shortLabel } from '../document/anchors'
import { STATEMENTS, checkedBy, notObservableReason } from '../document/statements'
import { type Block, type DocumentSection, documentSections } from '../document/text'
import { type LoadedReport, loadReports, reportLink, runDate } from './matrix'
import { VERDICT_MEANING, esc, htmlPage } from './html'
import { oneLine } from '../text'
import { type ScenarioResult, type Verdict, VERDICTS } from '../types'

type BadgeVerdict = Verdict | 'not-run'

const PAGE_TITLE = `${DOC_TITLE}: the living document`

const word = (v: BadgeVerdict) => (v === 'not-run' ? 'not run' : v)

interface Endpoint {
  name: string
  engine: string
  apiVersion: string
  runDate: string
  runId: string
  href: string
  results: Map<string, ScenarioResult>
}

function endpointsOf(reports: readonly LoadedReport[], linkBase: string): Endpoint[] {
  return reports.map(({ dir, summary }) => {
    const results = new Map<string, ScenarioResult>()
    for (const s of summary.scenarios) if (!results.has(s.id)) results.set(s.id, s)
    const engine = summary.target.engine
    return {
      name: summary.target.name,
      engine: engine ? `${engine.name} ${engine.version}`.trim() : '',
      apiVersion: engine?.apiVersion ?? '',
      runDate: runDate(summary.startedAt),
      runId: summary.runId ?? '',
      href: reportLink(dir, linkBase),
      results,
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Badges

function badge(endpoint: Endpoint, id: string): string {
  const result = endpoint.results.get(id)
  const verdict: BadgeVerdict = result?.verdict ?? 'not-run'
  const reason = result ? oneLine(result.reason ?? '') || VERDICT_MEANING[verdict] : VERDICT_MEANING['not-run']
  const title = `${endpoint.name}: ${word(verdict)} — ${reason}`
  const attrs =
    `class="badge v-${verdict}" data-target="${esc(endpoint.name)}" ` +
    `data-verdict="${verdict}" title="${esc(title)}"`
  const inner = `<span class="ep">${esc(endpoint.name)}</span> <span class="vw">${esc(word(verdict))}</span>`
  return result ? `<a ${attrs} href="${esc(endpoint.href)}">${inner}</a>` : `<span ${attrs}>${inner}</span>`
}

function scenarioName(endpoints: readonly Endpoint[], id: string): string {
  for (const e of endpoints) {
    const name = e.results.get(id)?.name
    if (name) return oneLine(name)
  }
  return ''
}

/** One id's badge group: its short label (the whole id and scenario name on hover), a badge per endpoint. */
function group(endpoints: readonly Endpoint[], id: string, label = shortLabel(id), also = ''): string {
  const name = scenarioName(endpoints, id)
  // the map's group of an id has its id= (one per page); a statement's repeat of it is "also", without
  const opening = also
    ? `<span class="results also" data-scenario="${esc(id)}">`
    : `<span class="results" id="${esc(`result-${id}`)}" data-scenario="${esc(id)}">`
  return (
    opening +
    `<span class="label" title="${esc(name ? `${id}: ${name}` : id)}">${esc(label)}</span>` +
    endpoints.map((e) => badge(e, id)).join('') +
    '</span>'
  )
}

// ---------------------------------------------------------------------------------------------
// The text, with the badges after the words they verify

/** A catalogued statement's mark, after its words: the groups of ids not anchored inside them, or its reason. */
interface StatementMark {
  quote: string
  html: string
}

/**
 * The marks of a section's catalogued statements (support/document/statements.ts): a statement
 * not observable here gets its reason; one checked by ids whose words (anchors.ts) lie elsewhere
 * gets their badge groups again, marked "also" (the groups the map places keep their one id= each).
 */
function statementMarks(heading: string, anchors: readonly Anchor[], endpoints: readonly Endpoint[]): StatementMark[] {
  const marks: StatementMark[] = []
  for (const s of STATEMENTS.find((c) => c.section === heading)?.statements ?? []) {
    const reason = notObservableReason(s)
    if (reason !== undefined) {
      marks.push({
        quote: s.quote,
        html:
          `<span class="unchecked" data-statement="not-observable" title="${esc(`not checked here: ${reason}`)}">` +
          `not checked here: ${esc(reason)}</span>`,
      })
      continue
    }
    const inside = new Set(anchors.filter((a) => s.quote.includes(a.quote)).map((a) => a.id))
    const elsewhere = checkedBy(s).filter((id) => !inside.has(id))
    if (elsewhere.length > 0)
      marks.push({
        quote: s.quote,
        html:
          '<span class="groups also" data-statement="checked">' +
          `${elsewhere.map((id) => group(endpoints, id, shortLabel(id), 'also')).join('')}</span>`,
      })
  }
  return marks
}

/**
 * A line's text, the anchored words marked, each followed by the badge groups of its ids, and
 * after each catalogued statement its mark.
 */
function anchoredLine(
  line: string,
  anchors: readonly Anchor[],
  endpoints: readonly Endpoint[],
  marks: readonly StatementMark[] = [],
): string {
  const byQuote = new Map<string, string[]>()
  for (const a of anchors) if (line.includes(a.quote)) byQuote.set(a.quote, [...(byQuote.get(a.quote) ?? []), a.id])
  // what goes at each position of the line: an anchor's closing (and its groups), a statement's mark,
  // an anchor's opening
  const at = new Map<number, { close: string[]; mark: string[]; open: string[] }>()
  const cut = (i: number) => {
    if (!at.has(i)) at.set(i, { close: [], mark: [], open: [] })
    return at.get(i)!
  }
  for (const [quote, ids] of byQuote) {
    const start = line.indexOf(quote)
    cut(start).open.push('<span class="stated">')
    cut(start + quote.length).close.unshift(
      `</span><span class="groups">${ids.map((id) => group(endpoints, id)).join('')}</span>`,
    )
  }
  for (const m of marks) if (line.includes(m.quote)) cut(line.indexOf(m.quote) + m.quote.length).mark.push(m.html)
  const points = [...at.keys()].sort((a, b) => a - b)
  let html = ''
  let from = 0
  for (const p of points) {
    const { close, mark, open } = at.get(p)!
    html += esc(line.slice(from, p)) + close.join('') + mark.join('') + open.join('')
    from = p
  }
  return html + esc(line.slice(from))
}

function blockHtml(
  block: Block,
  anchors: readonly Anchor[],
  endpoints: readonly Endpoint[],
  marks: readonly StatementMark[],
): string {
  const lines = block.lines.map((l) => anchoredLine(l, anchors, endpoints, marks))
  if (block.kind === 'commands')
    return `<pre class="commands"><code>${lines.map((l) => `<span class="line">${l}</span>`).join('\n')}</code></pre>`
  if (block.kind === 'bullets') return `<ul>${lines.map((l) => `<li>${l}</li>`).join('')}</ul>`
  return lines.map((l) => `<p>${l}</p>`).join('\n')
}

function sectionHtml(section: DocumentSection, index: number, endpoints: readonly Endpoint[]): string {
  const anchors = ANCHORS.filter((a) => a.section === section.heading)
  const marks = statementMarks(section.heading, anchors, endpoints)
  const heading =
    index === 0 ? `<h1 id="document-title">${esc(section.heading)}</h1>` : `<h2>${esc(section.heading)}</h2>`
  return (
    `<section id="section-${index}" data-heading="${esc(section.heading)}">\n${heading}\n` +
    `${section.blocks.map((b) => blockHtml(b, anchors, endpoints, marks)).join('\n')}\n</section>`
  )
}

// ---------------------------------------------------------------------------------------------
// The page

const CSS = `
body {
  margin: 0 auto; padding: 16px 32px 40px; max-width: 1180px;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  overflow-wrap: anywhere;
}
header.runs { border: 1px solid var(--rule); border-radius: 6px; background: var(--head); padding: 10px 14px; \
margin: 0 0 20px; font-size: 13px; line-height: 1.4; }
header.runs .kicker { margin: 0 0 6px; color: var(--muted); }
header.runs .kicker strong { color: var(--ink); }
table.endpoints { border-collapse: collapse; width: 100%; margin: 0 0 8px; }
table.endpoints th, table.endpoints td { text-align: left; padding: 3px 10px 3px 0; \
border-bottom: 1px solid var(--rule); vertical-align: top; }
table.endpoints th { font-weight: 600; color: var(--muted); }
table.endpoints td.name a { font-weight: 700; color: inherit; }
.counts { display: flex; flex-wrap: wrap; gap: 3px 4px; margin: 0; padding: 0; list-style: none; }
.counts li { padding: 0 6px; border-radius: 3px; white-space: nowrap; font-weight: 700; }
.counts li.zero { opacity: 0.6; font-weight: 400; }
ul.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 6px 0 0; padding: 0; list-style: none; }
ul.legend li { display: flex; align-items: center; gap: 6px; }
/* prose keeps a readable measure; command blocks take the page's width, so wide output wraps less */
article p, article ul { max-width: 1000px; }
h1 { font-size: 26px; line-height: 1.25; margin: 8px 0 14px; }
h2 { font-size: 20px; line-height: 1.3; margin: 30px 0 10px; padding-top: 8px; border-top: 1px solid var(--rule); }
p { margin: 0 0 12px; }
ul { margin: 0 0 12px; padding-left: 26px; }
li { margin: 0 0 4px; }
pre.commands {
  margin: 0 0 14px; padding: 10px 12px; background: var(--code); border: 1px solid var(--rule); border-radius: 6px;
  font: 13px/1.45 "DejaVu Sans Mono", ui-monospace, SFMono-Regular, Menlo, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere;
}
.stated { text-decoration: underline; text-decoration-color: var(--muted); text-decoration-style: dotted; \
text-underline-offset: 3px; }
.groups { white-space: normal; }
.results {
  display: inline-flex; flex-wrap: wrap; align-items: center; gap: 3px; vertical-align: 1px;
  margin: 2px 0 2px 6px; padding: 1px 3px; border: 1px solid var(--rule); border-radius: 4px; background: var(--paper);
  font: 11.5px/1.35 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  font-style: normal; font-weight: 400; text-decoration: none; white-space: nowrap;
}
.results .label { color: var(--muted); padding: 0 3px; }
.badge, .chip { display: inline-block; padding: 0 6px 0 8px; border-radius: 3px; color: inherit; \
text-decoration: none; white-space: nowrap; }
a.badge:hover .vw, a.badge:focus-visible .vw { text-decoration: underline; }
.badge .ep { font-weight: 400; }
.badge .vw, .chip { font-weight: 700; }
.v-conforms { background: var(--conforms-bg); color: var(--conforms-ink); \
box-shadow: inset 3px 0 0 var(--conforms-edge); }
.v-deviates { background: var(--deviates-bg); color: var(--deviates-ink); \
box-shadow: inset 3px 0 0 var(--deviates-edge); }
.v-fails { background: var(--fails-bg); color: var(--fails-ink); box-shadow: inset 3px 0 0 var(--fails-edge); }
.v-not-applicable { background: var(--na-bg); color: var(--na-ink); box-shadow: inset 3px 0 0 var(--na-edge); }
.v-not-run { background: repeating-linear-gradient(135deg, #ffffff 0 5px, #eceff2 5px 10px); color: var(--muted); \
font-style: italic; box-shadow: inset 0 0 0 1px var(--rule); }
.v-not-run .vw { font-weight: 400; }
.unchecked { display: inline-block; margin: 2px 0 2px 6px; padding: 0 6px; border: 1px dashed var(--rule); \
border-radius: 4px; color: var(--muted); font: italic 11.5px/1.35 system-ui, sans-serif; white-space: normal; }
.results.also { border-style: dashed; }
section.unplaced h2 { color: var(--muted); }
section.unplaced li { list-style: none; }
`

function countItems(endpoint: Endpoint, ids: readonly string[]): string {
  const totals = Object.fromEntries([...VERDICTS, 'not-run'].map((v) => [v, 0])) as Record<BadgeVerdict, number>
  for (const id of ids) totals[endpoint.results.get(id)?.verdict ?? 'not-run'] += 1
  const shown: BadgeVerdict[] = totals['not-run'] > 0 ? [...VERDICTS, 'not-run'] : [...VERDICTS]
  return shown
    .map((v) => `<li class="v-${v}${totals[v] === 0 ? ' zero' : ''}">${totals[v]} ${esc(word(v))}</li>`)
    .join('')
}

/** Every id the page shows: the map's, in the document's order, then the runs' ids the map lacks. */
function placedAndUnplaced(reports: readonly LoadedReport[]): { placed: string[]; unplaced: string[] } {
  const placed = ANCHORS.map((a) => a.id)
  const known = new Set(placed)
  const unplaced: string[] = []
  for (const { summary } of reports)
    for (const s of summary.scenarios)
      if (!known.has(s.id)) {
        known.add(s.id)
        unplaced.push(s.id)
      }
  return { placed, unplaced }
}

export function renderDocumentHtml(
  reports: readonly LoadedReport[],
  linkBase: string,
  sections: readonly DocumentSection[] = documentSections(),
): string {
  const endpoints = endpointsOf(reports, linkBase)
  const { placed, unplaced } = placedAndUnplaced(reports)
  const all = [...placed, ...unplaced]
  const rows = endpoints
    .map(
      (e) =>
        `<tr data-target="${esc(e.name)}"><td class="name"><a href="${esc(e.href)}">${esc(e.name)}</a></td>` +
        `<td>${esc(e.engine)}</td><td>API ${esc(e.apiVersion)}</td>` +
        `<td>${esc(e.runDate)}<br><small>${esc(e.runId)}</small></td>` +
        `<td><ul class="counts">${countItems(e, all)}</ul></td></tr>`,
    )
    .join('\n')
  const legend = (Object.keys(VERDICT_MEANING) as BadgeVerdict[])
    .map((v) => `<li><span class="chip v-${v}">${esc(word(v))}</span> ${esc(VERDICT_MEANING[v])}</li>`)
    .join('\n')
  const n = endpoints.length
  const unplacedHtml =
    unplaced.length === 0
      ? ''
      : `\n<section class="unplaced" id="unplaced">\n<h2>Results the document map does not place</h2>\n` +
        '<p>These scenario ids are in a run but not in support/document/anchors.ts ' +
        '(a run of other features, or a map to update).</p>\n' +
        `<ul>${unplaced.map((id) => `<li>${group(endpoints, id, id)}</li>`).join('')}</ul>\n</section>`
  return htmlPage(
    PAGE_TITLE,
    CSS,
    `<header class="runs">
<p class="kicker"><strong>The living document.</strong> The VIC document as written; \
after each result it states, one group per scenario
(its short name; hover for the whole id), with one badge per endpoint: \
its verdict, the reason on hover, a link to the run's report.
${all.length} results on ${n} endpoint${n === 1 ? '' : 's'}.</p>
<table class="endpoints">
<thead><tr><th>Endpoint</th><th>Engine</th><th>API</th><th>Run</th><th>Verdicts</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<ul class="legend" aria-label="Legend">
${legend}
</ul>
</header>
<article>
${sections.map((s, i) => sectionHtml(s, i, endpoints)).join('\n')}${unplacedHtml}
</article>`,
  )
}

// ---------------------------------------------------------------------------------------------
// File and command

/** Writes document.html into outDir; returns its path. */
export function writeDocument(dirs: string[], outDir: string): string {
  const reports = loadReports(dirs)
  mkdirSync(outDir, { recursive: true })
  const file = join(outDir, 'document.html')
  writeFileSync(file, renderDocumentHtml(reports, outDir))
  return file
}
