/**
 * An in-memory Docker endpoint for the lock tests: containers with unique names (a taken name
 * is 409 Conflict), labels, a running flag and published ports; list filters by label.
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

export class FakeDocker {
  readonly containers = new Map<string, FakeContainer>()
  /** Every call, in order: "create NAME", "list", "inspect ID", "remove NAME". */
  readonly calls: string[] = []
  /** What was removed, by name, in order. */
  readonly removed: string[] = []

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
    await Promise.resolve()
    if (opts.name && this.byName(opts.name))
      throw httpError(409, `Conflict. The container name "/${opts.name}" is already in use`)
    const c = this.add({
      name: opts.name ?? randomBytes(4).toString('hex'),
      image: opts.Image ?? '',
      labels: { ...(opts.Labels ?? {}) },
    })
    return { id: c.id }
  }

  listContainers = async (opts: { all?: boolean; filters?: string } = {}) => {
    this.calls.push('list')
    await Promise.resolve()
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
      await Promise.resolve()
      const c = this.find(idOrName)
      if (!c) throw httpError(404, `No such container: ${idOrName}`)
      return { Id: c.id, Name: `/${c.name}`, Config: { Labels: { ...c.labels } }, State: { Running: c.running } }
    },
    remove: async (_opts?: object) => {
      await Promise.resolve()
      const c = this.find(idOrName)
      if (!c) throw httpError(404, `No such container: ${idOrName}`)
      this.calls.push(`remove ${c.name}`)
      this.removed.push(c.name)
      this.containers.delete(c.id)
    },
  })

  listNetworks = async () => []

  get asDocker(): Docker {
    return this as unknown as Docker
  }
}
