/**
 * Resources and cleanup. Everything the suite creates carries these labels and a name made
 * from the documented name; cleanup selects by label only, so nothing the suite did not
 * create is ever listed for removal.
 */
import { randomBytes } from 'node:crypto'
import type Docker from 'dockerode'
import { firstLine } from '../errors'

export const LABEL_RUN = 'io.netconform.run'
export const LABEL_SCENARIO = 'io.netconform.scenario'
export const LABEL_IMAGE = 'io.netconform.image'
/** A shared-endpoint lock container (holds/lock.ts): created, never started. */
export const LABEL_LOCK = 'io.netconform.lock'

/** A run id: sortable by time, unique by its random tail. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

/** The short form that goes into resource names. */
export function shortRunId(runId: string): string {
  return runId.slice(-6)
}

/** The tags this process has given out, per worker id, since each share last began afresh (see newInstanceTag). */
const issued = new Map<number, Set<string>>()
/** How many tags one worker's share of the 4-hex-digit space holds. */
const TAGS_PER_WORKER = 0x10000 / 16

/**
 * A short tag per scenario execution (4 hex digits), so a name is unique even when scenarios share a
 * doc name. Unique among a run's live scenarios, where two with one tag and one doc name would clash
 * ("name already in use"): this process gives no tag twice until it has given its whole share, and
 * each of cucumber's worker processes (CUCUMBER_WORKER_ID) draws from its own share, the tags whose
 * last hex digit is its id modulo 16.
 */
export function newInstanceTag(worker = Number(process.env.CUCUMBER_WORKER_ID ?? 0)): string {
  const share = worker & 0xf
  const given = issued.get(share) ?? new Set<string>()
  issued.set(share, given)
  if (given.size >= TAGS_PER_WORKER) given.clear()
  for (;;) {
    const tag = ((randomBytes(2).readUInt16BE(0) & 0xfff0) | share).toString(16).padStart(4, '0')
    if (!given.has(tag)) {
      given.add(tag)
      return tag
    }
  }
}

/** The real name for a documented name: nc-<run>-<instance>-<doc name>. */
export function realName(runId: string, instance: string, docName: string): string {
  return `nc-${shortRunId(runId)}-${instance}-${docName}`
}

/** The labels of one scenario's resources. */
/** The prefix of a fresh set of real names for a run: `nc-<run>-<instance>` (a scenario's, or a fixture's). */
export function namePrefix(runId: string): string {
  return realName(runId, newInstanceTag(), '').replace(/-$/, '')
}

export function scenarioLabels(runId: string, scenarioId: string): Record<string, string> {
  return { [LABEL_RUN]: runId, [LABEL_SCENARIO]: scenarioId }
}

export interface Removed {
  containers: string[]
  networks: string[]
  errors: string[]
}

/**
 * Removes a container at once: killed first, then removed. Podman 5's forced removal waits out the
 * stop timeout (10 s) when PID 1 ignores SIGTERM, as a shell does; Docker and Podman 4 kill at once.
 * A container that is not running, or already gone, only makes the kill fail: the removal decides.
 */
export async function removeContainerNow(
  container: Pick<Docker.Container, 'remove'> & Partial<Pick<Docker.Container, 'kill'>>,
): Promise<void> {
  await container.kill?.().catch(() => undefined)
  await container.remove({ force: true, v: true })
}

/**
 * Removes the containers, then the networks, that carry all the given labels.
 * Never throws: what could not be removed is returned in `errors`.
 */
export async function removeLabelled(docker: Docker, labels: Record<string, string>): Promise<Removed> {
  const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) })
  const removed: Removed = { containers: [], networks: [], errors: [] }
  try {
    const containers = await docker.listContainers({ all: true, filters })
    // Lock containers last: what they guard (a published port) is gone before another run may take it.
    const isLock = (c: Docker.ContainerInfo) => (c.Labels?.[LABEL_LOCK] !== undefined ? 1 : 0)
    for (const c of containers.sort((a, b) => isLock(a) - isLock(b))) {
      const name = c.Names[0]?.replace(/^\//, '') ?? c.Id
      try {
        if (c.State === 'running') await removeContainerNow(docker.getContainer(c.Id))
        else await docker.getContainer(c.Id).remove({ force: true, v: true })
        removed.containers.push(name)
      } catch (e) {
        removed.errors.push(`container ${name}: ${firstLine(e)}`)
      }
    }
    for (const n of await docker.listNetworks({ filters })) {
      try {
        await docker.getNetwork(n.Id).remove()
        removed.networks.push(n.Name)
      } catch (e) {
        removed.errors.push(`network ${n.Name}: ${firstLine(e)}`)
      }
    }
  } catch (e) {
    removed.errors.push(`listing labelled resources: ${firstLine(e)}`)
  }
  return removed
}

/** A run's resources swept at the endpoint itself, and what still carries the run's label after it. */
export interface SweptAt {
  /** What this sweep removed ("container NAME", "network NAME") and could not ("container NAME: error"). */
  removed: string[]
  /** What is labelled with the run after the sweep ("container NAME (run ID)"), or why it could not be listed. */
  left: string[]
}

/**
 * Sweeps RUNID's resources at DOCKER and lists what is left: for a run whose own end-of-run sweep went
 * through something that may fail it (sensitivity's proxy with a fault's hooks). Never throws.
 */
export async function sweepRunAt(docker: Docker, runId: string): Promise<SweptAt> {
  const swept = await removeLabelled(docker, { [LABEL_RUN]: runId })
  const removed = [
    ...swept.containers.map((c) => `container ${c}`),
    ...swept.networks.map((n) => `network ${n}`),
    ...swept.errors,
  ]
  const left: string[] = []
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] })
  try {
    for (const c of await docker.listContainers({ all: true, filters }))
      left.push(`container ${c.Names[0]?.replace(/^\//, '') ?? c.Id} (run ${runId})`)
    for (const n of await docker.listNetworks({ filters })) left.push(`network ${n.Name} (run ${runId})`)
  } catch (e) {
    left.push(`could not list what run ${runId} labelled: ${firstLine(e)}`)
  }
  return { removed, left }
}
