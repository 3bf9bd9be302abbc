/**
 * Writing a conformance record from a run's report folder (`netconform record RUN_DIR [--out DIR]`
 * → netconform-record-<target>-<engine>-<run>.tar.gz), and reading one's members back.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { extract, pack } from 'tar-stream'
import { UsageError, firstLine } from '../../errors'
import { PROJECT, netconformVersion } from '../../project'
import { DOCUMENT_FILE } from '../../document/text'
import { ENDPOINT_FILE, PROFILE_FILE, RUN_FILE, type RunContext } from '../../engine/identity'
import { loadTarget, parseTarget } from '../../profile/targets'
import type { Target } from '../../types'
import { SUMMARY_FILE, checkSummary, type Summary } from '../summary'
import {
  JUNIT_FILE,
  MANIFEST,
  MESSAGES_FILE,
  RECORD_FILE,
  RECORD_FORMAT,
  featureSources,
  manifestOf,
  packageFeatures,
  sha256,
  type RecordInfo,
} from './format'

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
