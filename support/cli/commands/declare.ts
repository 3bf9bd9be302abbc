/**
 * `netconform declare REPORT`: the run's profile with one draft deviation per failing scenario
 * (report/drafts.ts): its step as written, an `observed` pattern made from its message with what each
 * run measures anew masked, and `reason: null` under a comment that quotes the message. A profile
 * holding a draft is refused by `run` until a person writes each reason (profile/targets.ts). The
 * declarations the profile already had are checked against the run's failures too: one that would
 * match another scenario's different failure is refused, naming it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { UsageError, firstLine } from '../../errors'
import type { Parsed } from '../options'

export const DECLARE_SPEC = {
  summary: "a run's failures as draft deviations in its profile, each for a person to give its reason",
  args: [{ name: 'REPORT', description: "a run's report folder, e.g. reports/docker/latest" }],
  options: {
    profile: {
      value: 'FILE',
      description: 'the profile the drafts are added to',
      defaultText: "the run's own (profile.yaml in REPORT)",
    },
    out: { value: 'FILE', short: 'o', description: 'where the profile with its drafts goes', defaultText: 'stdout' },
  },
  examples: ['declare reports/my-vch/latest -o my-vch.yaml', 'declare reports/my-vch/latest --profile my-vch.yaml'],
  exit:
    '0 written (or nothing failed); 2 usage error, no report there, or a pattern that would match another ' +
    "scenario's failure (named)",
} as const

type Out = (line: string) => void

/** The profile's text the drafts go into: --profile, else the run's copy, else the run's profile as run.json has it. */
function profileText(report: string, given: string | undefined): { text: string; from: string } {
  const { PROFILE_FILE, RUN_FILE } = require('../../engine/identity') as typeof import('../../engine/identity')
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch (e) {
      throw new UsageError(`declare: cannot read ${file}: ${firstLine(e)}`)
    }
  }
  if (given !== undefined) return { text: read(given), from: given }
  if (existsSync(join(report, PROFILE_FILE))) return { text: read(join(report, PROFILE_FILE)), from: PROFILE_FILE }
  const runFile = join(report, RUN_FILE)
  if (!existsSync(runFile))
    throw new UsageError(`declare: no ${PROFILE_FILE} or ${RUN_FILE} in ${report}: give the profile with --profile`)
  const { stringify } = require('yaml') as typeof import('yaml')
  const { profile } = JSON.parse(read(runFile)) as import('../../engine/identity').RunContext
  const fields: Partial<typeof profile> = { ...profile }
  delete fields.source
  return { text: stringify(fields), from: RUN_FILE }
}

/** The comment above a draft: what to do with it, and the failure it was made from. */
function draftComment(
  d: ReturnType<typeof import('../../report/drafts').draftDeviations>[number],
  runId: string,
): string {
  const lines = [
    `DRAFT from run ${runId}: ${d.id} failed at the step below. Write its reason (one sentence: what the`,
    'endpoint does instead, and why); narrow observed if it should name less. The failure:',
    ...d.failure.message.split('\n').map((l) => `  ${l}`),
    ...(d.replaces ? [`Declared before, and this failure did not match it: ${d.replaces}`] : []),
    ...(d.sameAs.length ? [`The same failure as ${d.sameAs.join(', ')}'s: the pattern matches theirs too.`] : []),
  ]
  return lines.map((l) => ` ${l}`).join('\n')
}

export function declareCommand({ values, positionals: [report] }: Parsed<typeof DECLARE_SPEC>, out: Out): number {
  const { loadSummary } = require('../../report/summary') as typeof import('../../report/summary')
  const { checkDeclared, draftDeviations, undraftable } =
    require('../../report/drafts') as typeof import('../../report/drafts')
  const yaml = require('yaml') as typeof import('yaml')
  const summary = loadSummary(report)
  const { text, from } = profileText(report, values.profile)
  const doc = yaml.parseDocument(text)
  if (doc.errors.length > 0) throw new UsageError(`declare: ${from}: not valid YAML: ${firstLine(doc.errors[0])}`)
  if (!yaml.isMap(doc.contents)) throw new UsageError(`declare: ${from}: not a profile (a YAML mapping)`)

  const drafted = draftDeviations(summary)
  const redrafted = new Set(drafted.map((d) => d.id))
  const declared = (doc.toJS() as { deviations?: Record<string, import('../../types').Deviation> }).deviations ?? {}
  checkDeclared(
    Object.fromEntries(Object.entries(declared).filter(([id, d]) => !redrafted.has(id) && d?.step && d.observed)),
    summary,
  )

  let deviations = doc.get('deviations', true)
  if (!yaml.isMap(deviations)) {
    deviations = new yaml.YAMLMap()
    doc.set('deviations', deviations)
  }
  const map = deviations as import('yaml').YAMLMap
  for (const d of drafted) {
    map.delete(d.id)
    const key = new yaml.Scalar(d.id)
    key.commentBefore = draftComment(d, summary.runId)
    map.items.push(new yaml.Pair(key, doc.createNode({ reason: null, step: d.step, observed: d.observed })))
  }
  const written = doc.toString({ lineWidth: 0, singleQuote: true })
  const say = values.out === undefined ? (line: string) => process.stderr.write(`${line}\n`) : out
  if (values.out !== undefined) {
    try {
      writeFileSync(values.out, written)
    } catch (e) {
      throw new UsageError(`declare: cannot write ${values.out}: ${firstLine(e)}`)
    }
  } else process.stdout.write(written)
  for (const s of undraftable(summary))
    say(`netconform: no draft for ${s.id}: it failed without a failing step to name (${firstLine(s.reason)})`)
  say(
    drafted.length === 0
      ? `netconform: no failing scenario in ${report} to declare`
      : `netconform: ${drafted.length} draft deviation(s) in ${values.out ?? 'the profile above'}, each with ` +
          'reason: null until you write it (a run refuses the profile until then): ' +
          drafted.map((d) => d.id).join(', '),
  )
  return 0
}
