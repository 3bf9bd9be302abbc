/**
 * Polling with a deadline: scenarios never sleep a fixed time, they wait for a condition
 * and, when it does not come, say what they awaited and what they last saw.
 */
import { setTimeout as pause } from 'node:timers/promises'
import { firstLine } from './errors'

export interface Observation<T> {
  ok: boolean
  /** What was seen, for the failure message. */
  seen: string
  value?: T
  /** The observation cannot change by waiting (e.g. "permission denied"): stop polling now. */
  final?: boolean
}

export interface PollOptions {
  timeoutMs?: number
  intervalMs?: number
}

const DEFAULT_DEADLINE_MS = 20_000

/** Observes until `observe` says ok, or fails after the deadline with the last observation. */
export async function eventually<T>(
  awaited: string,
  observe: () => Promise<Observation<T>>,
  { timeoutMs = DEFAULT_DEADLINE_MS, intervalMs = 200 }: PollOptions = {},
): Promise<Observation<T>> {
  const deadline = Date.now() + timeoutMs
  let last: Observation<T>
  for (let attempt = 1; ; attempt++) {
    try {
      last = await observe()
    } catch (e) {
      last = { ok: false, seen: `error: ${firstLine(e)}` }
    }
    if (last.ok) return last
    if (last.final) {
      throw new Error(
        `awaited ${awaited}; gave up ${attempt === 1 ? 'at once' : `after ${attempt} attempts`}, ` +
          `waiting cannot change what was seen: ${last.seen}`,
      )
    }
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`awaited ${awaited} for ${seconds(timeoutMs)} s (${attempt} attempts); last seen: ${last.seen}`)
    }
    await pause(intervalMs)
  }
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (no answer within ${seconds(ms)} s)`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0)
}
