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
 * netconform's: acquireHolds checks that too (checkHostPort, portQuiet).
 */
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { setTimeout as pause } from 'node:timers/promises'
import type Docker from 'dockerode'
import { firstLine, statusOf } from '../errors'
import { LABEL_LOCK, LABEL_RUN, LABEL_SCENARIO, removeContainerNow } from '../cleanup/resources'
import { type Mode, holdsIn } from './tags'
import { nameTaken } from '../engine/kinds'
import { failureOf } from '../engine/api-calls'

const codeOf = (e: unknown): string | undefined => (e as { code?: string })?.code

export type { Mode } from './tags'

export { LABEL_LOCK }
export const LABEL_LEASE = 'io.netconform.lock.lease'
const LABEL_MODE = 'io.netconform.lock.mode'
const LOCK_PREFIX = 'netconform-lock-'

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

/** What of dockerode the locks use (a fake implements it in the unit tests). */
export type LockDocker = Pick<Docker, 'createContainer' | 'listContainers' | 'getContainer'>

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

/** A name as it may appear in a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*). */
export function safeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]/g, '-')
}

export function exclusiveLockName(name: string): string {
  return `${LOCK_PREFIX}${safeName(name)}`
}

export function sharedMarkerName(name: string, runId: string, random = randomBytes(3).toString('hex')): string {
  return `${LOCK_PREFIX}${safeName(name)}.shared.${safeName(runId)}.${random}`
}

/** The names a scenario holds, in the order they are taken (sorted; exclusive wins over shared). */
export function holdsOf(tags: readonly string[]): { name: string; mode: Mode }[] {
  const { exclusive, shared } = holdsIn(tags)
  const names = [...new Set([...exclusive, ...shared])].sort()
  return names.map((name) => ({ name, mode: exclusive.has(name) ? 'exclusive' : 'shared' }))
}

/** The host port a name holds (host-port-8080 → 8080), if it is one. */
export function hostPortOf(name: string): number | undefined {
  const m = /^host-port-(\d{1,5})$/.exec(name)
  const port = m ? Number(m[1]) : NaN
  return port > 0 && port < 65536 ? port : undefined
}

/** The labels of a lock container. */
function lockLabels(o: {
  runId: string
  scenarioId: string
  name: string
  mode: Mode
  expiresAt: number
}): Record<string, string> {
  return {
    [LABEL_RUN]: o.runId,
    [LABEL_SCENARIO]: o.scenarioId,
    [LABEL_LOCK]: o.name,
    [LABEL_MODE]: o.mode,
    [LABEL_LEASE]: String(o.expiresAt),
  }
}

/** The lease's end from a lock's labels; a lock without a readable lease is stale. */
export function leaseOf(labels: Record<string, string> | undefined): number {
  const v = Number(labels?.[LABEL_LEASE])
  return Number.isFinite(v) ? v : 0
}

/** Who holds a lock, for messages: run R, scenario S (lease until …). */
function holderOf(labels: Record<string, string> | undefined, now: number): string {
  const lease = leaseOf(labels)
  const left = Math.round((lease - now) / 1000)
  return (
    `run ${labels?.[LABEL_RUN] ?? '?'}, scenario ${labels?.[LABEL_SCENARIO] ?? '?'} ` +
    `(lease ${left > 0 ? `${left} s left` : 'expired'})`
  )
}

const nameOf = (c: Docker.ContainerInfo): string => c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)

interface LockInfo {
  id: string
  containerName: string
  labels: Record<string, string>
}

/** Stops the acquisition: the scenario is not run, for this reason. */
class NotRun extends Error {}

/**
 * A call of the locks' that the endpoint failed (a 5xx, a connection reset or refused): the
 * scenario is not run, naming it. Its outcome on the endpoint is unknown (a reset may come after
 * the engine did it), so what it may have made is looked for and removed; what cannot be removed
 * carries the scenario's labels (cleanup by label) and a lease (others take it once that passes).
 */
class CallFailed extends Error {
  constructor(
    readonly call: string,
    readonly what: string,
    readonly status: number | 'reset' | 'refused',
    cause: unknown,
  ) {
    const how = typeof status === 'number' ? `answered ${status}` : status === 'reset' ? 'was cut off' : 'was refused'
    super(`the endpoint failed a call of the locks: ${call} (${what}) ${how}: ${firstLine(cause)}`)
  }
}

/** Runs one API call of the locks; a failure of the endpoint's becomes CallFailed, naming it. */
async function ask<T>(call: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    const status = failureOf({ status: statusOf(e), code: codeOf(e) })
    if (status === undefined) throw e
    throw new CallFailed(call, what, status, e)
  }
}

/**
 * Takes what the scenario's tags say it holds on the endpoint, waiting (with a deadline) for
 * other runs that hold it. With nothing to hold it returns at once without an API call.
 */
export async function acquireHolds(docker: LockDocker, opts: AcquireOptions): Promise<Held> {
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? ((ms: number) => pause(ms).then(() => undefined))
  const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS
  const intervalMs = opts.intervalMs ?? 500
  const log = opts.log ?? (() => {})
  const start = now()
  const deadline = start + timeoutMs
  const wanted = holdsOf(opts.tags)
  const owned: LockInfo[] = []

  let released = false
  const release = async () => {
    if (released) return
    released = true
    for (const lock of owned.splice(0).reverse()) await removeById(docker, lock.id, lock.containerName)
  }
  if (wanted.length === 0) return { release, waitedMs: 0 }

  /** One wait: logs whom it waits for when that changes, and gives up at the deadline or on stop. */
  let lastWaitedFor = ''
  let waited = false
  const waitFor = async (what: string) => {
    const stopped = opts.stop?.()
    if (stopped) throw new NotRun(stopped)
    if (what !== lastWaitedFor) {
      log(`waiting for ${what}`)
      lastWaitedFor = what
    }
    waited = true
    if (now() + intervalMs > deadline) throw new NotRun(`waited ${Math.round(timeoutMs / 1000)} s for ${what}`)
    await sleep(intervalMs)
  }

  const create = async (containerName: string, name: string, mode: Mode): Promise<LockInfo | undefined> => {
    // The lease covers what is left of the wait for the other names, then the scenario itself.
    const expiresAt = Math.max(now(), deadline) + leaseMs
    const labels = lockLabels({ runId: opts.runId, scenarioId: opts.scenarioId, name, mode, expiresAt })
    try {
      const c = await docker.createContainer({
        name: containerName,
        Image: opts.probeImage,
        Cmd: ['true'],
        Labels: labels,
        HostConfig: { NetworkMode: 'none' },
      })
      const lock = { id: c.id, containerName, labels }
      owned.push(lock)
      return lock
    } catch (e) {
      // Before the endpoint's failures: Podman 4.3 answers a taken name with a 500.
      if (nameTaken(e)) return undefined
      const status = failureOf({ status: statusOf(e), code: codeOf(e) })
      if (status === undefined) throw e
      // The engine may have made it before the answer was lost: what carries this very create's labels is ours.
      await removeIfMade(containerName, labels)
      throw new CallFailed('POST /containers/create', `lock ${containerName}`, status, e)
    }
  }

  /** After a create whose answer failed: the container of that name, if this create made it, removed (best effort). */
  const removeIfMade = async (containerName: string, labels: Record<string, string>) => {
    let found: { Id: string; Config?: { Labels?: Record<string, string> | null } }
    try {
      found = await docker.getContainer(containerName).inspect()
    } catch {
      return // not there (404), or the endpoint still failing: its labels and lease cover it
    }
    const mine = Object.entries(labels).every(([k, v]) => found.Config?.Labels?.[k] === v)
    if (mine) await removeById(docker, found.Id, containerName)
  }

  /** The locks of a name on the endpoint (the exclusive one and the shared markers). */
  const locksOf = async (name: string): Promise<LockInfo[]> => {
    const list = await ask('GET /containers/json', `the locks of ${name}`, () =>
      docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_LOCK}=${name}`] }) }),
    )
    return list.map((c) => ({ id: c.Id, containerName: nameOf(c), labels: c.Labels ?? {} }))
  }

  /**
   * A lock of this very run under a scenario's labels (not a fixture's) is one its cleanup could not remove (the
   * endpoint failed the calls): the scheduler never runs two scenarios of one run that hold a name at once, and a
   * kept fixture's locks carry `fixture:` and are given back through the Keeper. It holds nothing any more.
   */
  const leftover = (labels: Record<string, string> | undefined) =>
    labels?.[LABEL_RUN] === opts.runId && !(labels?.[LABEL_SCENARIO] ?? 'fixture:').startsWith('fixture:')
  const expired = (labels: Record<string, string> | undefined) => leaseOf(labels) <= now() || leftover(labels)

  /** Removes another holder's lock whose lease has passed (or this run's leftover); true when it was stale. */
  const removeIfStale = async (lock: LockInfo, name: string): Promise<boolean> => {
    if (!expired(lock.labels)) return false
    // Check again what the id is now, by id: only a lock of this name whose lease has passed goes.
    let labels: Record<string, string> | undefined
    try {
      const what = `the stale lock ${lock.containerName}`
      labels = (await ask('GET /containers/{id}/json', what, () => docker.getContainer(lock.id).inspect())).Config
        ?.Labels
    } catch (e) {
      if (statusOf(e) === 404) return true
      throw e
    }
    if (labels?.[LABEL_LOCK] !== name || !expired(labels)) return false
    log(
      leaseOf(labels) <= now()
        ? `removing the stale lock ${lock.containerName} of ${holderOf(labels, now())}`
        : `removing the lock ${lock.containerName} that this run's scenario ${labels[LABEL_SCENARIO]} left ` +
            '(it has ended; its cleanup could not remove it)',
    )
    // Not removed is not taken over: the scenario is not run, rather than asking again without end.
    await removeOrFail(lock.id, `the stale lock ${lock.containerName}`)
    return true
  }

  /** Removes a lock by id; a failure of the endpoint's is CallFailed (the caller stops), a 404 is done. */
  const removeOrFail = async (id: string, what: string) => {
    try {
      await ask('DELETE /containers/{id}', what, () => removeContainerNow(docker.getContainer(id)))
    } catch (e) {
      if (statusOf(e) === 404) return
      throw e
    }
  }

  /** What of the name others hold, for the messages. */
  const describe = (name: string, locks: LockInfo[], mode: Mode): string => {
    const t = now()
    const who = locks.map(
      (l) =>
        `${l.labels[LABEL_MODE] ?? (l.containerName.includes('.shared.') ? 'shared' : 'exclusive')}` +
        ` by ${holderOf(l.labels, t)}`,
    )
    return `${mode} hold of ${name}, held ${who.join('; ') || 'by nobody now'}`
  }

  const others = (locks: LockInfo[]) => locks.filter((l) => !owned.some((o) => o.id === l.id))
  const isShared = (l: LockInfo) => l.containerName.includes('.shared.')

  const takeExclusive = async (name: string) => {
    const containerName = exclusiveLockName(name)
    for (;;) {
      if (await create(containerName, name, 'exclusive')) break
      // The name is taken: by whom, looked up by that name.
      let holder: LockInfo
      try {
        const c = await ask('GET /containers/{id}/json', `lock ${containerName}`, () =>
          docker.getContainer(containerName).inspect(),
        )
        holder = { id: c.Id, containerName, labels: c.Config?.Labels ?? {} }
      } catch (e) {
        if (statusOf(e) === 404) continue // it went between the create and the look
        throw e
      }
      if (holder.labels[LABEL_LOCK] !== name)
        throw new NotRun(`the lock name ${containerName} is taken by a container that is not a netconform lock`)
      if (await removeIfStale(holder, name)) continue
      await waitFor(describe(name, [holder], 'exclusive'))
    }
    for (;;) {
      const readers = others(await locksOf(name)).filter(isShared)
      const live: LockInfo[] = []
      for (const r of readers) if (!(await removeIfStale(r, name))) live.push(r)
      if (live.length === 0) return
      await waitFor(describe(name, live, 'exclusive'))
    }
  }

  const takeShared = async (name: string) => {
    for (;;) {
      const marker = await create(sharedMarkerName(name, opts.runId), name, 'shared')
      if (!marker) continue // a random name taken: another one
      const writers = others(await locksOf(name)).filter((l) => !isShared(l))
      const live: LockInfo[] = []
      for (const w of writers) if (!(await removeIfStale(w, name))) live.push(w)
      if (live.length === 0) return
      // Make way for the writer, and wait until it is gone. A marker not removed stays owned (released on the way out).
      await removeOrFail(marker.id, `own marker ${marker.containerName}`)
      owned.splice(owned.indexOf(marker), 1)
      for (;;) {
        await waitFor(describe(name, live, 'shared'))
        const still = others(await locksOf(name)).filter((l) => !isShared(l))
        let any = false
        for (const w of still) if (!(await removeIfStale(w, name))) any = true
        if (!any) break
      }
    }
  }

  // A host port (host-port-N) is also held by containers that are not netconform's: a running
  // container without the io.netconform.run label that publishes host port N makes the scenario
  // not run, with the container's name; containers of netconform's other runs that publish it
  // (a run without locks, a crashed run's leftovers) are waited for and named. Given the
  // endpoint's public address, a host port is held only once nothing answers there (portQuiet):
  // Docker frees a removed container's port before its userland proxy stops listening, and the
  // next run's `docker run -p` would fail with "bind: address already in use" (measured: 5 of 60
  // scenarios in two runs started 2 s apart, without this wait).

  /** A host port held by a container that is not netconform's; waits for other runs' containers. */
  const checkHostPort = async (port: number, wait: boolean) => {
    for (;;) {
      const running = await ask('GET /containers/json', `who publishes host port ${port}`, () =>
        docker.listContainers({ all: false }),
      )
      const publishing = running.filter((c) =>
        (c.Ports ?? []).some((p) => p.PublicPort === port && (p.Type ?? 'tcp') === 'tcp'),
      )
      const foreign = publishing.filter((c) => !c.Labels?.[LABEL_RUN])
      if (foreign.length > 0)
        throw new NotRun(`host port ${port} is held by ${foreign.map(nameOf).join(', ')} (not netconform's)`)
      const ofOtherRuns = publishing.filter((c) => c.Labels?.[LABEL_RUN] !== opts.runId)
      if (!wait || ofOtherRuns.length === 0) return
      const who = ofOtherRuns.map(
        (c) => `${nameOf(c)} of run ${c.Labels[LABEL_RUN]}, scenario ${c.Labels[LABEL_SCENARIO] ?? '?'}`,
      )
      await waitFor(`host port ${port} to be free, published by ${who.join('; ')}`)
    }
  }

  /** Waits (a little) until nothing answers on the port: a removed container's proxy lingers. */
  const portQuiet = async (address: string, port: number) => {
    const answers = opts.answers ?? portAnswers
    const until = Math.min(deadline, now() + (opts.portGraceMs ?? 15_000))
    while (await answers(address, port)) {
      if (now() + intervalMs > until) {
        throw new NotRun(
          `host port ${port} answers at ${address}, but no running container publishes it: ` +
            "held by something that is not netconform's",
        )
      }
      await waitFor(`host port ${port} at ${address} to stop answering (a removed container's proxy)`)
    }
  }

  const ports = wanted.map((w) => hostPortOf(w.name)).filter((p): p is number => p !== undefined)
  try {
    // A user's own container on the port makes waiting pointless: say so at once.
    for (const port of ports) await checkHostPort(port, false)
    for (const { name, mode } of wanted) {
      if (mode === 'exclusive') await takeExclusive(name)
      else await takeShared(name)
    }
    // Whatever started while this waited, and other runs' containers still on the port.
    for (const port of ports) await checkHostPort(port, true)
    if (opts.publicAddress) for (const port of ports) await portQuiet(opts.publicAddress, port)
  } catch (e) {
    await release()
    if (e instanceof NotRun) return { release, waitedMs: now() - start, notRun: e.message }
    if (e instanceof CallFailed) return { release, waitedMs: now() - start, notRun: e.message, call: e.call }
    throw e
  }
  const waitedMs = now() - start
  const names = wanted.map((w) => `${w.mode} ${w.name}`).join(', ')
  if (waited) log(`holds ${names} after waiting ${(waitedMs / 1000).toFixed(1)} s`)
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

/**
 * True when something accepts a TCP connection at address:port
 * within timeoutMs; refused, silent or unreachable is false.
 */
export function portAnswers(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port })
    const done = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
