/**
 * One outage, one grace. An endpoint that failed calls is given a while to answer a ping again, as a
 * restarting engine does; several waits of a run may meet the same outage (a fixture's teardown, the
 * holds' not-run check, a scenario's cleanup). The first gets the whole grace; once a grace has run out,
 * later waits ask once, until the endpoint answers again. Without that, each of them waited the whole
 * grace in turn, and a run whose engine stopped could take three graces to end.
 */
import { setTimeout as pause } from 'node:timers/promises'

let graceRanOut = false

/** Whether `answers` (one ping) says yes within `ms`, asking every half second (once, after a grace that ran out). */
export async function answersWithin(answers: () => Promise<boolean>, ms: number): Promise<boolean> {
  if (graceRanOut) {
    graceRanOut = !(await answers())
    return !graceRanOut
  }
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await answers()) return true
    await pause(500)
  }
  graceRanOut = true
  return false
}
