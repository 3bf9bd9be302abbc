/**
 * Typed records the suite attaches to a scenario's transcript, for the reports to read back:
 * why a scenario is not applicable (and which profile field's absence caused it), why it was
 * not run, and that the endpoint was lost. One JSON object per attachment, under a media type
 * of its own, so that no free text in a transcript can be mistaken for one.
 */
import { type Attachment, AttachmentContentEncoding, type TestCaseStarted } from '@cucumber/messages'
import type { Query } from '@cucumber/query'

export const RECORD_MEDIA_TYPE = 'application/vnd.netconform.record+json'

export type NetconformRecord =
  /**
   * The target lacks what the scenario needs; `field` is the profile
   * field whose absence caused it, e.g. 'offers.dhcpNetwork'.
   */
  | { kind: 'not-applicable'; reason: string; field: string }
  /**
   * The run did not get to the scenario (interrupted, endpoint gone),
   * or something else holds what it needs (`held`), or the endpoint failed a call (`call`) or stopped
   * answering (`lost`).
   */
  | { kind: 'not-run'; reason: string; held?: boolean; call?: string; lost?: boolean }
  /** A call of the suite's that the endpoint failed (5xx, connection reset or refused): engine/api-calls.ts. */
  | { kind: 'api-failure'; call: string; status: number | 'reset' | 'refused'; message: string; by: 'api' | 'cli' }
  /** The scenario failed and the endpoint stopped answering: the failure is the endpoint's loss. */
  | { kind: 'endpoint-lost'; reason: string }
  /** A documented docker command: as documented, as run (argv without `docker`), and what came back. */
  | {
      kind: 'command'
      documented: string
      argv: string[]
      exitCode: number | null
      timedOut: boolean
      durationMs: number
      stdout: string
      stderr: string
    }
  /** A command run inside a container. */
  | {
      kind: 'exec'
      container: string
      command: string
      exitCode: number | null
      durationMs: number
      stdout: string
      stderr: string
    }
  /** A probe from outside the containers: this host's TCP exchange, or the outside client's shell. */
  | {
      kind: 'probe'
      from: string
      target: string
      sent?: string
      received: string
      error?: string
      exitCode?: number | null
      durationMs: number
    }
  /**
   * A poll that ended: what it awaited, how many attempts it made, whether it saw it, how long it
   * waited, and whether it stopped before its deadline because waiting could not change what it saw.
   */
  | { kind: 'poll'; awaited: string; attempts: number; ok: boolean; waitedMs?: number; gaveUpEarly?: boolean }
  /**
   * The Background fixture a scenario used (`run --share-setup`): its id, who built it, and whether this scenario did.
   */
  | { kind: 'fixture'; id: string; builtBy: string; built: boolean }
  /** What a scenario's cleanup by label removed. */
  | { kind: 'cleanup'; labels: Record<string, string>; containers: string[]; networks: string[]; errors: string[] }

/**
 * A transcript: the text a person reads in report.html, and the record tools read (never the text).
 * Where a step writes one, both are attached.
 */
export interface Transcript {
  text: string
  record: NetconformRecord
}

export type RecordKind = NetconformRecord['kind']
export type RecordOf<K extends RecordKind> = Extract<NetconformRecord, { kind: K }>

/** Cucumber's `this.attach`, as far as a record needs it. */
export type Attach = (data: string, mediaType: string) => unknown

/** Attaches one record to the current step. */
export function attachRecord(attach: Attach, record: NetconformRecord): void {
  attach(JSON.stringify(record), RECORD_MEDIA_TYPE)
}

/** The record an attachment carries, or undefined when it is none (another media type, or not a valid record). */
export function recordOf(
  attachment: Pick<Attachment, 'mediaType' | 'body'> & Partial<Pick<Attachment, 'contentEncoding'>>,
): NetconformRecord | undefined {
  if (attachment.mediaType !== RECORD_MEDIA_TYPE) return undefined
  const text =
    attachment.contentEncoding === AttachmentContentEncoding.BASE64
      ? Buffer.from(attachment.body, 'base64').toString('utf8')
      : attachment.body
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return undefined
  }
  return isRecord(data) ? data : undefined
}

function isRecord(data: unknown): data is NetconformRecord {
  if (typeof data !== 'object' || data === null) return false
  const r = data as Record<string, unknown>
  switch (r.kind) {
    case 'not-applicable':
      return typeof r.reason === 'string' && typeof r.field === 'string'
    case 'not-run':
    case 'endpoint-lost':
      return typeof r.reason === 'string'
    case 'api-failure':
      return typeof r.call === 'string' && (typeof r.status === 'number' || typeof r.status === 'string')
    case 'command':
      return typeof r.documented === 'string' && Array.isArray(r.argv)
    case 'exec':
      return typeof r.container === 'string' && typeof r.command === 'string'
    case 'probe':
      return typeof r.from === 'string' && typeof r.target === 'string'
    case 'poll':
      return typeof r.awaited === 'string' && typeof r.attempts === 'number'
    case 'fixture':
      return typeof r.id === 'string' && typeof r.builtBy === 'string'
    case 'cleanup':
      return Array.isArray(r.containers) && Array.isArray(r.networks)
    default:
      return false
  }
}

/** Every record attached to the steps (hooks included) of a test case, in step order. */
export function recordsOf(query: Query, testCaseStarted: TestCaseStarted): NetconformRecord[] {
  const records: NetconformRecord[] = []
  for (const testStepFinished of query.findTestStepsFinishedBy(testCaseStarted)) {
    for (const attachment of query.findAttachmentsBy(testStepFinished)) {
      const record = recordOf(attachment)
      if (record) records.push(record)
    }
  }
  return records
}

/** The first record of that kind among a test case's records (recordsOf, read once per test case). */
export function findRecord<K extends RecordKind>(
  records: readonly NetconformRecord[],
  kind: K,
): RecordOf<K> | undefined {
  return records.find((r): r is RecordOf<K> => r.kind === kind)
}
