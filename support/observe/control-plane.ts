/**
 * Judging what the outside client saw while the endpoint's control plane was down: every numbered
 * request on the held connection answered by the container itself (its name in the answer), every
 * new connection to its documented port answered by it too, and the held connection still open.
 */
import { Evidence } from './evidence'
import type { Tick } from '../engine/held-connection'

export interface AskedWindow {
  /** The container's real name: who must answer. */
  answerer: string
  /** What its documented service answers a new connection with. */
  greeting: string
  port: number
  /** ms since the client started, when the stop command began and when the start command ended. */
  stopAt: number
  startedAt: number
}

/** A tick's two answers, judged: the reasons it fails, or none. */
function missesOf(t: Tick, w: AskedWindow): string[] {
  const out: string[] = []
  if (t.heldOutcome !== 'answered') out.push(`held connection ${t.heldOutcome}`)
  else if (t.held !== `seq ${t.seq} from ${w.answerer}`) out.push(`held connection answered "${t.held}"`)
  if (t.freshOutcome !== 'answered') out.push(`new connection: ${t.fresh}`)
  else if (!t.fresh.includes(w.greeting)) out.push(`new connection answered "${t.fresh.trim()}"`)
  return out
}

const s = (ms: number) => (ms / 1000).toFixed(1)

/** One line: how many ticks, how many while down, and the first misses with when they came. */
export function askedSummary(ticks: readonly Tick[], w: AskedWindow): string {
  const down = ticks.filter((t) => t.at >= w.stopAt && t.at <= w.startedAt)
  const missed = ticks.filter((t) => missesOf(t, w).length > 0)
  return (
    `${ticks.length} requests every tick on the held connection and on a new connection to port ${w.port} ` +
    `(${down.length} while the control plane was stopping, down or starting, ${s(w.stopAt)}–${s(w.startedAt)} s), ` +
    `${missed.length} missed`
  )
}

/**
 * Throws Evidence (kind connectivity-lost) unless every tick was answered by the container and the
 * held connection stayed open, or unless the client asked at least `minDown` times while the
 * control plane was down (fewer asks would prove nothing).
 */
export function judgeConnectivityKept(
  ticks: readonly Tick[],
  ended: string,
  w: AskedWindow & { minDown: number },
): void {
  const down = ticks.filter((t) => t.at >= w.stopAt && t.at <= w.startedAt)
  if (down.length < w.minDown)
    throw new Error(
      `the outside client asked only ${down.length} times while the control plane was down ` +
        `(${s(w.stopAt)}–${s(w.startedAt)} s), fewer than the ${w.minDown} the window needs`,
    )
  const missed = ticks.map((t) => ({ t, why: missesOf(t, w) })).filter((m) => m.why.length > 0)
  if (missed.length === 0 && !ended) return
  const first = missed[0]
  const heldMissed = missed.filter((m) => m.t.heldOutcome !== 'answered').length
  const freshMissed = missed.filter((m) => m.t.freshOutcome !== 'answered').length
  const parts = [
    `${missed.length} of ${ticks.length} requests missed while the control plane was stopped and started ` +
      `(${heldMissed} on the held connection, ${freshMissed} on new connections to port ${w.port})`,
    ...(first ? [`the first at ${s(first.t.at - w.stopAt)} s after the stop began: ${first.why.join('; ')}`] : []),
    ...(ended ? [`the held connection ended: ${ended}`] : []),
  ]
  throw new Evidence(
    'connectivity-lost',
    { ticks: ticks.length, missed: missed.length, heldMissed, freshMissed, ended, stopAt: w.stopAt },
    `${parts.join('; ')}, where the document shows zero impact on the container's network connectivity`,
  )
}
