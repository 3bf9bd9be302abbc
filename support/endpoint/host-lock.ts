/**
 * Host-port locks across endpoints: the lab's five engines all publish on this machine, so a
 * `-p 8080:80` on Docker and one on Podman collide ("address already in use") although each
 * engine's own lock (lock.ts, on the endpoint) is free. When a target's public address is an
 * address of this machine, a scenario that holds @exclusive:host-port-N also takes this host's
 * lock of port N, whichever engine it runs on.
 *
 * The lock is a listening Unix socket in Linux's abstract namespace (`\0netconform-host-port-N`):
 * binding it is atomic, a second bind fails with EADDRINUSE, and the kernel frees it when its
 * process dies, so no crashed run leaves a stale lock. Whoever connects is told who holds it.
 * Abstract sockets belong to a network namespace: every run on this host's namespace shares them.
 */
import { createConnection, createServer, type Server } from 'node:net'
import { networkInterfaces } from 'node:os'
import { setTimeout as pause } from 'node:timers/promises'
import { hostPortOf, holdsOf } from './lock'

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

/** The host ports a scenario's tags hold exclusively, in the order taken (holdsOf's, sorted). */
export function hostPortsOf(tags: readonly string[]): number[] {
  return holdsOf(tags).filter((h) => h.mode === 'exclusive').map((h) => hostPortOf(h.name)).filter((p): p is number => p !== undefined)
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

/** Takes this host's lock of every host port the tags hold exclusively, waiting with a deadline. */
export async function acquireHostPorts(opts: HostLockOptions): Promise<HostLocks> {
  const prefix = opts.prefix ?? 'netconform-host-port-'
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000)
  const held: Server[] = []
  const release = async () => {
    for (const s of held.splice(0).reverse()) await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  for (const port of hostPortsOf(opts.tags)) {
    const name = `${prefix}${port}`
    let said = ''
    for (;;) {
      const server = await bind(name, opts.holder)
      if (server) {
        held.push(server)
        if (said) opts.log?.(`took this host's port ${port}`)
        break
      }
      const stopped = opts.stop?.()
      const who = await holderOf(name)
      if (stopped || Date.now() > deadline) {
        await release()
        return { release, notRun: stopped ?? `this host's port ${port} stayed held by ${who} (waited ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s)` }
      }
      if (who !== said) opts.log?.(`waiting for this host's port ${port}, held by ${who}`)
      said = who
      await pause(opts.intervalMs ?? 250)
    }
  }
  return { release }
}
