/*
 * The living document: the project's copy of the document, its sections, the reviewed map of
 * scenario id → the document's words, and the page rendered from two runs.
 *
 * The fixtures test/fixtures/document/{docker,podman}/summary.json are real runs' summaries, as
 * written (reports/docker/20261128T062935Z-535465, reports/podman/20261128T062301Z-cfa346):
 * every scenario of features/ as it then was, docker with conforms, deviates, fails and
 * not-applicable, podman with conforms and deviates; report.html beside them is an empty stand-in
 * for the link.
 */
import { test } from 'node:test'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DOC_SECTIONS, DOC_TITLE } from '../../support/document/doc'
import { type Anchor, ANCHORS, anchorsOf, shortLabel } from '../../support/document/anchors'
import { scenarioSections } from '../../support/scenario-id'
import { STATEMENTS, notObservableReason } from '../../support/document/statements'
import {
  DOCUMENT_FILE,
  DOCUMENT_SHA256,
  type DocumentSection,
  documentSections,
  documentText,
} from '../../support/document/text'
import { type LoadedReport, loadReports } from '../../support/report/matrix'
import { renderDocumentHtml, writeDocument } from '../../support/report/living-document'
import { documentCommand } from './cli-commands'
import { UsageError } from '../../support/errors'

const PROJECT = join(__dirname, '..', '..')
const FIXTURES = join(__dirname, '..', 'fixtures', 'document')
const DOCKER = join(FIXTURES, 'docker')
const PODMAN = join(FIXTURES, 'podman')

/**
 * What is wrong with a map, against the features' scenario ids and the document's sections; none
 * when right. An anchor's section is its Feature's name (anchorsOf): '' when no feature has the id.
 */
function mapProblems(
  anchors: readonly Anchor[],
  ids: readonly string[],
  sections: readonly DocumentSection[],
): string[] {
  const problems: string[] = []
  for (const id of ids) {
    const found = anchors.filter((a) => a.id === id)
    if (found.length !== 1) problems.push(`${id}: in the map ${found.length} times`)
  }
  const known = new Set(ids)
  for (const a of anchors) if (!known.has(a.id)) problems.push(`${a.id}: in the map, in no feature`)
  const placed = anchors.filter((a) => known.has(a.id))
  for (const a of placed) {
    const section = sections.find((s) => s.heading === a.section)
    if (!section) {
      problems.push(`${a.id}: no section "${a.section}" in the document`)
      continue
    }
    const lines = section.blocks.flatMap((b) => b.lines)
    const times = lines.reduce((n, l) => n + l.split(a.quote).length - 1, 0)
    if (a.quote.trim() === '' || times !== 1)
      problems.push(`${a.id}: "${a.quote}" occurs ${times} times in "${a.section}" (needs exactly once, within a line)`)
  }
  // in the document's order, so the map reads as the page does: by section, then where the words end
  const place = (a: Anchor) => {
    const si = sections.findIndex((s) => s.heading === a.section)
    const lines = sections[si]?.blocks.flatMap((b) => b.lines) ?? []
    const li = lines.findIndex((l) => l.includes(a.quote))
    return [si, li, li === -1 ? -1 : lines[li].indexOf(a.quote) + a.quote.length]
  }
  for (let i = 1; i < placed.length; i++) {
    const [p, q] = [place(placed[i - 1]), place(placed[i])]
    const before = p[0] < q[0] || (p[0] === q[0] && (p[1] < q[1] || (p[1] === q[1] && p[2] <= q[2])))
    if (!before) problems.push(`${placed[i].id}: in the map after ${placed[i - 1].id}, before it in the document`)
  }
  // distinct quotes on one line never overlap: each one's words are marked, then its badges follow
  for (const section of sections) {
    const quotes = [...new Set(placed.filter((a) => a.section === section.heading).map((a) => a.quote))]
    for (const line of section.blocks.flatMap((b) => b.lines)) {
      const spans = quotes
        .filter((q) => line.includes(q))
        .map((q) => [line.indexOf(q), line.indexOf(q) + q.length])
        .sort((x, y) => x[0] - y[0])
      for (let i = 1; i < spans.length; i++)
        if (spans[i][0] < spans[i - 1][1]) problems.push(`overlapping quotes in "${section.heading}": "${line}"`)
    }
  }
  return problems
}

test('the project carries the document verbatim (sha256 of the seed it was copied from)', () => {
  expect(createHash('sha256').update(readFileSync(DOCUMENT_FILE)).digest('hex')).to.equal(DOCUMENT_SHA256)
})

test('the document reads into its title and the sections of doc.ts, in order, with its blocks', () => {
  const sections = documentSections()
  expect(sections.map((s) => s.heading)).to.deep.equal([...DOC_SECTIONS])
  expect(sections[0].heading).to.equal(DOC_TITLE)
  const kinds = (i: number) => sections[i].blocks.map((b) => b.kind)
  expect(kinds(1), 'Publish a Container Port').to.deep.equal(['prose', 'commands', 'prose'])
  // the telnet exchange keeps its answer after the blank line that ends `GET /`
  const exposed = sections[4].blocks.filter((b) => b.kind === 'commands')
  expect(exposed).to.have.length(1)
  expect(exposed[0].lines.at(-1)).to.equal('Hello world!Connection closed by foreign host.')
  expect(exposed[0].lines.filter((l) => l.startsWith('Hello world!'))).to.have.length(2)
  // the Result: bullets of the two multi-network sections
  expect(sections[5].blocks.find((b) => b.kind === 'bullets')?.lines).to.deep.equal([
    'db and web-view cannot communicate with each other',
    'web-model can communicate with both db and web-view',
    'web-view exposes a service on port 8080 of the VCH',
  ])
  expect(sections[9].blocks.at(-1)).to.deep.equal({
    kind: 'commands',
    lines: [
      'docker: Error response from daemon: Server error from portlayer: unable to wait for process launch status',
    ],
  })
  // nothing lost: every non-blank line of the file is a heading or in a block, once, in order
  const shown = sections.flatMap((s) => [
    s.heading,
    ...s.blocks.flatMap((b) => (b.kind === 'bullets' ? b.lines.map((l) => `  • ${l}`) : b.lines)),
  ])
  expect(shown.filter((l) => l.trim() !== '')).to.deep.equal(
    documentText()
      .split('\n')
      .filter((l) => l.trim() !== ''),
  )
})

test("the map: every id of features/ once, under its Feature's heading; every quote once in its section", () => {
  const ids = [...scenarioSections().keys()]
  const problems = mapProblems(ANCHORS, ids, documentSections())
  expect(problems, problems.join('; ')).to.deep.equal([])
  expect(ANCHORS.every((a) => a.section === scenarioSections().get(a.id))).to.equal(true)
})

test('the map check fails on a missing, doubled or unknown id, and words the document does not have', () => {
  const sections = documentSections()
  const ids = [...scenarioSections().keys()]
  const [first, second, ...rest] = ANCHORS
  expect(mapProblems([second, ...rest], ids, sections)).to.deep.equal([`${first.id}: in the map 0 times`])
  expect(mapProblems([first, first, second, ...rest], ids, sections)).to.include(`${first.id}: in the map 2 times`)
  const [unknown] = anchorsOf([{ id: 'future.new-result', quote: second.quote }])
  expect(unknown.section).to.equal('')
  expect(mapProblems([...ANCHORS, unknown], ids, sections)).to.deep.equal([
    'future.new-result: in the map, in no feature',
  ])
  // an id's section comes from its feature: a quote from another section is not found in it
  const moved = { ...second, section: 'Publish a Container Port' }
  expect(mapProblems([first, moved, ...rest], ids, sections).join('\n')).to.contain(
    `${second.id}: "${second.quote}" occurs 0 times in "Publish a Container Port"`,
  )
  const misquoted = { ...second, quote: `${second.quote} (not the document's)` }
  expect(mapProblems([first, misquoted, ...rest], ids, sections).join('\n')).to.contain('occurs 0 times')
  expect(mapProblems([second, first, ...rest], ids, sections)).to.deep.equal([])
  const last = ANCHORS.at(-1)!
  expect(mapProblems([last, ...ANCHORS.slice(0, -1)], ids, sections)).to.deep.equal([
    `${ANCHORS[0].id}: in the map after ${last.id}, before it in the document`,
  ])
  const ambiguous = { ...second, quote: 'the' }
  expect(mapProblems([first, ambiguous, ...rest], ids, sections).join('\n')).to.match(/"the" occurs \d+ times/)
})

test("short labels: an Examples row's direction as an arrow, else the last part of the id", () => {
  expect(shortLabel('combine.all-communicate.db-to-model')).to.equal('db→model')
  expect(shortLabel('new-bridge.ping-by-name.client-to-server')).to.equal('client→server')
  expect(shortLabel('combine.mapping-on-create-network-only.applies-to-create-network')).to.equal(
    'applies-to-create-network',
  )
  expect(shortLabel('exposed-port.public-5000')).to.equal('public-5000')
})

/** The badge group of `id`: its HTML, from the page. */
function groupOf(html: string, id: string): string {
  const start = html.indexOf(`<span class="results" id="result-${id}"`)
  expect(start, `badge group of ${id}`).to.be.above(-1)
  const next = html.indexOf('<span class="results"', start + 1)
  return html.slice(start, next === -1 ? undefined : next)
}

function groupsIn(html: string): string[] {
  return [...html.matchAll(/<span class="results" id="result-[^"]+" data-scenario="([^"]+)"/g)].map((m) => m[1])
}

test("the page: the document in order, after each id's words a badge per endpoint: verdict, reason, link", () => {
  const reports = loadReports([DOCKER, PODMAN])
  const html = renderDocumentHtml(reports, FIXTURES)
  // self-contained: nothing loaded, no script
  expect(html).to.contain(
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
  )
  expect(html).to.not.match(/<script|<link |<img |src=|url\(|@import|https?:\/\//)
  // every heading, in the document's order
  const headings = [...html.matchAll(/<h[12][^>]*>([^<]+)<\/h[12]>/g)].map((m) => m[1])
  expect(headings).to.deep.equal(DOC_SECTIONS.map((h) => h.replace(/"/g, '&quot;').replace(/'/g, '&#39;')))
  // every id once, in the map's order (the document's)
  expect(groupsIn(html)).to.deep.equal(ANCHORS.map((a) => a.id))
  // right after the words: the bullet, then its six groups
  const bullet = html.indexOf(
    '<span class="stated">All the containers can communicate with each other.</span><span class="groups">',
  )
  expect(bullet).to.be.above(-1)
  const after = groupsIn(html.slice(bullet, html.indexOf('</li>', bullet)))
  expect(after).to.deep.equal(ANCHORS.filter((a) => a.id.startsWith('combine.all-communicate.')).map((a) => a.id))
  // in an output line: network-listed after the line docker network ls prints
  expect(html).to.contain(
    '<span class="line"><span class="stated">615d565d498c        my-bridge-network   bridge</span><span ' +
      'class="groups"><span class="results" id="result-new-bridge.network-listed"',
  )
  // badges: docker's fails and not-applicable, podman's deviates, each with its reason and its run's report
  const docker = reports[0].summary.scenarios
  const failing = docker.find((s) => s.verdict === 'fails')!
  const na = docker.find((s) => s.verdict === 'not-applicable')!
  const dockerBadge = (id: string) =>
    new RegExp(
      '<a class="badge v-([a-z-]+)" data-target="docker" data-verdict="[a-z-]+" title="([^"]*)" ' +
        'href="docker/report.html">',
    ).exec(groupOf(html, id))
  expect(dockerBadge(failing.id)?.[1]).to.equal('fails')
  expect(dockerBadge(failing.id)?.[2])
    .to.contain('docker: fails — ')
    .and.contain(escAttr(failing.reason.replace(/\s+/g, ' ').trim()).slice(0, 60))
  expect(dockerBadge(na.id)?.[1]).to.equal('not-applicable')
  expect(groupOf(html, 'subnet.default-mask-16')).to.match(
    new RegExp(
      /<a class="badge v-deviates" data-target="podman" data-verdict="deviates" title="podman: deviates — [^"]+" /
        .source +
        /href="podman\/report.html"><span class="ep">podman<\/span> <span class="vw">deviates<\/span><\/a>/.source,
    ),
  )
  // the endpoints at the top, with totals over the page's results
  expect(html).to.match(
    new RegExp(
      /<tr data-target="docker"><td class="name"><a href="docker\/report.html">docker<\/a><\/td>/.source +
        /<td>Docker Engine 20.10.24\+dfsg1<\/td><td>API 1.41<\/td><td>2026-11-28 06:29 UTC/.source,
    ),
  )
  expect(html).to.contain(
    '<li class="v-conforms">31 conforms</li><li class="v-deviates">7 deviates</li><li class="v-fails">1 ' +
      'fails</li><li class="v-not-applicable">2 not-applicable</li>',
  )
  expect(html).to.not.contain('id="unplaced"')
})

function escAttr(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

test('the page: an id a run lacks is "not run", no link; an id the map lacks is listed after the document', () => {
  const [docker, podman] = loadReports([DOCKER, PODMAN])
  const partial: LoadedReport = {
    ...podman,
    summary: {
      ...podman.summary,
      scenarios: [
        ...podman.summary.scenarios.filter((s) => s.id !== 'dhcp.lease-and-dns'),
        { ...podman.summary.scenarios[0], id: 'future.new-result', name: 'A result a later feature states' },
      ],
    },
  }
  const html = renderDocumentHtml([docker, partial], FIXTURES)
  expect(groupOf(html, 'dhcp.lease-and-dns')).to.contain(
    '<span class="badge v-not-run" data-target="podman" data-verdict="not-run" title="podman: not run — not in ' +
      'that endpoint&#39;s run"><span class="ep">podman</span> <span class="vw">not run</span></span>',
  )
  const unplaced = html.slice(html.indexOf('<section class="unplaced" id="unplaced">'))
  expect(unplaced)
    .to.contain('data-scenario="future.new-result"')
    .and.contain('<span class="badge v-not-run" data-target="docker"')
  expect(groupsIn(html)).to.deep.equal([...ANCHORS.map((a) => a.id), 'future.new-result'])
  // podman's run lacks dhcp.lease-and-dns, docker's future.new-result; both the ids of the map newer than the fixtures
  const newer = ANCHORS.filter((a) => !podman.summary.scenarios.some((s) => s.id === a.id)).length
  expect(html).to.contain(`<li class="v-not-run">${1 + newer} not run</li>`)
})

test('netconform document: writes document.html into --out; a missing folder or none is a one-line usage error', () => {
  const out = mkdtempSync(join(tmpdir(), 'netconform-document-'))
  try {
    const lines: string[] = []
    expect(documentCommand([DOCKER, PODMAN, '--out', out], (l) => lines.push(l))).to.equal(0)
    expect(lines).to.have.length(1)
    expect(lines[0]).to.match(/^netconform: living document in .*document\.html$/)
    const html = readFileSync(join(out, 'document.html'), 'utf8')
    expect(html).to.contain(`<title>${DOC_TITLE}: the living document</title>`)
    expect(writeDocument([DOCKER], out)).to.equal(join(out, 'document.html'))
    expect(() => documentCommand([], () => {})).to.throw(
      UsageError,
      /^document: missing DIR…; usage: netconform document DIR… \[OPTION…\]/,
    )
    expect(() => documentCommand([join(out, 'nowhere')], () => {})).to.throw(UsageError, /^no report at .*nowhere/)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

test('the CLI: `netconform document` with no folder or a missing one exits 2 with one line on stderr', async () => {
  const { execa } = await import('execa')
  for (const args of [['document'], ['document', join(FIXTURES, 'nowhere')], ['document', DOCKER, '--bogus']]) {
    const r = await execa('node', [join(PROJECT, 'bin', 'netconform.cjs'), ...args], {
      cwd: PROJECT,
      reject: false,
      timeout: 30_000,
    })
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(2)
    expect(String(r.stderr).trim().split('\n'), args.join(' ')).to.have.length(1)
    expect(String(r.stderr))
      .to.match(/^netconform: /)
      .and.not.match(/\n\s+at /)
  }
})

test('the page marks each catalogued statement: its reason when not observable, its ids when checked elsewhere', () => {
  const html = renderDocumentHtml(loadReports([DOCKER, PODMAN]), FIXTURES)
  // a statement not observable here: its reason right after its words
  expect(html).to.contain(
    'which will benefit throughput performance<span class="unchecked" data-statement="not-observable" ' +
      'title="not checked here: a performance claim, measured and not judged',
  )
  const reasons = STATEMENTS.flatMap((c) => c.statements.map(notObservableReason)).filter((r) => r !== undefined)
  expect(html.match(/<span class="unchecked" data-statement="not-observable"/g)).to.have.length(reasons.length)
  // the NOTE's default is checked by the trust scenarios, whose own words are the next sentence: their groups again
  const note = html.indexOf('NOTE: The default level of trust on VCH container networks is published.')
  const also = html.slice(note, html.indexOf('As a consequence', note))
  expect([...also.matchAll(/<span class="results also" data-scenario="([^"]+)"/g)].map((m) => m[1])).to.deep.equal([
    'trust.published-port-reachable',
    'trust.create-published-port-reachable',
    'trust.unpublished-port-closed',
  ])
  // a statement whose ids are anchored inside its words adds nothing
  const bullet = html.indexOf('All the containers can communicate with each other.')
  expect(html.slice(bullet, html.indexOf('</li>', bullet))).to.not.contain('results also')
})
