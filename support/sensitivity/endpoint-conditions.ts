/**
 * The conditions the sensitivity proxy can put an endpoint under: how it behaves as a slow or
 * flaky one would, whatever the faults' hooks. Each is a condition under which a verdict must stay
 * the same or become `not run` naming the call (`netconform sensitivity --conditions`, conditions.ts).
 */
import { setTimeout as pause } from 'node:timers/promises'
import type { Answer } from '../engine/relay'

export interface Conditions {
  /** Every request (upgrades too) waits this long before it is forwarded. */
  latencyMs?: number
  /**
   * This fraction of requests, chosen by a PRNG seeded with
   * `seed`, is answered 500 (half) or reset (half), unforwarded.
   */
  apiErrors?: { rate: number; seed: number }
  /**
   * At the `call`-th request the proxy stops listening and drops
   * every open connection, for `downMs`, as a restarting engine.
   */
  restartAt?: { call: number; downMs: number }
}

/** What a condition did to one request. */
export interface Injected {
  /** 1-based count of the request among all the proxy saw. */
  n: number
  call: string
  what: '500' | 'reset' | 'down'
}

/** A small seeded PRNG (mulberry32): the same seed picks the same requests in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The conditions in force on a relay, and what they did. */
export class EndpointConditions {
  /** What the conditions did, in order. */
  readonly injected: Injected[] = []
  private conditions: Conditions = {}
  private random = seededRandom(1)
  private count = 0
  private downUntil = 0

  /** GO_DOWN: the relay's own restart (no listener for that long, every connection dropped). */
  constructor(private readonly goDown: (downMs: number) => void) {}

  /** Sets the conditions for the requests to come (and restarts the count of requests). */
  set(next: Conditions | undefined): void {
    this.conditions = next ?? {}
    this.random = seededRandom(this.conditions.apiErrors?.seed ?? 1)
    this.count = 0
    this.downUntil = 0
  }

  /**
   * What the conditions do to the request about to be handled: wait first, then undefined to
   * forward it, 'drop' (a reset, or the endpoint down), or a 500 answer. The restart happens here,
   * at its request.
   */
  async admit(call: string): Promise<'drop' | Answer | undefined> {
    const n = ++this.count
    const c = this.conditions
    if (c.latencyMs) await pause(c.latencyMs)
    if (c.restartAt && n === c.restartAt.call) {
      this.downUntil = Date.now() + c.restartAt.downMs
      this.goDown(c.restartAt.downMs)
    }
    if (Date.now() < this.downUntil) {
      this.injected.push({ n, call, what: 'down' })
      return 'drop'
    }
    const errors = c.apiErrors
    if (errors && this.random() < errors.rate) {
      const what = this.random() < 0.5 ? '500' : 'reset'
      this.injected.push({ n, call, what })
      if (what === 'reset') return 'drop'
      return { status: 500, body: { message: `netconform conditions: ${call} answered 500 (injected server error)` } }
    }
    return undefined
  }
}
