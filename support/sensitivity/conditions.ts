/**
 * `netconform sensitivity --conditions`: the suite through the relay (engine/relay.ts) under
 * conditions a real endpoint may be in — slow (every call delayed), flaky (a seeded fraction of
 * calls answered 500 or reset), restarting (no listener for a few seconds mid-run) — compared
 * with a direct run made just before. A scenario must keep its direct verdict, or be `not run`
 * naming the call the endpoint failed; any other verdict is a lie the suite told, and fails the
 * command. Everything the runs labelled is swept directly after each and must be gone at the
 * end. Writes reports/<target>/conditions/<run>/conditions.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { conformanceRun } from '../run/run'
import { probeEndpoint } from '../engine/connection'
import { firstLine } from '../errors'
import { newRunId, type SweptAt } from '../cleanup/resources'
import { defaultReportsDir } from '../project'
import { interruption } from '../cleanup/interrupt'
import type { Summary, Target, Verdict } from '../types'
import { startProxy } from './proxy'
import type { Conditions } from './endpoint-conditions'
import { cell, leftoversSection, secs } from './render'

export interface ConditionsOptions {
  target: Target
  /** Which conditions, with their settings; absent ones are not run. */
  latencyMs?: number
  apiErrors?: number
  /** The request at which the endpoint restarts; 0: half the requests the first condition's run made (or 300). */
  restartAt?: number
  seed?: number
  parallel?: number
  reportsDir?: string
  log?: (line: string) => void
}

/** The defaults of `--conditions`: the issue's figures. */
export const DEFAULT_CONDITIONS = { latencyMs: 200, apiErrors: 0.05, restartAt: 0, seed: 1, downMs: 5_000 } as const

export type ConditionOutcome = 'kept' | 'not run' | 'CHANGED'

export interface ConditionResult {
  id: string
  does: string
  conditions: Conditions
  runId?: string
  durationMs: number
  totals?: Summary['totals']
  /** Requests the proxy saw, and what the condition did to some of them. */
  requests: number
  injected: { '500': number; reset: number; down: number }
  scenarios: {
    id: string
    direct: Verdict
    under: Verdict | 'not run' | 'absent'
    outcome: ConditionOutcome
    reason: string
  }[]
  kept: number
  notRun: number
  changed: number
  /** What the run left that the runner removed by label. */
  sweptDirectly: string[]
  /** Why the run could not be made, when it could not. */
  error?: string
}

export interface ConditionsReport {
  target: { name: string; endpoint: string }
  runId: string
  startedAt: string
  durationMs: number
  direct: { runId: string; durationMs: number; totals: Summary['totals'] }
  conditions: ConditionResult[]
  leftovers: string[]
}

/** How a scenario fared under a condition, against its direct verdict. */
export function conditionOutcomeOf(
  direct: Verdict,
  under: Summary['scenarios'][number] | undefined,
  notRun: NonNullable<Summary['notRun']>[number] | undefined,
): { under: ConditionResult['scenarios'][number]['under']; outcome: ConditionOutcome; reason: string } {
  if (under)
    return { under: under.verdict, outcome: under.verdict === direct ? 'kept' : 'CHANGED', reason: under.reason }
  if (notRun) return { under: 'not run', outcome: 'not run', reason: notRun.reason }
  return { under: 'absent', outcome: 'CHANGED', reason: 'neither a verdict nor a reason for not running it' }
}

/** Where a conditions run of TARGET writes: REPORTS/TARGET/conditions/RUN, REPORTS the one default of every command. */
export function conditionsFolder(target: string, runId: string, reportsDir = defaultReportsDir()): string {
  return join(reportsDir, target, 'conditions', runId)
}

export async function conditionsRun(opts: ConditionsOptions): Promise<{ report: ConditionsReport; dir: string }> {
  const log = opts.log ?? (() => {})
  const { target } = opts
  await probeEndpoint(target)
  const runId = newRunId()
  const dir = conditionsFolder(target.name, runId, opts.reportsDir)
  mkdirSync(dir, { recursive: true })
  const started = Date.now()
  const seed = opts.seed ?? DEFAULT_CONDITIONS.seed

  log(`netconform: conditions of ${target.name} (${target.endpoint}): a direct run first`)
  // What each run left labelled after its sweep, swept again at the endpoint itself.
  const leftovers: string[] = []
  const directRun = await conformanceRun({
    target,
    parallel: opts.parallel,
    shareSetup: true,
    reportsDir: join(dir, 'runs', 'direct'),
    log: () => {},
    sweepAt: target,
  })
  const direct = directRun.summary
  leftovers.push(...(directRun.sweptAt?.left ?? []))
  log(`netconform:   direct: ${JSON.stringify(direct.totals)} in ${(direct.durationMs / 1000).toFixed(1)} s`)
  const directVerdicts = new Map(direct.scenarios.map((s) => [s.id, s.verdict]))

  const proxy = await startProxy({ upstream: target.endpoint, tls: target.tls, onError: () => {} })
  const proxied: Target = { ...target, endpoint: proxy.url, tls: undefined }
  const results: ConditionResult[] = []
  try {
    const plan: { id: string; does: string; conditions: () => Conditions }[] = []
    if (opts.latencyMs !== undefined)
      plan.push({
        id: `latency-${opts.latencyMs}ms`,
        does: `every API call delayed ${opts.latencyMs} ms`,
        conditions: () => ({ latencyMs: opts.latencyMs }),
      })
    if (opts.apiErrors !== undefined) {
      plan.push({
        id: `api-errors-${opts.apiErrors}`,
        does: `${(opts.apiErrors * 100).toFixed(1)} % of API calls (seed ${seed}) answered 500 or reset, unforwarded`,
        conditions: () => ({ apiErrors: { rate: opts.apiErrors!, seed } }),
      })
    }
    if (opts.restartAt !== undefined) {
      const at = () =>
        opts.restartAt || Math.max(50, Math.round((results.find((r) => r.requests > 0)?.requests ?? 600) / 2))
      plan.push({
        id: 'restart',
        does:
          `the endpoint restarts mid-run: no listener for ${DEFAULT_CONDITIONS.downMs / 1000} s, ` +
          'open connections dropped',
        conditions: () => ({ restartAt: { call: at(), downMs: DEFAULT_CONDITIONS.downMs } }),
      })
    }
    for (const c of plan) {
      const conditions = c.conditions()
      const description = c.id === 'restart' ? `${c.does}, at request ${conditions.restartAt!.call}` : c.does
      proxy.setConditions(conditions)
      const t0 = Date.now()
      let summary: Summary | undefined
      let sweptAt: SweptAt | undefined
      let error: string | undefined
      // A run whose own start (ping, version, image) the condition
      // failed never reached a scenario: it is started again.
      for (let attempt = 1; attempt <= 3 && !summary; attempt++) {
        if (!interruption.signal) interruption.reason = undefined
        try {
          ;({ summary, sweptAt } = await conformanceRun({
            target: proxied,
            parallel: opts.parallel,
            shareSetup: true,
            reportsDir: join(dir, 'runs', c.id),
            log: () => {},
            sweepAt: target,
          }))
        } catch (e) {
          error = `the run could not start (attempt ${attempt}): ${firstLine(e)}`
          log(`netconform:   ${c.id}: ${error}`)
        }
      }
      const requests = proxy.seen.length
      const injected = { '500': 0, reset: 0, down: 0 }
      for (const i of proxy.injected) injected[i.what === '500' ? '500' : i.what] += 1
      proxy.setConditions(undefined)
      proxy.seen.length = 0
      proxy.injected.length = 0
      if (!summary) {
        results.push({
          id: c.id,
          does: description,
          conditions,
          durationMs: Date.now() - t0,
          requests,
          injected,
          scenarios: [],
          kept: 0,
          notRun: 0,
          changed: 0,
          sweptDirectly: [],
          error,
        })
        continue
      }
      leftovers.push(...(sweptAt?.left ?? []))
      const sweptDirectly = sweptAt?.removed ?? []
      const scenarios = [...directVerdicts].map(([id, d]) => ({
        id,
        direct: d,
        ...conditionOutcomeOf(
          d,
          summary.scenarios.find((s) => s.id === id),
          summary.notRun?.find((n) => n.id === id),
        ),
      }))
      const count = (o: ConditionOutcome) => scenarios.filter((s) => s.outcome === o).length
      const r: ConditionResult = {
        id: c.id,
        does: description,
        conditions,
        runId: summary.runId,
        durationMs: Date.now() - t0,
        totals: summary.totals,
        requests,
        injected,
        scenarios,
        kept: count('kept'),
        notRun: count('not run'),
        changed: count('CHANGED'),
        sweptDirectly,
      }
      results.push(r)
      log(
        `netconform: ${c.id}: ${r.kept} kept, ${r.notRun} not run, ${r.changed} changed verdict ` +
          `(${requests} requests; injected ${injected['500']} × 500, ${injected.reset} resets, ` +
          `${injected.down} while down) in ${(r.durationMs / 1000).toFixed(1)} s`,
      )
      for (const s of scenarios.filter((x) => x.outcome === 'CHANGED'))
        log(`netconform:   CHANGED ${s.id}: ${s.direct} → ${s.under}: ${firstLine(s.reason)}`)
      if (sweptDirectly.length > 0)
        log(`netconform:   ${c.id}: its run left ${sweptDirectly.join(', ')}: removed directly`)
      if (interruption.signal) break
    }
  } finally {
    await proxy.close()
  }
  const report: ConditionsReport = {
    target: { name: target.name, endpoint: target.endpoint },
    runId,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    direct: { runId: direct.runId, durationMs: direct.durationMs, totals: direct.totals },
    conditions: results,
    leftovers,
  }
  writeFileSync(join(dir, 'conditions.json'), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(join(dir, 'conditions.md'), renderConditions(report))
  return { report, dir }
}

/** 0: no scenario changed verdict under any condition, every run made, nothing left; 1 otherwise. */
export function conditionsExitCode(r: ConditionsReport): number {
  return r.conditions.every((c) => c.changed === 0 && !c.error) && r.leftovers.length === 0 ? 0 : 1
}

function renderConditions(r: ConditionsReport): string {
  const lines = [
    `# The suite under slow and flaky conditions: ${r.target.name}`,
    '',
    `Run ${r.runId}, ${r.startedAt}, ${secs(r.durationMs)}. Direct run ${r.direct.runId}: ` +
      `${JSON.stringify(r.direct.totals)} in ${secs(r.direct.durationMs)}.`,
    'Each condition ran the whole suite through the proxy. A scenario must keep its direct verdict or be *not run*, ' +
      'naming the call the endpoint failed.',
    '',
    '| condition | time | requests | injected | kept | not run | changed |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const c of r.conditions) {
    lines.push(
      `| ${cell(c.does)} | ${secs(c.durationMs)} | ${c.requests} | ${c.injected['500']} × 500, ` +
        `${c.injected.reset} resets, ${c.injected.down} while down | ${c.kept} | ${c.notRun} | ` +
        `${c.changed}${c.error ? ` (${cell(c.error)})` : ''} |`,
    )
  }
  lines.push('')
  for (const c of r.conditions) {
    const odd = c.scenarios.filter((s) => s.outcome !== 'kept')
    lines.push(
      `## ${c.id}`,
      '',
      odd.length === 0
        ? 'Every scenario kept its direct verdict.'
        : odd
            .map(
              (s) =>
                `- ${s.outcome === 'CHANGED' ? '**CHANGED** ' : ''}${s.id}: ${s.direct} → ${s.under}: ` +
                `${cell(firstLine(s.reason))}`,
            )
            .join('\n'),
      '',
    )
    if (c.sweptDirectly.length > 0)
      lines.push(`Its run left, removed directly by label: ${c.sweptDirectly.join(', ')}.`, '')
  }
  lines.push(...leftoversSection(r.leftovers))
  return `${lines.join('\n')}\n`
}
