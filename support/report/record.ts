/**
 * A conformance record: one run's evidence in one file that anyone can check.
 *
 *   netconform record RUN_DIR [--out DIR]   → netconform-record-<target>-<engine>-<run>.tar.gz
 *   netconform verify RECORD                → exit 0 verified, 1 the first mismatch, 2 not a record
 *
 * A record is a gzipped tar of: summary.json, messages.ndjson and junit.xml as the run wrote them;
 * run.json (the profile as the run used it, and the netconform version that ran it) and
 * profile.yaml (the profile file's text, when it came from a file); endpoint.json (the API's
 * /version and the networking part of /info); record.json (what was recorded: the run, the
 * sha256 of the document and of every feature file the run read, the recording netconform's
 * version); and MANIFEST, the sha256 of every other member (`sha256sum -c` reads it).
 *
 * verify re-derives every verdict from the record's messages with buildSummary (reports.ts: the
 * code a run writes summary.json with) and the record's profile, so a verdict edited in
 * summary.json, a feature edited in the messages, a member removed or changed all show.
 * Hashes make a record consistent, not authentic: whoever publishes one vouches for it (a signed
 * release, a CI artifact of a public pipeline).
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { gunzipSync, gzipSync } from 'node:zlib'
import { extract, pack } from 'tar-stream'
import { UsageError, firstLine } from '../errors'
import { PROJECT, netconformVersion } from '../project'
import { DOCUMENT_FILE } from '../document/text'
import { ENDPOINT_FILE, PROFILE_FILE, RUN_FILE, type RunContext } from '../engine/identity'
import { loadTarget, parseTarget } from '../profile/targets'
import type { Deviation, Target } from '../types'
import { buildSummary } from './reports'
import { SUMMARY_FILE, checkSummary, type ScenarioResult, type Summary } from './summary'
import { matchesDeviation } from '../profile/verdicts'

const RECORD_FORMAT = 'netconform-record/1'
export const MANIFEST = 'MANIFEST'
export const RECORD_FILE = 'record.json'
const MESSAGES_FILE = 'messages.ndjson'
const JUNIT_FILE = 'junit.xml'
/** Every member a record has (profile.yaml only when the profile came from a file). */
const REQUIRED_MEMBERS = [RECORD_FILE, SUMMARY_FILE, MESSAGES_FILE, JUNIT_FILE, RUN_FILE, ENDPOINT_FILE, MANIFEST]
const OPTIONAL_MEMBERS = [PROFILE_FILE]

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

// ---------------------------------------------------------------------------------------------
// Writing

/** A file name part: runs of anything but letters, digits and dots made one dash. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown'
}

/**
 * netconform-record-<target>-<engine>-<run>.tar.gz, e.g.
 * …-docker-docker-engine-20.10.24-dfsg1-20261204T142716Z-711bbd.tar.gz
 */
export function recordName(summary: Summary): string {
  const engine = summary.target.engine
  return (
    `netconform-record-${slug(summary.target.name).toLowerCase()}-` +
    `${slug(`${engine.name}-${engine.version}`).toLowerCase()}-${slug(summary.runId)}.tar.gz`
  )
}

/** The Gherkin sources a run read, from its messages: path → text. */
function featureSources(ndjson: string): Map<string, string> {
  const sources = new Map<string, string>()
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"source"')) continue
    const envelope = JSON.parse(line) as { source?: { uri: string; data: string } }
    if (envelope.source) sources.set(envelope.source.uri, envelope.source.data)
  }
  return sources
}

/** This netconform's feature files: path relative to the package (as runs name them) → text. */
function packageFeatures(): Map<string, string> {
  const dir = join(PROJECT, 'features')
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.feature'))
    .sort()
  return new Map(files.map((f) => [`features/${f.split('\\').join('/')}`, readFileSync(join(dir, f), 'utf8')]))
}

function readMember(dir: string, name: string): Buffer {
  try {
    return readFileSync(join(dir, name))
  } catch (e) {
    throw new UsageError(
      `${dir} has no ${name} (${firstLine(e)}): give a run's report folder, e.g. reports/docker/latest`,
    )
  }
}

/**
 * The run's context: run.json; for a run written before it existed, the profile.yaml the run kept
 * or else the profile its summary names, from this netconform's targets/.
 */
function runContextOf(dir: string, summary: Summary): RunContext & { profileFrom?: string } {
  const file = join(dir, RUN_FILE)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as RunContext
  const kept = join(dir, PROFILE_FILE)
  if (existsSync(kept))
    return {
      netconform: 'unknown',
      profile: parseTarget(readFileSync(kept, 'utf8'), PROFILE_FILE),
      profileFrom: PROFILE_FILE,
    }
  let profile: Target
  try {
    profile = loadTarget(summary.target.name)
  } catch {
    throw new UsageError(
      `${dir} has no ${RUN_FILE} and netconform has no profile named ${summary.target.name}: ` +
        'the profile it ran with is unknown',
    )
  }
  return {
    netconform: 'unknown',
    profile,
    profileFrom: `targets/${summary.target.name}.yaml of netconform ${netconformVersion()}`,
  }
}

/** What a record's members are, in order, from a run's report folder. */
function recordMembers(dir: string): { summary: Summary; members: [string, Buffer][]; warnings: string[] } {
  const summaryText = readMember(dir, SUMMARY_FILE)
  let summary: Summary
  try {
    summary = checkSummary(JSON.parse(summaryText.toString('utf8')), join(dir, SUMMARY_FILE))
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError(`${join(dir, SUMMARY_FILE)} is not valid JSON: ${firstLine(e)}`)
  }
  const messages = readMember(dir, MESSAGES_FILE)
  const junit = readMember(dir, JUNIT_FILE)
  const context = runContextOf(dir, summary)
  const endpointFile = join(dir, ENDPOINT_FILE)
  // A run written before endpoint.json existed: what its summary says of the engine.
  const endpoint = existsSync(endpointFile)
    ? readFileSync(endpointFile)
    : Buffer.from(
        JSON.stringify(
          { fromSummary: true, endpoint: summary.target.endpoint, engine: summary.target.engine },
          null,
          2,
        ) + '\n',
      )
  const sources = featureSources(messages.toString('utf8'))
  const features = Object.fromEntries(
    [...sources].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, text]) => [path, sha256(text)]),
  )
  const ours = packageFeatures()
  const warnings = [...sources]
    .filter(([path, text]) => ours.get(path) !== text)
    .map(([path]) => `${path} differs from netconform ${netconformVersion()}'s`)
  const info: RecordInfo = {
    format: RECORD_FORMAT,
    netconform: netconformVersion(),
    createdAt: new Date().toISOString(),
    run: {
      target: summary.target.name,
      runId: summary.runId,
      startedAt: summary.startedAt,
      engine: summary.target.engine,
      netconform: context.netconform,
    },
    document: {
      path: relative(PROJECT, DOCUMENT_FILE).split('\\').join('/'),
      sha256: sha256(readFileSync(DOCUMENT_FILE)),
    },
    features,
  }
  const members: [string, Buffer][] = [
    [RECORD_FILE, Buffer.from(`${JSON.stringify(info, null, 2)}\n`)],
    [SUMMARY_FILE, summaryText],
    [MESSAGES_FILE, messages],
    [JUNIT_FILE, junit],
    [RUN_FILE, Buffer.from(`${JSON.stringify(context, null, 2)}\n`)],
    ...(existsSync(join(dir, PROFILE_FILE))
      ? [[PROFILE_FILE, readFileSync(join(dir, PROFILE_FILE))] as [string, Buffer]]
      : []),
    [ENDPOINT_FILE, endpoint],
  ]
  members.push([MANIFEST, Buffer.from(manifestOf(members))])
  return { summary, members, warnings }
}

/** `sha256sum` lines, one per member. */
export function manifestOf(members: readonly [string, Buffer][]): string {
  return members.map(([name, data]) => `${sha256(data)}  ${name}\n`).join('')
}

/** A gzipped tar of the members, in order; every entry dated `mtime`, mode 0644. */
export async function packRecord(members: readonly [string, Buffer][], mtime = new Date()): Promise<Buffer> {
  const tar = pack()
  const chunks: Buffer[] = []
  tar.on('data', (chunk) => chunks.push(chunk as Buffer))
  const done = new Promise<void>((ok, fail) => {
    tar.on('end', ok)
    tar.on('error', fail)
  })
  for (const [name, data] of members) tar.entry({ name, size: data.length, mtime, mode: 0o644 }, data)
  tar.finalize()
  await done
  return gzipSync(Buffer.concat(chunks))
}

/** Writes the record of a run's report folder into outDir; returns its path and what to warn of. */
export async function writeRecord(
  runDir: string,
  outDir: string,
): Promise<{ file: string; summary: Summary; warnings: string[] }> {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory())
    throw new UsageError(`no report folder at ${runDir} (give a run's report folder, e.g. reports/docker/latest)`)
  const { summary, members, warnings } = recordMembers(runDir)
  const data = await packRecord(members, new Date(summary.startedAt))
  mkdirSync(outDir, { recursive: true })
  const file = join(outDir, recordName(summary))
  writeFileSync(file, data)
  return { file, summary, warnings }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A record's members, by name. A file that is not a gzipped tar with a record.json or MANIFEST is a UsageError. */
export async function readRecord(file: string): Promise<Map<string, Buffer>> {
  let data: Buffer
  try {
    data = readFileSync(file)
  } catch (e) {
    throw new UsageError(`cannot read record ${file}: ${firstLine(e)}`)
  }
  const notRecord = (why: string) => new UsageError(`${file} is not a netconform record: ${why}`)
  let tar: Buffer
  try {
    tar = gunzipSync(data)
  } catch {
    throw notRecord('not a gzip file')
  }
  const members = new Map<string, Buffer>()
  try {
    const entries = extract()
    const reading = (async () => {
      for await (const entry of entries) {
        const chunks: Buffer[] = []
        for await (const chunk of entry) chunks.push(chunk as Buffer)
        if (entry.header.type === 'file') members.set(entry.header.name.replace(/^\.\//, ''), Buffer.concat(chunks))
      }
    })()
    entries.end(tar)
    await reading
  } catch (e) {
    throw notRecord(`not a tar archive (${firstLine(e)})`)
  }
  if (!members.has(RECORD_FILE) && !members.has(MANIFEST)) throw notRecord(`no ${RECORD_FILE} and no ${MANIFEST} in it`)
  return members
}

/** True when a path names a file rather than a report folder or a summary.json: a record. */
export function isRecordPath(path: string): boolean {
  try {
    return statSync(path).isFile() && /\.(tar\.gz|tgz)$/.test(path)
  } catch {
    return false
  }
}

/** A record's summary, for matrix and compare: its members must match its MANIFEST. */
export async function recordSummary(file: string): Promise<Summary> {
  const members = await readRecord(file)
  try {
    checkManifest(members)
    return parsedSummary(members)
  } catch (e) {
    if (e instanceof RecordMismatch) throw new UsageError(`${file}: ${e.message} (netconform verify ${file} says more)`)
    throw e
  }
}

// ---------------------------------------------------------------------------------------------
// Verifying

function textOf(members: Map<string, Buffer>, name: string): string {
  const data = members.get(name)
  if (!data) throw new RecordMismatch(`member ${name} is missing`)
  return data.toString('utf8')
}

function jsonOf<T>(members: Map<string, Buffer>, name: string): T {
  try {
    return JSON.parse(textOf(members, name)) as T
  } catch (e) {
    if (e instanceof RecordMismatch) throw e
    throw new RecordMismatch(`member ${name} is not valid JSON: ${firstLine(e)}`)
  }
}

/** Every member listed, present and with its listed sha256; none unlisted; none of the required missing. */
function checkManifest(members: Map<string, Buffer>): void {
  const listed = new Map<string, string>()
  for (const [i, line] of textOf(members, MANIFEST).split('\n').entries()) {
    if (line.trim() === '') continue
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line)
    if (!m) throw new RecordMismatch(`${MANIFEST} line ${i + 1} is not "<sha256>  <member>"`)
    listed.set(m[2], m[1])
  }
  for (const [name, hash] of listed) {
    const data = members.get(name)
    if (!data) throw new RecordMismatch(`member ${name} is missing (${MANIFEST} lists it)`)
    const actual = sha256(data)
    if (actual !== hash)
      throw new RecordMismatch(`member ${name} was changed: its sha256 is ${actual}, ${MANIFEST} says ${hash}`)
  }
  for (const name of REQUIRED_MEMBERS) if (!members.has(name)) throw new RecordMismatch(`member ${name} is missing`)
  for (const name of members.keys()) {
    if (name === MANIFEST) continue
    if (!listed.has(name)) throw new RecordMismatch(`member ${name} is not in ${MANIFEST}`)
    if (![...REQUIRED_MEMBERS, ...OPTIONAL_MEMBERS].includes(name))
      throw new RecordMismatch(`member ${name} is not one a record has`)
  }
}

function parsedSummary(members: Map<string, Buffer>): Summary {
  try {
    return checkSummary(jsonOf(members, SUMMARY_FILE), SUMMARY_FILE)
  } catch (e) {
    if (e instanceof UsageError) throw new RecordMismatch(e.message)
    throw e
  }
}

/** The feature files the run read against record.json, and record.json's against this netconform's. */
function checkFeatures(info: RecordInfo, messages: string): void {
  const sources = featureSources(messages)
  for (const [path, text] of sources) {
    const declared = info.features?.[path]
    if (declared === undefined)
      throw new RecordMismatch(`feature ${path} is in ${MESSAGES_FILE} but not in ${RECORD_FILE}`)
    if (sha256(text) !== declared)
      throw new RecordMismatch(
        `feature ${path} in ${MESSAGES_FILE} was edited: its sha256 is ${sha256(text)}, ` +
          `${RECORD_FILE} says ${declared}`,
      )
  }
  for (const path of Object.keys(info.features ?? {})) {
    if (!sources.has(path))
      throw new RecordMismatch(`feature ${path} is in ${RECORD_FILE} but the run's ${MESSAGES_FILE} has no such source`)
  }
  const ours = packageFeatures()
  const version = netconformVersion()
  const differ = Object.entries(info.features)
    .filter(([path, hash]) => !ours.has(path) || sha256(ours.get(path)!) !== hash)
    .map(([p]) => p)
  if (differ.length > 0) {
    throw new RecordMismatch(
      `features differ from netconform ${version}'s ` +
        `(the record's are netconform ${info.run.netconform ?? info.netconform}'s): ${differ.join(', ')}`,
    )
  }
  const document = sha256(readFileSync(DOCUMENT_FILE))
  if (info.document?.sha256 !== document)
    throw new RecordMismatch(
      `document ${info.document?.path} differs from netconform ${version}'s (sha256 ${info.document?.sha256}, ` +
        `here ${document})`,
    )
}

/** What of a scenario's result verify compares: what the summary says and how it says it. */
function verdictPart(s: ScenarioResult): unknown {
  return {
    verdict: s.verdict,
    reason: s.reason,
    failure: s.failure,
    notApplicableField: s.notApplicableField,
    deviation: s.deviation,
    feature: s.feature,
    doc: s.doc,
    durationMs: s.durationMs,
  }
}

function deviationEvidence(summary: Summary, declared: Record<string, Deviation>): void {
  for (const s of summary.scenarios) {
    if (s.verdict !== 'deviates') continue
    const d = declared[s.id]
    if (!d)
      throw new RecordMismatch(`scenario ${s.id} deviates, but the profile in ${RUN_FILE} declares no deviation for it`)
    if (
      !s.deviation ||
      s.deviation.reason !== d.reason ||
      s.deviation.step !== d.step ||
      s.deviation.observed !== d.observed
    ) {
      throw new RecordMismatch(`scenario ${s.id} deviates with a deviation that is not the one its profile declares`)
    }
    if (!matchesDeviation(s.failure, d))
      throw new RecordMismatch(
        `scenario ${s.id} deviates without evidence that matches its declared deviation (step ${d.step}, ` +
          `/${d.observed}/)`,
      )
  }
}

/** The verdicts re-derived from the record's messages with the run's own code and profile, against its summary. */
function checkVerdicts(summary: Summary, messages: string, deviations: Record<string, Deviation>): void {
  let derived: Summary
  try {
    derived = buildSummary(messages, { ...summary, deviations })
  } catch (e) {
    throw new RecordMismatch(`${MESSAGES_FILE} cannot be read as cucumber messages: ${firstLine(e)}`)
  }
  const ours = new Map(derived.scenarios.map((s) => [s.id, s]))
  for (const s of summary.scenarios) {
    const d = ours.get(s.id)
    if (!d) throw new RecordMismatch(`scenario ${s.id} is in ${SUMMARY_FILE} but its messages have no such test case`)
    if (d.verdict !== s.verdict)
      throw new RecordMismatch(
        `scenario ${s.id}: ${SUMMARY_FILE} says ${s.verdict}, ` +
          `its messages say ${d.verdict}${d.reason ? ` (${d.reason.slice(0, 160)})` : ''}`,
      )
    if (!isDeepStrictEqual(verdictPart(d), verdictPart(s)))
      throw new RecordMismatch(`scenario ${s.id}: ${SUMMARY_FILE}'s reason or evidence is not what its messages give`)
    ours.delete(s.id)
  }
  const missing = [...ours.keys()]
  if (missing.length > 0)
    throw new RecordMismatch(
      `scenario ${missing[0]} ran (its messages say ${ours.get(missing[0])!.verdict}) but ${SUMMARY_FILE} ` +
        'leaves it out',
    )
  const notRun = (x: Summary) => (x.notRun ?? []).map((n) => n.id).sort()
  if (!isDeepStrictEqual(notRun(summary), notRun(derived)))
    throw new RecordMismatch(`${SUMMARY_FILE}'s scenarios not run are not those its messages give`)
  for (const [verdict, n] of Object.entries(derived.totals)) {
    const said = summary.totals[verdict as keyof Summary['totals']]
    if (said !== n) throw new RecordMismatch(`${SUMMARY_FILE} totals say ${said} ${verdict}, its scenarios are ${n}`)
  }
}

/** The endpoint named in record.json, summary.json and endpoint.json is one. */
function checkIdentity(info: RecordInfo, summary: Summary, members: Map<string, Buffer>): void {
  if (info.format !== RECORD_FORMAT)
    throw new RecordMismatch(`${RECORD_FILE} says format ${String(info.format)}, not ${RECORD_FORMAT}`)
  if (info.run?.target !== summary.target.name || info.run?.runId !== summary.runId) {
    throw new RecordMismatch(
      `${RECORD_FILE} records run ${info.run?.target}/${info.run?.runId}, ` +
        `${SUMMARY_FILE} is of ${summary.target.name}/${summary.runId}`,
    )
  }
  if (!isDeepStrictEqual(info.run.engine, summary.target.engine))
    throw new RecordMismatch(`${RECORD_FILE}'s engine is not ${SUMMARY_FILE}'s`)
  const endpoint = jsonOf<{ version?: { Version?: string; ApiVersion?: string }; fromSummary?: boolean }>(
    members,
    ENDPOINT_FILE,
  )
  if (
    !endpoint.fromSummary &&
    (endpoint.version?.Version !== summary.target.engine.version ||
      endpoint.version?.ApiVersion !== summary.target.engine.apiVersion)
  ) {
    throw new RecordMismatch(
      `${ENDPOINT_FILE} says version ${endpoint.version?.Version} API ${endpoint.version?.ApiVersion}, ` +
        `${SUMMARY_FILE} ${summary.target.engine.version} API ${summary.target.engine.apiVersion}`,
    )
  }
}

/** The profile as run (run.json) against the profile file's text, when the record has it. */
function checkProfile(context: RunContext, members: Map<string, Buffer>): void {
  if (!context?.profile || typeof context.profile !== 'object') throw new RecordMismatch(`${RUN_FILE} has no profile`)
  const text = members.get(PROFILE_FILE)
  if (!text) return
  let parsed: Target
  try {
    parsed = parseTarget(text.toString('utf8'), PROFILE_FILE)
  } catch (e) {
    throw new RecordMismatch(firstLine(e))
  }
  if (!isDeepStrictEqual(parsed.deviations, context.profile.deviations ?? {}))
    throw new RecordMismatch(`${RUN_FILE}'s declared deviations are not ${PROFILE_FILE}'s`)
}

/** Checks a record's members; returns its summary, or throws the first RecordMismatch. */
export function verifyMembers(members: Map<string, Buffer>): { summary: Summary; info: RecordInfo } {
  checkManifest(members)
  const info = jsonOf<RecordInfo>(members, RECORD_FILE)
  const summary = parsedSummary(members)
  checkIdentity(info, summary, members)
  const messages = textOf(members, MESSAGES_FILE)
  checkFeatures(info, messages)
  const context = jsonOf<RunContext>(members, RUN_FILE)
  checkProfile(context, members)
  const deviations = context.profile.deviations ?? {}
  checkVerdicts(summary, messages, deviations)
  deviationEvidence(summary, deviations)
  return { summary, info }
}

export function verifiedLine(summary: Summary, info: RecordInfo): string {
  const t = summary.totals
  const engine = summary.target.engine
  return (
    `verified: ${summary.target.name} (${engine.name} ${engine.version}, API ${engine.apiVersion}) ` +
    `run ${summary.runId}, netconform ${info.run.netconform ?? info.netconform}: ` +
    `${t.conforms} conforms, ${t.deviates} deviates, ` +
    `${t.fails} fails, ${t['not-applicable']} not applicable` +
    `${summary.notRun?.length ? `, ${summary.notRun.length} not run` : ''}` +
    `${summary.interrupted ? ` (interrupted: ${summary.interrupted})` : ''}`
  )
}
