/**
 * The direct run a sensitivity run compares with: where the reports are, and a complete direct run
 * already there (REPORTS/TARGET/latest) that it reuses.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { defaultReportsDir } from '../project'
import type { Summary, Verdict } from '../types'

/** A direct run's verdicts and reasons, and which run they came from. */
export interface Direct {
  verdicts: Map<string, Verdict>
  reasons: Map<string, string>
  from: string
}

export function directOf(summary: Summary, from: string): Direct {
  return {
    verdicts: new Map(summary.scenarios.map((s) => [s.id, s.verdict])),
    reasons: new Map(summary.scenarios.map((s) => [s.id, s.reason])),
    from,
  }
}

/** A report folder as the commands show it: from the folder netconform is run from. */
export const shown = (dir: string) => relative(process.cwd(), dir) || dir

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
