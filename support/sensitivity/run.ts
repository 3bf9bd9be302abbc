/**
 * The sensitivity run: the suite, run through a fault-injecting proxy (engine/relay.ts) in front of
 * the target's endpoint, once with no fault (transparent: its verdicts must be a direct run's) and
 * once per fault with the scenarios of the section(s) that fault breaks. A fault is caught when a
 * scenario that did not fail without it fails with it; a fault nothing catches is a defect of the
 * suite, listed first. Writes reports/<target>/sensitivity/<run>/sensitivity.{json,md}.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { conformanceRun } from '../run/run'
import { normalizeReason } from '../report/compare'
import { dockerFor, probeEndpoint } from '../engine/connection'
import { UsageError, firstLine } from '../errors'
import { LABEL_RUN, newRunId, removeLabelled } from '../cleanup/resources'
import { defaultReportsDir } from '../project'
import { interruption } from '../cleanup/interrupt'
import type { Summary, Target, Verdict } from '../types'
import { faultsFor, type Fault } from './faults'
import { startProxy, type Proxy } from './proxy'

export interface SensitivityOptions {
  target: Target
  /** Fault ids to run (default: all). */
  faults?: string[]
  parallel?: number
  reportsDir?: string
  log?: (line: string) => void
}

interface ScenarioVerdict {
  id: string
  verdict: Verdict
  reason: string
}

export interface FaultResult {
  id: string
  breaks: string
  does: string
  tags: string
  /** Scenarios that failed with the fault and did not fail without it (failures of the environment left out). */
  caughtBy: string[]
  /** Scenarios that failed for the environment's sake (a host port another run holds): they neither catch nor miss. */
  environment: string[]
  /**
   * What the run through the fault left on the endpoint (its own cleanup goes through the fault too), removed directly.
   */
  sweptDirectly: string[]
  caught: boolean
  /** False when every scenario of the fault was not applicable on the target: nothing could catch it there. */
  applicable: boolean
  /**
   * The fault changed nothing observable because the endpoint already behaves so: every one of its
   * scenarios has the same verdict and the same evidence as without it, and these deviate as the
   * profile declares (Podman already drops NET_RAW: dropping it again shows the same denial).
   */
  alreadySo?: string[]
  /** Verdicts of the fault's scenarios under the fault. */
  verdicts: ScenarioVerdict[]
  /** Scenarios whose verdict differs from transparent mode's without failing (e.g. deviates → conforms). */
  changed: { id: string; from: Verdict; to: Verdict }[]
  /**
   * Scenarios of the fault with no verdict to judge it by: the run did not get to them (an interruption, the
   * endpoint's loss, a call it failed, a hold), or they had none without the fault. With any and none caught,
   * the fault is not run: neither caught, nor missed, nor not applicable.
   */
  notRun: string[]
  /** Why they were not run (each distinct reason once), naming the failed call where there was one. */
  notRunWhy?: string
  runId: string
  durationMs: number
  interrupted?: string
}

export interface SensitivityReport {
  target: { name: string; endpoint: string; engine: Summary['target']['engine'] }
  runId: string
  startedAt: string
  durationMs: number
  /** What the run did, in words: scenarios per fault, parallelism. */
  method: string
  transparent: {
    runId: string
    durationMs: number
    tags: string
    verdicts: ScenarioVerdict[]
    /** Where the direct verdicts came from: reports/<target>/latest, or a direct run made for the comparison. */
    directRun: string
    /** Scenarios whose verdict through the proxy differs from the direct run's: each is a defect. */
    differences: {
      id: string
      direct: Verdict | 'absent'
      transparent: Verdict
      environment: boolean
      reasons: string
    }[]
  }
  faults: FaultResult[]
  /** Labelled resources of the runs that remained on the endpoint afterwards. */
  leftovers: string[]
  totals: {
    faults: number
    caught: number
    notCaught: number
    notApplicable: number
    alreadySo?: number
    /** Faults with no verdict: none caught them and some of their scenarios were not run. */
    notRun?: number
  }
}

export type FaultStatus = 'caught' | 'NOT CAUGHT' | 'not applicable' | 'already so' | 'not run'

/**
 * What a fault's run says of it. Caught needs a scenario that failed with the fault; anything short
 * of that with a scenario not run (or no scenario at all) says nothing: not run, never not caught or
 * not applicable (every scenario of an empty list is not applicable).
 */
export function faultStatus(f: Pick<FaultResult, 'caught' | 'applicable' | 'alreadySo' | 'notRun'>): FaultStatus {
  if (f.caught) return 'caught'
  if (f.notRun.length > 0) return 'not run'
  if (!f.applicable) return 'not applicable'
  return f.alreadySo ? 'already so' : 'NOT CAUGHT'
}

/**
 * A fault's run, judged against the run without it (`clear`): who caught it, what changed, what has no
 * verdict. A scenario the fault's run did not get to, or that had no verdict without the fault, judges nothing.
 */
export function judgeFault(
  s: Pick<Summary, 'scenarios' | 'notRun'>,
  clear: Pick<Summary, 'scenarios' | 'notRun'>,
): Pick<
  FaultResult,
  'caughtBy' | 'environment' | 'caught' | 'applicable' | 'alreadySo' | 'changed' | 'notRun' | 'notRunWhy'
> {
  const clearVerdicts = new Map(clear.scenarios.map((x) => [x.id, x.verdict]))
  const clearReasons = new Map(clear.scenarios.map((x) => [x.id, x.reason]))
  const clearNotRun = new Map((clear.notRun ?? []).map((n) => [n.id, n.reason]))
  const judged = s.scenarios.filter((x) => clearVerdicts.has(x.id))
  const unjudged = [
    ...(s.notRun ?? []).map((n) => ({ id: n.id, why: n.reason })),
    ...s.scenarios
      .filter((x) => !clearVerdicts.has(x.id))
      .map((x) => ({
        id: x.id,
        why: `no verdict without the fault (${clearNotRun.has(x.id) ? `not run: ${clearNotRun.get(x.id)}` : 'absent'})`,
      })),
  ]
  if (s.scenarios.length === 0 && unjudged.length === 0)
    unjudged.push({ id: '(none)', why: 'the run gave no scenario a verdict and named none not run' })
  const failed = judged.filter((x) => x.verdict === 'fails' && clearVerdicts.get(x.id) !== 'fails')
  const environment = failed.filter((x) => ENVIRONMENT.test(x.reason)).map((x) => x.id)
  const caughtBy = failed.filter((x) => !ENVIRONMENT.test(x.reason)).map((x) => x.id)
  const changed = judged
    .filter((x) => x.verdict !== 'fails' && clearVerdicts.get(x.id) !== x.verdict)
    .map((x) => ({ id: x.id, from: clearVerdicts.get(x.id)!, to: x.verdict }))
  const same = s.scenarios.every(
    (x) =>
      clearVerdicts.get(x.id) === x.verdict &&
      normalizeReason(clearReasons.get(x.id) ?? '') === normalizeReason(x.reason),
  )
  const deviating = s.scenarios.filter((x) => x.verdict === 'deviates').map((x) => x.id)
  const alreadySo =
    caughtBy.length === 0 && unjudged.length === 0 && same && deviating.length > 0 ? deviating : undefined
  return {
    ...(alreadySo ? { alreadySo } : {}),
    caughtBy,
    environment,
    caught: caughtBy.length > 0,
    // Not applicable only when every scenario got a verdict, and it was that.
    applicable: unjudged.length > 0 || s.scenarios.some((x) => x.verdict !== 'not-applicable'),
    changed,
    notRun: unjudged.map((u) => u.id),
    ...(unjudged.length > 0 ? { notRunWhy: [...new Set(unjudged.map((u) => u.why))].join('; ') } : {}),
  }
}

/** A failure that says nothing of the endpoint: another run on this host holds a port the scenario publishes. */
const ENVIRONMENT = /address already in use|port is already allocated/i

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

/** A direct run's verdicts and reasons, and which run they came from. */
export interface Direct {
  verdicts: Map<string, Verdict>
  reasons: Map<string, string>
  from: string
}

function directOf(summary: Summary, from: string): Direct {
  return {
    verdicts: new Map(summary.scenarios.map((s) => [s.id, s.verdict])),
    reasons: new Map(summary.scenarios.map((s) => [s.id, s.reason])),
    from,
  }
}

/** A report folder as the commands show it: from the folder netconform is run from. */
const shown = (dir: string) => relative(process.cwd(), dir) || dir

/** The direct run in BASE/latest (BASE: one target's reports), when it is complete and covers every one of `ids`. */
export function latestDirect(base: string, ids: string[]): Direct | undefined {
  const file = join(base, 'latest', 'summary.json')
  if (!existsSync(file)) return undefined
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary
  if (summary.interrupted) return undefined
  if (!ids.every((id) => summary.scenarios.some((s) => s.id === id))) return undefined
  return directOf(summary, `${shown(join(base, summary.runId))} (${shown(join(base, 'latest'))})`)
}

/**
 * Where a sensitivity run of TARGET writes (`dir`: REPORTS/TARGET/sensitivity/RUN) and where the direct
 * runs it reads and makes are (`direct`: REPORTS/TARGET, as `run` writes them). REPORTS: the one default
 * of every command (reports/ in the folder netconform is run from) unless given.
 */
export function sensitivityFolders(
  target: string,
  runId: string,
  reportsDir = defaultReportsDir(),
): { reportsDir: string; direct: string; dir: string } {
  const direct = join(reportsDir, target)
  return { reportsDir, direct, dir: join(direct, 'sensitivity', runId) }
}

/** What the given runs labelled and left on the target's endpoint, one line each. */
export async function leftoversOf(target: Target, runIds: string[]): Promise<string[]> {
  const docker = dockerFor(target)
  const out: string[] = []
  for (const runId of runIds) {
    const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] })
    try {
      for (const c of await docker.listContainers({ all: true, filters }))
        out.push(`container ${c.Names[0]?.replace(/^\//, '') ?? c.Id} (run ${runId})`)
      for (const n of await docker.listNetworks({ filters })) out.push(`network ${n.Name} (run ${runId})`)
    } catch (e) {
      out.push(`could not list what run ${runId} labelled: ${firstLine(e)}`)
    }
  }
  return out
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
  const runIds: string[] = []
  try {
    // The proxy speaks plain HTTP on its socket; it holds the target's TLS files itself.
    const proxied: Target = { ...target, endpoint: proxy.url, tls: undefined }
    await probeEndpoint(proxied)
    log(
      `netconform: sensitivity of ${target.name} (${target.endpoint} → ${engine.name} ${engine.version}) ` +
        `through ${proxy.url}: ${faults.length} faults`,
    )
    const runThrough = async (label: string, tags: string, faulty: (t: Target) => Target = (t) => t) => {
      // A run that lost its endpoint says so in its own summary; the next run checks the endpoint
      // anew (its probe fails when it is really gone) rather than skipping everything as not run.
      if (!interruption.signal) interruption.reason = undefined
      const { summary } = await conformanceRun({
        target: faulty(proxied),
        tags,
        parallel: opts.parallel,
        reportsDir: join(dir, 'runs', label),
        log: () => {},
      })
      runIds.push(summary.runId)
      return summary
    }

    // Transparent mode: every scenario any chosen fault runs, no hook.
    const allTags = orTags(faults.map((f) => f.tags))
    proxy.setHooks([])
    log(`netconform: transparent (no fault): ${allTags}`)
    const clear = await runThrough('transparent', allTags)
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
            environment: ENVIRONMENT.test(reasons),
            reasons,
          }
        })
    const directNow = async (): Promise<Direct> => {
      const { summary, dir: directDir } = await conformanceRun({
        target,
        tags: allTags,
        parallel: opts.parallel,
        reportsDir,
        log: () => {},
      })
      runIds.push(summary.runId)
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
      const s = await runThrough(fault.id, fault.tags, fault.profile)
      proxy.setHooks([])
      const swept = await removeLabelled(dockerFor(target), { [LABEL_RUN]: s.runId })
      const sweptDirectly = [
        ...swept.containers.map((c) => `container ${c}`),
        ...swept.networks.map((n) => `network ${n}`),
        ...swept.errors,
      ]
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

    const leftovers = await leftoversOf(target, runIds)
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

/** 0: every fault caught (none not run), transparent mode as direct, nothing left behind; 1 otherwise. */
export function sensitivityExitCode(r: SensitivityReport): number {
  return r.totals.notCaught === 0 &&
    !r.totals.notRun &&
    r.transparent.differences.length === 0 &&
    r.leftovers.length === 0 &&
    r.faults.every((f) => !f.interrupted)
    ? 0
    : 1
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export function renderMarkdown(r: SensitivityReport): string {
  const lines: string[] = [
    `# Sensitivity of the suite: ${r.target.name} (${r.target.engine.name} ${r.target.engine.version})`,
    '',
    `Run ${r.runId}, ${r.startedAt}, ${secs(r.durationMs)}. ${r.totals.faults} faults: ${r.totals.caught} caught, ` +
      `${r.totals.notCaught} not caught, ${r.totals.notApplicable} not applicable here ` +
      `(all their scenarios are)${r.totals.alreadySo ? `, ${r.totals.alreadySo} already so on this endpoint` : ''}` +
      `${r.totals.notRun ? `, ${r.totals.notRun} not run (no verdict: listed under "Not run")` : ''}.`,
    `Method: ${r.method}. A fault is caught when a scenario that did not fail without it fails with it.`,
    '',
  ]
  const table = (faults: FaultResult[]) => {
    lines.push('| fault | breaks | caught by | time |', '| --- | --- | --- | --- |')
    for (const f of faults) {
      const by = f.caughtBy.length > 0 ? f.caughtBy.join(', ') : 'nothing'
      const verdicts = f.verdicts.map((v) => `${v.id}: ${v.verdict}`).join('; ')
      const changed = [
        f.changed.length > 0 ? ` (changed: ${f.changed.map((c) => `${c.id} ${c.from} → ${c.to}`).join(', ')})` : '',
        f.environment.length > 0
          ? ` (failed for the environment's sake, a host port taken: ${f.environment.join(', ')})`
          : '',
      ].join('')
      const interrupted = f.interrupted ? `<br>interrupted: ${cell(f.interrupted)}` : ''
      const notRun = f.notRun.length > 0 ? `<br>not run: ${cell(f.notRun.join(', '))}: ${cell(f.notRunWhy ?? '')}` : ''
      lines.push(
        `| **${f.id}**: ${cell(f.does)} | ${cell(f.breaks)} | ${cell(by)}${cell(changed)}<br>verdicts: ` +
          `${cell(verdicts || 'none')}${interrupted}${notRun} | ${secs(f.durationMs)} |`,
      )
    }
    lines.push('')
  }
  const missed = r.faults.filter((f) => faultStatus(f) === 'NOT CAUGHT')
  lines.push('## Not caught (defects of the suite)', '')
  const unrun = r.faults.filter((f) => faultStatus(f) === 'not run')
  if (missed.length === 0)
    lines.push(
      unrun.length === 0
        ? 'None: every fault made a scenario fail.'
        : 'None among the faults whose scenarios all ran (see "Not run" for the others).',
      '',
    )
  else table(missed)
  if (unrun.length > 0) {
    lines.push(
      '## Not run (no verdict on these faults)',
      '',
      'Nothing caught these faults, and some of their scenarios were not run (the reason names the failed call, ' +
        'the interruption or the hold), so the run cannot say whether the suite catches them: ' +
        'run them again (`--faults`).',
      '',
    )
    table(unrun)
  }
  lines.push('## Caught', '')
  const hit = r.faults.filter((f) => f.caught)
  if (hit.length === 0) lines.push('None.', '')
  else table(hit)
  const so = r.faults.filter((f) => faultStatus(f) === 'already so')
  if (so.length > 0) {
    lines.push(
      '## Already so on this target',
      '',
      'The endpoint already behaves as these faults make it: ' +
        'every scenario they break has the same verdict and evidence with and without the fault, ' +
        'deviating as the profile declares (no observation can tell them apart here):',
      '',
    )
    table(so)
  }
  const na = r.faults.filter((f) => faultStatus(f) === 'not applicable')
  if (na.length > 0) {
    lines.push(
      '## Not applicable on this target',
      '',
      'Every scenario these faults break is not applicable here, so no run on this target can catch them:',
      '',
    )
    table(na)
  }
  lines.push('## Transparent mode (no fault)', '')
  lines.push(
    `Run ${r.transparent.runId}, ${secs(r.transparent.durationMs)}, ` +
      `compared with the direct run ${r.transparent.directRun}.`,
    '',
  )
  if (r.transparent.differences.length === 0) lines.push("Every verdict through the proxy equals the direct run's.", '')
  else {
    lines.push(
      "**Defect**: verdicts through the transparent proxy differ from the direct run's " +
        '(a difference marked *environment* had a host port taken by another run on this machine: ' +
        'rerun when the host is quiet):',
      '',
      '| scenario | direct | transparent | why |',
      '| --- | --- | --- | --- |',
    )
    for (const d of r.transparent.differences)
      lines.push(
        `| ${d.id} | ${d.direct} | ${d.transparent} | ${d.environment ? '*environment*: ' : ''}${cell(d.reasons)} |`,
      )
    lines.push('')
  }
  lines.push(r.transparent.verdicts.map((v) => `- ${v.id}: ${v.verdict}`).join('\n'), '')
  const swept = r.faults.filter((f) => f.sweptDirectly.length > 0)
  if (swept.length > 0) {
    lines.push(
      '## Removed directly after a fault',
      '',
      "The suite's own cleanup lists through the proxy, so a fault that hides resources hides them from it too; " +
        'the runner removed these by label, directly:',
      '',
    )
    for (const f of swept) lines.push(`- ${f.id}: ${f.sweptDirectly.join(', ')}`)
    lines.push('')
  }
  lines.push(
    '## Left on the endpoint',
    '',
    r.leftovers.length === 0 ? 'Nothing labelled by these runs remained.' : r.leftovers.map((l) => `- ${l}`).join('\n'),
    '',
  )
  return `${lines.join('\n')}\n`
}
