/**
 * Hooks: every scenario gets its names and labels before it starts, and its resources are
 * removed by label after it ends, whatever its verdict. A documented command that failed
 * without any step examining the failure fails the scenario. After an interruption or the
 * endpoint's loss, the scenarios not yet started are skipped as not run.
 */
import {
  Before,
  After,
  AfterAll,
  AfterStep,
  BeforeStep,
  Status,
  setDefaultTimeout,
  setWorldConstructor,
} from '@cucumber/cucumber'
import { Keeper, backgroundStepIds, holdsKey, newFixture, reusable, tearDown } from '../holds/fixtures'
import { removeLabelled } from '../cleanup/resources'
import { HOOK_TIMEOUT_MS, acquireHolds } from '../holds/lock'
import { acquireHostLocks, holdsOutsideRoutes, isLocalAddress } from '../holds/host-lock'
import { commandFailureLine } from '../engine/docker-cli'
import { endpointAnswers, endpointRefusal } from '../engine/connection'
import { interruption, watchSignals } from '../cleanup/interrupt'
import { attachRecord } from '../records'
import { apiFailures, cliEndpoint, closeCliRelays, describeFailure } from '../engine/api-calls'
import { answersWithin } from '../engine/grace'
import type { Target } from '../types'

/** How long an endpoint that failed calls may take to answer a ping again before the run counts it lost. */
const RESTART_GRACE_MS = 20_000

/** How many times a scenario's cleanup by label is made while the endpoint fails calls but answers pings. */
const CLEANUP_TRIES = 4

/** The endpoint stopped answering: the run's interruption, and this scenario's record of it. */
function endpointLost(w: NetconformWorld): void {
  const after = Math.round((Date.now() - started) / 1000)
  interruption.reason = `endpoint ${w.target.endpoint} stopped answering after ${after} s`
  attachRecord(w.attach, { kind: 'endpoint-lost', reason: interruption.reason })
}

/** Whether the endpoint answers a ping within `ms` (engine/grace.ts: once, after a grace that ran out). */
function answersAgain(target: Target, ms: number): Promise<boolean> {
  return answersWithin(() => endpointAnswers(target, 2_000), ms)
}
import { scenarioId } from '../scenario-id'
import { NetconformWorld } from '../scenario/world'
import { endAsking } from '../scenario/control-plane'

setWorldConstructor(NetconformWorld)
/**
 * A scenario creates a few containers and probes them; no single step may take longer, but the DHCP
 * step, whose bound is its profile's deadline (scenario/deployment.ts: tryWithinDhcpDeadline).
 */
setDefaultTimeout(90_000)

watchSignals()
const started = Date.now()

/**
 * The fixture this worker keeps (holds/fixtures.ts): the last Background built, while the next
 * scenarios may observe it.
 */
const keeper = new Keeper()

// It waits, with a deadline, for other runs on the endpoint that hold its @exclusive:/@shared: names.
Before({ timeout: HOOK_TIMEOUT_MS }, async function (this: NetconformWorld, { pickle, gherkinDocument }) {
  if (interruption.reason) {
    // Without a signal, what cut the run short is the endpoint that stopped answering (the After hook below).
    attachRecord(this.attach, {
      kind: 'not-run',
      reason: interruption.reason,
      ...(interruption.signal ? {} : { lost: true }),
    })
    return 'skipped'
  }
  const id = scenarioId(pickle.tags)
  if (!id) throw new Error(`scenario "${pickle.name}" has no @id: tag; every scenario needs a stable id`)
  this.begin(id)
  this.apiMark = apiFailures.mark()
  this.cliTarget = await cliEndpoint(this.target)
  const tags = pickle.tags.map((t) => t.name)
  this.backgroundSteps = backgroundStepIds(gherkinDocument)
  const share = this.parameters.shareSetup === true && this.backgroundSteps.size > 0
  // The kept fixture goes before anything is waited for: a scenario waiting for holds keeps none.
  if (keeper.fixture && !(share && reusable(keeper.fixture, pickle.uri, tags))) {
    const text = await keeper.drop()
    if (text) this.note(text)
  }
  const kept = share ? keeper.use() : undefined
  if (kept) {
    this.fixture = kept
    this.replaying = true
    this.names = kept.names
    this.listeners = [...kept.listeners]
    this.note({
      text:
        `set up once for this section: this scenario observes fixture ${kept.id}, which ${kept.builtBy} built ` +
        `(its Background steps are not run again; it holds ${kept.holds || 'nothing'})`,
      record: { kind: 'fixture', id: kept.id, builtBy: kept.builtBy, built: false },
    })
    return
  }
  // In a parallel run, another worker's idle fixture may hold what this scenario needs: it is asked to give it back.
  for (const answer of await keeper.askOthers(this.runId, tags))
    this.note(`asked the run's other workers for ${holdsKey(tags)}: ${answer}`)
  const fixture = share && !tags.includes('@mutates') ? newFixture(this.runId, pickle.uri, id, tags) : undefined
  // Its lock containers carry the scenario's labels (the After hook's cleanup by label removes them, last),
  // or the fixture's, which keeps them until it is torn down.
  const holder = fixture?.id ?? this.scenarioId
  // Ports and bridge subnets are this machine's when the target publishes
  // here: other engines' runs on it take turns too (taken first, always).
  if (isLocalAddress(this.target.publicAddress) || holdsOutsideRoutes(tags)) {
    const hostLocks = await acquireHostLocks({
      tags,
      holder: `run ${this.runId}, scenario ${holder} on ${this.target.name}`,
      log: this.note,
      stop: () => interruption.reason,
    })
    if (fixture) fixture.hostLocks = hostLocks
    else this.hostLocks = hostLocks
    if (hostLocks.notRun) {
      attachRecord(this.attach, { kind: 'not-run', reason: hostLocks.notRun, held: true })
      return 'skipped'
    }
  }
  // A fixture's host locks are its own, not the scenario's (whose After releases them): should taking the
  // endpoint's holds fail (an API failure), they are released here, or this run's next scenarios wait for them.
  const holdOptions = {
    runId: this.runId,
    scenarioId: holder,
    probeImage: this.target.probeImage,
    tags,
    publicAddress: this.target.publicAddress,
    log: this.note,
    stop: () => interruption.reason,
  }
  const held = await acquireHolds(this.docker, holdOptions).catch(async (e: unknown) => {
    await fixture?.hostLocks?.release()
    throw e
  })
  if (fixture) fixture.held = held
  if (!held.notRun) {
    if (fixture) {
      keeper.keep(this.runId, fixture, this.docker)
      this.fixture = fixture
      this.names = fixture.names
      this.note({
        text:
          `set up once for this section: this scenario builds fixture ${fixture.id}, ` +
          "which the feature's next scenarios with the same holds observe",
        record: { kind: 'fixture', id: fixture.id, builtBy: fixture.builtBy, built: true },
      })
    }
    return
  }
  if (fixture) await tearDown(this.docker, fixture)
  // A call the endpoint failed is named as such; otherwise something holds what it needs. An endpoint that
  // failed a call of the locks and does not answer again within the grace is lost: the run stops here, as
  // after a failed scenario (the After hook below), instead of waiting on each next scenario's locks.
  attachRecord(this.attach, {
    kind: 'not-run',
    reason: held.notRun,
    ...(held.call ? { call: held.call } : { held: true }),
  })
  if (held.call && !(await answersAgain(this.target, RESTART_GRACE_MS))) endpointLost(this)
  return 'skipped'
})

BeforeStep(function (this: NetconformWorld, { pickleStep }) {
  this.inBackground = this.backgroundSteps.has(pickleStep.astNodeIds[0])
})

// A fixture whose Background did not pass in full (failed, skipped, not applicable) is never observed again.
AfterStep(function (this: NetconformWorld, { result }) {
  if (this.fixture && !this.replaying && this.inBackground && result.status !== Status.PASSED) this.fixture.ok = false
})

AfterAll(async function () {
  await keeper.close()
  await closeCliRelays()
})

// Registered first, so it runs last: cucumber runs After hooks in reverse order.
After(async function (this: NetconformWorld) {
  if (!this.scenarioId) return
  let removed = await removeLabelled(this.docker, this.labels)
  // An endpoint that failed calls of this scenario (a restart, say) is given time to answer again, and asked again
  // while it answers, up to CLEANUP_TRIES in all: a lock left behind would keep this run's next scenarios waiting.
  // One that does not answer within the grace is lost, as in the hooks above: the run stops after this scenario.
  let silent = false
  for (
    let tries = 1;
    tries < CLEANUP_TRIES && removed.errors.length > 0 && apiFailures.since(this.apiMark).length > 0;
    tries++
  ) {
    silent = !(await answersAgain(this.target, RESTART_GRACE_MS))
    if (silent) break
    const again = await removeLabelled(this.docker, this.labels)
    removed = {
      containers: [...removed.containers, ...again.containers],
      networks: [...removed.networks, ...again.networks],
      errors: again.errors,
    }
  }
  const lines = [
    `cleanup by label ${Object.entries(this.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}:`,
    `removed containers: ${removed.containers.join(', ') || 'none'}`,
    `removed networks: ${removed.networks.join(', ') || 'none'}`,
  ]
  if (removed.errors.length > 0) {
    lines.push(...removed.errors.map((e) => `cleanup error: ${e}`))
    process.stderr.write(`netconform: cleanup of ${this.scenarioId} left: ${removed.errors.join('; ')}\n`)
  }
  this.note({ text: lines.join('\n'), record: { kind: 'cleanup', labels: this.labels, ...removed } })
  if (silent && !interruption.reason) endpointLost(this)
  await this.hostLocks?.release()
  await keeper.ended()
})

// A failed scenario may be the endpoint's doing: if it no longer answers, say so and stop.
// The calls the endpoint failed during the scenario are recorded:
// a failed scenario with one is not run (report/not-run.ts).
After(async function (this: NetconformWorld, { result }) {
  if (!this.scenarioId) return
  const failed = apiFailures.since(this.apiMark)
  for (const f of failed) attachRecord(this.attach, { kind: 'api-failure', ...f })
  if (failed.length > 0)
    this.note(
      `the endpoint failed ${failed.length} call${failed.length === 1 ? '' : 's'} of this scenario: ` +
        `${failed.map(describeFailure).join('; ')}`,
    )
  if (result?.status !== Status.FAILED || interruption.reason) return
  // A busy engine may take seconds to answer; a stopped one refuses at once. Only a ping, with room;
  // and an engine shutting down may still answer a ping while refusing the docker CLI.
  const refused = endpointRefusal(this.target.endpoint).test(result.message ?? '')
  if (!refused && (await endpointAnswers(this.target, 10_000))) return
  // It is given RESTART_GRACE_MS to answer again, as a restarting engine does: one ping that got a 500 or a
  // reset (a flaky endpoint, whether or not it failed this scenario's own calls) is no loss (once per outage,
  // see engine/grace.ts).
  if (await answersAgain(this.target, RESTART_GRACE_MS)) return
  endpointLost(this)
})

After(async function (this: NetconformWorld) {
  // A fixture's listeners live as long as it does.
  await Promise.all(this.listeners.filter((l) => !this.fixture?.listeners.includes(l)).map((l) => l.stop()))
  if (this.unchecked) throw new Error(`unexamined failure: ${commandFailureLine(this.unchecked)}`)
})

// Registered last, so it runs first: an outside client still asking stops, and a control plane the
// scenario left down is started again before the cleanup needs the API.
After({ timeout: 200_000 }, async function (this: NetconformWorld) {
  await endAsking(this)
})
