/**
 * Why a scenario has no verdict (the endpoint failed a call, or stopped answering), each not-run
 * scenario's cause, and what was not run, by cause, in words.
 */
import { type NetconformRecord, type RecordOf } from '../records'
import { oneLine } from '../text'
import { type NotRun, type NotRunCause, type Verdict } from '../types'

/**
 * A scenario that fails where the endpoint failed one of the suite's calls (a 5xx, a connection
 * reset or refused: api-failure records) has no verdict: its evidence may be the endpoint's failure,
 * not the documented behaviour. It is not run, naming the first such call. Any other verdict
 * stands: a behaviour observed (or a declared deviation matched) was observed all the same.
 */
export function failedCallOf(verdict: Verdict, records: readonly NetconformRecord[]): RecordOf<'not-run'> | undefined {
  if (verdict !== 'fails') return undefined
  const failed = records.filter((r): r is RecordOf<'api-failure'> => r.kind === 'api-failure')
  if (failed.length === 0) return undefined
  const f = failed[0]
  const how =
    typeof f.status === 'number' ? `answered ${f.status}` : f.status === 'reset' ? 'was cut off' : 'was refused'
  const more = failed.length > 1 ? ` (and ${failed.length - 1} other call${failed.length === 2 ? '' : 's'})` : ''
  const lease = noLeaseOf(records)
  return {
    kind: 'not-run',
    reason: `the endpoint failed a call of the suite: ${f.call} ${how}${more}${lease ? `: ${lease}` : ''}`,
    call: f.call,
  }
}

/**
 * The engine's words for a container that got no address from the DHCP server: netavark's proxy ("unable to
 * obtain lease … Timeout on acquiring DHCPv4 lease"), CNI's dhcp plugin ("error calling DHCP.Allocate", "no more
 * tries").
 */
const NO_LEASE = /unable to obtain lease|DHCPv?4? lease|DHCP\.Allocate|dhcp.*no more tries/i

/**
 * "no DHCP lease for the container within 8.2 s (the engine's words)" when a documented command's error (its
 * duration is the wait) or a failed call's message says the container got no DHCP lease; else undefined.
 */
export function noLeaseOf(records: readonly NetconformRecord[]): string | undefined {
  for (const r of records) {
    if (r.kind === 'command' && NO_LEASE.test(r.stderr)) {
      const words = r.stderr.split('\n').find((l) => NO_LEASE.test(l)) ?? r.stderr
      return `no DHCP lease for the container within ${(r.durationMs / 1000).toFixed(1)} s (${oneLine(words, 160)})`
    }
  }
  const call = records.find((r): r is RecordOf<'api-failure'> => r.kind === 'api-failure' && NO_LEASE.test(r.message))
  return call ? `no DHCP lease for the container (${oneLine(call.message, 160)})` : undefined
}

/**
 * Why a scenario has no verdict although it ran: it failed where the endpoint failed a call (failedCallOf), or
 * the endpoint stopped answering after it failed (an endpoint-lost record: the failure may be the loss's, the
 * declared deviation is not applied to it), named so. Any other verdict stands.
 */
export function noVerdictOf(verdict: Verdict, records: readonly NetconformRecord[]): RecordOf<'not-run'> | undefined {
  const failed = failedCallOf(verdict, records)
  if (failed) return failed
  const lost = records.find((r): r is RecordOf<'endpoint-lost'> => r.kind === 'endpoint-lost')
  return lost && verdict === 'fails' ? { kind: 'not-run', reason: lost.reason, lost: true } : undefined
}

/** A not-run record's cause, from the field its maker set. */
export function recordCause(r: RecordOf<'not-run'>): NotRunCause {
  return r.call ? 'failed-call' : r.held ? 'held' : r.lost ? 'endpoint-lost' : 'interrupted'
}

/** The words for each cause, in the order the end-of-run line gives them. */
export const NOT_RUN_CAUSES: Record<NotRunCause, string> = {
  held: "held by another run or by something not netconform's",
  'failed-call': 'the endpoint failed a call',
  'endpoint-lost': 'endpoint lost',
  interrupted: 'interrupted',
}

/**
 * A scenario's cause of not being run: the recorded one, or for a summary written before causes were recorded,
 * the one its reason's words say.
 */
export function causeOf(n: NotRun): NotRunCause {
  if (n.cause) return n.cause
  if (n.reason.startsWith('the endpoint failed a call')) return 'failed-call'
  if (/stopped answering/.test(n.reason)) return 'endpoint-lost'
  if (/^interrupted by /.test(n.reason)) return 'interrupted'
  return 'held'
}

/**
 * What was not run, by cause, each with its first scenario's evidence: "3 not run: 1 held by … (a.b: host port
 * 8080 is held by web (not netconform's)), 1 the endpoint failed a call (c.d: POST … answered 500), 1 endpoint
 * lost (e.f: endpoint … stopped answering after 41 s)". The console's end-of-run line and summary.md say it.
 */
export function notRunByCause(notRun: readonly NotRun[]): string {
  const causes = (Object.keys(NOT_RUN_CAUSES) as NotRunCause[]).flatMap((cause) => {
    const these = notRun.filter((n) => causeOf(n) === cause)
    if (these.length === 0) return []
    // The category already says the endpoint failed a call: the evidence starts at the call.
    const evidence = these[0].reason.replace(/^the endpoint failed a call of the suite: /, '')
    return [`${these.length} ${NOT_RUN_CAUSES[cause]} (${these[0].id}: ${oneLine(evidence, 240)})`]
  })
  return `${notRun.length} not run${causes.length > 0 ? `: ${causes.join(', ')}` : ''}`
}
