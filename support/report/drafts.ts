/**
 * Declarations checked against a run's failures, and drafted from them (`netconform declare`): a
 * draft deviation names a failing scenario's step as written and an `observed` pattern made from its
 * message through masks.ts's observedPattern, the masks `compare` reads reasons through. A pattern must
 * match the failure it names and no other scenario's failure of the run, unless that failure is the
 * same evidence (the same step, the same message once masked): then one pattern serves both and the
 * draft says so.
 */
import { UsageError, firstLine } from '../errors'
import { matchesDeviation } from '../profile/verdicts'
import type { Deviation, Failure, ScenarioResult, Summary } from '../types'
import { maskReason, observedPattern } from './masks'

/** A deviation drafted from a failure: its reason is for a person to write. */
interface Draft {
  id: string
  step: string
  observed: string
  /** The failure it was made from. */
  failure: Failure
  /** The reason declared before, when the scenario failed otherwise than its profile declared. */
  replaces?: string
  /** Other scenarios of the run whose failure is the same evidence: the pattern matches theirs too. */
  sameAs: string[]
}

/** A failure's evidence as two runs compare it: its step and its message, masked. */
export const evidenceKey = (f: Failure) => `${f.step}\n${maskReason(f.message)}`

/** The scenarios of the run with a failure (failing or deviating). */
const failed = (summary: Summary) =>
  summary.scenarios.filter((s): s is ScenarioResult & { failure: Failure } => s.failure !== undefined)

/**
 * The other scenarios of the run whose failure DECLARED (the deviation of scenario ID) matches and
 * which are not the same evidence as ID's own failure: each as "id (step: first line)".
 */
function otherFailuresMatched(
  id: string,
  declared: Pick<Deviation, 'step' | 'observed'>,
  summary: Summary,
): { other: string[]; same: string[] } {
  const own = summary.scenarios.find((s) => s.id === id)?.failure
  const other: string[] = []
  const same: string[] = []
  for (const s of failed(summary)) {
    if (s.id === id || !matchesDeviation(s.failure, declared)) continue
    if (own && evidenceKey(own) === evidenceKey(s.failure)) same.push(s.id)
    else other.push(`${s.id} (${s.failure.step}: ${firstLine(s.failure.message)})`)
  }
  return { other, same }
}

/** A refusal: the deviation of ID would match another scenario's failure. */
function overreach(id: string, what: string, other: string[]): UsageError {
  return new UsageError(
    `${what} of ${id} also matches the failure of ${other.join('; ')}: narrow its step or observed ` +
      'so that it names one failure',
  )
}

/**
 * One draft per failing scenario of the run; throws a one-line UsageError when a draft's pattern does
 * not match its own failure or matches another scenario's different failure.
 */
export function draftDeviations(summary: Summary): Draft[] {
  return summary.scenarios
    .filter((s): s is ScenarioResult & { failure: Failure } => s.verdict === 'fails' && s.failure !== undefined)
    .map((s) => {
      const draft = { step: s.failure.step, observed: observedPattern(s.failure.message) }
      if (!matchesDeviation(s.failure, draft))
        throw new UsageError(`the pattern drafted for ${s.id} does not match its own failure: ${draft.observed}`)
      const { other, same } = otherFailuresMatched(s.id, draft, summary)
      if (other.length > 0) throw overreach(s.id, 'the pattern drafted', other)
      return {
        id: s.id,
        ...draft,
        failure: s.failure,
        ...(s.deviation?.reason ? { replaces: s.deviation.reason } : {}),
        sameAs: same,
      }
    })
}

/** The scenarios that failed without a failing step to name (a draft needs one). */
export function undraftable(summary: Summary): ScenarioResult[] {
  return summary.scenarios.filter((s) => s.verdict === 'fails' && s.failure === undefined)
}

/** Throws a one-line UsageError when a declared deviation matches another scenario's different failure. */
export function checkDeclared(deviations: Readonly<Record<string, Deviation>>, summary: Summary): void {
  for (const [id, declared] of Object.entries(deviations)) {
    const { other } = otherFailuresMatched(id, declared, summary)
    if (other.length > 0) throw overreach(id, 'the declared deviation', other)
  }
}
