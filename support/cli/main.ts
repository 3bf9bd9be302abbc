/**
 * The netconform command line. Errors a user can cause end in one line and exit 2; a run
 * exits 1 when a scenario fails and 0 otherwise.
 */
import { readdirSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { UsageError, firstLine } from '../errors'
import { CLEAN_OPTIONS, RUN_OPTIONS, parallelOf } from './options'
import type { Summary, Target } from '../types'
import { interruption, signalExitCode } from '../cleanup/interrupt'
import { PROJECT, netconformVersion } from '../project'

/**
 * The modules behind the commands load when a command needs them (Docker's client, cucumber,
 * ajv's compiled schemas take a second to load): `netconform --help` loads none of them.
 */
const lazy = {
  targets: () => require('../profile/targets') as typeof import('../profile/targets'),
  connection: () => require('../engine/connection') as typeof import('../engine/connection'),
  reports: () => require('../report/reports') as typeof import('../report/reports'),
  run: () => require('../run/run') as typeof import('../run/run'),
  lab: () => require('../run/lab') as typeof import('../run/lab'),
  compare: () => require('../report/compare') as typeof import('../report/compare'),
  matrix: () => require('../report/matrix') as typeof import('../report/matrix'),
  record: () => require('../report/record') as typeof import('../report/record'),
  document: () => require('../report/living-document') as typeof import('../report/living-document'),
  sweep: () => require('../cleanup/sweep') as typeof import('../cleanup/sweep'),
  sensitivity: () => require('./sensitivity') as typeof import('./sensitivity'),
  conformance: () => require('./conformance') as typeof import('./conformance'),
}

/** The profiles in the package's targets/, for the usage text (as targets.ts knownTargets, without loading it). */
function knownTargetNames(): string[] {
  return readdirSync(resolve(PROJECT, 'targets'))
    .filter((f) => f.endsWith('.yaml') && !f.includes('.example.'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort()
}

const USAGE = `usage:
  netconform run [--target NAME|FILE] [--endpoint URL] [--public-address ADDR] [--tags EXPR] [--parallel N]
                 [--repeat N] [--remove-images] [--format FORMAT]… [--reports DIR]
                 [--share-setup | --setup-per-scenario]
  netconform conformance [--targets NAME,NAME…] [--jobs N] [--parallel N]
                       (one run per endpoint, every lab endpoint by default, N at once, then one line of totals each)
  netconform clean [--target NAME|FILE] [--endpoint URL] [--older-than 30m] [--run RUN-ID]… [--remove-images]
                   (removes what runs that are no longer alive left on the endpoint, by label only)
  netconform matrix DIR… [--out DIR]   (report folders, e.g. reports/*/latest, or records → reports/matrix.html, matrix.md)
  netconform document DIR… [--out DIR] (the VIC document with each endpoint's verdicts inline → reports/document.html)
  netconform compare BASE NEW [--format markdown]
                                       (report folders, summary.json files or records; exit 1 on a regression)
  netconform record RUN_DIR [--out DIR] (a run's evidence in one file: netconform-record-<target>-<engine>-<run>.tar.gz)
  netconform verify RECORD             (checks a record's hashes, features and verdicts: exit 0 verified,
                                        1 the first mismatch, 2 not a record)
  netconform sensitivity [--target NAME|FILE] [--faults id,id] [--parallel N]
                       (the suite through a fault-injecting proxy, once per fault → reports/<target>/sensitivity/)
  netconform lab up|down|status
  netconform help | --version

  --target          a profile in targets/ ({known}) or a path to one
  --endpoint        Docker API endpoint (unix:///…, tcp://… with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh://…); overrides the profile's.
                    Without --target, the endpoint is DOCKER_HOST or unix:///var/run/docker.sock
  --public-address  where published ports answer (overrides the profile's)
  --tags            cucumber tag expression, e.g. '@id:new-bridge.ping-by-name.client-to-server'
  --parallel        run scenarios in N worker processes
  --format          a cucumber format instead of the verdict console (repeatable), e.g. progress, pretty
  --repeat          run the selection N times and report every scenario whose verdict changed
  --remove-images   also remove the probe images the suite imported (labelled io.netconform.image)
  --share-setup     (the default) build each feature's Background once per worker and let its next
                    scenarios observe it; a scenario tagged @mutates, or with other holds, builds its own
  --setup-per-scenario  every scenario builds its own Background (as before set-up was shared)
  --reports         where the report folders go (DIR/<target>/<run id>, DIR/<target>/latest); default reports/
                    in the folder netconform is run from

exit codes: 0 no scenario fails (each conforms, deviates as its profile declares, or is not applicable);
            1 a scenario fails (compare: a regression; --repeat: a verdict changed); 2 usage, profile or
            endpoint error; 130/143 interrupted by SIGINT/SIGTERM (the partial report is written)`

const out = (line: string) => process.stdout.write(`${line}\n`)

function resolveTarget(values: { target?: string; endpoint?: string; 'public-address'?: string }): Target {
  const { defaultTarget, loadTarget } = lazy.targets()
  let target = values.target
    ? loadTarget(values.target)
    : defaultTarget(values.endpoint ?? lazy.connection().endpointFromEnvironment())
  if (values.endpoint) target = { ...target, endpoint: values.endpoint }
  if (values['public-address']) target = { ...target, publicAddress: values['public-address'] }
  return target
}

/** After the run: what the verdict console did not say line by line (stale deviations, what was not run), then the totals. */
function printVerdicts(summary: Summary, dir: string): void {
  const stale = summary.scenarios.filter((s) => s.deviation?.noLongerNeeded).map((s) => s.id)
  if (stale.length > 0)
    out(`netconform: declared deviations no longer needed (remove them from the profile): ${stale.join(', ')}`)
  if (summary.interrupted)
    out(`netconform: ${summary.interrupted}; ${summary.notRun?.length ?? 0} scenarios not run (listed in summary.md)`)
  else if (summary.notRun?.length)
    out(
      `netconform: ${summary.notRun.length} scenarios not run: what they need on the endpoint is held by something not netconform's (listed above and in summary.md); the run is incomplete, exit 1`,
    )
  const t = summary.totals
  const causes = lazy.reports().notApplicableCauses(summary.scenarios)
  out(
    `netconform: ${summary.target.name}: ${t.conforms} conforms, ${t.deviates} deviates, ${t.fails} fails, ${t['not-applicable']} not applicable${causes ? ` (${causes})` : ''}`,
  )
  out(`netconform: reports in ${relative(process.cwd(), dir) || dir}`)
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: RUN_OPTIONS,
    strict: true,
  })
  const parallel = parallelOf(values.parallel)
  if (values['share-setup'] && values['setup-per-scenario'])
    throw new UsageError('--share-setup and --setup-per-scenario contradict each other: give one')
  // Each section is set up once per worker unless told otherwise.
  const shareSetup = !values['setup-per-scenario']
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat)
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new UsageError(`--repeat takes a whole number from 1, not "${values.repeat}"`)
  const target = resolveTarget(values)
  const summaries: Summary[] = []
  for (let i = 1; i <= repeat; i++) {
    if (repeat > 1) out(`netconform: repetition ${i} of ${repeat}`)
    const reportsDir = values.reports === undefined ? undefined : resolve(values.reports)
    const { summary, dir } = await lazy
      .run()
      .conformanceRun({ target, tags: values.tags, parallel, formats: values.format, reportsDir, shareSetup, log: out })
    printVerdicts(summary, dir)
    summaries.push(summary)
    if (summary.interrupted) break
  }
  const flaky = repeat > 1 ? reportFlakes(summaries) : 0
  if (values['remove-images']) await removeImages(target)
  if (interruption.signal) return signalExitCode(interruption.signal)
  const incomplete = summaries.some((s) => (s.notRun?.length ?? 0) > 0)
  return summaries.some((s) => s.totals.fails > 0) || flaky > 0 || incomplete ? 1 : 0
}

/** Lists the scenarios whose verdict changed between repetitions; returns how many did. */
function reportFlakes(summaries: Summary[]): number {
  const verdicts = new Map<string, string[]>()
  for (const s of summaries) for (const r of s.scenarios) verdicts.set(r.id, [...(verdicts.get(r.id) ?? []), r.verdict])
  const flaky = [...verdicts].filter(([, v]) => new Set(v).size > 1)
  const wall = summaries.reduce((ms, s) => ms + s.durationMs, 0)
  out(
    `netconform: ${summaries.length} repetitions in ${(wall / 1000).toFixed(0)} s: ${flaky.length} of ${verdicts.size} scenarios changed verdict`,
  )
  for (const [id, v] of flaky) out(`  flaky ${id}: ${v.join(' → ')}`)
  return flaky.length
}

async function removeImages(target: Target): Promise<void> {
  const removed = await lazy.sweep().removeSuiteImages(lazy.connection().dockerFor(target))
  out(`netconform: removed images: ${removed.images.join(', ') || 'none'}`)
  for (const e of removed.errors) out(`netconform: could not remove ${e}`)
}

async function clean(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: CLEAN_OPTIONS,
    strict: true,
  })
  const olderThanMs = values['older-than'] === undefined ? 0 : parseDuration(values['older-than'])
  const target = resolveTarget(values)
  const { dockerFor, probeEndpoint } = lazy.connection()
  await probeEndpoint(target)
  const swept = await lazy.sweep().sweepAbandoned(dockerFor(target), { olderThanMs, runs: values.run })
  out(
    `netconform: clean ${target.endpoint}: removed ${swept.runs.length} run(s)${swept.runs.length ? ` (${swept.runs.join(', ')})` : ''}: ` +
      `containers: ${swept.containers.join(', ') || 'none'}; networks: ${swept.networks.join(', ') || 'none'}`,
  )
  for (const e of swept.errors) out(`netconform: could not remove ${e}`)
  if (values['remove-images']) await removeImages(target)
  return swept.errors.length > 0 ? 1 : 0
}

/** "90s", "30m", "2h", "1d" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim())
  if (!m) throw new UsageError(`--older-than takes a duration like 90s, 30m, 2h or 1d, not "${text}"`)
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd']
}

async function lab(argv: string[]): Promise<number> {
  const action = argv[0]
  if (action === 'up') await lazy.lab().labUp(out)
  else if (action === 'down') await lazy.lab().labDown()
  else if (action === 'status') await lazy.lab().labStatus()
  else throw new UsageError(`unknown lab action "${action ?? ''}" (expected up, down or status)`)
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === 'run') return await run(rest)
    if (command === 'lab') return await lab(rest)
    if (command === 'conformance') return await lazy.conformance().conformanceCommand(rest, out)
    if (command === 'compare') return await lazy.compare().compareCommand(rest, out)
    if (command === 'record') return await lazy.record().recordCommand(rest, out)
    if (command === 'verify') return await lazy.record().verifyCommand(rest, out)
    if (command === 'clean') return await clean(rest)
    if (command === 'matrix') return await lazy.matrix().matrixCommand(rest, out)
    if (command === 'document') return lazy.document().documentCommand(rest, out)
    if (command === 'sensitivity') return await lazy.sensitivity().sensitivityCommand(rest, out, resolveTarget)
    if (command === '--version' || command === '-V' || command === 'version') {
      out(`netconform ${netconformVersion()}`)
      return 0
    }
    if (command === 'help' || command === '--help' || command === '-h' || command === undefined) {
      out(USAGE.replace('{known}', knownTargetNames().join(', ')))
      return command === undefined ? 2 : 0
    }
    throw new UsageError(`unknown command "${command}" (try: netconform help)`)
  } catch (e) {
    const known = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`netconform: ${known ? '' : 'internal error: '}${firstLine(e)}\n`)
    if (!known && process.env.NETCONFORM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`)
    return 2
  }
}
