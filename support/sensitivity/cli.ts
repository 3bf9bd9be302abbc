/** `netconform sensitivity [--target NAME|FILE] [--endpoint URL] [--faults id,id] [--parallel N]`. */
import { parseArgs } from 'node:util'
import { relative } from 'node:path'
import { UsageError } from '../errors'
import { TARGET_OPTIONS, parallelOf } from '../cli/options'
import { interruption, signalExitCode } from '../cleanup/interrupt'
import type { Target } from '../types'
import { sensitivityExitCode, sensitivityRun } from './run'

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
    },
    strict: true,
  })
  const parallel = parallelOf(values.parallel)
  const faults = values.faults?.split(',').map((f) => f.trim()).filter((f) => f !== '')
  if (values.faults !== undefined && faults!.length === 0) throw new UsageError('--faults takes fault ids separated by commas')
  const target = resolveTarget(values)
  const { report, dir } = await sensitivityRun({ target, faults, parallel, log: out })
  const status = (f: (typeof report.faults)[number]) => (f.caught ? 'caught' : !f.applicable ? 'n/a' : f.alreadySo ? 'already so' : 'NOT CAUGHT')
  for (const f of [...report.faults.filter((x) => status(x) === 'NOT CAUGHT'), ...report.faults.filter((x) => status(x) !== 'NOT CAUGHT')]) {
    out(`  ${status(f).padEnd(11)} ${f.id.padEnd(28)} ${f.caught ? f.caughtBy.join(', ') : '—'}  (${(f.durationMs / 1000).toFixed(1)} s)`)
  }
  const t = report.transparent
  out(`netconform: transparent mode ${t.differences.length === 0 ? 'gives the direct run\'s verdicts' : `differs from the direct run in ${t.differences.map((d) => `${d.id} (${d.direct} → ${d.transparent})`).join(', ')}`}`)
  if (report.leftovers.length > 0) out(`netconform: left on the endpoint: ${report.leftovers.join(', ')}`)
  out(`netconform: ${report.target.name}: ${report.totals.caught} of ${report.totals.faults} faults caught${report.totals.notApplicable ? `, ${report.totals.notApplicable} not applicable here` : ''}${report.totals.alreadySo ? `, ${report.totals.alreadySo} already so on this endpoint` : ''}; report in ${relative(process.cwd(), dir) || dir}/sensitivity.md`)
  if (interruption.signal) return signalExitCode(interruption.signal)
  return sensitivityExitCode(report)
}
