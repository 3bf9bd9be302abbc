/** How taking a scenario's holds stops short: the scenario is not run, saying why (and the call that failed). */
import { firstLine, statusOf } from '../errors'
import { endpointFailureOf } from '../engine/api-calls'

const codeOf = (e: unknown): string | undefined => (e as { code?: string })?.code

/** Stops the acquisition: the scenario is not run, for this reason. */
export class NotHeld extends Error {}

/**
 * A call of the locks' that the endpoint failed (a 5xx, a connection reset or refused): the
 * scenario is not run, naming it. Its outcome on the endpoint is unknown (a reset may come after
 * the engine did it), so what it may have made is looked for and removed; what cannot be removed
 * carries the scenario's labels (cleanup by label) and a lease (others take it once that passes).
 */
export class CallFailed extends Error {
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

/** The endpoint's failure in an error of a call (5xx, reset, refused), or undefined when it answered. */
export function endpointFailure(e: unknown): number | 'reset' | 'refused' | undefined {
  return endpointFailureOf({ status: statusOf(e), code: codeOf(e) })
}

/** Runs one API call of the locks; a failure of the endpoint's becomes CallFailed, naming it. */
export async function ask<T>(call: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    const status = endpointFailure(e)
    if (status === undefined) throw e
    throw new CallFailed(call, what, status, e)
  }
}
