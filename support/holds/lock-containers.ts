/**
 * What a lock container is called and labelled (lock.ts takes and gives back the locks): its name,
 * netconform-lock-NAME for the exclusive hold and netconform-lock-NAME.shared.RUN.RANDOM for a shared
 * marker, and its labels: the scenario's (io.netconform.run, io.netconform.scenario), the name it
 * locks, its mode, and its lease (epoch ms).
 */
import { randomBytes } from 'node:crypto'
import type Docker from 'dockerode'
import { LABEL_LOCK, LABEL_RUN, LABEL_SCENARIO } from '../cleanup/resources'
import type { Mode } from './tags'

export { LABEL_LOCK }
export const LABEL_LEASE = 'io.netconform.lock.lease'
export const LABEL_MODE = 'io.netconform.lock.mode'
const LOCK_PREFIX = 'netconform-lock-'

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

/** The labels of a lock container. */
export function lockLabels(o: {
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
export function holderOf(labels: Record<string, string> | undefined, now: number): string {
  const lease = leaseOf(labels)
  const left = Math.round((lease - now) / 1000)
  return (
    `run ${labels?.[LABEL_RUN] ?? '?'}, scenario ${labels?.[LABEL_SCENARIO] ?? '?'} ` +
    `(lease ${left > 0 ? `${left} s left` : 'expired'})`
  )
}

/** A container's name as messages show it. */
export const nameOf = (c: Docker.ContainerInfo): string => c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)

/** What of dockerode the locks use (a fake implements it in the unit tests). */
export type LockDocker = Pick<Docker, 'createContainer' | 'listContainers' | 'getContainer'>
