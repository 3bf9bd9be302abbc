/**
 * Renders the living document of the lab's complete runs (or, before any, of the fixture runs in
 * test/fixtures/document) in Debian's headless Chromium, keeps a screenshot of it,
 * reports/document-screenshot.png, to look at, and measures it: no horizontal overflow at
 * 1400 px (with two endpoints and with five), every badge inside the window, every scenario id
 * of the runs once, every section heading of the document.
 *
 *   sh test/ensure-chromium.sh        # installs chromium with apt-get when it is not on PATH
 *   node --require ts-node/register --test test/document-screenshot.test.ts
 *
 * Chromium is launched by test/chromium.ts (skipped without it, unless CI is set).
 */
import { test } from 'node:test'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { chromiumOr, fullestRun, measure, screenshot } from './chromium'
import { DOC_SECTIONS } from '../support/document/doc'
import { ANCHORS } from '../support/document/anchors'
import { type LoadedReport, loadReports } from '../support/report/matrix'
import { renderDocumentHtml, writeDocument } from '../support/report/living-document'
import { LAB_ENDPOINTS } from '../support/cli/conformance'

const PROJECT = join(__dirname, '..')
const FIXTURES = join(__dirname, 'fixtures', 'document')
/** The lab's complete runs of its endpoints when all exist (after the lab tests), else the fixture runs. */
const LAB_RUNS = LAB_ENDPOINTS.map((target) => fullestRun(PROJECT, target))
const RUNS = LAB_RUNS.every((d) => d !== undefined)
  ? (LAB_RUNS as string[])
  : [join(FIXTURES, 'docker'), join(FIXTURES, 'podman')]
const SCREENSHOT = join(PROJECT, 'reports', 'document-screenshot.png')
const WIDTH = 1400
const HEIGHT = 2400
/** A blank page compresses to a few KB; the document with its badges is far busier than that. */
const MIN_BYTES = 40 * 1024

/** What the measuring script reports. */
interface Page {
  scrollWidth: number
  clientWidth: number
  headings: string[]
  /** data-scenario of every badge group the map places, in page order (a statement's "also" repeats apart). */
  groups: string[]
  /** data-scenario of the repeats a catalogued statement shows of groups placed elsewhere. */
  also: string[]
  /** Badges (by group and endpoint) whose box is empty or reaches past the window's right edge. */
  outside: string[]
  badges: number
}

const MEASURE = `
const root = document.documentElement
const right = root.clientWidth
const badges = [...document.querySelectorAll('.results .badge')]
const outside = badges.filter((b) => { const r = b.getBoundingClientRect(); return r.width === 0 || r.height === 0 || r.left < 0 || r.right > right })
  .map((b) => b.closest('.results').dataset.scenario + ' ' + b.dataset.target)
document.title = 'MEASURED ' + JSON.stringify({
  scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
  headings: [...document.querySelectorAll('article h1, article h2')].map((h) => h.textContent),
  groups: [...document.querySelectorAll('.results:not(.also)')].map((g) => g.dataset.scenario),
  also: [...document.querySelectorAll('.results.also')].map((g) => g.dataset.scenario),
  outside, badges: badges.length,
})
`

test(
  'document.html renders in headless Chromium (screenshot in reports/document-screenshot.png)',
  { timeout: 180_000 },
  (t) => {
    const chromium = chromiumOr(t)
    if (!chromium) return

    const work = mkdtempSync(join(tmpdir(), 'netconform-document-shot-'))
    try {
      const html = writeDocument(RUNS, work)
      const png = join(work, 'document.png')
      const bytes = screenshot(chromium, html, png, { width: WIDTH, height: HEIGHT, minBytes: MIN_BYTES })
      mkdirSync(join(PROJECT, 'reports'), { recursive: true })
      copyFileSync(png, SCREENSHOT)
      console.log(`document screenshot: ${SCREENSHOT} (${bytes.length} bytes, runs: ${RUNS.join(', ')})`)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  },
)

test(
  'document.html at 1400px: no horizontal overflow, every badge in the window, every scenario id once, every heading',
  { timeout: 180_000 },
  (t) => {
    const chromium = chromiumOr(t)
    if (!chromium) return

    const work = mkdtempSync(join(tmpdir(), 'netconform-document-layout-'))
    try {
      const reports = loadReports(RUNS)
      const renamed = (r: LoadedReport, name: string): LoadedReport => ({
        ...r,
        summary: { ...r.summary, target: { ...r.summary.target, name } },
      })
      // as many endpoints as the lab has, whichever runs are there
      const five = [
        ...reports,
        renamed(reports[0], 'docker-on-a-remote-host'),
        renamed(reports[1], 'podman-rootless-on-a-laptop'),
        renamed(reports[0], 'docker-rootless-on-a-build-host'),
      ].slice(0, LAB_ENDPOINTS.length)
      const runIds = new Set(reports.flatMap((r) => r.summary.scenarios.map((s) => s.id)))
      for (const shown of [reports.slice(0, 2), five]) {
        const n = shown.length
        const page = measure<Page>(chromium, renderDocumentHtml(shown, work), join(work, `document-${n}.html`), {
          width: WIDTH,
          height: HEIGHT,
          script: MEASURE,
        })
        expect(page.scrollWidth, `${n} endpoints at ${WIDTH}px: page wider than the window`).to.be.at.most(
          page.clientWidth,
        )
        expect(page.outside, `${n} endpoints: badges outside the window or not drawn`).to.deep.equal([])
        expect(page.headings, "the document's headings, in order").to.deep.equal([...DOC_SECTIONS])
        for (const id of runIds)
          expect(
            page.groups.filter((g) => g === id),
            `badge groups of ${id}`,
          ).to.have.length(1)
        expect(new Set(page.groups).size, 'no id twice').to.equal(page.groups.length)
        expect(
          page.also.filter((id) => !page.groups.includes(id)),
          'a repeat ("also") of a group the map does not place',
        ).to.deep.equal([])
        expect(page.groups.slice(0, ANCHORS.length), "the map's ids, in the document's order").to.deep.equal(
          ANCHORS.map((a) => a.id),
        )
        expect(page.badges, 'one badge per endpoint in each group').to.equal(
          (page.groups.length + page.also.length) * n,
        )
      }
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  },
)
