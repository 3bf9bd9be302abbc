/**
 * Verdicts with a profile's declared deviations, as pytest's xfail(raises=…, strict=True): a
 * deviation names the failure it expects, the step that fails and what its error says. A
 * scenario that fails there, so, is `deviates` (the declared reason first, then what was
 * observed); one that fails in any other way is `fails`, saying what was declared and what was
 * seen; a declared deviation whose scenario now conforms stays `conforms` and is flagged, so
 * that profiles do not rot.
 */
import { firstLine } from '../errors'
import type { Deviation, Failure, ScenarioResult } from '../types'

export const NO_LONGER_NEEDED = 'declared deviation no longer needed'
export const DOES_NOT_MATCH = 'declared deviation does not match'

/** A deviation's `step` written /like this/ is a regular expression; otherwise the exact step text. */
const REGEX_FORM = /^\/(.+)\/$/s

/** The regular expression a deviation's `step` stands for, or undefined when it is an exact text. */
export function stepRegExp(step: string): RegExp | undefined {
  const m = REGEX_FORM.exec(step)
  return m ? new RegExp(m[1]) : undefined
}

/**
 * Whether a scenario's failure is the one the deviation declares: at its step, with a message its `observed` matches.
 */
export function matchesDeviation(
  failure: Failure | undefined,
  declared: Pick<Deviation, 'step' | 'observed'>,
): boolean {
  if (!failure) return false
  const step = stepRegExp(declared.step)
  const atStep = step ? step.test(failure.step) : failure.step === declared.step
  return atStep && new RegExp(declared.observed).test(failure.message)
}

/** What was seen, for a reason: `<step>: <first line of its message>`. */
export function failureText(failure: Failure): string {
  return `${failure.step}: ${firstLine(failure.message)}`
}

export function classify(observed: ScenarioResult, declared: Deviation | undefined): ScenarioResult {
  if (!declared) return observed
  const deviation = { ...declared }
  if (observed.verdict === 'fails') {
    if (matchesDeviation(observed.failure, declared)) {
      return {
        ...observed,
        verdict: 'deviates',
        reason: `${declared.reason} (observed: ${observed.reason})`,
        deviation,
      }
    }
    const seen = observed.failure ? failureText(observed.failure) : observed.reason
    const reason = `${DOES_NOT_MATCH}: declared ${declared.step} / /${declared.observed}/, observed ${seen}`
    return { ...observed, reason, deviation: { ...deviation, mismatch: true } }
  }
  if (observed.verdict === 'conforms') {
    return {
      ...observed,
      reason: `${NO_LONGER_NEEDED}: ${declared.reason}`,
      deviation: { ...deviation, noLongerNeeded: true },
    }
  }
  return { ...observed, deviation }
}
