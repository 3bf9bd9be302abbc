/**
 * A matrix row's reasons, each said once: the endpoints whose cells give the same reason share one
 * entry. What counts as the same: a deviation's declared reason (the profile's words, without what the
 * run observed, which names its own containers), else the cell's reason with the endpoint's own name
 * put as ‹endpoint› where the suite names it (a not-applicable reason names its target and its profile file).
 */
import type { Verdict } from '../types'

/** One cell's part in it: its endpoint, verdict, whole reason, and a deviation's declared reason. */
export interface ReasonCell {
  target: string
  verdict: Verdict | 'not-run'
  reason: string
  declaredReason?: string
}

/** A reason of a row, said once, and the cells (by column index) that give it. */
export interface RowReason {
  /** a, b, c…: what the cells' chips show to point at it. */
  key: string
  /** The shared words. */
  gist: string
  /** The columns whose cells give it, in column order. */
  columns: number[]
  /** Each of those cells' whole reason where it says more than the gist (a deviation's observation). */
  more: { column: number; reason: string }[]
}

/** The row's distinct reasons, in the order of the first column that gives each; cells without one have none. */
export function rowReasons(cells: readonly ReasonCell[]): RowReason[] {
  const byGist = new Map<string, RowReason>()
  cells.forEach((cell, column) => {
    if (!cell.reason) return
    const gist = gistOf(cell)
    let entry = byGist.get(gist)
    if (!entry) {
      entry = { key: keyOf(byGist.size), gist, columns: [], more: [] }
      byGist.set(gist, entry)
    }
    entry.columns.push(column)
    if (withoutTarget(cell.reason, cell.target) !== gist) entry.more.push({ column, reason: cell.reason })
  })
  return [...byGist.values()]
}

/** The words a cell shares with others that say the same. */
function gistOf(cell: ReasonCell): string {
  if (cell.verdict === 'deviates' && cell.declaredReason) return cell.declaredReason
  return withoutTarget(cell.reason, cell.target)
}

/**
 * The text with the endpoint's name put as ‹endpoint› where the suite's own words name it: "target NAME"
 * and "targets/NAME.yaml" (a not-applicable reason). Elsewhere a name such as "podman" is the engine's.
 */
function withoutTarget(text: string, target: string): string {
  if (!target) return text
  const name = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return text
    .replace(new RegExp(`\\btarget ${name}(?![\\w.-])`, 'g'), 'target ‹endpoint›')
    .replace(new RegExp(`\\btargets/${name}\\.yaml\\b`, 'g'), 'targets/‹endpoint›.yaml')
}

/** a…z, then aa, ab…: a row has at most as many reasons as endpoints. */
function keyOf(index: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  return index < letters.length
    ? letters[index]
    : letters[Math.floor(index / letters.length) - 1] + letters[index % letters.length]
}
