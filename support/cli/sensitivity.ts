/**
 * `netconform sensitivity [--target NAME|FILE] [--endpoint URL] [--faults id,id] [--parallel N]`, or under conditions:
 * `… --conditions` (all three, the defaults) or any of `--latency MS`, `--api-errors RATE [--seed N]`, `--restart-at N`.
 */
import { parseArgs } from 'node:util'
import { relative } from 'node:path'
import { UsageError } from '../errors'
import { TARGET_OPTIONS, parallelOf } from './options'
import { interruption, signalExitCode } from '../cleanup/interrupt'
import type { Target } from '../types'
import { faultStatus, sensitivityExitCode, sensitivityRun } from '../sensitivity/run'
import { DEFAULT_CONDITIONS, conditionsExitCode, conditionsRun } from '../sensitivity/conditions'

export async function sensitivityCommand(
  argv: string[],
  out: (line: string) => void,
  resolveTarget: (values: { target?: string; endpoint?: string; 'public-address'?: string }) => Target,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      faults: { type: 'string' },
      parallel: { type: 'string' },
      conditions: { type: 'boolean' },
      latency: { type: 'string' },
      'api-errors': { type: 'string' },
      'restart-at': { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  })
  const parallel = parallelOf(values.parallel)
  const chosen =
    values.latency !== undefined || values['api-errors'] !== undefined || values['restart-at'] !== undefined
  if (values.conditions || chosen || values.seed !== undefined) {
    if (values.faults !== undefined)
      throw new UsageError(
        '--faults and the conditions (--conditions, --latency, --api-errors, --restart-at) are separate runs: give one or the other',
      )
    const all = values.conditions && !chosen
    const number = (name: string, text: string | undefined, ok: (n: number) => boolean, what: string) => {
      if (text === undefined) return undefined
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n) || !ok(n))
        throw new UsageError(`--${name} takes ${what}, not "${text}"`)
      return n
    }
    const opts = {
      latencyMs:
        number('latency', values.latency, (n) => Number.isInteger(n) && n >= 0, 'milliseconds (a whole number)') ??
        (all ? DEFAULT_CONDITIONS.latencyMs : undefined),
      apiErrors:
        number('api-errors', values['api-errors'], (n) => n > 0 && n < 1, 'a fraction between 0 and 1 (0.05: 5 %)') ??
        (all ? DEFAULT_CONDITIONS.apiErrors : undefined),
      restartAt:
        number('restart-at', values['restart-at'], (n) => Number.isInteger(n) && n >= 1, 'a request count from 1') ??
        (all ? DEFAULT_CONDITIONS.restartAt : undefined),
      seed: number('seed', values.seed, Number.isInteger, 'a whole number') ?? DEFAULT_CONDITIONS.seed,
    }
    if (opts.latencyMs === undefined && opts.apiErrors === undefined && opts.restartAt === undefined) {
      throw new UsageError('--seed picks the calls --api-errors fails: give --conditions or --api-errors with it')
    }
    const target = resolveTarget(values)
    const { report, dir } = await conditionsRun({ target, ...opts, parallel, log: out })
    out(
      `netconform: ${report.target.name} under conditions (direct run ${(report.direct.durationMs / 1000).toFixed(1)} s):`,
    )
    for (const c of report.conditions) {
      out(
        `  ${c.id.padEnd(18)} ${c.error ? c.error : `${c.kept} kept, ${c.notRun} not run (each naming the call), ${c.changed} changed verdict`}  (${(c.durationMs / 1000).toFixed(1)} s)`,
      )
    }
    out(
      `netconform: ${report.leftovers.length === 0 ? 'nothing labelled left on the endpoint' : `left on the endpoint: ${report.leftovers.join(', ')}`}; report in ${relative(process.cwd(), dir) || dir}/conditions.md`,
    )
    if (interruption.signal) return signalExitCode(interruption.signal)
    return conditionsExitCode(report)
  }
  const faults = values.faults
    ?.split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '')
  if (values.faults !== undefined && faults!.length === 0)
    throw new UsageError('--faults takes fault ids separated by commas')
  const target = resolveTarget(values)
  const { report, dir } = await sensitivityRun({ target, faults, parallel, log: out })
  const status = (f: (typeof report.faults)[number]) => (faultStatus(f) === 'not applicable' ? 'n/a' : faultStatus(f))
  for (const f of [
    ...report.faults.filter((x) => status(x) === 'NOT CAUGHT'),
    ...report.faults.filter((x) => status(x) !== 'NOT CAUGHT'),
  ]) {
    out(
      `  ${status(f).padEnd(11)} ${f.id.padEnd(28)} ${f.caught ? f.caughtBy.join(', ') : status(f) === 'not run' ? `${f.notRun.join(', ')}: ${f.notRunWhy}` : '—'}  (${(f.durationMs / 1000).toFixed(1)} s)`,
    )
  }
  const t = report.transparent
  out(
    `netconform: transparent mode ${t.differences.length === 0 ? "gives the direct run's verdicts" : `differs from the direct run in ${t.differences.map((d) => `${d.id} (${d.direct} → ${d.transparent})`).join(', ')}`}`,
  )
  if (report.leftovers.length > 0) out(`netconform: left on the endpoint: ${report.leftovers.join(', ')}`)
  out(
    `netconform: ${report.target.name}: ${report.totals.caught} of ${report.totals.faults} faults caught${report.totals.notApplicable ? `, ${report.totals.notApplicable} not applicable here` : ''}${report.totals.alreadySo ? `, ${report.totals.alreadySo} already so on this endpoint` : ''}${report.totals.notRun ? `, ${report.totals.notRun} not run (no verdict)` : ''}; report in ${relative(process.cwd(), dir) || dir}/sensitivity.md`,
  )
  if (interruption.signal) return signalExitCode(interruption.signal)
  return sensitivityExitCode(report)
}
