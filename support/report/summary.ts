/**
 * The run's summary (summary.json): its JSON Schema (the types are in types.ts), and the one way to read and
 * write it. `netconform run` writes it (build-summary.ts builds it from cucumber's messages);
 * `netconform compare` and `netconform matrix` read it through loadSummary, which checks it
 * against the schema (ajv, draft-07) and refuses what it cannot use: a one-line UsageError
 * naming the file and every field that is wrong.
 *
 * The schema is typed by the Summary type (ajv's JSONSchemaType), so the two cannot drift apart:
 * a field added to, or made optional in, those types and not in the schema fails the typecheck.
 * Unknown fields are allowed, so that a summary written by a newer netconform still reads.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv, { type ErrorObject, type JSONSchemaType } from 'ajv'
import { UsageError, firstLine } from '../errors'
import { type EngineInfo, type NotRun, type ScenarioResult, type Summary, VERDICTS } from '../types'

export type { Failure, ScenarioResult, Summary } from '../types'

export const SUMMARY_FILE = 'summary.json'

// ---------------------------------------------------------------------------------------------
// Schema

const text = { type: 'string' } as const
const nonEmpty = { type: 'string', minLength: 1 } as const
const count = { type: 'integer', minimum: 0 } as const
const milliseconds = { type: 'number', minimum: 0 } as const
/** An optional field: JSONSchemaType spells an optional property `nullable`. */
const optional = <T extends object>(schema: T) => ({ ...schema, nullable: true }) as const

const engineSchema: JSONSchemaType<EngineInfo> = {
  type: 'object',
  required: ['name', 'version', 'apiVersion', 'os', 'kernel'],
  properties: { name: text, version: text, apiVersion: text, os: text, kernel: text },
}

const scenarioSchema: JSONSchemaType<ScenarioResult> = {
  type: 'object',
  required: ['id', 'doc', 'feature', 'name', 'verdict', 'reason', 'durationMs'],
  properties: {
    id: nonEmpty,
    doc: text,
    feature: text,
    name: text,
    verdict: { type: 'string', enum: [...VERDICTS] },
    reason: text,
    durationMs: milliseconds,
    failure: {
      type: 'object',
      nullable: true,
      required: ['step', 'message'],
      properties: { step: text, message: text },
    },
    notApplicableField: optional(text),
    deviation: {
      type: 'object',
      nullable: true,
      required: ['reason'],
      properties: {
        reason: text,
        link: optional(text),
        step: optional(text),
        observed: optional(text),
        noLongerNeeded: optional({ type: 'boolean' } as const),
        mismatch: optional({ type: 'boolean' } as const),
      },
    },
    vantage: { type: 'array', nullable: true, items: text },
    fixture: { type: 'object', nullable: true, required: ['id', 'builtBy'], properties: { id: text, builtBy: text } },
    deadlineWaits: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        required: ['awaited', 'waitedMs'],
        properties: { awaited: text, waitedMs: milliseconds },
      },
    },
  },
}

const notRunSchema: JSONSchemaType<NotRun> = {
  type: 'object',
  required: ['id', 'doc', 'name', 'reason'],
  properties: {
    id: nonEmpty,
    doc: text,
    name: text,
    reason: text,
    cause: { type: 'string', enum: ['held', 'failed-call', 'endpoint-lost', 'interrupted'], nullable: true },
  },
}

/** The JSON Schema (draft-07) of summary.json. */
export const SUMMARY_SCHEMA: JSONSchemaType<Summary> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://netconform.invalid/summary.schema.json',
  title: 'netconform run summary (summary.json)',
  type: 'object',
  required: ['target', 'runId', 'startedAt', 'durationMs', 'scenarios', 'totals'],
  properties: {
    target: {
      type: 'object',
      required: ['name', 'endpoint', 'engine'],
      properties: { name: nonEmpty, endpoint: text, engine: engineSchema },
    },
    runId: nonEmpty,
    startedAt: text,
    durationMs: milliseconds,
    interrupted: optional(text),
    scenarios: { type: 'array', items: scenarioSchema },
    notRun: { type: 'array', nullable: true, items: notRunSchema },
    totals: {
      type: 'object',
      required: [...VERDICTS],
      properties: Object.fromEntries(
        VERDICTS.map((v) => [v, count]),
      ) as JSONSchemaType<Summary>['properties']['totals']['properties'],
    },
  },
}

const validate = new Ajv({ allErrors: true, verbose: true }).compile(SUMMARY_SCHEMA)

/** At most this many problems are named; the rest are counted. */
const PROBLEMS_SHOWN = 6

/**
 * What is wrong with a parsed summary.json, one phrase per problem (empty when it is a summary):
 * the schema's findings, then scenario ids that appear more than once.
 */
export function summaryProblems(data: unknown): string[] {
  if (!validate(data)) return (validate.errors ?? []).map((e) => describeError(e, data))
  const problems: string[] = []
  const seen = new Map<string, number>()
  for (const [index, scenario] of data.scenarios.entries()) {
    const first = seen.get(scenario.id)
    if (first === undefined) seen.set(scenario.id, index)
    else problems.push(`scenario id ${scenario.id} appears twice (scenarios[${first}] and scenarios[${index}])`)
  }
  return problems
}

/** Throws the UsageError for a summary with problems: one line, naming the file and the fields. */
export function checkSummary(data: unknown, file: string): Summary {
  const problems = summaryProblems(data)
  if (problems.length === 0) return data as Summary
  const shown = problems.slice(0, PROBLEMS_SHOWN)
  const more = problems.length - shown.length
  throw new UsageError(
    `${file} is not a netconform summary: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
  )
}

/** One phrase for one schema error: the field, as a path like scenarios[3].verdict, and what is wrong. */
function describeError(e: ErrorObject, data: unknown): string {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (e.keyword === 'required') segments.push((e.params as { missingProperty: string }).missingProperty)
  const field = fieldName(segments)
  const which = scenarioOf(segments, data)
  const where = `field "${field || '(top)'}"${which}`
  switch (e.keyword) {
    case 'required':
      return `missing field "${field}"${which}`
    case 'enum':
      return (
        `${where} is ${JSON.stringify(e.data)}, not one of ` +
        `${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
      )
    case 'type':
      return (
        `${where} must be ${(e.params as { type: string }).type}` +
        `${e.data === null ? '' : `, not ${describeType(e.data)}`}`
      )
    default:
      return `${where} ${e.message ?? e.keyword}`
  }
}

/** ["scenarios", "3", "verdict"] → scenarios[3].verdict */
function fieldName(segments: readonly string[]): string {
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '')
}

/** ` (scenario <id>)` for a field inside scenarios[N] or notRun[N] whose id can be read, else ''. */
function scenarioOf(segments: readonly string[], data: unknown): string {
  if (
    (segments[0] !== 'scenarios' && segments[0] !== 'notRun') ||
    !/^\d+$/.test(segments[1] ?? '') ||
    segments.length < 3
  )
    return ''
  const list = (data as Record<string, unknown> | null)?.[segments[0]]
  const id = Array.isArray(list) ? (list[Number(segments[1])] as { id?: unknown } | null)?.id : undefined
  return typeof id === 'string' && id !== '' && segments[2] !== 'id' ? ` (scenario ${id})` : ''
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`
}

// ---------------------------------------------------------------------------------------------
// Files

/** The summary.json a path stands for: the path itself, or the summary.json in a report folder. */
export function summaryFileOf(pathOrDir: string): string {
  let isDirectory: boolean
  try {
    isDirectory = statSync(pathOrDir).isDirectory()
  } catch {
    throw new UsageError(
      `no report at ${pathOrDir} (give a run's report folder, e.g. reports/docker/latest, or its ${SUMMARY_FILE})`,
    )
  }
  return isDirectory ? join(pathOrDir, SUMMARY_FILE) : pathOrDir
}

/**
 * Reads and checks a summary.json, or the summary.json in a report folder (e.g.
 * reports/docker/latest). Every problem is a one-line UsageError naming the file.
 */
export function loadSummary(pathOrDir: string): Summary {
  const file = summaryFileOf(pathOrDir)
  let textOf: string
  try {
    textOf = readFileSync(file, 'utf8')
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT'
    throw new UsageError(
      missing && file !== pathOrDir
        ? `no ${SUMMARY_FILE} in report folder ${pathOrDir} (looked for ${file})`
        : `cannot read summary ${file}: ${firstLine(e)}`,
    )
  }
  let data: unknown
  try {
    data = JSON.parse(textOf)
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${firstLine(e)}`)
  }
  return checkSummary(data, file)
}

/**
 * Writes summary.json into a report folder (made if need be); returns its path. A summary that
 * loadSummary would refuse is the suite's defect, not the user's: it is written all the same,
 * for inspection, and then a plain Error says what is wrong with it.
 */
export function writeSummary(dir: string, summary: Summary): string {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, SUMMARY_FILE)
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`)
  const problems = summaryProblems(JSON.parse(JSON.stringify(summary)))
  if (problems.length > 0)
    throw new Error(`netconform wrote a summary it cannot read back, ${file}: ${problems.join('; ')}`)
  return file
}
