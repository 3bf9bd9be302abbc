/**
 * Set up once per section (the default; with `run --setup-per-scenario` every scenario builds its
 * own): the Background a feature's scenarios share is built by the first of them a worker runs and
 * kept while that worker's following ones of that feature only observe it (a parallel run's
 * scheduler keeps a feature on one worker where it can, scheduler.ts); a scenario that changes what
 * the Background built is tagged @mutates and gets its own, and so does one whose holds
 * (@exclusive:/@shared:) differ.
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
import { createConnection, createServer, type Server } from 'node:net'
import { NameBook } from '../document/doc-commands'
import { namePrefix, removeLabelled, scenarioLabels } from '../cleanup/resources'
import type { Held } from './lock'
import type { HostLocks } from './host-lock'
import type { Listener } from '../engine/outside'
import { answersWithin } from '../engine/grace'
import type Docker from 'dockerode'
import { conflicts } from './scheduler'
import { holdTags as holdTagsOf } from './tags'
import { interruption } from '../cleanup/interrupt'

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
  return holdTagsOf(tags).join(' ')
}

/** Whether a scenario may observe FIXTURE instead of building its own Background. */
export function reusable(fixture: Fixture | undefined, key: string, tags: readonly string[]): fixture is Fixture {
  return (
    fixture !== undefined &&
    fixture.ok &&
    fixture.key === key &&
    fixture.holds === holdsKey(tags) &&
    !tags.includes('@mutates')
  )
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
  // This host's locks are released whatever the endpoint does meanwhile (an API failure while
  // removing would keep this run's own next scenarios waiting for them).
  const removed: Awaited<ReturnType<typeof removeLabelled>> = { containers: [], networks: [], errors: [] }
  try {
    await Promise.all(fixture.listeners.map((l) => l.stop()))
    Object.assign(removed, await removeLabelled(docker, fixture.labels))
    // Not once the run has counted the endpoint lost: the next run sweeps by label what is left.
    if (removed.errors.length > 0 && !interruption.reason) {
      // An endpoint restarting refuses for a few seconds: once it answers again, what is left (its lock
      // containers too, which carry its labels) goes, or this run's next scenarios would wait for them.
      await answersWithin(
        () =>
          docker.ping().then(
            () => true,
            () => false,
          ),
        20_000,
      )
      const again = await removeLabelled(docker, fixture.labels)
      removed.containers.push(...again.containers)
      removed.networks.push(...again.networks)
      removed.errors = again.errors
    }
    await fixture.held?.release()
  } catch (e) {
    removed.errors.push(`tearing it down: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
  } finally {
    await fixture.hostLocks?.release()
  }
  return (
    `tore down fixture ${fixture.id} (built by ${fixture.builtBy}): ` +
    `removed containers: ${removed.containers.join(', ') || 'none'}; ` +
    `networks: ${removed.networks.join(', ') || 'none'}` +
    `${removed.errors.length ? `; errors: ${removed.errors.join('; ')}` : ''}`
  )
}

/** The holds of a fixture (its holdsKey) as tags again. */
function holdTags(fixture: Fixture): { name: string }[] {
  return fixture.holds
    .split(' ')
    .filter(Boolean)
    .map((name) => ({ name }))
}

/** The abstract socket on which parallel worker WORKER of run RUN is asked for its idle fixture's holds. */
function releaseSocket(runId: string, worker: string): string {
  return `\0netconform-fixture.${runId}.${worker}`
}

/**
 * The fixture a worker keeps between scenarios. In a parallel run an idle worker's fixture would
 * hold its @exclusive:/@shared: names while the scheduler, which sees only running scenarios,
 * starts one that needs them on another worker: that one would wait for a worker that may never
 * get work again. So each worker answers on its own abstract socket (releaseSocket): a worker that
 * is about to take names asks the others first, and one whose kept fixture collides with them
 * tears it down — at once when idle, or when its scenario ends — and says what it removed.
 */
export class Keeper {
  private kept?: { fixture: Fixture; docker: Docker }
  private inUse = false
  /** Requests that arrived while the fixture was in use: answered when its scenario ends. */
  private waiting: ((text: string) => void)[] = []
  private server?: Server

  constructor(
    private readonly worker = process.env.CUCUMBER_WORKER_ID,
    private readonly workers = Number(process.env.CUCUMBER_TOTAL_WORKERS ?? 0),
  ) {}

  get fixture(): Fixture | undefined {
    return this.kept?.fixture
  }

  /** Keeps FIXTURE for the scenario now starting (it built it). */
  keep(runId: string, fixture: Fixture, docker: Docker): void {
    this.kept = { fixture, docker }
    this.inUse = true
    this.listen(runId)
  }

  /** The scenario now starting observes the kept fixture. */
  use(): Fixture | undefined {
    if (this.kept) this.inUse = true
    return this.kept?.fixture
  }

  /** The scenario ended: a release asked for meanwhile is done now. */
  async ended(): Promise<void> {
    this.inUse = false
    if (this.waiting.length > 0) await this.drop()
  }

  /** Tears the kept fixture down (if any); says what it removed. */
  async drop(): Promise<string | undefined> {
    const kept = this.kept
    this.kept = undefined
    const text = kept ? await tearDown(kept.docker, kept.fixture) : undefined
    for (const answer of this.waiting.splice(0)) answer(text ?? 'kept no fixture')
    return text
  }

  /** At the end of the run: the fixture goes, and the socket closes. */
  async close(): Promise<void> {
    await this.drop()
    this.server?.close()
    this.server = undefined
  }

  private listen(runId: string): void {
    if (this.worker === undefined || this.server) return
    const server = createServer((socket) => {
      let line = ''
      socket.on('data', (chunk) => {
        line += chunk.toString()
        if (!line.includes('\n')) return
        let tags: { name: string }[]
        try {
          tags = (JSON.parse(line) as string[]).map((name) => ({ name }))
        } catch {
          return void socket.end('unreadable request\n')
        }
        void this.release(tags).then((text) => socket.end(`${text}\n`))
      })
      socket.on('error', () => undefined)
    })
    server.on('error', (e) =>
      process.stderr.write(`netconform: worker ${this.worker} cannot answer for its fixture: ${e.message}\n`),
    )
    server.listen({ path: releaseSocket(runId, this.worker) })
    server.unref()
    this.server = server
  }

  /** Another worker needs the holds TAGS: the kept fixture goes if it holds any of them against it. */
  private release(tags: { name: string }[]): Promise<string> {
    const fixture = this.kept?.fixture
    if (!fixture || conflicts({ tags: holdTags(fixture) }, { tags }).length === 0)
      return Promise.resolve('kept nothing of that')
    if (!this.inUse) return this.drop().then((text) => text ?? 'kept no fixture')
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /**
   * Asks the run's other workers to give back what TAGS need; resolves with what each did (a
   * worker that has no socket keeps nothing). Only a parallel run has other workers.
   */
  async askOthers(runId: string, tags: readonly string[]): Promise<string[]> {
    if (this.worker === undefined || holdsKey(tags) === '') return []
    const others = Array.from({ length: this.workers }, (_, i) => String(i)).filter((w) => w !== this.worker)
    const answers = await Promise.all(
      others.map((w) => ask(releaseSocket(runId, w), tags).then((text) => (text ? `worker ${w}: ${text}` : undefined))),
    )
    return answers.filter((a): a is string => a !== undefined && !a.endsWith('kept nothing of that'))
  }
}

/** One request on a worker's socket; undefined when nobody listens there. */
function ask(path: string, tags: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = ''
    const socket = createConnection({ path }, () => socket.write(`${JSON.stringify(holdsKey(tags).split(' '))}\n`))
    socket.on('data', (chunk) => (text += chunk.toString()))
    socket.on('end', () => resolve(text.trim()))
    socket.on('error', () => resolve(undefined))
  })
}
