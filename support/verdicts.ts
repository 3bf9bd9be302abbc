/**
 * Verdicts with a profile's declared deviations: a failure the profile declares is `deviates`
 * (the declared reason first, then what was observed); a declared deviation whose scenario now
 * conforms stays `conforms` and is flagged, so that profiles do not rot.
 */
import type { Deviation, ScenarioResult } from './types'

export const NO_LONGER_NEEDED = 'declared deviation no longer needed'

export function classify(observed: ScenarioResult, declared: Deviation | undefined): ScenarioResult {
  if (!declared) return observed
  const deviation = { ...declared }
  if (observed.verdict === 'fails') {
    return { ...observed, verdict: 'deviates', reason: `${declared.reason} (observed: ${observed.reason})`, deviation }
  }
  if (observed.verdict === 'conforms') {
    return { ...observed, reason: `${NO_LONGER_NEEDED}: ${declared.reason}`, deviation: { ...deviation, noLongerNeeded: true } }
  }
  return { ...observed, deviation }
}
