/**
 * Hooks: every scenario gets its names and labels before it starts, and its resources are
 * removed by label after it ends, whatever its verdict. A documented command that failed
 * without any step examining the failure fails the scenario. After an interruption or the
 * endpoint's loss, the scenarios not yet started are skipped as not run.
 */
import { Before, After, Status } from '@cucumber/cucumber'
import { removeLabelled } from './cleanup/resources'
import { HOOK_TIMEOUT_MS, acquireHolds } from './endpoint/lock'
import { acquireHostPorts, isLocalAddress } from './endpoint/host-lock'
import { failureOf } from './document/docker-cli'
import { endpointAnswers, endpointRefusal } from './endpoint/connection'
import { interruption, watchSignals } from './cleanup/interrupt'
import { attachRecord } from './records'
import { scenarioId } from './scenario-id'
import type { NetconformWorld } from './world'

watchSignals()
const started = Date.now()


// It waits, with a deadline, for other runs on the endpoint that hold its @exclusive:/@shared: names.
Before({ timeout: HOOK_TIMEOUT_MS }, async function (this: NetconformWorld, { pickle }) {
  if (interruption.reason) {
    attachRecord(this.attach, { kind: 'not-run', reason: interruption.reason })
    return 'skipped'
  }
  const id = scenarioId(pickle.tags)
  if (!id) throw new Error(`scenario "${pickle.name}" has no @id: tag; every scenario needs a stable id`)
  this.begin(id)
  // Its lock containers carry the scenario's labels: the After hook's cleanup by label removes them, last.
  const tags = pickle.tags.map((t) => t.name)
  // The ports are this machine's when the target publishes here: other engines' runs on it take turns too (taken first, always).
  if (isLocalAddress(this.target.publicAddress)) {
    this.hostLocks = await acquireHostPorts({ tags, holder: `run ${this.runId}, scenario ${this.scenarioId} on ${this.target.name}`, log: this.note, stop: () => interruption.reason })
    if (this.hostLocks.notRun) {
      attachRecord(this.attach, { kind: 'not-run', reason: this.hostLocks.notRun, held: true })
      return 'skipped'
    }
  }
  const held = await acquireHolds(this.docker, { runId: this.runId, scenarioId: this.scenarioId, probeImage: this.target.probeImage, tags, publicAddress: this.target.publicAddress, log: this.note, stop: () => interruption.reason })
  if (!held.notRun) return
  attachRecord(this.attach, { kind: 'not-run', reason: held.notRun, held: true })
  return 'skipped'
})

// Registered first, so it runs last: cucumber runs After hooks in reverse order.
After(async function (this: NetconformWorld) {
  if (!this.scenarioId) return
  const removed = await removeLabelled(this.docker, this.labels)
  const lines = [`cleanup by label ${Object.entries(this.labels).map(([k, v]) => `${k}=${v}`).join(',')}:`,
    `removed containers: ${removed.containers.join(', ') || 'none'}`, `removed networks: ${removed.networks.join(', ') || 'none'}`]
  if (removed.errors.length > 0) {
    lines.push(...removed.errors.map((e) => `cleanup error: ${e}`))
    process.stderr.write(`netconform: cleanup of ${this.scenarioId} left: ${removed.errors.join('; ')}\n`)
  }
  this.note({ text: lines.join('\n'), record: { kind: 'cleanup', labels: this.labels, ...removed } })
  await this.hostLocks?.release()
})

// A failed scenario may be the endpoint's doing: if it no longer answers, say so and stop.
After(async function (this: NetconformWorld, { result }) {
  if (!this.scenarioId || result?.status !== Status.FAILED || interruption.reason) return
  // A busy engine may take seconds to answer; a stopped one refuses at once. Only a ping, with room;
  // and an engine shutting down may still answer a ping while refusing the docker CLI.
  const refused = endpointRefusal(this.target.endpoint).test(result.message ?? '')
  if (!refused && (await endpointAnswers(this.target, 10_000))) return
  interruption.reason = `endpoint ${this.target.endpoint} stopped answering after ${Math.round((Date.now() - started) / 1000)} s`
  attachRecord(this.attach, { kind: 'endpoint-lost', reason: interruption.reason })
})

After(async function (this: NetconformWorld) {
  await Promise.all(this.listeners.map((l) => l.stop()))
  if (this.unchecked) throw new Error(`unexamined failure: ${failureOf(this.unchecked)}`)
})
