/**
 * Shared-endpoint locks: what a scenario holds on the endpoint's host (its @exclusive:NAME and
 * @shared:NAME tags, see tags.ts) is claimed through a lock that lives ON THE ENDPOINT, so
 * runs from different machines sharing one engine take turns instead of failing each other
 * with "port is already allocated".
 *
 * A lock is a container, created and never started, from the probe image, under a fixed name:
 * container names are unique on Docker and Podman, and a create with a taken name fails (409
 * Conflict on Docker, 500 "that name is already in use" on Podman 4.3), so creating it is the
 * atomic test-and-set. It carries the scenario's labels (io.netconform.run,
 * io.netconform.scenario), so the After hook's cleanup by label, the end-of-run sweep and
 * sweepAbandoned remove it like any other resource of the scenario, and
 * io.netconform.lock=<name> and a lease (io.netconform.lock.lease, epoch ms).
 *
 *   exclusive  netconform-lock-<name>: create it (on 409 wait until it goes), then wait until
 *              no shared marker of the name is left.
 *   shared     netconform-lock-<name>.shared.<runId>.<random>: create the marker, then if the
 *              exclusive lock of the name exists, remove the own marker, wait until it goes,
 *              and start over. A waiting writer thus keeps new readers out.
 *
 * Each side creates its own container before it looks for the other's, so of two acquirers
 * the later one always sees the earlier. Names are taken in sorted order, so runs waiting for
 * each other's names cannot deadlock. A lock whose lease has passed is stale (its holder
 * crashed on a machine that cannot sweep it): it is removed, by id, after its labels are
 * checked, and the name taken again. The lease covers what the holder may still wait for its
 * other names plus the scenario's own time (leaseMs). A host port may also be held by what is not
 * netconform's: acquireHolds checks that too (host-port.ts). The lock containers' names and labels
 * are lock-containers.ts's; the hold tags are parsed in tags.ts.
 */
import { setTimeout as pause } from 'node:timers/promises'
import { firstLine, statusOf } from '../errors'
import { LABEL_LOCK, LABEL_RUN, LABEL_SCENARIO, removeContainerNow } from '../cleanup/resources'
import { nameTaken } from '../engine/kinds'
import { holdsOf, hostPortOf, type Mode } from './tags'
import {
  LABEL_MODE,
  exclusiveLockName,
  holderOf,
  leaseOf,
  lockLabels,
  nameOf,
  sharedMarkerName,
  type LockDocker,
} from './lock-containers'
import { CallFailed, NotHeld, ask, endpointFailure } from './not-held'
import { checkHostPort, portQuiet, type PortWaiter } from './host-port'

const envMs = (name: string, fallback: number): number => {
  const v = Number(process.env[name])
  return Number.isFinite(v) && v > 0 ? v : fallback
}
/** How long a scenario waits for its holds before it is not run (NETCONFORM_LOCK_WAIT_MS). */
const DEFAULT_WAIT_MS = envMs('NETCONFORM_LOCK_WAIT_MS', 10 * 60_000)
/** How long a scenario may hold a name once it has it all (NETCONFORM_LOCK_LEASE_MS). */
const DEFAULT_LEASE_MS = envMs('NETCONFORM_LOCK_LEASE_MS', 10 * 60_000)
/** A Before hook that calls acquireHolds needs this timeout (cucumber's default is the step's). */
export const HOOK_TIMEOUT_MS = DEFAULT_WAIT_MS + 60_000

export interface AcquireOptions {
  runId: string
  scenarioId: string
  probeImage: string
  /** The scenario's tag names (the Feature's included): @exclusive:NAME, @shared:NAME. */
  tags: readonly string[]
  /** Progress for the scenario's transcript: whom it waits for, and when it got its holds. */
  log?: (line: string) => void
  /** Gives up waiting after this long: the scenario is not run (default DEFAULT_WAIT_MS). */
  timeoutMs?: number
  leaseMs?: number
  intervalMs?: number
  /**
   * Where the endpoint's published ports answer (target.publicAddress). When given, a host port
   * is held only once nothing answers there any more: Docker frees a removed container's port
   * before its userland proxy has stopped listening ("bind: address already in use").
   */
  publicAddress?: string
  /** How long a host port may keep answering with no container publishing it (default 15 s). */
  portGraceMs?: number
  /** Whether something accepts connections at address:port (a fake in the tests). */
  answers?: (address: string, port: number) => Promise<boolean>
  /** A reason to stop waiting (an interruption); checked at every poll. */
  stop?: () => string | undefined
  now?: () => number
  /** How it waits between polls (a fake clock in the tests). */
  sleep?: (ms: number) => Promise<void>
}

export interface Held {
  /** Removes the own lock containers (by id); idempotent, never throws. */
  release(): Promise<void>
  /** How long acquiring took, waiting included. */
  waitedMs: number
  /** Set when the scenario must not run: why (a foreign holder, the wait ran out, an interruption, a failed call). */
  notRun?: string
  /** The call the endpoint failed (5xx, reset, refused) that made it not run, as "METHOD /path". */
  call?: string
}

interface LockInfo {
  id: string
  containerName: string
  labels: Record<string, string>
}

/**
 * One scenario's acquisition of its holds: the locks it owns so far, its deadline, and whom it
 * last waited for. acquireHolds makes one and runs it.
 */
class Acquisition implements PortWaiter {
  readonly now: () => number
  readonly start: number
  readonly deadline: number
  readonly intervalMs: number
  readonly runId: string
  /** Whether it waited at all (the transcript then says when it got its holds). */
  waited = false
  private readonly owned: LockInfo[] = []
  private lastWaitedFor = ''
  private released = false
  private readonly sleep: (ms: number) => Promise<void>
  private readonly timeoutMs: number
  private readonly leaseMs: number
  private readonly log: (line: string) => void

  constructor(
    readonly docker: LockDocker,
    private readonly opts: AcquireOptions,
  ) {
    this.now = opts.now ?? Date.now
    this.sleep = opts.sleep ?? ((ms: number) => pause(ms).then(() => undefined))
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS
    this.intervalMs = opts.intervalMs ?? 500
    this.log = opts.log ?? (() => {})
    this.runId = opts.runId
    this.start = this.now()
    this.deadline = this.start + this.timeoutMs
  }

  /** Removes the own lock containers (by id), last taken first; idempotent, never throws. */
  readonly release = async (): Promise<void> => {
    if (this.released) return
    this.released = true
    for (const lock of this.owned.splice(0).reverse()) await removeById(this.docker, lock.id, lock.containerName)
  }

  /** One wait: logs whom it waits for when that changes, and gives up at the deadline or on stop. */
  readonly waitFor = async (what: string): Promise<void> => {
    const stopped = this.opts.stop?.()
    if (stopped) throw new NotHeld(stopped)
    if (what !== this.lastWaitedFor) {
      this.log(`waiting for ${what}`)
      this.lastWaitedFor = what
    }
    this.waited = true
    if (this.now() + this.intervalMs > this.deadline)
      throw new NotHeld(`waited ${Math.round(this.timeoutMs / 1000)} s for ${what}`)
    await this.sleep(this.intervalMs)
  }

  private async create(containerName: string, name: string, mode: Mode): Promise<LockInfo | undefined> {
    // The lease covers what is left of the wait for the other names, then the scenario itself.
    const expiresAt = Math.max(this.now(), this.deadline) + this.leaseMs
    const labels = lockLabels({ runId: this.opts.runId, scenarioId: this.opts.scenarioId, name, mode, expiresAt })
    try {
      const c = await this.docker.createContainer({
        name: containerName,
        Image: this.opts.probeImage,
        Cmd: ['true'],
        Labels: labels,
        HostConfig: { NetworkMode: 'none' },
      })
      const lock = { id: c.id, containerName, labels }
      this.owned.push(lock)
      return lock
    } catch (e) {
      // Before the endpoint's failures: Podman 4.3 answers a taken name with a 500.
      if (nameTaken(e)) return undefined
      const status = endpointFailure(e)
      if (status === undefined) throw e
      // The engine may have made it before the answer was lost: what carries this very create's labels is ours.
      await this.removeIfMade(containerName, labels)
      throw new CallFailed('POST /containers/create', `lock ${containerName}`, status, e)
    }
  }

  /** After a create whose answer failed: the container of that name, if this create made it, removed (best effort). */
  private async removeIfMade(containerName: string, labels: Record<string, string>): Promise<void> {
    let found: { Id: string; Config?: { Labels?: Record<string, string> | null } }
    try {
      found = await this.docker.getContainer(containerName).inspect()
    } catch {
      return // not there (404), or the endpoint still failing: its labels and lease cover it
    }
    const mine = Object.entries(labels).every(([k, v]) => found.Config?.Labels?.[k] === v)
    if (mine) await removeById(this.docker, found.Id, containerName)
  }

  /** The locks of a name on the endpoint (the exclusive one and the shared markers). */
  private async locksOf(name: string): Promise<LockInfo[]> {
    const list = await ask('GET /containers/json', `the locks of ${name}`, () =>
      this.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_LOCK}=${name}`] }) }),
    )
    return list.map((c) => ({ id: c.Id, containerName: nameOf(c), labels: c.Labels ?? {} }))
  }

  /**
   * A lock of this very run under a scenario's labels (not a fixture's) is one its cleanup could not remove (the
   * endpoint failed the calls): the scheduler never runs two scenarios of one run that hold a name at once, and a
   * kept fixture's locks carry `fixture:` and are given back through the Keeper. It holds nothing any more.
   */
  private leftover(labels: Record<string, string> | undefined): boolean {
    return labels?.[LABEL_RUN] === this.opts.runId && !(labels?.[LABEL_SCENARIO] ?? 'fixture:').startsWith('fixture:')
  }

  private expired(labels: Record<string, string> | undefined): boolean {
    return leaseOf(labels) <= this.now() || this.leftover(labels)
  }

  /** Removes another holder's lock whose lease has passed (or this run's leftover); true when it was stale. */
  private async removeIfStale(lock: LockInfo, name: string): Promise<boolean> {
    if (!this.expired(lock.labels)) return false
    // Check again what the id is now, by id: only a lock of this name whose lease has passed goes.
    let labels: Record<string, string> | undefined
    try {
      const what = `the stale lock ${lock.containerName}`
      labels = (await ask('GET /containers/{id}/json', what, () => this.docker.getContainer(lock.id).inspect())).Config
        ?.Labels
    } catch (e) {
      if (statusOf(e) === 404) return true
      throw e
    }
    if (labels?.[LABEL_LOCK] !== name || !this.expired(labels)) return false
    this.log(
      leaseOf(labels) <= this.now()
        ? `removing the stale lock ${lock.containerName} of ${holderOf(labels, this.now())}`
        : `removing the lock ${lock.containerName} that this run's scenario ${labels[LABEL_SCENARIO]} left ` +
            '(it has ended; its cleanup could not remove it)',
    )
    // Not removed is not taken over: the scenario is not run, rather than asking again without end.
    await this.removeOrFail(lock.id, `the stale lock ${lock.containerName}`)
    return true
  }

  /** Removes a lock by id; a failure of the endpoint's is CallFailed (the caller stops), a 404 is done. */
  private async removeOrFail(id: string, what: string): Promise<void> {
    try {
      await ask('DELETE /containers/{id}', what, () => removeContainerNow(this.docker.getContainer(id)))
    } catch (e) {
      if (statusOf(e) === 404) return
      throw e
    }
  }

  /** What of the name others hold, for the messages. */
  private describe(name: string, locks: LockInfo[], mode: Mode): string {
    const t = this.now()
    const who = locks.map(
      (l) =>
        `${l.labels[LABEL_MODE] ?? (l.containerName.includes('.shared.') ? 'shared' : 'exclusive')}` +
        ` by ${holderOf(l.labels, t)}`,
    )
    return `${mode} hold of ${name}, held ${who.join('; ') || 'by nobody now'}`
  }

  private others(locks: LockInfo[]): LockInfo[] {
    return locks.filter((l) => !this.owned.some((o) => o.id === l.id))
  }

  async takeExclusive(name: string): Promise<void> {
    const containerName = exclusiveLockName(name)
    for (;;) {
      if (await this.create(containerName, name, 'exclusive')) break
      // The name is taken: by whom, looked up by that name.
      let holder: LockInfo
      try {
        const c = await ask('GET /containers/{id}/json', `lock ${containerName}`, () =>
          this.docker.getContainer(containerName).inspect(),
        )
        holder = { id: c.Id, containerName, labels: c.Config?.Labels ?? {} }
      } catch (e) {
        if (statusOf(e) === 404) continue // it went between the create and the look
        throw e
      }
      if (holder.labels[LABEL_LOCK] !== name)
        throw new NotHeld(`the lock name ${containerName} is taken by a container that is not a netconform lock`)
      if (await this.removeIfStale(holder, name)) continue
      await this.waitFor(this.describe(name, [holder], 'exclusive'))
    }
    for (;;) {
      const readers = this.others(await this.locksOf(name)).filter(isShared)
      const live: LockInfo[] = []
      for (const r of readers) if (!(await this.removeIfStale(r, name))) live.push(r)
      if (live.length === 0) return
      await this.waitFor(this.describe(name, live, 'exclusive'))
    }
  }

  async takeShared(name: string): Promise<void> {
    for (;;) {
      const marker = await this.create(sharedMarkerName(name, this.opts.runId), name, 'shared')
      if (!marker) continue // a random name taken: another one
      const writers = this.others(await this.locksOf(name)).filter((l) => !isShared(l))
      const live: LockInfo[] = []
      for (const w of writers) if (!(await this.removeIfStale(w, name))) live.push(w)
      if (live.length === 0) return
      // Make way for the writer, and wait until it is gone. A marker not removed stays owned (released on the way out).
      await this.removeOrFail(marker.id, `own marker ${marker.containerName}`)
      this.owned.splice(this.owned.indexOf(marker), 1)
      for (;;) {
        await this.waitFor(this.describe(name, live, 'shared'))
        const still = this.others(await this.locksOf(name)).filter((l) => !isShared(l))
        let any = false
        for (const w of still) if (!(await this.removeIfStale(w, name))) any = true
        if (!any) break
      }
    }
  }
}

const isShared = (l: LockInfo) => l.containerName.includes('.shared.')

/**
 * Takes what the scenario's tags say it holds on the endpoint, waiting (with a deadline) for
 * other runs that hold it. With nothing to hold it returns at once without an API call.
 */
export async function acquireHolds(docker: LockDocker, opts: AcquireOptions): Promise<Held> {
  const a = new Acquisition(docker, opts)
  const wanted = holdsOf(opts.tags)
  const release = a.release
  if (wanted.length === 0) return { release, waitedMs: 0 }
  const ports = wanted.map((w) => hostPortOf(w.name)).filter((p): p is number => p !== undefined)
  try {
    // A user's own container on the port makes waiting pointless: say so at once.
    for (const port of ports) await checkHostPort(a, port, false)
    for (const { name, mode } of wanted) {
      if (mode === 'exclusive') await a.takeExclusive(name)
      else await a.takeShared(name)
    }
    // Whatever started while this waited, and other runs' containers still on the port.
    for (const port of ports) await checkHostPort(a, port, true)
    if (opts.publicAddress)
      for (const port of ports)
        await portQuiet(a, { address: opts.publicAddress, port }, { answers: opts.answers, graceMs: opts.portGraceMs })
  } catch (e) {
    await release()
    if (e instanceof NotHeld) return { release, waitedMs: a.now() - a.start, notRun: e.message }
    if (e instanceof CallFailed) return { release, waitedMs: a.now() - a.start, notRun: e.message, call: e.call }
    throw e
  }
  const waitedMs = a.now() - a.start
  const names = wanted.map((w) => `${w.mode} ${w.name}`).join(', ')
  if (a.waited) opts.log?.(`holds ${names} after waiting ${(waitedMs / 1000).toFixed(1)} s`)
  return { release, waitedMs }
}

/** Removes a lock by id; never throws. One left (the endpoint failed the call) is named on stderr. */
async function removeById(docker: LockDocker, id: string, name = id.slice(0, 12)): Promise<void> {
  try {
    await removeContainerNow(docker.getContainer(id))
  } catch (e) {
    if (statusOf(e) === 404) return
    // The After hook's cleanup by label removes it then, or others once its lease has passed; say why it stays for now.
    process.stderr.write(`netconform: could not remove lock container ${name}: ${firstLine(e)}\n`)
  }
}
