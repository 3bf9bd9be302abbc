/**
 * The benchmark, in one run against the lab's Docker (`npm run bench`; `-- --target NAME` another endpoint):
 *   (0) the document floor:       bench/doc-floor.sh, each section's documented commands once
 *   (b) the suite, serial, per scenario: node bin/netconform.cjs run --target docker --setup-per-scenario
 *   (a) the floor:                the engine operations (b) issued, read from its transcripts
 *                                 and replayed back to back through dockerode (bench/floor.ts)
 *   (c) the suite, --parallel 2 (each worker sets each section up once)
 *   (d) start-up:                 from spawning the CLI to cucumber's first testStepStarted
 *   (e) the suite, serial, as it runs by default: each section's Background set up once
 * It prints b/a and c/a, counts the engine's own events for (b) and (a) (so the floor is seen
 * to issue the same number and kind of operations), and writes bench/results.json.
 */
import { execa } from 'execa'
import { spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import { dockerFor } from '../support/engine/connection'
import { loadTarget } from '../support/profile/targets'
import type { Summary } from '../support/types'
import { floorOfReport, replay } from './floor'
import { loadSummary } from '../support/report/summary'

const PROJECT = join(__dirname, '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const GOALS = {
  serialOverDocFloor: 1.5,
  parallel2OverDocFloor: 1.0,
  serialOverFloor: 1.25,
  parallelOverFloor: 0.75,
  startupSeconds: 2,
}

interface SuiteRun {
  args: string[]
  seconds: number
  startupSeconds: number
  firstOutputSeconds: number
  exitCode: number | null
  dir: string
  summary: Summary
  attempts: number
}

/** Runs the CLI once; retried (after a pause) when a fixed host port was taken by someone else's run. */
async function suite(args: string[]): Promise<SuiteRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await suiteOnce(args)
    const taken = run.summary.scenarios.some((s) => /port is already allocated|address already in use/i.test(s.reason))
    if (!taken || attempt === 3) return { ...run, attempts: attempt }
    log(`  a fixed host port was taken by another run; retrying in 20 s`)
    await pause(20_000)
  }
}

async function suiteOnce(args: string[]): Promise<Omit<SuiteRun, 'attempts'>> {
  const spawnedAt = Date.now()
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let firstOutput: number | undefined
  child.stdout.on('data', (b: Buffer) => {
    firstOutput ??= Number(process.hrtime.bigint() - started) / 1e9
    out += b.toString()
  })
  child.stderr.on('data', (b: Buffer) => {
    out += b.toString()
  })
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const m = /netconform: reports in (\S+)/.exec(out)
  if (!m) throw new Error(`netconform ${args.join(' ')} wrote no report (exit ${exitCode}):\n${out.slice(-2000)}`)
  const dir = join(PROJECT, m[1])
  const summary: Summary = loadSummary(dir)
  return {
    args,
    seconds,
    startupSeconds: firstStep(dir, spawnedAt),
    firstOutputSeconds: firstOutput ?? seconds,
    exitCode,
    dir,
    summary,
  }
}

/** Seconds from the spawn to the first testStepStarted in the run's message stream. */
function firstStep(dir: string, spawnedAt: number): number {
  for (const line of readFileSync(join(dir, 'messages.ndjson'), 'utf8').split('\n')) {
    if (!line.includes('"testStepStarted"')) continue
    const { seconds, nanos } = JSON.parse(line).testStepStarted.timestamp
    return (seconds * 1000 + nanos / 1e6 - spawnedAt) / 1000
  }
  return NaN
}

interface EngineEvent {
  Type: string
  Action: string
  Actor: { ID: string; Attributes?: Record<string, string> }
}

/** The engine's events while the bench runs, to count what the suite and the floor really issued. */
async function watchEvents(docker: ReturnType<typeof dockerFor>): Promise<{ events: EngineEvent[]; stop: () => void }> {
  const events: EngineEvent[] = []
  const stream = (await docker.getEvents({})) as NodeJS.ReadableStream & { destroy?: () => void }
  let buffer = ''
  stream.on('data', (b: Buffer) => {
    buffer += b.toString()
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim()
      buffer = buffer.slice(nl + 1)
      if (line) events.push(JSON.parse(line))
    }
  })
  stream.on('error', () => {})
  return { events, stop: () => stream.destroy?.() }
}

/**
 * Engine operations by kind, from its events: those of containers
 * carrying `label=value`, and of networks named with `prefix`.
 */
function countEvents(events: EngineEvent[], label: string, value: string, prefix: string): Record<string, number> {
  const containers = new Set<string>()
  const counts: Record<string, number> = {}
  const add = (k: string) => {
    counts[k] = (counts[k] ?? 0) + 1
  }
  for (const e of events) {
    const a = e.Actor.Attributes ?? {}
    const action = e.Action.split(':')[0]
    if (e.Type === 'container' && a[label] === value) {
      containers.add(e.Actor.ID)
      if (['create', 'start', 'destroy', 'exec_create'].includes(action)) add(`container ${action}`)
    }
    if (e.Type === 'network') {
      if ((action === 'create' || action === 'destroy') && a.name?.startsWith(prefix)) add(`network ${action}`)
      if (action === 'connect' && a.container && containers.has(a.container)) add('network connect')
    }
  }
  return Object.fromEntries(Object.entries(counts).sort())
}

function verdicts(s: Summary): Record<string, string> {
  return Object.fromEntries(s.scenarios.map((x) => [x.id, x.verdict]).sort())
}

/** The document floor (bench/doc-floor.sh): its wall time, and what it said of results not as documented. */
async function documentFloor(endpoint: string): Promise<{ seconds: number; notes: string[] }> {
  const r = await execa('bash', [join(__dirname, 'doc-floor.sh')], {
    env: { ...process.env, DOCKER_HOST: endpoint },
    reject: false,
    all: true,
  })
  const lines = String(r.all ?? '')
    .trim()
    .split('\n')
  const seconds = Number(lines.at(-1))
  if (r.exitCode !== 0 || !Number.isFinite(seconds))
    throw new Error(`bench/doc-floor.sh failed (exit ${r.exitCode}): ${lines.slice(-3).join(' | ')}`)
  return { seconds, notes: lines.slice(0, -1).filter((l) => l.startsWith('doc-floor:')) }
}

const log = (line: string) => process.stdout.write(`${line}\n`)
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

/** The five scenarios that took longest in a run, with their seconds. */
function slowest(summary: Summary): { id: string; seconds: number }[] {
  return [...summary.scenarios]
    .sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0))
    .slice(0, 5)
    .map((s) => ({ id: s.id, seconds: round((s.durationMs ?? 0) / 1000) }))
}

async function main(): Promise<void> {
  // `npm run bench -- --target podman`: another lab endpoint (default docker)
  const at = process.argv.indexOf('--target')
  const name = at > 0 ? process.argv[at + 1] : 'docker'
  const target = loadTarget(name)
  const docker = dockerFor(target, 60_000)
  const v = await docker.version()
  log(
    `bench: ${target.endpoint}: ${v.Components?.[0]?.Name ?? 'engine'} ${v.Version} (API ${v.ApiVersion}), ` +
      `${cpus().length} CPUs`,
  )
  const watch = await watchEvents(docker)
  try {
    log(
      "bench: (0) the document floor: each section's documented commands once, one probe per result " +
        '(bench/doc-floor.sh) …',
    )
    const docFloor = await documentFloor(target.endpoint)
    log(`  ${round(docFloor.seconds)} s${docFloor.notes.length ? ` (${docFloor.notes.join('; ')})` : ''}`)

    log('bench: (b) the suite, serial, every scenario setting up its own Background (--setup-per-scenario) …')
    const serial = await suite(['run', '--target', name, '--setup-per-scenario'])
    log(`  ${round(serial.seconds)} s, ${serial.summary.scenarios.length} scenarios (${serial.dir})`)

    log('bench: (a) the floor: the engine operations of (b), back to back through dockerode …')
    const floor = floorOfReport(serial.dir)
    const a = await replay(docker, floor, target.probeImage)
    log(
      `  ${round(a.seconds)} s, ${a.operations} operations` +
        `${a.errors.length ? ` (${a.errors.length} refused by the engine, as in the suite)` : ''}`,
    )

    log('bench: (c) the suite, --parallel 2 …')
    const parallel = await suite(['run', '--target', name, '--parallel', '2'])
    log(`  ${round(parallel.seconds)} s (${parallel.dir})`)

    log("bench: (e) the suite, serial, as it runs by default: each section's Background set up once …")
    const shared = await suite(['run', '--target', name])
    log(`  ${round(shared.seconds)} s (${shared.dir})`)
    await pause(1000) // the last events of the runs

    const sameVerdicts =
      JSON.stringify(verdicts(serial.summary)) === JSON.stringify(verdicts(parallel.summary)) &&
      JSON.stringify(verdicts(serial.summary)) === JSON.stringify(verdicts(shared.summary))
    const sharedOps = countEvents(
      watch.events,
      'io.netconform.run',
      shared.summary.runId,
      `nc-${shared.summary.runId.slice(-6)}-`,
    )
    const suiteOps = countEvents(
      watch.events,
      'io.netconform.run',
      serial.summary.runId,
      `nc-${serial.summary.runId.slice(-6)}-`,
    )
    const floorOps = countEvents(watch.events, 'io.netconform.bench', a.tag, `${a.tag}-`)
    const ratios = {
      // the per-scenario run against the replay of its own operations
      serialOverFloor: round(serial.seconds / a.seconds),
      parallelOverFloor: round(parallel.seconds / a.seconds),
      // the suite's serial run as it runs by default (set up once per section), and the per-scenario one
      serialOverDocFloor: round(shared.seconds / docFloor.seconds),
      parallel2OverDocFloor: round(parallel.seconds / docFloor.seconds),
      serialPerScenarioOverDocFloor: round(serial.seconds / docFloor.seconds),
    }
    const results = {
      measuredAt: new Date().toISOString(),
      engine: {
        target: name,
        endpoint: target.endpoint,
        name: v.Components?.[0]?.Name ?? 'engine',
        version: v.Version,
        apiVersion: v.ApiVersion,
      },
      cpus: cpus().length,
      seconds: {
        docFloor: round(docFloor.seconds),
        floor: round(a.seconds),
        serial: round(shared.seconds),
        serialPerScenario: round(serial.seconds),
        parallel2: round(parallel.seconds),
        startupToFirstStep: round(serial.startupSeconds),
        startupToFirstStepParallel2: round(parallel.startupSeconds),
        startupToFirstOutput: round(serial.firstOutputSeconds),
      },
      ratios,
      goals: {
        ...GOALS,
        met: {
          serialOverDocFloor: ratios.serialOverDocFloor <= GOALS.serialOverDocFloor,
          parallel2OverDocFloor: ratios.parallel2OverDocFloor <= GOALS.parallel2OverDocFloor,
          serialOverFloor: ratios.serialOverFloor <= GOALS.serialOverFloor,
          parallelOverFloor: ratios.parallelOverFloor <= GOALS.parallelOverFloor,
          startupSeconds: serial.startupSeconds <= GOALS.startupSeconds,
        },
      },
      // per scenario (before sections were set up once), serial and --parallel 2 (as they run now)
      slowestFive: {
        serialPerScenario: slowest(serial.summary),
        serial: slowest(shared.summary),
        parallel2: slowest(parallel.summary),
      },
      operations: {
        floorIssued: a.counts,
        engineEventsOfSerialPerScenarioRun: suiteOps,
        engineEventsOfSerialRun: sharedOps,
        engineEventsOfFloor: floorOps,
        floorRefusedByEngine: a.errors,
      },
      runs: {
        parallel2: {
          dir: parallel.dir.replace(`${PROJECT}/`, ''),
          exitCode: parallel.exitCode,
          totals: parallel.summary.totals,
          attempts: parallel.attempts,
        },
        serialPerScenario: {
          dir: serial.dir.replace(`${PROJECT}/`, ''),
          exitCode: serial.exitCode,
          totals: serial.summary.totals,
          attempts: serial.attempts,
        },
        serial: {
          dir: shared.dir.replace(`${PROJECT}/`, ''),
          exitCode: shared.exitCode,
          totals: shared.summary.totals,
          attempts: shared.attempts,
        },
        sameVerdicts,
      },
    }
    const resultsFile = name === 'docker' ? 'results.json' : `results-${name}.json`
    writeFileSync(join(__dirname, resultsFile), `${JSON.stringify(results, null, 2)}\n`)
    log('')
    log(
      `document floor (0)   ${results.seconds.docFloor} s    e/0 = ${ratios.serialOverDocFloor} ` +
        `(goal ≤ ${GOALS.serialOverDocFloor}), c/0 = ${ratios.parallel2OverDocFloor} ` +
        `(goal ≤ ${GOALS.parallel2OverDocFloor}), b/0 = ${ratios.serialPerScenarioOverDocFloor}`,
    )
    log(`floor (a)            ${results.seconds.floor} s`)
    log(
      `per scenario (b)     ${results.seconds.serialPerScenario} s    b/a = ${ratios.serialOverFloor} ` +
        `(goal ≤ ${GOALS.serialOverFloor})`,
    )
    log(
      `--parallel 2 (c)     ${results.seconds.parallel2} s    c/a = ${ratios.parallelOverFloor} ` +
        `(goal ≤ ${GOALS.parallelOverFloor}); each worker sets each section up once`,
    )
    log(`serial (e)           ${results.seconds.serial} s    set up once per section (the default)`)
    log(
      `start-up (d)         ${results.seconds.startupToFirstStep} s to the first step ` +
        `(goal ≤ ${GOALS.startupSeconds} s); --parallel 2: ${results.seconds.startupToFirstStepParallel2} s`,
    )
    for (const [run, list] of Object.entries(results.slowestFive))
      log(`slowest five, ${run}: ${list.map((x) => `${x.id} ${x.seconds} s`).join(', ')}`)
    log(`engine events, per scenario (b): ${JSON.stringify(suiteOps)}`)
    log(`engine events, floor (a): ${JSON.stringify(floorOps)}`)
    log(`engine events, serial (e): ${JSON.stringify(sharedOps)}`)
    log(
      `verdicts of (b), (c) and (e) ${sameVerdicts ? 'identical' : 'DIFFER'}; ${cpus().length} CPUs; ` +
        `bench/${resultsFile} written`,
    )
    if (!sameVerdicts) process.exitCode = 1
  } finally {
    watch.stop()
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`)
  process.exitCode = 2
})
