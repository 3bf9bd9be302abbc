/**
 * The endpoint's failures on the suite's own calls: a 5xx answer, or a connection to the endpoint
 * reset or refused. Such a failure says nothing of the documented behaviour, so a scenario that
 * fails where one happened is `not run`, naming the call (report/not-run.ts), never a verdict.
 *
 * Both ways the suite talks to the endpoint are watched, each where the answer is typed:
 * dockerode's calls through its modem (an error's `statusCode` or Node's error `code`), and the
 * docker CLI's through a relay in this process (relay.ts with no interceptor, which sees each HTTP
 * status), since the CLI's own output does not say the status.
 */
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import type Docker from 'dockerode'
import { startRelay, type Relay } from './relay'
import type { Target } from '../types'

/** One call the endpoint failed. */
export interface ApiFailure {
  /** "METHOD /path" without the API version (what the endpoint was asked). */
  call: string
  /** The HTTP status (≥ 500), or how the connection ended. */
  status: number | 'reset' | 'refused'
  message: string
  /** Who made the call: the suite's API client or the docker CLI. */
  by: 'api' | 'cli'
}

/** Node's error codes for a connection to the endpoint cut or refused. */
const CUT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED'])
const REFUSED = new Set(['ECONNREFUSED', 'ENOENT'])

/** How the endpoint failed a call, from what the client got; undefined when it answered (a 4xx is an answer). */
export function endpointFailureOf(outcome: { status?: number; code?: string }): ApiFailure['status'] | undefined {
  if (outcome.status !== undefined && outcome.status >= 500) return outcome.status
  if (outcome.code && CUT.has(outcome.code)) return 'reset'
  if (outcome.code && REFUSED.has(outcome.code)) return 'refused'
  return undefined
}

/**
 * The failures this process saw, in order (a worker runs one
 * scenario at a time: a scenario's are those since its mark).
 */
const failures: ApiFailure[] = []

export const apiFailures = {
  /** Where the next scenario's failures begin. */
  mark: (): number => failures.length,
  since: (mark: number): ApiFailure[] => failures.slice(mark),
  record: (f: ApiFailure): void => void failures.push(f),
  /**
   * Takes back the failures since MARK that are CALL answered with a status and a message (the engine's
   * refusal, with its reason, of what a step asked), once that step has judged the refusal itself; a
   * reset or refused connection stays the endpoint's failure. Returns those taken back.
   */
  judgedRefusals: (mark: number, call: string): ApiFailure[] => {
    const judged = failures.filter((f, i) => i >= mark && f.call === call && typeof f.status === 'number' && f.message)
    for (const f of judged) failures.splice(failures.indexOf(f), 1)
    return judged
  },
}

/** "METHOD /path" of a dockerode request, without the API version and query. */
function callOf(options: { method?: string; path?: string }): string {
  const path = (options.path ?? '').split('?')[0].replace(/^\/v\d+(\.\d+)?\//, '/')
  return `${options.method ?? 'GET'} ${path}`
}

/** Makes `docker`'s modem record each call the endpoint fails. Returns `docker`. */
export function watchCalls(docker: Docker): Docker {
  const modem = docker.modem as unknown as {
    dial: (options: any, callback: (err: any, data: any) => void) => void
    watched?: boolean
  }
  if (modem.watched) return docker
  const dial = modem.dial.bind(modem)
  modem.dial = (options, callback) =>
    dial(options, (err, data) => {
      const status = err ? endpointFailureOf({ status: err.statusCode, code: err.code }) : undefined
      if (status !== undefined)
        apiFailures.record({
          call: callOf(options),
          status,
          message: String(err.json?.message ?? err.message ?? err),
          by: 'api',
        })
      callback(err, data)
    })
  modem.watched = true
  return docker
}

/** The relays of this process, by the endpoint they forward to (a sensitivity run talks to two in turn). */
const relays = new Map<string, Promise<Relay | undefined>>()

/**
 * The endpoint the docker CLI is to use: a relay in this process in front of the target's, which
 * records the calls it fails (the relay holds the target's TLS files itself), or the target's
 * own endpoint when the relay cannot forward to it (ssh://) or cannot start.
 */
export async function cliEndpoint(target: Target): Promise<Target> {
  let relay = relays.get(target.endpoint)
  if (!relay) {
    relay = startRelay({
      upstream: target.endpoint,
      tls: target.tls,
      onAnswer: (call, outcome) => {
        const status =
          'status' in outcome
            ? endpointFailureOf({ status: outcome.status })
            : endpointFailureOf({ code: outcome.error })
        if (status === undefined) return
        apiFailures.record({
          call,
          status,
          message: 'status' in outcome ? `HTTP ${outcome.status}` : outcome.message,
          by: 'cli',
        })
      },
    })
      .then((p) => {
        // Its socket's folder goes when this process ends, even when AfterAll never comes (a worker killed).
        process.once('exit', () => rmSync(dirname(p.socketPath), { recursive: true, force: true }))
        return p
      })
      .catch(() => undefined)
    relays.set(target.endpoint, relay)
  }
  const p = await relay
  return p ? { ...target, endpoint: p.url, tls: undefined } : target
}

/** Closes this process's relays (after its last scenario: an open listener would keep it alive). */
export async function closeCliRelays(): Promise<void> {
  const all = [...relays.values()]
  relays.clear()
  await Promise.all(all.map(async (r) => (await r)?.close()))
}

/** A failure in words: `POST /networks/create answered 500 (message)`, `… reset`. */
export function describeFailure(f: ApiFailure): string {
  const how =
    typeof f.status === 'number'
      ? `answered ${f.status}`
      : f.status === 'reset'
        ? 'cut off (connection reset)'
        : 'refused (no endpoint listening)'
  return (
    `${f.call} ${how}${f.message ? `: ${f.message.split('\n')[0]}` : ''} ` +
    `(${f.by === 'cli' ? 'docker CLI' : 'API'})`
  )
}
