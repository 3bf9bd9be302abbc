/**
 * Runs that ended without cleaning up (killed, machine lost) leave labelled resources behind.
 * A live run holds a lock file with its pid; a later run, or `netconform clean`, removes what
 * runs without a live lock left, selecting by the run label only, and never another live run's.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Docker from 'dockerode'
import { LABEL_IMAGE, LABEL_RUN, removeLabelled } from './resources'
import { firstLine } from '../errors'

const RUNS_DIR = join(tmpdir(), 'netconform-runs')

interface Lock {
  pid: number
  endpoint: string
  startedAt: string
}

/** Holds the run's lock until release() is called. */
export function holdRunLock(runId: string, endpoint: string): () => void {
  mkdirSync(RUNS_DIR, { recursive: true })
  const file = join(RUNS_DIR, `${runId}.json`)
  writeFileSync(
    file,
    JSON.stringify({ pid: process.pid, endpoint, startedAt: new Date().toISOString() } satisfies Lock),
  )
  return () => rmSync(file, { force: true })
}

function readLock(runId: string): Lock | undefined {
  try {
    return JSON.parse(readFileSync(join(RUNS_DIR, `${runId}.json`), 'utf8')) as Lock
  } catch {
    return undefined
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A run whose lock is here and whose process still runs. */
function runIsLive(runId: string): boolean {
  const lock = readLock(runId)
  return lock !== undefined && pidAlive(lock.pid)
}

export interface SweepOptions {
  /** Runs without a lock on this machine are removed only when their resources are older than this. */
  olderThanMs: number
  /** Only these runs (when given); a live run is never removed. */
  runs?: string[]
  /** Leave this run alone (the run that sweeps). */
  except?: string
}

export interface SweepReport {
  runs: string[]
  containers: string[]
  networks: string[]
  errors: string[]
}

/** Labelled resources on the endpoint, by run id, with the time the oldest was created. */
async function labelledRuns(docker: Docker): Promise<Map<string, number>> {
  const filters = JSON.stringify({ label: [LABEL_RUN] })
  const runs = new Map<string, number>()
  const seen = (run: string | undefined, createdMs: number) => {
    if (run) runs.set(run, Math.min(runs.get(run) ?? Infinity, createdMs))
  }
  for (const c of await docker.listContainers({ all: true, filters })) seen(c.Labels?.[LABEL_RUN], c.Created * 1000)
  for (const n of await docker.listNetworks({ filters })) seen(n.Labels?.[LABEL_RUN], Date.parse(n.Created ?? '') || 0)
  return runs
}

/** Removes what abandoned runs left on the endpoint. Never throws; errors are reported. */
export async function sweepAbandoned(docker: Docker, opts: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = { runs: [], containers: [], networks: [], errors: [] }
  let runs: Map<string, number>
  try {
    runs = await labelledRuns(docker)
  } catch (e) {
    report.errors.push(`listing labelled resources: ${firstLine(e)}`)
    return report
  }
  for (const [run, oldest] of runs) {
    if (run === opts.except || runIsLive(run)) continue
    if (opts.runs && !opts.runs.includes(run)) continue
    const lockLeft = readLock(run) !== undefined
    if (!opts.runs && !lockLeft && Date.now() - oldest < opts.olderThanMs) continue
    const removed = await removeLabelled(docker, { [LABEL_RUN]: run })
    report.runs.push(run)
    report.containers.push(...removed.containers)
    report.networks.push(...removed.networks)
    report.errors.push(...removed.errors)
    rmSync(join(RUNS_DIR, `${run}.json`), { force: true })
  }
  return report
}

/** Removes the images the suite imported (labelled io.netconform.image), unless a container uses them. */
export async function removeSuiteImages(docker: Docker): Promise<{ images: string[]; errors: string[] }> {
  const out = { images: [] as string[], errors: [] as string[] }
  for (const image of await docker.listImages({ filters: JSON.stringify({ label: [LABEL_IMAGE] }) })) {
    const name = image.RepoTags?.[0] ?? image.Id
    try {
      await docker.getImage(image.Id).remove()
      out.images.push(name)
    } catch (e) {
      out.errors.push(`image ${name}: ${firstLine(e)}`)
    }
  }
  return out
}
