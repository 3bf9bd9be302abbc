/**
 * An in-memory Docker endpoint for the lock tests: containers with unique names (a taken name
 * is 409 Conflict), labels, a running flag and published ports; list filters by label. `failNext`
 * makes the endpoint fail a call as a flaky one does: a 5xx or a reset, before doing it or after
 * (the engine did it, and the answer was lost).
 */
import { randomBytes } from 'node:crypto'
import type Docker from 'dockerode'

export interface FakeContainer {
  id: string
  name: string
  image: string
  labels: Record<string, string>
  running: boolean
  ports: number[]
}

const httpError = (statusCode: number, message: string) =>
  Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode })

export type FakeOp = 'create' | 'list' | 'inspect' | 'remove'

/** A failure to come: the next `times` calls of `op` fail with a status (500, 503…) or a reset; `done`: after doing it. */
export interface FakeFailure {
  op: FakeOp
  how: number | 'reset'
  done?: boolean
  times?: number
}

const failureError = (f: FakeFailure, op: FakeOp) =>
  f.how === 'reset'
    ? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
    : httpError(f.how, `injected: ${op} failed`)

export class FakeDocker {
  readonly containers = new Map<string, FakeContainer>()
  /** Every call, in order: "create NAME", "list", "inspect ID", "remove NAME". */
  readonly calls: string[] = []
  /** What was removed, by name, in order. */
  readonly removed: string[] = []
  /** Failures to come, in order; each call of an op takes the first of its own. */
  readonly failures: FakeFailure[] = []
  /** The calls that failed, as "op how". */
  readonly failed: string[] = []
  /** Podman 4.3's answer to a taken name: 500 "that name is already in use" instead of 409. */
  takenAs500 = false

  failNext(op: FakeOp, how: number | 'reset', more: { done?: boolean; times?: number } = {}): this {
    this.failures.push({ op, how, ...more })
    return this
  }

  /** The failure this call of `op` meets, if any (counted down). */
  private failure(op: FakeOp): FakeFailure | undefined {
    const i = this.failures.findIndex((f) => f.op === op)
    if (i < 0) return undefined
    const f = this.failures[i]
    if ((f.times ?? 1) <= 1) this.failures.splice(i, 1)
    else f.times = (f.times ?? 1) - 1
    this.failed.push(`${op} ${f.how}${f.done ? ' (done)' : ''}`)
    return f
  }

  /** Runs a call under its failure: before it (not done), or after it (done, the answer lost). */
  private async faulty<T>(op: FakeOp, run: () => T): Promise<T> {
    await Promise.resolve()
    const f = this.failure(op)
    if (f && !f.done) throw failureError(f, op)
    const out = run()
    if (f) throw failureError(f, op)
    return out
  }

  add(c: Partial<FakeContainer> & { name: string }): FakeContainer {
    const full: FakeContainer = {
      id: randomBytes(32).toString('hex'),
      image: 'img',
      labels: {},
      running: false,
      ports: [],
      ...c,
    }
    this.containers.set(full.id, full)
    return full
  }

  private find(idOrName: string): FakeContainer | undefined {
    return this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.name === idOrName)
  }

  byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.name === name)
  }

  createContainer = async (opts: Docker.ContainerCreateOptions) => {
    this.calls.push(`create ${opts.name}`)
    return this.faulty('create', () => {
      if (opts.name && this.byName(opts.name)) {
        if (this.takenAs500)
          throw httpError(500, `creating container storage: the container name "${opts.name}" is already in use`)
        throw httpError(409, `Conflict. The container name "/${opts.name}" is already in use`)
      }
      const c = this.add({
        name: opts.name ?? randomBytes(4).toString('hex'),
        image: opts.Image ?? '',
        labels: { ...(opts.Labels ?? {}) },
      })
      return { id: c.id }
    })
  }

  listContainers = async (opts: { all?: boolean; filters?: string } = {}) => {
    this.calls.push('list')
    return this.faulty('list', () => this.list(opts))
  }

  private list(opts: { all?: boolean; filters?: string }) {
    const labels: string[] = opts.filters ? (JSON.parse(opts.filters).label ?? []) : []
    const match = (c: FakeContainer) =>
      labels.every((l) => {
        const [k, ...v] = l.split('=')
        return v.length === 0 ? k in c.labels : c.labels[k] === v.join('=')
      })
    return [...this.containers.values()]
      .filter((c) => (opts.all || c.running) && match(c))
      .reverse() // newest first, as Docker lists
      .map((c) => ({
        Id: c.id,
        Names: [`/${c.name}`],
        Image: c.image,
        Labels: { ...c.labels },
        State: c.running ? 'running' : 'created',
        Ports: c.ports.map((p) => ({ IP: '0.0.0.0', PrivatePort: 80, PublicPort: p, Type: 'tcp' })),
      }))
  }

  getContainer = (idOrName: string) => ({
    inspect: async () => {
      this.calls.push(`inspect ${idOrName}`)
      return this.faulty('inspect', () => {
        const c = this.find(idOrName)
        if (!c) throw httpError(404, `No such container: ${idOrName}`)
        return { Id: c.id, Name: `/${c.name}`, Config: { Labels: { ...c.labels } }, State: { Running: c.running } }
      })
    },
    remove: async (_opts?: object) =>
      this.faulty('remove', () => {
        const c = this.find(idOrName)
        if (!c) throw httpError(404, `No such container: ${idOrName}`)
        this.calls.push(`remove ${c.name}`)
        this.removed.push(c.name)
        this.containers.delete(c.id)
      }),
  })

  listNetworks = async () => []

  get asDocker(): Docker {
    return this as unknown as Docker
  }
}
