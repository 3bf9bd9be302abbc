/**
 * `netconform conformance`: one run per endpoint (every lab endpoint unless --targets names others),
 * each in a process of its own, then one line of totals per endpoint. Exits with the worst run's
 * code. With --jobs N, N endpoints run at once (they are independent engines; where they publish
 * on this machine, their scenarios take turns on its ports through endpoint/host-lock.ts), and each
 * run's output is printed whole when it ends.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { PROJECT, defaultReportsDir } from '../project'
import { LAB_MORE_TARGETS, LAB_TARGETS } from '../run/lab'
import { loadTarget } from '../profile/targets'
import { notApplicableCauses } from '../report/summary-markdown'
import type { OptionsOf } from './commands'
import type { Summary } from '../types'

const CLI = join(PROJECT, 'bin', 'netconform.cjs')

/** The lab's endpoints, in the order `conformance` runs them. */
export const LAB_ENDPOINTS = [...LAB_TARGETS, ...LAB_MORE_TARGETS]

interface EndpointOutcome {
  target: string
  exitCode: number
  seconds: number
  /** The run's summary, when the run wrote one. */
  summary?: Summary
}

/** One line of an endpoint's totals (or why it has none). */
function totalsLine(o: EndpointOutcome, width: number): string {
  const name = o.target.padEnd(width)
  if (!o.summary) return `  ${name}  no report: the run exited ${o.exitCode} before writing one (its message is above)`
  const t = o.summary.totals
  const causes = notApplicableCauses(o.summary.scenarios)
  const notApplicable = `${t['not-applicable']} not applicable${causes ? ` (${causes})` : ''}`
  return (
    `  ${name}  ${t.conforms} conforms, ${t.deviates} deviates, ${t.fails} fails, ${notApplicable}; ` +
    `exit ${o.exitCode}, ${o.seconds.toFixed(0)} s`
  )
}

/** The summary the run of TARGET that started at STARTED wrote (REPORTS/<name>/latest), if any. */
function summaryOf(target: string, started: number, reports: string): Summary | undefined {
  const file = join(reports, loadTarget(target).name, 'latest', 'summary.json')
  if (!existsSync(file)) return undefined
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary
  return Date.parse(summary.startedAt) >= started - 1000 ? summary : undefined
}

export async function conformanceCommand(
  { targets = LAB_ENDPOINTS, jobs, parallel, tags, reports = defaultReportsDir() }: OptionsOf<'conformance'>,
  out: (line: string) => void,
): Promise<number> {
  for (const t of targets) loadTarget(t) // an unknown target or a bad profile: exit 2 before anything runs
  const outcomes: EndpointOutcome[] = []
  let interrupted = false
  const runOne = async (target: string): Promise<void> => {
    const started = Date.now()
    const args = [
      CLI,
      'run',
      '--target',
      target,
      '--reports',
      reports,
      ...(parallel ? ['--parallel', String(parallel)] : []),
      ...(tags ? ['--tags', tags] : []),
    ]
    if (jobs === 1) out(`netconform: conformance: ${target}`)
    const r =
      jobs === 1
        ? await execa('node', args, { stdio: 'inherit', reject: false })
        : await execa('node', args, { all: true, stdin: 'ignore', reject: false })
    if (jobs > 1) out(`netconform: conformance: ${target}\n${String(r.all ?? '').trimEnd()}`)
    outcomes.push({
      target,
      exitCode: r.exitCode ?? 2,
      seconds: (Date.now() - started) / 1000,
      summary: summaryOf(target, started, reports),
    })
    if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') interrupted = true
  }
  const queue = [...targets]
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let t = queue.shift(); t !== undefined && !interrupted; t = queue.shift()) await runOne(t)
    }),
  )
  outcomes.sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target))
  const width = Math.max(...outcomes.map((o) => o.target.length))
  out(`netconform: conformance of ${outcomes.length} endpoint${outcomes.length === 1 ? '' : 's'}:`)
  for (const o of outcomes) out(totalsLine(o, width))
  return Math.max(...outcomes.map((o) => o.exitCode), outcomes.length < targets.length ? 130 : 0)
}
