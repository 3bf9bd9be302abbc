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
 */
import { test } from 'node:test'
import { spawnSync } from 'node:child_process'
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect } from 'chai'
import { type LoadedReport, loadReports, renderMatrixHtml, writeMatrix } from '../support/report/matrix'

const PROJECT = join(__dirname, '..')
const FIXTURES = join(__dirname, 'fixtures', 'matrix')
/** The target's newest complete run in reports/ (most scenarios, not interrupted), if any. */
function fullestRun(target: string): string | undefined {
  const base = join(PROJECT, 'reports', target)
  if (!existsSync(base)) return undefined
  const runs = readdirSync(base).filter((d) => d !== 'latest' && existsSync(join(base, d, 'summary.json')))
    .map((d) => ({ dir: join(base, d), summary: JSON.parse(readFileSync(join(base, d, 'summary.json'), 'utf8')) as { scenarios: unknown[]; interrupted?: string } }))
    .filter((r) => !r.summary.interrupted)
    .sort((a, b) => b.summary.scenarios.length - a.summary.scenarios.length || b.dir.localeCompare(a.dir))
  return runs[0]?.dir
}

/** The lab's complete docker and podman runs when both exist (after the lab tests), else the fixture runs. */
const LAB_RUNS = ['docker', 'podman'].map(fullestRun)
const RUNS = LAB_RUNS.every((d) => d !== undefined) ? (LAB_RUNS as string[]) : [join(FIXTURES, 'docker'), join(FIXTURES, 'podman')]
const SCREENSHOT = join(PROJECT, 'reports', 'matrix-screenshot.png')
const WIDTH = 1400
const HEIGHT = 1800
/** A blank 1400×1800 page compresses to a few KB; the matrix is far busier than that. */
const MIN_BYTES = 20 * 1024
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const file = join(dir, command)
    try {
      accessSync(file, constants.X_OK)
      if (statSync(file).isFile()) return file
    } catch {
      // not here
    }
  }
  return undefined
}

const inCI = (process.env.CI ?? '') !== ''

/** Chromium on PATH; when absent, skips the test (fails it when CI is set) and gives undefined. */
function chromiumOr(t: { skip: (message: string) => void }): string | undefined {
  const chromium = onPath('chromium')
  if (chromium) return chromium
  if (inCI) throw new Error('chromium is not on PATH and CI is set: install it with `sh test/ensure-chromium.sh`')
  t.skip('chromium is not on PATH (install it with `sh test/ensure-chromium.sh`); with CI set, this test fails instead')
  return undefined
}

/** Runs headless Chromium on a local file only, with a new profile that is removed after. */
function headless(chromium: string, extra: string[], file: string): { status: number | null; output: string; error?: Error } {
  const profile = mkdtempSync(join(tmpdir(), 'netconform-chromium-profile-'))
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${profile}`,
      ...extra,
      pathToFileURL(file).href,
    ]
    const run = spawnSync(chromium, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
    return { status: run.status, output: `${run.stdout ?? ''}\n${run.stderr ?? ''}`, error: run.error }
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-15).join('\n')
}

test('matrix.html renders in headless Chromium (screenshot in reports/matrix-screenshot.png)', { timeout: 180_000 }, (t) => {
  const chromium = chromiumOr(t)
  if (!chromium) return

  const work = mkdtempSync(join(tmpdir(), 'netconform-matrix-shot-'))
  try {
    const { html } = writeMatrix(RUNS, work)
    const png = join(work, 'matrix.png')
    const run = headless(chromium, [`--window-size=${WIDTH},${HEIGHT}`, `--screenshot=${png}`], html)
    expect(run.error, `chromium did not run: ${tail(run.output)}`).to.equal(undefined)
    expect(existsSync(png), `chromium wrote no screenshot (exit ${run.status}):\n${tail(run.output)}`).to.equal(true)

    const bytes = readFileSync(png)
    expect(bytes.subarray(0, 8).equals(PNG_MAGIC), 'the screenshot is not a PNG').to.equal(true)
    expect(bytes.subarray(12, 16).toString('latin1')).to.equal('IHDR')
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], 'width and height').to.deep.equal([WIDTH, HEIGHT])
    expect(bytes.length, 'the screenshot is no bigger than a blank page would be').to.be.greaterThan(MIN_BYTES)

    mkdirSync(join(PROJECT, 'reports'), { recursive: true })
    copyFileSync(png, SCREENSHOT)
    console.log(`matrix screenshot: ${SCREENSHOT} (${bytes.length} bytes)`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})

/** What the measuring script reports, in the page's title. */
interface Layout {
  scrollWidth: number
  clientWidth: number
  /** After scrolling down (and right): where the header row and a row's first cell are. */
  headTop: number
  labelLeft: number
}

const MEASURE = `<script>
const root = document.documentElement
const wide = { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth }
window.scrollTo(300, 1200)
const label = [...document.querySelectorAll('tbody th[scope=row]')].find((th) => th.getBoundingClientRect().top > 300)
document.title = 'LAYOUT ' + JSON.stringify({ ...wide, headTop: document.querySelector('thead').getBoundingClientRect().top, labelLeft: label.getBoundingClientRect().left })
</script>`

function layoutOf(chromium: string, html: string, file: string, width: number): Layout {
  const measured = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '').replace('</body>', `${MEASURE}</body>`)
  writeFileSync(file, measured)
  const run = headless(chromium, [`--window-size=${width},${HEIGHT}`, '--dump-dom'], file)
  const found = run.output.match(/<title>LAYOUT (\{.*?\})<\/title>/)
  if (!found) throw new Error(`no layout measured (exit ${run.status}):\n${tail(run.output)}`)
  return JSON.parse(found[1]) as Layout
}

test('matrix.html: no horizontal overflow at 1400px for 2 to 4 endpoints; sticky header row and first column', { timeout: 180_000 }, (t) => {
  const chromium = chromiumOr(t)
  if (!chromium) return

  const work = mkdtempSync(join(tmpdir(), 'netconform-matrix-layout-'))
  try {
    const [docker, podman] = loadReports([join(FIXTURES, 'docker'), join(FIXTURES, 'podman')])
    const renamed = (r: LoadedReport, name: string): LoadedReport => ({
      ...r,
      summary: { ...r.summary, target: { ...r.summary.target, name, engine: { ...r.summary.target.engine, name: `${r.summary.target.engine.name} with a long build name` } } },
    })
    const four = [docker, podman, renamed(docker, 'docker-on-a-remote-host'), renamed(podman, 'podman-rootless-on-a-laptop')]
    for (const n of [2, 3, 4]) {
      const html = renderMatrixHtml(four.slice(0, n), work)
      const layout = layoutOf(chromium, html, join(work, `matrix-${n}.html`), WIDTH)
      expect(layout.scrollWidth, `${n} endpoints at ${WIDTH}px: page wider than the window`).to.be.at.most(layout.clientWidth)
      expect(layout.headTop, `${n} endpoints: the header row stays at the top`).to.equal(0)
    }
    // narrower than the table: the page scrolls sideways, the first column stays
    const narrow = layoutOf(chromium, renderMatrixHtml(four, work), join(work, 'matrix-narrow.html'), 800)
    expect(narrow.scrollWidth).to.be.greaterThan(narrow.clientWidth)
    expect(narrow.labelLeft, 'the first column stays at the left').to.equal(0)
    expect(narrow.headTop).to.equal(0)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})
