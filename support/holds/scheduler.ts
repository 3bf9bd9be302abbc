/**
 * Parallel runs (`netconform run --parallel N`): scenarios that need something of the
 * endpoint's host for themselves say so with tags, and the scheduler never starts a scenario
 * beside one it would collide with.
 *
 *   @exclusive:NAME  the scenario needs NAME alone: no other scenario tagged @exclusive:NAME
 *                    or @shared:NAME runs at the same time (a fixed host port published
 *                    with -p; the container network's range, where it picks a static address)
 *   @shared:NAME     the scenario uses NAME beside others, but never beside one that holds it
 *                    exclusively (it takes an address from the container network's range)
 *   @exclusive:endpoint  the scenario needs the whole endpoint: it runs beside no other scenario
 *
 * Tags on a Feature apply to all its scenarios (a Background that publishes a port).
 *
 * Scenarios that hold the same name exclusively run one after the other: a chain. The
 * scheduler (cucumber's, which offers the waiting scenarios in file order) is asked to start
 * the longest work first, a chain counted whole, so that no long chain or scenario runs alone
 * at the end while the other workers idle. That preference only orders the work; which
 * scenarios may run together is decided by the tags alone.
 *
 * Each worker sets a section up once (fixtures.ts) and keeps it while the next scenario it runs
 * is of the same feature, so a feature is work of its own: the scheduler prefers to go on with a
 * feature that has started and is not running (the worker that just finished one of its
 * scenarios asks first, and observes its fixture), and to keep a feature off a second worker
 * while other work may start (that worker would build the same Background again).
 */
import { FEATURES_DIR, featureScenarios, scenarioId } from '../scenario-id'
import { type Holds, WHOLE_ENDPOINT, holdsIn } from './tags'

export type { Holds } from './tags'

interface Tagged {
  tags: readonly { name: string }[]
}

/** What a scenario holds: the names it needs alone, and the names it shares. */
export function holds(pickle: Tagged): Holds {
  return holdsIn(pickle.tags.map((t) => t.name))
}

/** The names two scenarios would collide on, were they to run at the same time. */
export function conflicts(a: Tagged, b: Tagged): string[] {
  return conflictsOf(holds(a), holds(b))
}

function conflictsOf(ha: Holds, hb: Holds): string[] {
  const out = new Set<string>()
  if (ha.exclusive.has(WHOLE_ENDPOINT) || hb.exclusive.has(WHOLE_ENDPOINT)) out.add(WHOLE_ENDPOINT)
  for (const name of ha.exclusive) if (hb.exclusive.has(name) || hb.shared.has(name)) out.add(name)
  for (const name of hb.exclusive) if (ha.shared.has(name)) out.add(name)
  return [...out]
}

/** A scenario may start when it collides with none of those running. */
export function canStartBeside(pickle: Tagged, running: readonly Tagged[]): boolean {
  return running.every((other) => conflicts(pickle, other).length === 0)
}

/** One scenario of the plan: its @id, what it holds, and its length in steps (its Background's included). */
export interface Planned {
  id: string
  holds: Holds
  steps: number
  /**
   * Its feature file, when that has a Background; a scenario
   * without one (or @mutates) shares no set-up with the others.
   */
  feature?: string
  mutates?: boolean
}

/** The feature whose set-up a scenario may share, if any. */
function sharing(p: Planned | undefined): string | undefined {
  return p && !p.mutates ? p.feature : undefined
}

function idOf(pickle: Tagged): string | undefined {
  return scenarioId(pickle.tags)
}

/**
 * The scheduler: collisions decide; among scenarios that may start, the longest work goes
 * first (a scenario's steps, or its chain's remaining steps). Cucumber offers the waiting
 * scenarios in order and starts the first one allowed, so the scheduler refuses those that
 * should wait for longer work further on. It learns which scenarios are waiting from those
 * questions: a round of them that ends without a start has offered every waiting scenario,
 * so the plan's others are not in this run (left out by --tags) and are no longer waited for.
 */
export class Scheduler {
  private readonly plan = new Map<string, Planned>()
  private readonly started = new Set<string>()
  private readonly absent = new Set<string>()
  /** Who was asked in the current round of questions. */
  private asked = new Set<string>()

  constructor(plan: readonly Planned[]) {
    for (const p of plan) this.plan.set(p.id, p)
  }

  canAssign = (pickle: Tagged, running: readonly Tagged[]): boolean => {
    if (!canStartBeside(pickle, running)) return this.answer(pickle, false)
    const id = idOf(pickle)
    for (const r of running) {
      const rid = idOf(r)
      if (rid) this.started.add(rid)
    }
    // With nothing running, the first one offered starts: were it refused for work that is not
    // in this run, no worker would have any, and cucumber would force one and warn.
    if (!id || running.length === 0) return this.answer(pickle, true)
    // Asked again: the last round ended without a start, having offered every waiting scenario.
    if (this.asked.has(id)) {
      for (const p of this.plan.keys()) if (!this.asked.has(p) && !this.started.has(p)) this.absent.add(p)
      this.asked = new Set()
    }
    const best = this.preferred(running)
    if (best && best.id !== id && this.better(best, this.plan.get(id), running)) return this.answer(pickle, false)
    return this.answer(pickle, true)
  }

  /** 2: goes on with a feature started and not running; 1: other work; 0: the feature runs on another worker. */
  private affinity(p: Planned | undefined, running: readonly Tagged[]): number {
    const feature = sharing(p)
    if (!feature) return 1
    const runs = running.some((r) => sharing(this.plan.get(idOf(r) ?? '')) === feature)
    if (runs) return 0
    return [...this.started].some((s) => sharing(this.plan.get(s)) === feature) ? 2 : 1
  }

  private better(a: Planned, b: Planned | undefined, running: readonly Tagged[]): boolean {
    const [fa, fb] = [this.affinity(a, running), this.affinity(b, running)]
    return fa !== fb ? fa > fb : this.work(a) > this.work(b)
  }

  private answer(pickle: Tagged, yes: boolean): boolean {
    const id = idOf(pickle)
    if (yes) {
      if (id) this.started.add(id)
      this.asked = new Set()
    } else if (id) {
      this.asked.add(id)
    }
    return yes
  }

  /** The waiting scenario not yet asked this round that may start now and has the longest work. */
  private preferred(running: readonly Tagged[]): Planned | undefined {
    const holding = running.map(holds)
    let best: Planned | undefined
    for (const p of this.plan.values()) {
      if (this.started.has(p.id) || this.absent.has(p.id) || this.asked.has(p.id)) continue
      if (holding.some((h) => conflictsOf(p.holds, h).length > 0)) continue
      if (!best || this.better(p, best, running)) best = p
    }
    return best
  }

  /**
   * Steps still to run in the longest chain (or feature sharing a
   * set-up) the scenario belongs to, or its own steps when in none.
   */
  private work(p: Planned | undefined): number {
    if (!p) return 0
    // The steps of the scenarios still waiting that belong with p.
    const remaining = (withP: (q: Planned) => boolean) =>
      [...this.plan.values()]
        .filter((q) => withP(q) && !this.started.has(q.id) && !this.absent.has(q.id))
        .reduce((sum, q) => sum + q.steps, 0)
    let longest = p.steps
    const feature = sharing(p)
    if (feature)
      longest = Math.max(
        longest,
        remaining((q) => sharing(q) === feature),
      )
    for (const name of p.holds.exclusive)
      longest = Math.max(
        longest,
        remaining((q) => q.holds.exclusive.has(name)),
      )
    return longest
  }
}

/** The scenarios of the features, as cucumber compiles them; empty when they cannot be read. */
export function planOf(dir = FEATURES_DIR): Planned[] {
  try {
    // Only a feature with a Background has a set-up to share: the scenarios of one without may run side by side freely.
    return featureScenarios(dir).flatMap(({ pickle, background }) => {
      const id = idOf(pickle)
      return id
        ? [
            {
              id,
              holds: holds(pickle),
              steps: pickle.steps.length,
              ...(background ? { feature: pickle.uri } : {}),
              mutates: pickle.tags.some((t) => t.name === '@mutates'),
            },
          ]
        : []
    })
  } catch {
    return []
  }
}
