/**
 * The poll every positive check runs: an attempt repeated until it shows what was awaited or the
 * deadline passes (or a failure that waiting cannot change), the last attempt's transcript and a
 * poll record attached either way.
 */
import type Docker from 'dockerode'
import { eventually } from '../poll'
import { describeExec, execIn, type ExecResult } from '../engine/probes'
import type { Transcript } from '../records'
import type { Attach } from './evidence'
import { PERMANENT, type Finality } from './finality'

/** One attempt of a poll: what it gives, its transcript, and whether it is what was awaited. */
interface Attempt<T> {
  value: T
  transcript: Transcript
  ok: boolean
  /** Why waiting cannot change a failed attempt, when it cannot. */
  why?: string
  final?: boolean
}

/**
 * Polls `attempt` until it is ok (see `eventually`); the last attempt's transcript is attached
 * either way, then a poll record saying what was awaited, how many attempts it took, and whether it came.
 */
export async function pollAttaching<T>(
  attach: Attach,
  awaited: string,
  attempt: () => Promise<Attempt<T>>,
): Promise<T> {
  let last: Transcript | undefined
  let attempts = 0
  let ok = false
  let gaveUpEarly = false
  const started = Date.now()
  try {
    const seen = await eventually(awaited, async () => {
      attempts += 1
      const a = await attempt()
      last = a.transcript
      ok = a.ok
      gaveUpEarly = !a.ok && (a.final === true || a.why !== undefined)
      return {
        ok: a.ok,
        value: a.value,
        final: a.final || a.why !== undefined,
        seen: [a.transcript.text, a.why].filter(Boolean).join('\n').replace(/\n/g, ' | '),
      }
    })
    return seen.value as T
  } finally {
    if (last) attach(last)
    const waitedMs = Date.now() - started
    attach({
      text:
        `${ok ? 'saw' : 'did not see'} ${awaited} (${attempts} attempt${attempts === 1 ? '' : 's'}, ` +
        `${(waitedMs / 1000).toFixed(1)} s${gaveUpEarly ? ', gave up early: waiting could not change it' : ''})`,
      record: { kind: 'poll', awaited, attempts, ok, waitedMs, ...(gaveUpEarly ? { gaveUpEarly } : {}) },
    })
  }
}

/** Polls a command in a container until `ok` holds; attaches the last run either way. */
export async function execUntil({
  docker,
  attach,
  container,
  command,
  awaited,
  ok,
  finality,
}: {
  docker: Docker
  attach: Attach
  container: string
  command: string
  awaited: string
  ok: (r: ExecResult) => boolean
  finality?: Finality<ExecResult>
}): Promise<ExecResult> {
  return pollAttaching(attach, awaited, async () => {
    const r = await execIn(docker, container, command)
    const good = ok(r)
    const why = !good && finality ? await finality(r) : undefined
    return {
      value: r,
      transcript: describeExec(r),
      ok: good,
      why,
      final: PERMANENT.test(r.stderr) || r.exitCode === 127,
    }
  })
}
