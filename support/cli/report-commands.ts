/**
 * The commands that read reports: matrix, document, compare, record, verify. Each gets its
 * arguments parsed by main.ts from the table in commands.ts and calls support/report/.
 */
import { basename, relative, resolve } from 'node:path'
import { realpathSync } from 'node:fs'
import { defaultReportsDir } from '../project'
import type { ParsedCommand } from './commands'
import { loadReportsOrRecords, writeMatrixOf } from '../report/matrix'
import { writeDocument } from '../report/living-document'
import {
  compareSummaries,
  endpointInfoAt,
  renderComparison,
  renderComparisonTable,
  summaryOrRecord,
} from '../report/compare'
import { RecordMismatch } from '../report/record/format'
import { readRecord, writeRecord } from '../report/record/pack'
import { verifiedLine, verifyMembers } from '../report/record/verify'

type Out = (line: string) => void

/** A written file's path: relative to the working folder when inside it, else absolute. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel === '' || rel.startsWith('..') ? resolve(path) : rel
}

/** `netconform matrix DIR… [--out DIR]`: writes the matrix, prints where. */
export async function matrixCommand({ values, positionals }: ParsedCommand<'matrix'>, out: Out): Promise<number> {
  const written = writeMatrixOf(await loadReportsOrRecords(positionals), values.out ?? defaultReportsDir())
  out(`netconform: matrix in ${shown(written.html)}`)
  out(`netconform: matrix in ${shown(written.md)}`)
  return 0
}

/** `netconform document DIR… [--out DIR]`: writes the living document, prints where. */
export function documentCommand({ values, positionals }: ParsedCommand<'document'>, out: Out): number {
  const file = writeDocument(positionals, values.out ?? defaultReportsDir())
  out(`netconform: living document in ${shown(file)}`)
  return 0
}

/** `netconform compare BASE NEW [--format text|markdown]`: prints the comparison; 1 when something regressed. */
export async function compareCommand({ values, positionals }: ParsedCommand<'compare'>, out: Out): Promise<number> {
  const [base, next] = positionals
  const comparison = compareSummaries(await summaryOrRecord(base), await summaryOrRecord(next), {
    base: endpointInfoAt(base),
    next: endpointInfoAt(next),
  })
  const rendered = values.format === 'markdown' ? renderComparisonTable(comparison) : renderComparison(comparison)
  for (const line of rendered.split('\n')) out(line)
  return comparison.regressions.length > 0 ? 1 : 0
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** `netconform record RUN_DIR [--out DIR]`: writes the record (into the working folder by default). */
export async function recordCommand({ values, positionals }: ParsedCommand<'record'>, out: Out): Promise<number> {
  const [runDir] = positionals
  const { file, summary, warnings } = await writeRecord(runDir, resolve(values.out))
  for (const w of warnings) out(`netconform: warning: ${w}: verify will say so`)
  const where = relative(process.cwd(), file)
  out(
    `netconform: record of ${summary.target.name} run ${summary.runId} (${basename(realOrSelf(runDir))}) ` +
      `in ${where.startsWith('..') ? file : where}`,
  )
  return 0
}

/** `netconform verify RECORD`: 0 and one line when it holds, 1 and the first mismatch (2, thrown: no record). */
export async function verifyCommand({ positionals }: ParsedCommand<'verify'>, out: Out): Promise<number> {
  const [file] = positionals
  const members = await readRecord(file)
  try {
    const { summary, info } = verifyMembers(members)
    out(verifiedLine(summary, info))
    return 0
  } catch (e) {
    if (!(e instanceof RecordMismatch)) throw e
    out(`not verified: ${file}: ${e.message}`)
    return 1
  }
}
