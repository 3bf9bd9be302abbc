/**
 * Set up once per section (`run --share-setup`, serial runs): the Background a feature's scenarios
 * share is built by the first of them and kept while the following ones of that feature only
 * observe it; a scenario that changes what the Background built is tagged @mutates and gets its
 * own, and so does one whose holds (@exclusive:/@shared:) differ.
 *
 * A fixture's resources are labelled with the run and the fixture's own id (not a scenario's),
 * so a scenario's cleanup by label leaves them; the fixture holds the Background's locks on the
 * endpoint and this host's ports for as long as it lives, and is torn down — by label, locks
 * released — when the next scenario needs another, and at the end of the run (the end-of-run
 * sweep by the run's label is the safety net). A fixture whose Background did not pass in full is
 * never reused: the next scenario builds its own, so no verdict rests on a set-up that failed.
 * Each scenario's transcript says which fixture it used and who built it.
 */
import type { GherkinDocument } from '@cucumber/messages'
import { NameBook } from './document/doc-commands'
import { namePrefix, removeLabelled, scenarioLabels } from './cleanup/resources'
import type { Held } from './endpoint/lock'
import type { HostLocks } from './endpoint/host-lock'
import type { Listener } from './observe/outside'
import type Docker from 'dockerode'

export interface Fixture {
  /** The feature file: one fixture per feature's Background. */
  key: string
  /** Its id, the io.netconform.scenario label of what it made: fixture:<first scenario's id>. */
  id: string
  builtBy: string
  /** The holds it was built with (sorted @exclusive:/@shared: tags); a scenario with others builds its own. */
  holds: string
  names: NameBook
  labels: Record<string, string>
  listeners: Listener[]
  held?: Held
  hostLocks?: HostLocks
  /** Every Background step passed: only then is it reused. */
  ok: boolean
}

/** The ids of a feature's Background steps (a pickle step from the Background names one of them first). */
export function backgroundStepIds(doc: GherkinDocument | undefined): Set<string> {
  const background = doc?.feature?.children.find((c) => c.background)?.background
  return new Set((background?.steps ?? []).map((s) => s.id))
}

/** The hold tags of a scenario, as one comparable string. */
export function holdsKey(tags: readonly string[]): string {
  return tags.filter((t) => t.startsWith('@exclusive:') || t.startsWith('@shared:')).sort().join(' ')
}

/** Whether a scenario may observe FIXTURE instead of building its own Background. */
export function reusable(fixture: Fixture | undefined, key: string, tags: readonly string[]): fixture is Fixture {
  return fixture !== undefined && fixture.ok && fixture.key === key && fixture.holds === holdsKey(tags) && !tags.includes('@mutates')
}

/** A new fixture for the Background of KEY, built by SCENARIO. */
export function newFixture(runId: string, key: string, scenarioId: string, tags: readonly string[]): Fixture {
  const id = `fixture:${scenarioId}`
  return {
    key,
    id,
    builtBy: scenarioId,
    holds: holdsKey(tags),
    names: new NameBook(namePrefix(runId)),
    labels: scenarioLabels(runId, id),
    listeners: [],
    ok: true,
  }
}

/** Removes what the fixture made (by its labels), stops its listeners, gives back its holds; says what it removed. */
export async function tearDown(docker: Docker, fixture: Fixture): Promise<string> {
  await Promise.all(fixture.listeners.map((l) => l.stop()))
  const removed = await removeLabelled(docker, fixture.labels)
  await fixture.held?.release()
  await fixture.hostLocks?.release()
  return `tore down fixture ${fixture.id} (built by ${fixture.builtBy}): removed containers: ${removed.containers.join(', ') || 'none'}; networks: ${removed.networks.join(', ') || 'none'}${removed.errors.length ? `; errors: ${removed.errors.join('; ')}` : ''}`
}
