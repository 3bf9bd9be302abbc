/** Judging a fault's run against the run without it: who caught it, what changed, what has no verdict. A failure
 * that says nothing of the endpoint (another run on this host holds a port: the engine kinds' portTaken) catches
 * nothing. */
import { maskReason } from '../report/masks'
import type { Summary } from '../types'
import type { FaultResult } from './report'
import { portTaken } from '../engine/kinds'

/**
 * A fault's run, judged against the run without it (`clear`): who caught it, what changed, what has no
 * verdict. A scenario the fault's run did not get to, or that had no verdict without the fault, judges nothing.
 */
export function judgeFault(
  s: Pick<Summary, 'scenarios' | 'notRun'>,
  clear: Pick<Summary, 'scenarios' | 'notRun'>,
): Pick<
  FaultResult,
  'caughtBy' | 'environment' | 'caught' | 'applicable' | 'alreadySo' | 'changed' | 'notRun' | 'notRunWhy'
> {
  const clearVerdicts = new Map(clear.scenarios.map((x) => [x.id, x.verdict]))
  const clearReasons = new Map(clear.scenarios.map((x) => [x.id, x.reason]))
  const clearNotRun = new Map((clear.notRun ?? []).map((n) => [n.id, n.reason]))
  const judged = s.scenarios.filter((x) => clearVerdicts.has(x.id))
  const unjudged = [
    ...(s.notRun ?? []).map((n) => ({ id: n.id, why: n.reason })),
    ...s.scenarios
      .filter((x) => !clearVerdicts.has(x.id))
      .map((x) => ({
        id: x.id,
        why: `no verdict without the fault (${clearNotRun.has(x.id) ? `not run: ${clearNotRun.get(x.id)}` : 'absent'})`,
      })),
  ]
  if (s.scenarios.length === 0 && unjudged.length === 0)
    unjudged.push({ id: '(none)', why: 'the run gave no scenario a verdict and named none not run' })
  const failed = judged.filter((x) => x.verdict === 'fails' && clearVerdicts.get(x.id) !== 'fails')
  const environment = failed.filter((x) => portTaken(x.reason)).map((x) => x.id)
  const caughtBy = failed.filter((x) => !portTaken(x.reason)).map((x) => x.id)
  const changed = judged
    .filter((x) => x.verdict !== 'fails' && clearVerdicts.get(x.id) !== x.verdict)
    .map((x) => ({ id: x.id, from: clearVerdicts.get(x.id)!, to: x.verdict }))
  const same = s.scenarios.every(
    (x) => clearVerdicts.get(x.id) === x.verdict && maskReason(clearReasons.get(x.id) ?? '') === maskReason(x.reason),
  )
  const deviating = s.scenarios.filter((x) => x.verdict === 'deviates').map((x) => x.id)
  const alreadySo =
    caughtBy.length === 0 && unjudged.length === 0 && same && deviating.length > 0 ? deviating : undefined
  return {
    ...(alreadySo ? { alreadySo } : {}),
    caughtBy,
    environment,
    caught: caughtBy.length > 0,
    // Not applicable only when every scenario got a verdict, and it was that.
    applicable: unjudged.length > 0 || s.scenarios.some((x) => x.verdict !== 'not-applicable'),
    changed,
    notRun: unjudged.map((u) => u.id),
    ...(unjudged.length > 0 ? { notRunWhy: [...new Set(unjudged.map((u) => u.why))].join('; ') } : {}),
  }
}
