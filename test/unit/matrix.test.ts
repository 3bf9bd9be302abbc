/*
 * The fixtures test/fixtures/matrix/{docker,podman}/summary.json are real runs' summaries
 * (reports/<target>/latest/summary.json), with one change: in podman's, subnet.default-mask-16
 * was turned from fails into deviates, with a reason, so that all four verdicts appear.
 */
import { test } from 'node:test'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DOC_SECTIONS, docOrder } from '../../support/document/doc'
import { UsageError } from '../../support/errors'
import {
  type LoadedReport,
  loadReports,
  renderMatrixHtml,
  renderMatrixMarkdown,
  truncateReason,
  writeMatrix,
} from '../../support/report/matrix'
import type { ScenarioResult, Summary } from '../../support/types'
import { matrixCommand } from './cli-commands'

const FIXTURES = join(__dirname, '..', 'fixtures', 'matrix')
const DOCKER = join(FIXTURES, 'docker')
const PODMAN = join(FIXTURES, 'podman')

const fixtures = (): LoadedReport[] => loadReports([DOCKER, PODMAN])

function withScenarios(report: LoadedReport, change: (s: ScenarioResult[]) => ScenarioResult[]): LoadedReport {
  return { ...report, summary: { ...report.summary, scenarios: change(structuredClone(report.summary.scenarios)) } }
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-matrix-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

// --- reading the HTML back ----------------------------------------------------------------------

function htmlSections(html: string): string[] {
  return [...html.matchAll(/<tr class="section"><th [^>]*><span>(.*?)<\/span>/g)].map((m) => m[1])
}

/** Doc heading → the scenario ids under it, in page order. */
function htmlRowsBySection(html: string): [string, string[]][] {
  const out: [string, string[]][] = []
  for (const m of html.matchAll(
    /<tr class="section"><th [^>]*><span>(.*?)<\/span>|<tr id="[^"]*" data-scenario="([^"]*)"/g,
  )) {
    if (m[1] !== undefined) out.push([m[1], []])
    else out[out.length - 1][1].push(m[2])
  }
  return out
}

interface HtmlCell {
  verdict: string
  target: string
  href?: string
  title?: string
  /** The chip's label. */
  text: string
  /** The letter of the row's reason the cell gives. */
  key?: string
}

/** One reason below a row: its letter, the endpoints that give it, its one-line summary and its whole words. */
interface HtmlReason {
  key: string
  who: string
  gist: string
  whole: string[]
}

const idPattern = (id: string) => id.replace(/[.]/g, '\\.')

function htmlRow(html: string, id: string): string {
  const m = html.match(
    new RegExp(`<tr id="[^"]*" data-scenario="${idPattern(id)}"(?: class="has-reasons")?>([\\s\\S]*?)</tr>`),
  )
  if (!m) throw new Error(`no row ${id}`)
  return m[1]
}

function htmlReasons(html: string, id: string): HtmlReason[] {
  const m = html.match(new RegExp(`<tr class="reasons" data-reasons-of="${idPattern(id)}">([\\s\\S]*?)</tr>`))
  if (!m) return []
  const text = (h: string) =>
    h
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  return [...m[1].matchAll(/<li data-reason="([^"]*)"><details>([\s\S]*?)<\/details><\/li>/g)].map((r) => ({
    key: r[1],
    who: text(r[2].match(/<span class="who">([\s\S]*?)<\/span><span class="gist">/)?.[1] ?? ''),
    gist: r[2].match(/<span class="gist">(.*?)<\/span>/)?.[1] ?? '',
    whole: [...(r[2].match(/<div class="whole">([\s\S]*?)<\/div>/)?.[1] ?? '').matchAll(/<p>(.*?)<\/p>/g)].map((p) =>
      p[1].replace(/<span class="target">(.*?)<\/span>/, '$1'),
    ),
  }))
}

function htmlCells(html: string, id: string): HtmlCell[] {
  return [
    ...htmlRow(html, id).matchAll(
      /<td class="v-([a-z-]+)" data-target="([^"]*)" data-verdict="[^"]*">([\s\S]*?)<\/td>/g,
    ),
  ].map((m) => ({
    verdict: m[1],
    target: m[2],
    href: m[3].match(/<a href="([^"]*)"/)?.[1],
    title: m[3].match(/ title="([^"]*)"/)?.[1],
    text: m[3].match(/<span class="verdict">(.*?)<\/span>/)?.[1] ?? '',
    key: m[3].match(/<span class="key">(.*?)<\/span>/)?.[1],
  }))
}

function htmlTotals(html: string): string[] {
  const row = html.match(/<tr class="totals">([\s\S]*?)<\/tr>/)
  if (!row) throw new Error('no totals row')
  return [...row[1].matchAll(/<td [^>]*>([\s\S]*?)<\/td>/g)].map((m) =>
    m[1]
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  )
}

// --- reading the Markdown back --------------------------------------------------------------------

function mdRows(md: string): string[][] {
  return md
    .split('\n')
    .filter((l) => l.startsWith('| '))
    .map((l) => l.slice(2, -2).split(/(?<!\\) \| /))
}

function mdSections(md: string): string[] {
  return mdRows(md)
    .map((cells) => cells[0].match(/^\*\*(.+)\*\*$/)?.[1])
    .filter((s): s is string => s !== undefined && s !== 'Totals')
}

function mdRow(md: string, id: string): string[] {
  const row = mdRows(md).find((cells) => cells[0].includes(`<sub>${id.replace(/_/g, '\\_')}</sub>`))
  if (!row) throw new Error(`no row ${id}`)
  return row
}

// --------------------------------------------------------------------------------------------------

test("loadReports reads each folder's summary.json, keeping the folder as given", () => {
  const reports = fixtures()
  expect(reports.map((r) => r.dir)).to.deep.equal([DOCKER, PODMAN])
  expect(reports.map((r) => r.summary.target.name)).to.deep.equal(['docker', 'podman'])
  const verdicts = new Set(reports.flatMap((r) => r.summary.scenarios.map((s) => s.verdict)))
  expect([...verdicts].sort()).to.deep.equal(['conforms', 'deviates', 'fails', 'not-applicable'])
})

test('loadReports: a missing folder, or one without summary.json, is a UsageError naming it', (t) => {
  const missing = join(FIXTURES, 'no-such-run')
  expect(() => loadReports([DOCKER, missing])).to.throw(UsageError, missing)
  const empty = tempDir(t)
  expect(() => loadReports([empty])).to.throw(UsageError, `no summary.json in report folder ${empty}`)
  writeFileSync(join(empty, 'summary.json'), '{"not": "a summary"}')
  expect(() => loadReports([empty])).to.throw(UsageError, empty)
  const summary = JSON.parse(readFileSync(join(DOCKER, 'summary.json'), 'utf8')) as Summary
  summary.scenarios[3] = { ...summary.scenarios[3], verdict: 'exploded' as never }
  writeFileSync(join(empty, 'summary.json'), JSON.stringify(summary))
  expect(() => loadReports([empty])).to.throw(
    UsageError,
    `field "scenarios[3].verdict" (scenario ${summary.scenarios[3].id}) is "exploded", not one of`,
  )
})

test('loadReports refuses, through the summary schema, a summary.json compare would refuse: one line naming the file and the fields', (t) => {
  const dir = tempDir(t)
  const summary = JSON.parse(readFileSync(join(DOCKER, 'summary.json'), 'utf8')) as Summary
  const broken = {
    ...summary,
    target: { ...summary.target, name: undefined },
    scenarios: [summary.scenarios[0], summary.scenarios[0]],
  }
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(broken))
  expect(() => loadReports([dir])).to.throw(
    UsageError,
    `${join(dir, 'summary.json')} is not a netconform summary: missing field "target.name"`,
  )
  writeFileSync(
    join(dir, 'summary.json'),
    JSON.stringify({ ...summary, scenarios: [summary.scenarios[0], summary.scenarios[0]] }),
  )
  expect(() => loadReports([dir])).to.throw(
    UsageError,
    `scenario id ${summary.scenarios[0].id} appears twice (scenarios[0] and scenarios[1])`,
  )
})

test("loadReports takes a summary.json file too: its folder is the report's", () => {
  const [report] = loadReports([join(DOCKER, 'summary.json')])
  expect(report.dir).to.equal(DOCKER)
  expect(report.summary.target.name).to.equal('docker')
})

/** The sections of doc.ts the runs have scenarios of (the fixtures' runs predate a section added since). */
const sectionsOf = (reports: LoadedReport[]) =>
  DOC_SECTIONS.filter((h) => reports.some((r) => r.summary.scenarios.some((s) => s.doc === h)))

test('rows: one per scenario id, grouped under the doc section headings in document order', () => {
  const reports = fixtures()
  const html = renderMatrixHtml(reports, FIXTURES)
  expect(htmlSections(html)).to.deep.equal(sectionsOf(reports))
  const ids = reports[0].summary.scenarios.map((s) => s.id)
  const bySection = htmlRowsBySection(html)
  expect(bySection.flatMap(([, rows]) => rows)).to.deep.equal(ids)
  const docOf = new Map(reports[0].summary.scenarios.map((s) => [s.id, s.doc]))
  for (const [heading, rows] of bySection) for (const id of rows) expect(docOf.get(id), id).to.equal(heading)
  // the scenario's name labels the row, its id small beneath
  expect(htmlRow(html, 'subnet.default-mask-16')).to.include(
    '<th scope="row"><span class="name">By default, user-defined bridge networks have a subnet mask value of 16</span><span class="id">subnet.default-mask-16</span></th>',
  )

  const md = renderMatrixMarkdown(reports, FIXTURES)
  expect(mdSections(md)).to.deep.equal(sectionsOf(reports))
  expect(mdRow(md, 'subnet.default-mask-16')[0]).to.equal(
    'By default, user-defined bridge networks have a subnet mask value of 16<br><sub>subnet.default-mask-16</sub>',
  )
})

test('rows stay in document order whatever order the runs list them in', () => {
  const [docker, podman] = fixtures()
  const shuffled = withScenarios(docker, (s) => s.reverse())
  const html = renderMatrixHtml([shuffled, podman], FIXTURES)
  const sections = htmlSections(html)
  expect(sections).to.deep.equal(sectionsOf([docker, podman]))
  expect([...sections].sort((a, b) => docOrder(a) - docOrder(b))).to.deep.equal(sections)
  const docOf = new Map(docker.summary.scenarios.map((s) => [s.id, s.doc]))
  for (const [heading, rows] of htmlRowsBySection(html))
    for (const id of rows) expect(docOf.get(id), id).to.equal(heading)
})

test("each row has a cell per endpoint: its verdict as a chip, a link to that run's report.html, the reason's letter; the reason once below the row", () => {
  const html = renderMatrixHtml(fixtures(), FIXTURES)
  const podmanReason =
    'podman gives a new bridge network a /24 subnet (10.89.1.0/24), not the /16 the document describes; a network created with --subnet gets the mask asked for'
  const [docker, podman] = htmlCells(html, 'subnet.default-mask-16')
  expect(htmlCells(html, 'subnet.default-mask-16')).to.have.length(2)
  expect(docker).to.include({ verdict: 'conforms', target: 'docker', href: 'docker/report.html', text: 'conforms' })
  expect(docker.title).to.equal(undefined)
  expect(podman).to.include({
    verdict: 'deviates',
    target: 'podman',
    href: 'podman/report.html',
    text: 'deviates',
    title: podmanReason,
  })
  expect(podman.key).to.equal('a')
  expect(docker.key).to.equal(undefined)
  expect(htmlReasons(html, 'subnet.default-mask-16')).to.deep.equal([
    { key: 'a', who: 'deviates podman', gist: podmanReason, whole: [podmanReason] },
  ])
  // a conforming row has no reasons below it
  expect(htmlReasons(html, 'new-bridge.network-listed')).to.deep.equal([])

  expect(htmlCells(html, 'dhcp.lease-and-dns').map((c) => [c.target, c.text])).to.deep.equal([
    ['docker', 'n/a'],
    ['podman', 'conforms'],
  ])
  expect(htmlCells(html, 'static-ip.taken-address-refused').map((c) => c.text)).to.deep.equal(['fails', 'fails'])
  for (const [heading, rows] of htmlRowsBySection(html)) {
    for (const id of rows) expect(htmlCells(html, id), `${heading}: ${id}`).to.have.length(2)
  }

  const md = renderMatrixMarkdown(fixtures(), FIXTURES)
  const row = mdRow(md, 'subnet.default-mask-16')
  expect(row).to.have.length(3)
  expect(row[1]).to.equal('🟢 [conforms](docker/report.html)')
  expect(row[2]).to.match(/^🟡 \[deviates\]\(podman\/report\.html "podman gives a new bridge network a \/24 subnet/)
})

test("links are relative to the matrix's folder, and follow a symlinked report folder to its run", (t) => {
  const reports = fixtures()
  expect(
    htmlCells(renderMatrixHtml(reports, join(FIXTURES, 'out')), 'dhcp.lease-and-dns').map((c) => c.href),
  ).to.deep.equal(['../docker/report.html', '../podman/report.html'])
  const root = tempDir(t)
  const run = join(root, 'docker', '20261127T225440Z-65ff70 (1)')
  mkdirSync(run, { recursive: true })
  cpSync(join(DOCKER, 'summary.json'), join(run, 'summary.json'))
  symlinkSync('20261127T225440Z-65ff70 (1)', join(root, 'docker', 'latest'))
  const html = renderMatrixHtml(loadReports([join(root, 'docker', 'latest')]), root)
  expect(htmlCells(html, 'dhcp.lease-and-dns')[0].href).to.equal('docker/20261127T225440Z-65ff70%20%281%29/report.html')
})

test('a scenario missing from one endpoint\'s run shows "not run", without a link, and is counted', () => {
  const [docker, podman] = fixtures()
  const partial = withScenarios(podman, (s) => s.filter((x) => x.id !== 'combine.all-communicate'))
  const html = renderMatrixHtml([docker, partial], FIXTURES)
  const [d, p] = htmlCells(html, 'combine.all-communicate')
  expect(d).to.include({ verdict: 'conforms', text: 'conforms' })
  expect(p).to.include({ verdict: 'not-run', target: 'podman', text: 'not run', href: undefined, key: undefined })
  expect(htmlTotals(html)[1]).to.include('1 not run')
  expect(htmlTotals(html)[0]).not.to.include('not run')

  // a scenario only the second run has still gets its row, in its section
  const onlyPodman = withScenarios(podman, (s) => [
    ...s,
    { ...s[0], id: 'trust.extra', name: 'An extra scenario', verdict: 'fails', reason: 'extra' },
  ])
  const html2 = renderMatrixHtml([docker, onlyPodman], FIXTURES)
  expect(htmlRowsBySection(html2)[0][1]).to.include('trust.extra')
  expect(htmlCells(html2, 'trust.extra').map((c) => c.text)).to.deep.equal(['not run', 'fails'])

  const md = renderMatrixMarkdown([docker, partial], FIXTURES)
  expect(mdRow(md, 'combine.all-communicate').slice(1)).to.deep.equal([
    '🟢 [conforms](docker/report.html)',
    '➖ *not run*',
  ])
})

test('every text is escaped: reasons, names, ids and target names with < and &', () => {
  const [docker, podman] = fixtures()
  const nasty = withScenarios(podman, (s) =>
    s.map((x) =>
      x.id === 'dhcp.lease-and-dns'
        ? {
            ...x,
            name: 'a <b>bold</b> & name',
            verdict: 'fails',
            reason: 'got <script>alert("x")</script> & \'more\' | here',
          }
        : x,
    ),
  )
  nasty.summary = { ...nasty.summary, target: { ...nasty.summary.target, name: 'pod<man> & co' } }
  // the row's label comes from the first run that has the scenario
  const html = renderMatrixHtml([nasty, docker], FIXTURES)
  expect(html).not.to.include('<script')
  expect(html).not.to.include('<b>')
  expect(html).not.to.include('<man>')
  // the columns are grouped by engine: Docker Engine's first
  const cell = htmlCells(html, 'dhcp.lease-and-dns')[1]
  expect(cell.title).to.equal('got &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39; | here')
  expect(htmlReasons(html, 'dhcp.lease-and-dns').find((r) => r.who.includes('pod&lt;man&gt;'))?.gist).to.equal(
    'got &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39; | here',
  )
  expect(cell.target).to.equal('pod&lt;man&gt; &amp; co')
  expect(htmlRow(html, 'dhcp.lease-and-dns')).to.include('a &lt;b&gt;bold&lt;/b&gt; &amp; name')
  expect(html).to.include('>pod&lt;man&gt; &amp; co</a>')

  const md = renderMatrixMarkdown([nasty, docker], FIXTURES)
  expect(md).not.to.include('<script')
  expect(md).not.to.include('<b>')
  const row = mdRow(md, 'dhcp.lease-and-dns')
  expect(row).to.have.length(3) // the | in the reason did not split the row
  expect(row[0]).to.equal('a &lt;b&gt;bold&lt;/b&gt; &amp; name<br><sub>dhcp.lease-and-dns</sub>')
  expect(row[2]).to.include('<sub>got &lt;script&gt;alert("x")&lt;/script&gt; &amp; \'more\' \\| here</sub>')
  expect(md).to.include('[**pod&lt;man&gt; &amp; co**]')
})

test("a long reason: the whole of it is the cell's tooltip and, once, the reasons' on demand; Markdown cuts it to 140 characters", () => {
  const [docker, podman] = fixtures()
  const long = 'x'.repeat(100) + ' and then ' + 'y'.repeat(200)
  const reports = [docker, withScenarios(podman, (s) => s.map((x) => ({ ...x, reason: long })))]
  const html = renderMatrixHtml(reports, FIXTURES)
  const cell = htmlCells(html, 'trust.unpublished-port-closed')[1]
  expect(cell.title).to.equal(long)
  const reason = htmlReasons(html, 'trust.unpublished-port-closed').find((r) => r.who.endsWith('podman'))!
  expect(reason.gist).to.equal(long)
  expect(reason.whole).to.deep.equal([long])
  // closed until opened: a <details> whose summary the page's CSS keeps to one line
  expect(html).to.match(/tr\.reasons summary \{[^}]*white-space: nowrap; overflow: hidden; text-overflow: ellipsis;/)
  expect(html).not.to.match(/<details open/)
  expect(mdRow(renderMatrixMarkdown(reports, FIXTURES), 'trust.unpublished-port-closed')[2]).to.include(
    `<sub>${truncateReason(long)}</sub>`,
  )
  expect(truncateReason('short')).to.equal('short')
  expect(truncateReason('a'.repeat(140))).to.equal('a'.repeat(140))
  expect(Array.from(truncateReason('é'.repeat(141)))).to.have.length(140)
})

test('endpoints that give the same reason share it: said once, naming them; a deviation by its declared reason, what each run observed on demand', () => {
  const [docker, podman] = fixtures()
  const renamed = (r: LoadedReport, name: string): LoadedReport => ({
    ...r,
    summary: { ...r.summary, target: { ...r.summary.target, name } },
  })
  const declared = 'Podman gives a new network a /24.'
  const deviating = (r: LoadedReport, observed: string) =>
    withScenarios(r, (s) =>
      s.map((x) =>
        x.id === 'subnet.default-mask-16'
          ? {
              ...x,
              verdict: 'deviates' as const,
              reason: `${declared} (observed: ${observed})`,
              deviation: { reason: declared },
            }
          : x,
      ),
    )
  const a = deviating(renamed(podman, 'podman-a'), 'masks /24 on run 1')
  const b = deviating(renamed(podman, 'podman-b'), 'masks /24 on run 2')
  const html = renderMatrixHtml([docker, a, b], FIXTURES)
  expect(htmlCells(html, 'subnet.default-mask-16').map((c) => c.key)).to.deep.equal([undefined, 'a', 'a'])
  expect(htmlReasons(html, 'subnet.default-mask-16')).to.deep.equal([
    {
      key: 'a',
      who: 'deviates podman-a, podman-b',
      gist: declared,
      whole: [
        declared,
        `podman-a: ${declared} (observed: masks /24 on run 1)`,
        `podman-b: ${declared} (observed: masks /24 on run 2)`,
      ],
    },
  ])
  // not applicable on two endpoints for the same want: one reason, the endpoint's own name put as ‹endpoint›
  const lacking = (name: string) =>
    withScenarios(renamed(docker, name), (s) =>
      s.map((x) =>
        x.id === 'dhcp.lease-and-dns'
          ? { ...x, reason: `target ${name} offers no DHCP network (offers.dhcpNetwork in targets/${name}.yaml): none` }
          : x,
      ),
    )
  const html2 = renderMatrixHtml([lacking('docker-x'), lacking('docker-y'), podman], FIXTURES)
  const reasons = htmlReasons(html2, 'dhcp.lease-and-dns')
  expect(reasons.map((r) => [r.key, r.who, r.gist])).to.deep.equal([
    [
      'a',
      'n/a docker-x, docker-y',
      'target ‹endpoint› offers no DHCP network (offers.dhcpNetwork in targets/‹endpoint›.yaml): none',
    ],
  ])
})

test('columns are grouped by engine family and version, in that order, whatever order the runs are given in', () => {
  const [docker, podman] = fixtures()
  const as = (r: LoadedReport, name: string, engine: string, version: string): LoadedReport => ({
    ...r,
    summary: {
      ...r.summary,
      target: { ...r.summary.target, name, engine: { ...r.summary.target.engine, name: engine, version } },
    },
  })
  const html = renderMatrixHtml(
    [
      as(podman, 'p6', 'Podman Engine', '6.1.1'),
      as(docker, 'd28', 'Docker Engine', '28.5.2+dfsg4'),
      as(podman, 'p4', 'Podman Engine', '4.3.1'),
      as(docker, 'd20', 'Docker Engine', '20.10.24+dfsg1'),
      as(podman, 'p6r', 'Podman Engine', '6.1.1'),
    ],
    FIXTURES,
  )
  expect(htmlCells(html, 'subnet.default-mask-16').map((c) => c.target)).to.deep.equal([
    'd20',
    'd28',
    'p4',
    'p6',
    'p6r',
  ])
  const groups = [...html.matchAll(/<th scope="colgroup" colspan="(\d+)" class="group">(.*?)<\/th>/g)].map((m) => [
    m[2],
    Number(m[1]),
  ])
  expect(groups).to.deep.equal([
    ['Docker Engine 20.10', 1],
    ['Docker Engine 28.5', 1],
    ['Podman Engine 4.3', 1],
    ['Podman Engine 6.1', 2],
  ])
})

test('a totals row per endpoint, and the header names target, engine and version, API version and run date', () => {
  const html = renderMatrixHtml(fixtures(), FIXTURES)
  expect(htmlTotals(html)).to.deep.equal([
    '21 conforms 0 deviates 7 fails 2 n/a',
    '17 conforms 1 deviates 12 fails 0 n/a',
  ])
  expect(html).to.include(
    '<th scope="col" title="Docker Engine 20.10.24+dfsg1 · API 1.41 · run 2026-11-27 22:54 UTC"><div class="target"><a href="docker/report.html">docker</a></div><div class="meta">20.10.24+dfsg1 · API 1.41</div></th>',
  )
  expect(html).to.include(
    '<th scope="col" title="Podman Engine 4.3.1 · API 1.41 · run 2026-11-27 22:55 UTC"><div class="target"><a href="podman/report.html">podman</a></div><div class="meta">4.3.1 · API 1.41</div></th>',
  )
  expect(html).to.include('<th scope="colgroup" colspan="1" class="group">Docker Engine 20.10</th>')

  const md = renderMatrixMarkdown(fixtures(), FIXTURES)
  const [header, , totals] = mdRows(md)
  expect(header[1]).to.equal(
    '[**docker**](docker/report.html)<br>Docker Engine 20.10.24+dfsg1<br>API 1.41<br>2026-11-27 22:54 UTC',
  )
  expect(totals).to.deep.equal([
    '**Totals**',
    '21 conforms, 0 deviates, 7 fails, 2 not-applicable',
    '17 conforms, 1 deviates, 12 fails, 0 not-applicable',
  ])
})

test('the HTML is one self-contained page: inline CSS, no scripts, nothing loaded from elsewhere; it has a legend', () => {
  const html = renderMatrixHtml(fixtures(), FIXTURES)
  expect(html).to.match(/^<!doctype html>/)
  expect(html).to.include('<style>')
  expect(html).to.include('position: sticky')
  for (const banned of ['<script', '<link', '<img', '<iframe', 'src=', '@import', 'url(', 'http://', 'https://']) {
    expect(html, banned).not.to.include(banned)
  }
  expect(html).to.include(`content="default-src 'none'; style-src 'unsafe-inline'"`)
  const legend = html.match(/<ul class="legend"[^>]*>([\s\S]*?)<\/ul>/)?.[1] ?? ''
  for (const [cls, chip, word] of [
    ['conforms', 'conforms', 'conforms'],
    ['deviates', 'deviates', 'deviates'],
    ['fails', 'fails', 'fails'],
    ['not-applicable', 'n/a', 'not-applicable'],
    ['not-run', 'not run', 'not run'],
  ]) {
    expect(legend).to.include(`<span class="chip v-${cls}">${chip}</span> ${word}: `)
  }
  expect(renderMatrixMarkdown(fixtures(), FIXTURES)).to.match(/^Legend: 🟢 \*\*conforms\*\*/m)
})

test('writeMatrix writes matrix.html and matrix.md into the folder, creating it', (t) => {
  const out = join(tempDir(t), 'nested', 'out')
  const written = writeMatrix([DOCKER, PODMAN], out)
  expect(written).to.deep.equal({ html: join(out, 'matrix.html'), md: join(out, 'matrix.md') })
  const html = readFileSync(written.html, 'utf8')
  expect(htmlCells(html, 'subnet.default-mask-16')[1].href).to.match(
    /^(\.\.\/)+.*test\/fixtures\/matrix\/podman\/report\.html$/,
  )
  expect(readFileSync(written.md, 'utf8')).to.match(/^# Container networking conformance matrix/)
})

test('matrixCommand: DIR… [--out DIR] prints the two paths; no DIR is a UsageError with the usage', async (t) => {
  const out = tempDir(t)
  const lines: string[] = []
  expect(await matrixCommand([DOCKER, '--out', out, PODMAN], (l) => lines.push(l))).to.equal(0)
  expect(lines).to.have.length(2)
  expect(lines[0]).to.include(join(out, 'matrix.html'))
  expect(lines[1]).to.include(join(out, 'matrix.md'))
  expect(existsSync(join(out, 'matrix.html'))).to.equal(true)
  expect(htmlTotals(readFileSync(join(out, 'matrix.html'), 'utf8'))).to.have.length(2)

  const rejectionOf = (argv: string[]) =>
    matrixCommand(argv, () => {}).then(
      () => new Error('resolved'),
      (e: Error) => e,
    )
  expect(await rejectionOf([]))
    .to.be.instanceOf(UsageError)
    .with.property('message')
    .that.matches(/usage: netconform matrix DIR… \[OPTION…\]/)
  expect(await rejectionOf(['--out', out]))
    .to.be.instanceOf(UsageError)
    .with.property('message')
    .that.matches(/^matrix: missing DIR…/)
  expect(await rejectionOf([join(FIXTURES, 'nope'), '--out', out]))
    .to.be.instanceOf(UsageError)
    .with.property('message')
    .that.matches(/nope/)
  expect((await rejectionOf([DOCKER, '--bogus'])).message).to.match(/bogus/)
})

test('the fixtures are what the header comment says: two real runs, one deviates', () => {
  const summaries = [DOCKER, PODMAN].map((d) => JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as Summary)
  for (const s of summaries) {
    expect(s.scenarios).to.have.length(30)
    const totals = { conforms: 0, deviates: 0, fails: 0, 'not-applicable': 0 }
    for (const x of s.scenarios) totals[x.verdict] += 1
    expect(s.totals).to.deep.equal(totals)
    expect(existsSync(join(d(s), 'report.html'))).to.equal(true)
  }
  expect(summaries[1].scenarios.filter((s) => s.verdict === 'deviates').map((s) => s.id)).to.deep.equal([
    'subnet.default-mask-16',
  ])
  function d(s: Summary): string {
    return s.target.name === 'docker' ? DOCKER : PODMAN
  }
})
