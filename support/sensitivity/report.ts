/** A sensitivity run's report (sensitivity.json): each fault's result, the totals, and the exit code they make. */
import type { Summary, Verdict } from '../types'

export interface ScenarioVerdict {
  id: string
  verdict: Verdict
  reason: string
}

export interface FaultResult {
  id: string
  breaks: string
  does: string
  tags: string
  /** Scenarios that failed with the fault and did not fail without it (failures of the environment left out). */
  caughtBy: string[]
  /** Scenarios that failed for the environment's sake (a host port another run holds): they neither catch nor miss. */
  environment: string[]
  /**
   * What the run through the fault left on the endpoint (its own cleanup goes through the fault too), removed directly.
   */
  sweptDirectly: string[]
  caught: boolean
  /** False when every scenario of the fault was not applicable on the target: nothing could catch it there. */
  applicable: boolean
  /**
   * The fault changed nothing observable because the endpoint already behaves so: every one of its
   * scenarios has the same verdict and the same evidence as without it, and these deviate as the
   * profile declares (Podman already drops NET_RAW: dropping it again shows the same denial).
   */
  alreadySo?: string[]
  /** Verdicts of the fault's scenarios under the fault. */
  verdicts: ScenarioVerdict[]
  /** Scenarios whose verdict differs from transparent mode's without failing (e.g. deviates → conforms). */
  changed: { id: string; from: Verdict; to: Verdict }[]
  /**
   * Scenarios of the fault with no verdict to judge it by: the run did not get to them (an interruption, the
   * endpoint's loss, a call it failed, a hold), or they had none without the fault. With any and none caught,
   * the fault is not run: neither caught, nor missed, nor not applicable.
   */
  notRun: string[]
  /** Why they were not run (each distinct reason once), naming the failed call where there was one. */
  notRunWhy?: string
  runId: string
  durationMs: number
  interrupted?: string
}

export interface SensitivityReport {
  target: { name: string; endpoint: string; engine: Summary['target']['engine'] }
  runId: string
  startedAt: string
  durationMs: number
  /** What the run did, in words: scenarios per fault, parallelism. */
  method: string
  transparent: {
    runId: string
    durationMs: number
    tags: string
    verdicts: ScenarioVerdict[]
    /** Where the direct verdicts came from: reports/<target>/latest, or a direct run made for the comparison. */
    directRun: string
    /** Scenarios whose verdict through the proxy differs from the direct run's: each is a defect. */
    differences: {
      id: string
      direct: Verdict | 'absent'
      transparent: Verdict
      environment: boolean
      reasons: string
    }[]
  }
  faults: FaultResult[]
  /** Labelled resources of the runs that remained on the endpoint afterwards. */
  leftovers: string[]
  totals: {
    faults: number
    caught: number
    notCaught: number
    notApplicable: number
    alreadySo?: number
    /** Faults with no verdict: none caught them and some of their scenarios were not run. */
    notRun?: number
  }
}

export type FaultStatus = 'caught' | 'NOT CAUGHT' | 'not applicable' | 'already so' | 'not run'

/**
 * What a fault's run says of it. Caught needs a scenario that failed with the fault; anything short
 * of that with a scenario not run (or no scenario at all) says nothing: not run, never not caught or
 * not applicable (every scenario of an empty list is not applicable).
 */
export function faultStatus(f: Pick<FaultResult, 'caught' | 'applicable' | 'alreadySo' | 'notRun'>): FaultStatus {
  if (f.caught) return 'caught'
  if (f.notRun.length > 0) return 'not run'
  if (!f.applicable) return 'not applicable'
  return f.alreadySo ? 'already so' : 'NOT CAUGHT'
}

/** 0: every fault caught (none not run), transparent mode as direct, nothing left behind; 1 otherwise. */
export function sensitivityExitCode(r: SensitivityReport): number {
  return r.totals.notCaught === 0 &&
    !r.totals.notRun &&
    r.transparent.differences.length === 0 &&
    r.leftovers.length === 0 &&
    r.faults.every((f) => !f.interrupted)
    ? 0
    : 1
}
