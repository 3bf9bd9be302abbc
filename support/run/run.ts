/**
 * One conformance run: check the endpoint, make sure the probe image is there, run the
 * features with cucumber, sweep what the run labelled, and write the report set.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import {
  loadConfiguration,
  loadSources,
  runCucumber,
  type IConfiguration,
  type IRunResult,
} from '@cucumber/cucumber/api'
import parseTagExpression from '@cucumber/tag-expressions'
import { UsageError, firstLine } from '../errors'
import { dockerFor, endpointAnswers, probeEndpoint } from '../engine/connection'
import { restoreOwedControlPlane } from '../engine/control-plane'
import { setTimeout as pause } from 'node:timers/promises'
import { ensureProbeImage } from '../engine/image'
import { ENDPOINT_FILE, PROFILE_FILE, RUN_FILE, type RunContext, endpointIdentity } from '../engine/identity'
import { LABEL_RUN, newRunId, removeLabelled, sweepRunAt, type SweptAt } from '../cleanup/resources'
import { buildSummary } from '../report/build-summary'
import { writeReportSet } from '../report/summary-markdown'
import { type WiderDeclaration, recordedSummaries, widerDeclarations } from '../report/overlaps'
import { CODE_DIR, CODE_EXT, COMPILED, PROJECT, defaultReportsDir, netconformVersion } from '../project'
import { profileGap } from '../document/placeholders'
import type { EngineInfo, Summary, Target, WorldParameters } from '../types'
import { holdRunLock, sweepAbandoned } from '../cleanup/sweep'
import { interruption, signalExitCode } from '../cleanup/interrupt'

export interface RunOptions {
  target: Target
  tags?: string
  parallel?: number
  reportsDir?: string
  /** Cucumber formats instead of the verdict console (`--format`, passed through). */
  formats?: string[]
  /** Build each feature's Background once per worker (holds/fixtures.ts). */
  shareSetup?: boolean
  /** Where progress goes (the CLI passes stdout). */
  log?: (line: string) => void
  /**
   * The endpoint itself, when `target` reaches it through something that may fail the run's own
   * sweep (sensitivity's proxy with a fault's hooks): the run's resources are swept there too, and
   * what is left is listed (`RunOutcome.sweptAt`).
   */
  sweepAt?: Target
}

export interface RunOutcome {
  summary: Summary
  dir: string
  /** The end-of-run sweep removed everything labelled with the run's id. */
  cleanedUp: boolean
  /** With `sweepAt`: what the sweep there removed, and what is still labelled with the run. */
  sweptAt?: SweptAt
  /** Declared deviations that also match another failure of their scenario (this run's or one recorded). */
  wider: WiderDeclaration[]
}

/** Labelled resources of a run without a live lock, older than this, are an abandoned run's. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000

/** The verdict console: a cucumber formatter, so JavaScript (support/report/console-formatter.cjs). */
const CONSOLE = join(CODE_DIR, 'support', 'report', 'console-formatter.cjs')
const FEATURES = [join(PROJECT, 'features/**/*.feature')]
/** Cucumber's support code: the TypeScript sources through ts-node, or the compiled package's JavaScript. */
const SUPPORT = [
  'support/cucumber/parameter-types',
  'support/cucumber/hooks',
  'support/cucumber/parallel',
  'steps/**/*',
].map((path) => join(CODE_DIR, `${path}.${CODE_EXT}`))

let supportLibrary: IRunResult['support'] | undefined

/**
 * Rejects, before anything runs, a tag expression that does not parse or selects no scenario,
 * and a profile that lacks a field a selected feature's placeholders need.
 */
async function checkPlan(target: Target, tags: string | undefined): Promise<void> {
  if (tags) {
    try {
      parseTagExpression(tags)
    } catch (e) {
      throw new UsageError(`invalid tag expression "${tags}": ${firstLine(e)}`)
    }
  }
  const { runConfiguration } = await loadConfiguration({ file: false, provided: { paths: FEATURES, tags: tags ?? '' } })
  const { plan, errors } = await loadSources(runConfiguration.sources)
  if (errors.length > 0)
    throw new UsageError(`feature file error: ${errors[0].uri}:${errors[0].location.line}: ${errors[0].message}`)
  if (plan.length === 0)
    throw new UsageError(
      `no scenario matches the tags "${tags}" (scenario ids are tags like ` +
        '@id:new-bridge.ping-by-name.client-to-server; see features/)',
    )
  const gap = profileGap(target, [...new Set(plan.map((p) => resolve(p.uri)))])
  if (gap) throw new UsageError(gap)
}

export async function conformanceRun(opts: RunOptions): Promise<RunOutcome> {
  const log = opts.log ?? (() => {})
  const { target } = opts
  await checkPlan(target, opts.tags)
  const engine = await probeEndpoint(target)
  log(
    `netconform: target ${target.name} (${target.source}) → ${target.endpoint}: ${engine.name} ${engine.version}, ` +
      `API ${engine.apiVersion}`,
  )
  log(`netconform: ${await ensureProbeImage(dockerFor(target, 120_000), target.probeImage, target.endpoint)}`)

  const runId = newRunId()
  const releaseLock = holdRunLock(runId, target.endpoint)
  const outcome = await runLocked(opts, engine, runId, log)
  // A run that could not remove all it made keeps its lock file (its process ends, so the lock is
  // dead): the next run, or `netconform clean`, then knows those resources are abandoned.
  if (outcome.cleanedUp) releaseLock()
  return outcome
}

/** Sweeps what abandoned runs left (a run without a live lock, older than an hour or with its lock left behind). */
async function sweepBefore(target: Target, runId: string, log: (line: string) => void): Promise<void> {
  const swept = await sweepAbandoned(dockerFor(target), { olderThanMs: ABANDONED_AFTER_MS, except: runId })
  if (swept.runs.length > 0) {
    log(
      `netconform: removed what ${swept.runs.length} abandoned run(s) left (${swept.runs.join(', ')}): ` +
        `${swept.containers.length} containers, ${swept.networks.length} networks`,
    )
  }
  for (const e of swept.errors) log(`netconform: sweep error: ${e}`)
}

/**
 * The first SIGINT/SIGTERM lets the scenario under way finish and
 * clean up; a second one sweeps the run's resources and exits.
 */
function onSignals(target: Target, runId: string, log: (line: string) => void): () => void {
  let signals = 0
  const handler = (signal: NodeJS.Signals) => {
    if (++signals === 1) {
      interruption.signal = signal
      interruption.reason ??= `interrupted by ${signal}`
      log(`netconform: ${signal}: finishing the scenario under way and cleaning up; send it again to stop at once`)
      return
    }
    log(`netconform: ${signal} again: removing this run's resources and stopping`)
    // A control plane held down is started first (here, or by the worker that holds it, as it leaves):
    // the sweep needs the API.
    void restoreOwedControlPlane(log)
      .then(async (restored) => {
        if (restored || !target.offers.controlPlane) return
        for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
          if (await endpointAnswers(target, 2_000)) return
          await pause(500)
        }
      })
      .then(() => removeLabelled(dockerFor(target, 10_000), { [LABEL_RUN]: runId }))
      .then((r) =>
        log(
          `netconform: swept ${r.containers.length} containers and ${r.networks.length} networks of run ` +
            `${runId}${r.errors.length ? `; could not remove: ${r.errors.join('; ')}` : ''}`,
        ),
      )
      .finally(() => process.exit(signalExitCode(signal)))
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

/**
 * What `netconform record` needs beside cucumber's output: run.json, profile.yaml (above) and the
 * endpoint's identity (endpoint.json), asked once before the scenarios run.
 */
async function writeRunContext(dir: string, target: Target, log: (line: string) => void): Promise<void> {
  const context: RunContext = { netconform: netconformVersion(), profile: target }
  writeFileSync(join(dir, RUN_FILE), `${JSON.stringify(context, null, 2)}\n`)
  if (existsSync(target.source)) copyFileSync(target.source, join(dir, PROFILE_FILE))
  try {
    writeFileSync(join(dir, ENDPOINT_FILE), `${JSON.stringify(await endpointIdentity(dockerFor(target)), null, 2)}\n`)
  } catch (e) {
    log(`netconform: no ${ENDPOINT_FILE}: the endpoint's /version or /info did not answer: ${firstLine(e)}`)
  }
}

async function runLocked(
  opts: RunOptions,
  engine: EngineInfo,
  runId: string,
  log: (line: string) => void,
): Promise<RunOutcome> {
  const { target } = opts
  await sweepBefore(target, runId, log)
  const reports = opts.reportsDir ?? defaultReportsDir()
  const base = join(reports, target.name)
  const dir = join(base, runId)
  mkdirSync(dir, { recursive: true })
  await writeRunContext(dir, target, log)
  const worldParameters: WorldParameters = { runId, target, ...(opts.shareSetup ? { shareSetup: true } : {}) }
  const startedAt = new Date()
  const { runConfiguration } = await loadConfiguration({
    file: false,
    provided: {
      paths: FEATURES,
      require: SUPPORT,
      requireModule: COMPILED ? [] : ['ts-node/register'],
      // The verdict console on stdout, unless the user names cucumber formats of their own (--format).
      format: [
        ...(opts.formats?.length ? opts.formats : [CONSOLE]),
        `message:${join(dir, 'messages.ndjson')}`,
        `html:${join(dir, 'report.html')}`,
        `junit:${join(dir, 'junit.xml')}`,
      ],
      formatOptions: {
        junit: { suiteName: `netconform ${target.name}` },
        netconform: { deviations: target.deviations, report: relative(process.cwd(), join(dir, 'report.html')) },
      } as unknown as IConfiguration['formatOptions'],
      worldParameters: worldParameters as unknown as IConfiguration['worldParameters'],
      tags: opts.tags ?? '',
      parallel: opts.parallel ?? 0,
      strict: true,
    },
  })
  const stopWatching = onSignals(target, runId, log)
  try {
    // Support code is required once per process: a second run (--repeat) reuses the first's library.
    const result = await runCucumber(
      { ...runConfiguration, support: supportLibrary ?? runConfiguration.support },
      { cwd: PROJECT },
    )
    supportLibrary ??= result.support
  } finally {
    stopWatching()
  }

  const sweep = await removeLabelled(dockerFor(target), { [LABEL_RUN]: runId })
  if (sweep.containers.length + sweep.networks.length > 0)
    log(
      `netconform: end-of-run sweep removed ${sweep.containers.length} containers, ` +
        `${sweep.networks.length} networks left by scenarios`,
    )
  for (const e of sweep.errors) log(`netconform: cleanup error: ${e}`)
  const sweptAt = opts.sweepAt ? await sweepRunAt(dockerFor(opts.sweepAt), runId) : undefined

  const summary = buildSummary(readFileSync(join(dir, 'messages.ndjson'), 'utf8'), {
    target: { name: target.name, endpoint: target.endpoint, engine },
    runId,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    deviations: target.deviations,
    interrupted: interruption.reason,
  })
  writeReportSet(dir, summary)
  const wider = widerDeclarations(target.deviations, summary, recordedSummaries(reports, runId))
  rmSync(join(base, 'latest'), { force: true })
  symlinkSync(runId, join(base, 'latest'))
  // After the endpoint was lost, what it lists on its way down cannot be trusted to be all.
  const endpointLost = summary.interrupted !== undefined && !interruption.signal
  const swept = sweptAt ? sweptAt.left.length === 0 : sweep.errors.length === 0
  return { summary, dir, cleanedUp: swept && !endpointLost, ...(sweptAt ? { sweptAt } : {}), wider }
}
