/**
 * The sensitivity run: the suite, run through a fault-injecting proxy (proxy.ts) in front of
 * the target's endpoint, once with no fault (transparent: its verdicts must be a direct run's) and
 * once per fault with the scenarios of the section(s) that fault breaks. A fault is caught when a
 * scenario that did not fail without it fails with it; a fault nothing catches is a defect of the
 * suite, listed first. Writes reports/<target>/sensitivity/<run>/sensitivity.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { conformanceRun } from '../run/run'
import { probeEndpoint } from '../engine/connection'
import { UsageError, firstLine } from '../errors'
import { newRunId } from '../cleanup/resources'
import { interruption } from '../cleanup/interrupt'
import type { Summary, Target } from '../types'
import { faultsFor, type Fault } from './faults'
import { startProxy, type Proxy } from './proxy'
import { faultStatus, type FaultResult, type FaultStatus, type ScenarioVerdict, type SensitivityReport } from './report'
import { judgeFault } from './judging'
import { portTaken } from '../engine/kinds'
import { latestDirect, sensitivityFolders, directOf, shown, type Direct } from './direct'
import { renderMarkdown } from './render'

export interface SensitivityOptions {
  target: Target
  /** Fault ids to run (default: all). */
  faults?: string[]
  parallel?: number
  reportsDir?: string
  log?: (line: string) => void
}

/** One tag expression for all the faults' scenarios; plain lists of ids are merged without repeats. */
export function orTags(tags: string[]): string {
  const lists = tags.map((t) => t.split(/\s+or\s+/))
  if (lists.every((l) => l.every((w) => /^@id:\S+$/.test(w)))) return [...new Set(lists.flat())].join(' or ')
  return tags.map((t) => `(${t})`).join(' or ')
}

function verdictsOf(summary: Summary): ScenarioVerdict[] {
  return summary.scenarios.map((s) => ({ id: s.id, verdict: s.verdict, reason: s.reason }))
}

/** The faults chosen with --faults, in their order in faults.ts; an unknown id is a usage error. */
export function selectFaults(all: Fault[], wanted?: string[]): Fault[] {
  if (!wanted || wanted.length === 0) return all
  const unknown = wanted.filter((id) => !all.some((f) => f.id === id))
  if (unknown.length > 0)
    throw new UsageError(
      `unknown fault${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${all.map((f) => f.id).join(', ')})`,
    )
  return all.filter((f) => wanted.includes(f.id))
}

export async function sensitivityRun(opts: SensitivityOptions): Promise<{ report: SensitivityReport; dir: string }> {
  const log = opts.log ?? (() => {})
  const { target } = opts
  const faults = selectFaults(faultsFor(target), opts.faults)
  const engine = await probeEndpoint(target)
  const runId = newRunId()
  const { reportsDir, direct: base, dir } = sensitivityFolders(target.name, runId, opts.reportsDir)
  mkdirSync(dir, { recursive: true })
  const startedAt = new Date()
  const proxy: Proxy = await startProxy({
    upstream: target.endpoint,
    tls: target.tls,
    onError: (what, e) => log(`netconform: proxy: ${what}: ${firstLine(e)}`),
  })
  // What each run left labelled after its sweep, swept again at the endpoint itself.
  const leftovers: string[] = []
  try {
    // The proxy speaks plain HTTP on its socket; it holds the target's TLS files itself.
    const proxied: Target = { ...target, endpoint: proxy.url, tls: undefined }
    log(
      `netconform: sensitivity of ${target.name} (${target.endpoint} → ${engine.name} ${engine.version}) ` +
        `through ${proxy.url}: ${faults.length} faults`,
    )
    const runThrough = async (label: string, tags: string, faulty: (t: Target) => Target = (t) => t) => {
      // A run that lost its endpoint says so in its own summary; the next run checks the endpoint
      // anew (its probe fails when it is really gone) rather than skipping everything as not run.
      if (!interruption.signal) interruption.reason = undefined
      const { summary, sweptAt } = await conformanceRun({
        target: faulty(proxied),
        tags,
        parallel: opts.parallel,
        reportsDir: join(dir, 'runs', label),
        log: () => {},
        sweepAt: target,
      })
      leftovers.push(...(sweptAt?.left ?? []))
      return { summary, sweptDirectly: sweptAt?.removed ?? [] }
    }

    // Transparent mode: every scenario any chosen fault runs, no hook.
    const allTags = orTags(faults.map((f) => f.tags))
    proxy.setHooks([])
    log(`netconform: transparent (no fault): ${allTags}`)
    const { summary: clear } = await runThrough('transparent', allTags)
    const clearVerdicts = new Map(clear.scenarios.map((s) => [s.id, s.verdict]))
    log(
      `netconform:   ${clear.scenarios.length} scenarios in ${(clear.durationMs / 1000).toFixed(1)} s: ` +
        `${JSON.stringify(clear.totals)}`,
    )

    const clearReasons = new Map(clear.scenarios.map((s) => [s.id, s.reason]))
    const compare = (d: Direct) =>
      [...clearVerdicts]
        .filter(([id, v]) => d.verdicts.get(id) !== v)
        .map(([id, v]) => {
          const directReason = d.reasons.get(id) || '—'
          const reasons = [`direct: ${directReason}`, `transparent: ${clearReasons.get(id) || '—'}`].join(' / ')
          return {
            id,
            direct: d.verdicts.get(id) ?? ('absent' as const),
            transparent: v,
            environment: portTaken(reasons),
            reasons,
          }
        })
    const directNow = async (): Promise<Direct> => {
      const {
        summary,
        dir: directDir,
        sweptAt,
      } = await conformanceRun({
        target,
        tags: allTags,
        parallel: opts.parallel,
        reportsDir,
        log: () => {},
        sweepAt: target,
      })
      leftovers.push(...(sweptAt?.left ?? []))
      return directOf(summary, shown(directDir))
    }
    let direct = latestDirect(base, [...clearVerdicts.keys()])
    let differences = direct ? compare(direct) : []
    if (!direct || differences.length > 0) {
      // An older direct run may have met another engine state or another run's ports: ask again, now.
      const why = direct
        ? `the latest direct run (${direct.from}) differs in ${differences.length}: running a direct one now`
        : `no complete direct run in ${shown(join(base, 'latest'))} covers these scenarios: running one`
      log(`netconform: ${why}`)
      direct = await directNow()
      differences = compare(direct)
    }
    log(
      `netconform:   direct verdicts from ${direct.from}: ` +
        `${differences.length === 0 ? 'the same' : `${differences.length} differ`}`,
    )

    const results: FaultResult[] = []
    for (const fault of faults) {
      proxy.setHooks(fault.hooks)
      const { summary: s, sweptDirectly } = await runThrough(fault.id, fault.tags, fault.profile)
      proxy.setHooks([])
      const judged = judgeFault(s, clear)
      const { caughtBy, environment, alreadySo } = judged
      const result: FaultResult = {
        id: fault.id,
        breaks: fault.breaks,
        does: fault.does,
        tags: fault.tags,
        ...judged,
        sweptDirectly,
        verdicts: verdictsOf(s),
        runId: s.runId,
        durationMs: s.durationMs,
        ...(s.interrupted ? { interrupted: s.interrupted } : {}),
      }
      results.push(result)
      if (environment.length > 0)
        log(`netconform:   ${fault.id}: failed for the environment's sake (host port taken): ${environment.join(', ')}`)
      if (sweptDirectly.length > 0)
        log(`netconform:   ${fault.id}: its run left ${sweptDirectly.join(', ')}: removed directly`)
      const verdict = {
        caught: `caught by ${caughtBy.join(', ')}`,
        'not run': `not run: ${result.notRun.join(', ')}: ${result.notRunWhy}`,
        'not applicable': 'not applicable (every scenario is)',
        'already so':
          `already so on this endpoint: ${alreadySo?.join(', ')} deviate as declared, ` +
          'with the same evidence as without the fault',
        'NOT CAUGHT': 'NOT CAUGHT',
      }[faultStatus(result)]
      log(
        `netconform: ${fault.id}: ${verdict} (${s.scenarios.length} scenarios, ${(s.durationMs / 1000).toFixed(1)} s)`,
      )
      if (interruption.signal) {
        log(`netconform: ${s.interrupted}: stopping`)
        break
      }
    }

    const count = (status: FaultStatus) => results.filter((r) => faultStatus(r) === status).length
    const caught = count('caught')
    const notApplicable = count('not applicable')
    const alreadySoCount = count('already so')
    const notRunCount = count('not run')
    const report: SensitivityReport = {
      target: { name: target.name, endpoint: target.endpoint, engine },
      runId,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      method:
        'each fault ran only the scenarios of the section(s) it breaks (its tag expression), ' +
        `serially${opts.parallel ? ` with --parallel ${opts.parallel}` : ''}, through the proxy ${proxy.url}; ` +
        'transparent mode ran the union of those scenarios',
      transparent: {
        runId: clear.runId,
        durationMs: clear.durationMs,
        tags: allTags,
        verdicts: verdictsOf(clear),
        directRun: direct.from,
        differences,
      },
      faults: results,
      leftovers,
      totals: {
        faults: results.length,
        caught,
        notCaught: count('NOT CAUGHT'),
        notApplicable,
        alreadySo: alreadySoCount,
        notRun: notRunCount,
      },
    }
    writeFileSync(join(dir, 'sensitivity.json'), `${JSON.stringify(report, null, 2)}\n`)
    writeFileSync(join(dir, 'sensitivity.md'), renderMarkdown(report))
    return { report, dir }
  } finally {
    await proxy.close()
  }
}
