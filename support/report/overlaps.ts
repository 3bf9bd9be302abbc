/**
 * Declared deviations that cover more than they name: a deviation names one failure of its scenario
 * (a step, and a message its pattern matches), and one whose step and pattern also match a different
 * failure of the same scenario (another step, or the same step with a message that differs once
 * masked: another outcome) would turn that failure into `deviates` too. The failures compared are the
 * run's own and those of the runs recorded beside it (summary.json under the reports folder, any
 * endpoint's); the run's last lines name each such deviation.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { firstLine } from '../errors'
import { matchesDeviation } from '../profile/verdicts'
import type { Deviation, Failure, Summary } from '../types'
import { evidenceKey } from './drafts'
import { SUMMARY_FILE, loadSummary } from './summary'

/** A deviation that matches another failure of its scenario than the one it names, and where that failure was. */
export interface WiderDeclaration {
  id: string
  /** Each other failure it matches: "<target> <run id>: <step>: <first line>". */
  also: string[]
}

/**
 * The summaries of the runs recorded under REPORTS (REPORTS/<target>/<run id>/summary.json), but the
 * run EXCEPT; one that does not load (an older release's, a partial write) is passed over.
 */
export function recordedSummaries(reports: string, except: string): Summary[] {
  if (!existsSync(reports)) return []
  const summaries: Summary[] = []
  for (const target of readdirSync(reports, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const run of readdirSync(join(reports, target.name), { withFileTypes: true })) {
      const file = join(reports, target.name, run.name, SUMMARY_FILE)
      if (!run.isDirectory() || run.name === except || !existsSync(file)) continue
      try {
        summaries.push(loadSummary(file))
      } catch {
        // not a summary this release reads: it tells nothing here
      }
    }
  }
  return summaries
}

/** The deviations of DEVIATIONS that match more than one failure of their scenario among RUN's and RECORDED's. */
export function widerDeclarations(
  deviations: Readonly<Record<string, Deviation>>,
  run: Summary,
  recorded: readonly Summary[],
): WiderDeclaration[] {
  const wider: WiderDeclaration[] = []
  for (const [id, declared] of Object.entries(deviations)) {
    const own = run.scenarios.find((s) => s.id === id)?.failure
    const named = own && matchesDeviation(own, declared) ? evidenceKey(own) : undefined
    const matched = new Map<string, string>()
    for (const summary of [run, ...recorded]) {
      const failure: Failure | undefined = summary.scenarios.find((s) => s.id === id)?.failure
      if (!failure || !matchesDeviation(failure, declared)) continue
      const key = evidenceKey(failure)
      if (!matched.has(key))
        matched.set(key, `${summary.target.name} ${summary.runId}: ${failure.step}: ${firstLine(failure.message)}`)
    }
    if (matched.size < 2) continue
    const also = [...matched].filter(([key]) => key !== named).map(([, where]) => where)
    wider.push({ id, also })
  }
  return wider
}
