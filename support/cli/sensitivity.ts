/**
 * `netconform sensitivity [--target NAME|FILE] [--endpoint URL] [--faults id,id] [--parallel N]`, or under
 * conditions: `… --conditions` (all three, the defaults) or any of `--latency MS`, `--api-errors RATE [--seed N]`,
 * `--restart-at N`. Its options are parsed by main.ts from the table in commands.ts.
 */
import { relative } from 'node:path'
import { type OptionsOf, commandUsageError } from './commands'
import { interruption, signalExitCode } from '../cleanup/interrupt'
import type { Target } from '../types'
import { faultStatus, sensitivityExitCode } from '../sensitivity/report'
import { sensitivityRun } from '../sensitivity/sensitivity-run'
import { DEFAULT_CONDITIONS, conditionsExitCode, conditionsRun } from '../sensitivity/conditions'

export async function sensitivityCommand(
  values: OptionsOf<'sensitivity'>,
  out: (line: string) => void,
  resolveTarget: (values: {
    target?: string
    endpoint?: string
    context?: string
    'public-address'?: string
  }) => Target,
): Promise<number> {
  const { parallel, faults } = values
  const chosen =
    values.latency !== undefined || values['api-errors'] !== undefined || values['restart-at'] !== undefined
  if (values.conditions || chosen || values.seed !== undefined) {
    if (faults !== undefined)
      throw commandUsageError(
        'sensitivity',
        '--faults and the conditions (--conditions, --latency, --api-errors, --restart-at) are separate runs: ' +
          'give one or the other',
      )
    // --conditions alone: all three, each at its default; with any of them: only those.
    const all = values.conditions && !chosen
    const opts = {
      latencyMs: values.latency ?? (all ? DEFAULT_CONDITIONS.latencyMs : undefined),
      apiErrors: values['api-errors'] ?? (all ? DEFAULT_CONDITIONS.apiErrors : undefined),
      restartAt: values['restart-at'] ?? (all ? DEFAULT_CONDITIONS.restartAt : undefined),
      seed: values.seed ?? DEFAULT_CONDITIONS.seed,
    }
    if (opts.latencyMs === undefined && opts.apiErrors === undefined && opts.restartAt === undefined) {
      throw commandUsageError(
        'sensitivity',
        '--seed picks the calls --api-errors fails: give --conditions or --api-errors with it',
      )
    }
    const target = resolveTarget(values)
    const { report, dir } = await conditionsRun({ target, ...opts, parallel, log: out })
    out(
      `netconform: ${report.target.name} under conditions ` +
        `(direct run ${(report.direct.durationMs / 1000).toFixed(1)} s):`,
    )
    for (const c of report.conditions) {
      const outcome = c.error
        ? c.error
        : `${c.kept} kept, ${c.notRun} not run (each naming the call), ${c.changed} changed verdict`
      out(`  ${c.id.padEnd(18)} ${outcome}  (${(c.durationMs / 1000).toFixed(1)} s)`)
    }
    const left =
      report.leftovers.length === 0
        ? 'nothing labelled left on the endpoint'
        : `left on the endpoint: ${report.leftovers.join(', ')}`
    out(`netconform: ${left}; report in ${relative(process.cwd(), dir) || dir}/conditions.md`)
    if (interruption.signal) return signalExitCode(interruption.signal)
    return conditionsExitCode(report)
  }
  const target = resolveTarget(values)
  const { report, dir } = await sensitivityRun({ target, faults, parallel, log: out })
  const status = (f: (typeof report.faults)[number]) => (faultStatus(f) === 'not applicable' ? 'n/a' : faultStatus(f))
  for (const f of [
    ...report.faults.filter((x) => status(x) === 'NOT CAUGHT'),
    ...report.faults.filter((x) => status(x) !== 'NOT CAUGHT'),
  ]) {
    const by = f.caught
      ? f.caughtBy.join(', ')
      : status(f) === 'not run'
        ? `${f.notRun.join(', ')}: ${f.notRunWhy}`
        : '—'
    out(`  ${status(f).padEnd(11)} ${f.id.padEnd(28)} ${by}  (${(f.durationMs / 1000).toFixed(1)} s)`)
  }
  const t = report.transparent
  const differences = t.differences.map((d) => `${d.id} (${d.direct} → ${d.transparent})`).join(', ')
  out(
    `netconform: transparent mode ${
      t.differences.length === 0 ? "gives the direct run's verdicts" : `differs from the direct run in ${differences}`
    }`,
  )
  if (report.leftovers.length > 0) out(`netconform: left on the endpoint: ${report.leftovers.join(', ')}`)
  const totals = report.totals
  out(
    `netconform: ${report.target.name}: ${totals.caught} of ${totals.faults} faults caught` +
      (totals.notApplicable ? `, ${totals.notApplicable} not applicable here` : '') +
      (totals.alreadySo ? `, ${totals.alreadySo} already so on this endpoint` : '') +
      (totals.notRun ? `, ${totals.notRun} not run (no verdict)` : '') +
      `; report in ${relative(process.cwd(), dir) || dir}/sensitivity.md`,
  )
  if (interruption.signal) return signalExitCode(interruption.signal)
  return sensitivityExitCode(report)
}
