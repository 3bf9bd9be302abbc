/**
 * The conformance record's format (`netconform record`, `netconform verify`): its members, record.json,
 * MANIFEST, and what a run read that the record keeps (the feature sources of its messages).
 *
 * A record is a gzipped tar of: summary.json, messages.ndjson and junit.xml as the run wrote them;
 * run.json (the profile as the run used it, and the netconform version that ran it) and
 * profile.yaml (the profile file's text, when it came from a file); endpoint.json (the API's
 * /version and the networking part of /info); record.json (what was recorded: the run, the
 * sha256 of the document and of every feature file the run read, the recording netconform's
 * version); and MANIFEST, the sha256 of every other member (`sha256sum -c` reads it).
 * pack.ts writes and reads one; verify.ts checks one.
 */
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT } from '../../project'
import { ENDPOINT_FILE, PROFILE_FILE, RUN_FILE } from '../../engine/identity'
import { SUMMARY_FILE, type Summary } from '../summary'

export const RECORD_FORMAT = 'netconform-record/1'
export const MANIFEST = 'MANIFEST'
export const RECORD_FILE = 'record.json'
export const MESSAGES_FILE = 'messages.ndjson'
export const JUNIT_FILE = 'junit.xml'
/** Every member a record has (profile.yaml only when the profile came from a file). */
export const REQUIRED_MEMBERS = [
  RECORD_FILE,
  SUMMARY_FILE,
  MESSAGES_FILE,
  JUNIT_FILE,
  RUN_FILE,
  ENDPOINT_FILE,
  MANIFEST,
]
export const OPTIONAL_MEMBERS = [PROFILE_FILE]

/** record.json */
export interface RecordInfo {
  format: typeof RECORD_FORMAT
  /** The netconform that wrote the record. */
  netconform: string
  createdAt: string
  run: { target: string; runId: string; startedAt: string; engine: Summary['target']['engine']; netconform?: string }
  /** The seed document, as the recording netconform has it. */
  document: { path: string; sha256: string }
  /** Every feature file the run read (the sources in its messages), by path: sha256. */
  features: Record<string, string>
}

/** The first thing that is wrong with a record: `verify` exits 1 with it. */
export class RecordMismatch extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RecordMismatch'
  }
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')

/** The Gherkin sources a run read, from its messages: path → text. */
export function featureSources(ndjson: string): Map<string, string> {
  const sources = new Map<string, string>()
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"source"')) continue
    const envelope = JSON.parse(line) as { source?: { uri: string; data: string } }
    if (envelope.source) sources.set(envelope.source.uri, envelope.source.data)
  }
  return sources
}

/** This netconform's feature files: path relative to the package (as runs name them) → text. */
export function packageFeatures(): Map<string, string> {
  const dir = join(PROJECT, 'features')
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.feature'))
    .sort()
  return new Map(files.map((f) => [`features/${f.split('\\').join('/')}`, readFileSync(join(dir, f), 'utf8')]))
}

/** `sha256sum` lines, one per member. */
export function manifestOf(members: readonly [string, Buffer][]): string {
  return members.map(([name, data]) => `${sha256(data)}  ${name}\n`).join('')
}
