/**
 * The one World: what a scenario knows about its target, its names and its last command.
 * Helpers are plain functions elsewhere in support/; the World only holds state.
 */
import { World, type IWorldOptions } from '@cucumber/cucumber'
import type { HostLocks } from '../holds/host-lock'
import type { Fixture } from '../holds/fixtures'
import type Docker from 'dockerode'
import { dockerFor } from '../engine/connection'
import { watchCalls } from '../engine/api-calls'
import { NameBook, type RewriteContext } from '../document/doc-commands'
import type { CommandResult } from '../engine/docker-cli'
import type { Listener } from '../engine/outside'
import type { HeldConnection } from '../engine/held-connection'
import { namePrefix, scenarioLabels } from '../cleanup/resources'
import type { Target, WorldParameters } from '../types'
import { attachRecord, type Transcript } from '../records'

export class NetconformWorld extends World<WorldParameters> {
  readonly target: Target
  readonly runId: string
  readonly docker: Docker
  /** The scenario's stable id (its @id: tag); set by the Before hook. */
  scenarioId = ''
  names = new NameBook('nc')
  labels: Record<string, string> = {}
  /** A documented command that failed and that no step has examined yet. */
  unchecked?: CommandResult
  /** The last command run with "I try", whose outcome a later step examines. */
  tried?: CommandResult
  /** The commands of one "I try A, then B if it was accepted", in the order they were tried. */
  triedInTurn?: CommandResult[]
  /** Listeners the scenario started outside the endpoint's networks; stopped after it. */
  listeners: Listener[] = []
  /**
   * The outside client that keeps asking a container while the control plane is stopped
   * (scenario/control-plane.ts): whom it asks, and when (ms of its clock) the stop began and the start ended.
   */
  asking?: {
    client: HeldConnection
    container: string
    network: string
    address: string
    port: number
    answerer: string
    greeting: string
    stopAt?: number
    startedAt?: number
  }
  /** This host's port locks the scenario holds (holds/host-lock.ts), released after its cleanup. */
  hostLocks?: HostLocks
  /** The feature's Background kept across scenarios (holds/fixtures.ts), when it uses one and shares it. */
  fixture?: Fixture
  /** The fixture was built by an earlier scenario: this one's Background steps only say so. */
  replaying = false
  /**
   * The target as the docker CLI reaches it: through this process's relay (engine/api-calls.ts),
   * set before each scenario.
   */
  cliTarget?: Target
  /** Where this scenario's API failures begin (engine/api-calls.ts). */
  apiMark = 0
  /** The step under way is one of the Background's (set before each step). */
  inBackground = false
  /** The ids of the feature's Background steps. */
  backgroundSteps = new Set<string>()

  constructor(options: IWorldOptions<WorldParameters>) {
    super(options)
    this.target = options.parameters.target
    this.runId = options.parameters.runId
    // The target, not only its URL: its TLS files go with it (and to the docker CLI, by its URL).
    this.docker = watchCalls(dockerFor(this.target))
  }

  /** Starts the scenario's book of names and labels. */
  begin(scenarioId: string): void {
    this.scenarioId = scenarioId
    this.labels = scenarioLabels(this.runId, scenarioId)
    this.names = new NameBook(namePrefix(this.runId))
  }

  get commandContext(): RewriteContext & { endpoint: Target } {
    // What a Background step makes belongs to the fixture, when there is one: the scenario's cleanup leaves it.
    const labels = this.inBackground && this.fixture ? this.fixture.labels : this.labels
    return { names: this.names, labels, probeImage: this.target.probeImage, endpoint: this.cliTarget ?? this.target }
  }

  /** Whether a Background step is to be said, not done: the fixture an earlier scenario built has it. */
  get replayingStep(): boolean {
    return this.replaying && this.inBackground
  }

  /** The real name of a documented container or network. */
  real(docName: string): string {
    return this.names.resolve(docName)
  }

  /** The target's container network, or undefined when it offers none. */
  get containerNetwork() {
    return this.target.offers.containerNetwork
  }

  /** Writes evidence into the scenario's transcript. */
  readonly note = (what: string | Transcript): void => {
    if (typeof what === 'string') return void this.attach(what, 'text/plain')
    this.attach(what.text, 'text/plain')
    attachRecord(this.attach, what.record)
  }
}
