/**
 * Renders the conformance matrix of the lab's latest runs (or, before any, of the fixture runs in
 * test/fixtures/matrix) in Debian's headless
 * Chromium and keeps a screenshot of it, reports/matrix-screenshot.png, to look at.
 *
 *   sh test/ensure-chromium.sh        # installs chromium with apt-get when it is not on PATH
 *   node --require ts-node/register --test test/matrix-screenshot.test.ts
 *
 * Without chromium the test is skipped, unless CI is set: then it fails. Chromium opens the
 * matrix from a file:// URL only, with a new profile, its background networking off and every
 * host name unresolvable; the page itself forbids loading anything (Content-Security-Policy).
 * The layout test measures copies of the page with a script added (the page has none).
 * Chromium is launched by test/chromium.ts, shared with test/document-screenshot.test.ts.
 */
import { test } from 'node:test'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { chromiumOr, fullestRun, measure, screenshot } from './chromium'
import { type LoadedReport, loadReports, renderMatrixHtml, writeMatrix } from '../support/report/matrix'
import { LAB_ENDPOINTS } from '../support/cli/conformance'

const PROJECT = join(__dirname, '..')
const FIXTURES = join(__dirname, 'fixtures', 'matrix')
/** The lab's complete runs of its endpoints when all exist (after the lab tests), else the fixture runs. */
const LAB_RUNS = LAB_ENDPOINTS.map((target) => fullestRun(PROJECT, target))
const RUNS = LAB_RUNS.every((d) => d !== undefined)
  ? (LAB_RUNS as string[])
  : [join(FIXTURES, 'docker'), join(FIXTURES, 'podman')]
const SCREENSHOT = join(PROJECT, 'reports', 'matrix-screenshot.png')
const WIDTH = 1400
const HEIGHT = 1800
/** A blank 1400×1800 page compresses to a few KB; the matrix is far busier than that. */
const MIN_BYTES = 20 * 1024

test(
  'matrix.html renders in headless Chromium (screenshot in reports/matrix-screenshot.png)',
  { timeout: 180_000 },
  (t) => {
    const chromium = chromiumOr(t)
    if (!chromium) return

    const work = mkdtempSync(join(tmpdir(), 'netconform-matrix-shot-'))
    try {
      const { html } = writeMatrix(RUNS, work)
      const png = join(work, 'matrix.png')
      const bytes = screenshot(chromium, html, png, { width: WIDTH, height: HEIGHT, minBytes: MIN_BYTES })

      mkdirSync(join(PROJECT, 'reports'), { recursive: true })
      copyFileSync(png, SCREENSHOT)
      console.log(`matrix screenshot: ${SCREENSHOT} (${bytes.length} bytes)`)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  },
)

/** What the measuring script reports, in the page's title. */
interface Layout {
  scrollWidth: number
  clientWidth: number
  /** After scrolling down (and right): where the header row and a row's first cell are. */
  headTop: number
  labelLeft: number
  /** The tallest scenario's rows (its verdicts and its reasons, closed), in px. */
  tallestRow: number
}

const MEASURE = `
const root = document.documentElement
const wide = { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth }
window.scrollTo(300, 1200)
const label = [...document.querySelectorAll('tbody th[scope=row]')].find((th) => th.getBoundingClientRect().top > 300)
const rows = [...document.querySelectorAll('tr[data-scenario]')].map((tr) => {
  const next = tr.nextElementSibling
  const reasons = next && next.classList.contains('reasons') ? next.getBoundingClientRect().height : 0
  return tr.getBoundingClientRect().height + reasons
})
document.title = 'MEASURED ' + JSON.stringify({ ...wide, headTop: document.querySelector('thead').getBoundingClientRect().top, labelLeft: label.getBoundingClientRect().left, tallestRow: Math.max(...rows) })
`

function layoutOf(chromium: string, html: string, file: string, width: number): Layout {
  return measure<Layout>(chromium, html, file, { width, height: HEIGHT, script: MEASURE })
}

/**
 * The lab's eleven endpoints as the fixture runs renamed, each with its engine and version, so that the
 * columns group as the lab's do; every row gets a reason per endpoint (the longest a lab run gives, about
 * 450 characters), the most a row can have.
 */
const LAB_LIKE: [string, 'docker' | 'podman', string, string][] = [
  ['docker', 'docker', 'Docker Engine', '20.10.24+dfsg1'],
  ['docker-rootless', 'docker', 'Docker Engine', '20.10.24+dfsg1'],
  ['docker-28', 'docker', 'Docker Engine', '28.5.2+dfsg4'],
  ['docker-28-rootless', 'docker', 'Docker Engine', '28.5.2+dfsg4'],
  ['podman', 'podman', 'Podman Engine', '4.3.1'],
  ['podman-netavark', 'podman', 'Podman Engine', '4.3.1'],
  ['podman-rootless', 'podman', 'Podman Engine', '4.3.1'],
  ['podman-5', 'podman', 'Podman Engine', '5.8.6'],
  ['podman-5-rootless', 'podman', 'Podman Engine', '5.8.6'],
  ['podman-6', 'podman', 'Podman Engine', '6.1.1'],
  ['podman-6-rootless', 'podman', 'Podman Engine', '6.1.1'],
]

function labLike(): LoadedReport[] {
  const [docker, podman] = loadReports([join(FIXTURES, 'docker'), join(FIXTURES, 'podman')])
  const long = (name: string, id: string) =>
    `${name} differs on ${id}: ` + 'the endpoint did otherwise than the document says, at length; '.repeat(7)
  return LAB_LIKE.map(([name, from, engine, version]) => {
    const r = from === 'docker' ? docker : podman
    return {
      ...r,
      summary: {
        ...r.summary,
        target: { ...r.summary.target, name, engine: { ...r.summary.target.engine, name: engine, version } },
        scenarios: r.summary.scenarios.map((s) => ({ ...s, verdict: 'fails' as const, reason: long(name, s.id) })),
      },
    }
  })
}

test(
  'matrix.html: no horizontal overflow at 1400px for 2 to 11 endpoints (the lab has 11), no row taller than 400px; sticky header row and first column',
  { timeout: 300_000 },
  (t) => {
    const chromium = chromiumOr(t)
    if (!chromium) return

    const work = mkdtempSync(join(tmpdir(), 'netconform-matrix-layout-'))
    try {
      const eleven = labLike()
      for (const n of [2, 3, 5, 9, 11]) {
        const html = renderMatrixHtml(eleven.slice(0, n), work)
        const layout = layoutOf(chromium, html, join(work, `matrix-${n}.html`), WIDTH)
        expect(layout.scrollWidth, `${n} endpoints at ${WIDTH}px: page wider than the window`).to.be.at.most(
          layout.clientWidth,
        )
        expect(layout.headTop, `${n} endpoints: the header row stays at the top`).to.equal(0)
        expect(layout.tallestRow, `${n} endpoints: the tallest row, its reasons closed`).to.be.at.most(400)
        console.log(
          `${n} endpoints at ${WIDTH}px: page ${layout.scrollWidth}/${layout.clientWidth}px wide, tallest row ${layout.tallestRow}px`,
        )
      }
      // narrower than the table: the page scrolls sideways, the first column stays
      const narrow = layoutOf(chromium, renderMatrixHtml(eleven, work), join(work, 'matrix-narrow.html'), 800)
      expect(narrow.scrollWidth).to.be.greaterThan(narrow.clientWidth)
      expect(narrow.labelLeft, 'the first column stays at the left').to.equal(0)
      expect(narrow.headTop).to.equal(0)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  },
)
