/**
 * Headless Chromium for the page tests (test/matrix-screenshot.test.ts,
 * test/document-screenshot.test.ts): Debian's chromium on PATH (`sh test/ensure-chromium.sh`
 * installs it); without it a test is skipped, unless CI is set: then it fails.
 *
 * Chromium opens a local file:// URL only, with a new profile (removed after), its background
 * networking off and every host name unresolvable. The pages themselves forbid loading anything
 * (Content-Security-Policy); `measure` runs a script in a copy of a page without that meta.
 */
import { spawnSync } from 'node:child_process'
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The target's newest complete run in reports/ (most scenarios, not interrupted), if any: what the page tests show after the lab tests. */
export function fullestRun(project: string, target: string): string | undefined {
  const base = join(project, 'reports', target)
  if (!existsSync(base)) return undefined
  const runs = readdirSync(base)
    .filter((d) => d !== 'latest' && existsSync(join(base, d, 'summary.json')))
    .map((d) => ({
      dir: join(base, d),
      summary: JSON.parse(readFileSync(join(base, d, 'summary.json'), 'utf8')) as {
        scenarios: unknown[]
        interrupted?: string
      },
    }))
    .filter((r) => !r.summary.interrupted)
    .sort((a, b) => b.summary.scenarios.length - a.summary.scenarios.length || b.dir.localeCompare(a.dir))
  return runs[0]?.dir
}

export function onPath(command: string): string | undefined {
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

export const inCI = (process.env.CI ?? '') !== ''

/** Chromium on PATH; when absent, skips the test (fails it when CI is set) and gives undefined. */
export function chromiumOr(t: { skip: (message: string) => void }): string | undefined {
  const chromium = onPath('chromium')
  if (chromium) return chromium
  if (inCI) throw new Error('chromium is not on PATH and CI is set: install it with `sh test/ensure-chromium.sh`')
  t.skip('chromium is not on PATH (install it with `sh test/ensure-chromium.sh`); with CI set, this test fails instead')
  return undefined
}

/** Runs headless Chromium on a local file only, with a new profile that is removed after. */
export function headless(
  chromium: string,
  extra: string[],
  file: string,
): { status: number | null; output: string; error?: Error } {
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

export function tail(output: string): string {
  return output.trim().split('\n').slice(-15).join('\n')
}

/**
 * Screenshots `file` at width×height into `png`; checks that it is a PNG of that size and bigger
 * than `minBytes` (a blank page compresses to a few KB). Returns its bytes; throws saying why not.
 */
export function screenshot(
  chromium: string,
  file: string,
  png: string,
  { width, height, minBytes }: { width: number; height: number; minBytes: number },
): Buffer {
  const run = headless(chromium, [`--window-size=${width},${height}`, `--screenshot=${png}`], file)
  if (run.error) throw new Error(`chromium did not run: ${run.error.message}\n${tail(run.output)}`)
  if (!existsSync(png)) throw new Error(`chromium wrote no screenshot (exit ${run.status}):\n${tail(run.output)}`)
  const bytes = readFileSync(png)
  if (!bytes.subarray(0, 8).equals(PNG_MAGIC) || bytes.subarray(12, 16).toString('latin1') !== 'IHDR')
    throw new Error('the screenshot is not a PNG')
  const size = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)]
  if (size[0] !== width || size[1] !== height)
    throw new Error(`the screenshot is ${size.join('×')}, not ${width}×${height}`)
  if (bytes.length <= minBytes)
    throw new Error(`the screenshot is ${bytes.length} bytes, no bigger than a blank page would be (${minBytes})`)
  return bytes
}

/**
 * Measures a page in Chromium: a copy of `html` without its Content-Security-Policy meta and with
 * `script` added, which must set document.title to 'MEASURED ' + JSON; returns that JSON parsed.
 */
export function measure<T>(
  chromium: string,
  html: string,
  file: string,
  { width, height, script }: { width: number; height: number; script: string },
): T {
  const measured = html
    .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '')
    .replace('</body>', `<script>${script}</script></body>`)
  writeFileSync(file, measured)
  const run = headless(chromium, [`--window-size=${width},${height}`, '--dump-dom'], file)
  const found = run.output.match(/<title>MEASURED (\{.*?\})<\/title>/s)
  if (!found) throw new Error(`nothing measured (exit ${run.status}):\n${tail(run.output)}`)
  return JSON.parse(found[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')) as T
}
