/**
 * Host-port locks across endpoints: the lab's five engines all publish on this machine, so a
 * `-p 8080:80` on Docker and one on Podman collide ("address already in use") although each
 * engine's own lock (lock.ts, on the endpoint) is free. When a target's public address is an
 * address of this machine, a scenario that holds @exclusive:host-port-N also takes this host's
 * lock of port N, whichever engine it runs on.
 *
 * The lock is a listening Unix socket in Linux's abstract namespace (`\0netconform-host-port-N`;
 * a bridge's subnet, `\0netconform-subnet-…`, is this host's too: see hostHoldsOf):
 * binding it is atomic, a second bind fails with EADDRINUSE, and the kernel frees it when its
 * process dies, so no crashed run leaves a stale lock. Whoever connects is told who holds it.
 * Abstract sockets belong to a network namespace: every run on this host's namespace shares them.
 */
import { createConnection, createServer, type Server } from 'node:net'
import { networkInterfaces } from 'node:os'
import { setTimeout as pause } from 'node:timers/promises'
import { hostPortOf, holdsOf } from './tags'

export interface HostLockOptions {
  /** The scenario's tag names: its @exclusive:host-port-N are taken. */
  tags: readonly string[]
  /** Who holds it, as told to a waiter: run and scenario. */
  holder: string
  log?: (line: string) => void
  stop?: () => string | undefined
  timeoutMs?: number
  intervalMs?: number
  /** The socket names' prefix (tests use their own). */
  prefix?: string
}

export interface HostLocks {
  release(): Promise<void>
  /** Set when the wait ran out or was interrupted: why the scenario is not run. */
  notRun?: string
}

/** True when ADDRESS is on one of this machine's interfaces (loopback included), i.e. its ports are this host's. */
export function isLocalAddress(address: string, interfaces = networkInterfaces()): boolean {
  if (address === 'localhost' || address === '0.0.0.0') return true
  return Object.values(interfaces).some((list) => (list ?? []).some((i) => i.address === address))
}

/** Binds the abstract socket NAME; undefined when another process holds it. */
function bind(name: string, holder: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end(holder))
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)))
    server.listen({ path: `\0${name}` }, () => resolve(server))
  })
}

/** Who holds the abstract socket NAME, as its holder says (or why that is not known). */
function holderOf(name: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = createConnection({ path: `\0${name}` })
    socket.setTimeout(1000, () => socket.destroy(new Error('no answer')))
    socket.on('data', (b: Buffer) => chunks.push(b))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8') || 'a process that does not say'))
    socket.on('error', (e) => resolve(`a process that does not say (${e.message})`))
  })
}

/**
 * The names the tags hold exclusively that are this host's, not the endpoint's alone, in the order
 * taken: a published host port (host-port-N), and a bridge's subnet (subnet-…): the engine routes
 * it on its host, and Podman refuses a subnet another engine's bridge has there ("subnet … is
 * already used on the host"); and the outside client's routes (outside-routes), which the lab's
 * endpoints share.
 */
export function hostHoldsOf(tags: readonly string[]): string[] {
  return holdsOf(tags)
    .filter(
      (h) =>
        h.mode === 'exclusive' &&
        (hostPortOf(h.name) !== undefined || h.name.startsWith('subnet-') || h.name === OUTSIDE_ROUTES),
    )
    .map((h) => h.name)
}

/** The hold of the outside client's routing table: taken on this host whatever the endpoint's address. */
const OUTSIDE_ROUTES = 'outside-routes'

/** Whether the tags need this host's locks even when the endpoint publishes elsewhere (a VCH). */
export function holdsOutsideRoutes(tags: readonly string[]): boolean {
  return hostHoldsOf(tags).includes(OUTSIDE_ROUTES)
}

/** How a message names a host hold: "port 8080", or the hold's own name. */
function described(name: string): string {
  const port = hostPortOf(name)
  return port === undefined ? name : `port ${port}`
}

/** Takes this host's lock of every host port and subnet the tags hold exclusively, waiting with a deadline. */
export async function acquireHostLocks(opts: HostLockOptions): Promise<HostLocks> {
  const prefix = opts.prefix ?? 'netconform-'
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000)
  const held: Server[] = []
  const release = async () => {
    for (const s of held.splice(0).reverse()) await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  for (const hold of hostHoldsOf(opts.tags)) {
    const name = `${prefix}${hold}`
    let said = ''
    for (;;) {
      const server = await bind(name, opts.holder)
      if (server) {
        held.push(server)
        if (said) opts.log?.(`took this host's ${described(hold)}`)
        break
      }
      const stopped = opts.stop?.()
      const who = await holderOf(name)
      if (stopped || Date.now() > deadline) {
        await release()
        return {
          release,
          notRun:
            stopped ??
            `this host's ${described(hold)} stayed held by ${who} ` +
              `(waited ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s)`,
        }
      }
      if (who !== said) opts.log?.(`waiting for this host's ${described(hold)}, held by ${who}`)
      said = who
      await pause(opts.intervalMs ?? 250)
    }
  }
  return { release }
}
