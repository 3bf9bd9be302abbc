/**
 * Verifying a conformance record (`netconform verify RECORD`: exit 0 verified, 1 the first
 * mismatch, 2 not a record).
 *
 * verify re-derives every verdict from the record's messages with buildSummary (build-summary.ts: the
 * code a run writes summary.json with) and the record's profile, so a verdict edited in
 * summary.json, a feature edited in the messages, a member removed or changed all show.
 * Hashes make a record consistent, not authentic: whoever publishes one vouches for it (a signed
 * release, a CI artifact of a public pipeline).
 */
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { UsageError, firstLine } from '../../errors'
import { netconformVersion } from '../../project'
import { DOCUMENT_FILE } from '../../document/text'
import { ENDPOINT_FILE, PROFILE_FILE, RUN_FILE, type RunContext } from '../../engine/identity'
import { parseTarget } from '../../profile/targets'
import type { Deviation, Target } from '../../types'
import { buildSummary } from '../build-summary'
import { SUMMARY_FILE, checkSummary, type ScenarioResult, type Summary } from '../summary'
import { matchesDeviation } from '../../profile/verdicts'
import {
  MANIFEST,
  MESSAGES_FILE,
  RECORD_FILE,
  RECORD_FORMAT,
  OPTIONAL_MEMBERS,
  REQUIRED_MEMBERS,
  RecordMismatch,
  featureSources,
  packageFeatures,
  sha256,
  type RecordInfo,
} from './format'
import { readRecord } from './pack'

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
