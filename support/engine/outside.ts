/**
 * The outside world of a container network: a client on the network's segment that is none
 * of the endpoint's (the lab's `extclient` namespace, or this host), and a listener the suite
 * runs there to prove what can and cannot reach the outside. Only the lab's own addresses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import type { Offers } from '../types'
import { eventually } from '../poll'
import { shellText } from './probes'
import { greetingOf } from '../document/doc-commands'
import type { Transcript } from '../records'

/** A profile's container network, offered: where the outside client that reaches it runs. */
export type ContainerNetwork = NonNullable<Offers['containerNetwork']>

export interface OutsideResult {
  command: string
  stdout: string
  stderr: string
  exitCode: number | undefined
  durationMs: number
}

/** argv that runs busybox APPLET ARGS… from the outside client. */
function fromOutside(net: ContainerNetwork, argv: string[]): string[] {
  return net.outsideNetns ? ['ip', 'netns', 'exec', net.outsideNetns, 'busybox', ...argv] : ['busybox', ...argv]
}

/** Runs a busybox shell script on the outside client. */
export async function outsideShell(net: ContainerNetwork, script: string, timeoutMs = 15_000): Promise<OutsideResult> {
  const [file, ...args] = fromOutside(net, ['sh', '-c', script])
  const started = Date.now()
  const r = await execa(file, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' })
  return {
    command: script,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    exitCode: r.exitCode,
    durationMs: Date.now() - started,
  }
}

/**
 * Empties the outside client's neighbour (ARP) cache, when the client is a namespace of the lab's
 * own (never this host's cache): each scenario meets the segment fresh, so no MAC address learnt
 * in an earlier scenario for an address a new container now holds decides its verdict (an engine
 * that sends no gratuitous ARP, netavark 1.4, would otherwise stay unreachable for up to 25 s at
 * an address an earlier scenario's container had). Says what it did, for the transcript.
 */
export async function freshNeighbours(net: ContainerNetwork): Promise<string | undefined> {
  if (!net.outsideNetns) return undefined
  const r = await execa('ip', ['-n', net.outsideNetns, 'neigh', 'flush', 'all'], {
    reject: false,
    timeout: 5_000,
    stdin: 'ignore',
  })
  if (r.exitCode !== 0)
    throw new Error(
      `could not empty the neighbour cache of the outside client (netns ${net.outsideNetns}): ` +
        `${String(r.stderr).trim() || `exit ${r.exitCode}`}`,
    )
  return (
    `the outside client's neighbour cache (netns ${net.outsideNetns}) emptied: ` +
    'this scenario meets the segment fresh, with no MAC address learnt in an earlier one'
  )
}

/** The transcript of a shell on the outside client (text, and its record). */
export function describeOutside(net: ContainerNetwork, r: OutsideResult): Transcript {
  const where = net.outsideNetns ? `outside client, netns ${net.outsideNetns}` : 'outside client, this host'
  const text = shellText(where, r)
  return {
    text,
    record: {
      kind: 'probe',
      from: where,
      target: r.command,
      received: r.stdout,
      ...(r.stderr ? { error: r.stderr } : {}),
      exitCode: r.exitCode ?? null,
      durationMs: r.durationMs,
    },
  }
}

export interface Listener {
  address: string
  port: number
  /** Who the listener says it is in its answer: a probe that reaches it knows it reached the suite's own. */
  identity: string
  stop(): Promise<void>
}

/**
 * Starts a "Hello world!" listener on the outside client, at
 * the network's outside address; it answers with its identity.
 */
export async function startOutsideListener(net: ContainerNetwork, port: number): Promise<Listener> {
  if (!net.outsideAddress) throw new Error('the container network has no outsideAddress in the target profile')
  const identity = `netconform-outside-listener-${port}`
  const dir = mkdtempSync(join(tmpdir(), 'netconform-listener-'))
  const script = join(dir, 'hello')
  writeFileSync(script, `#!/bin/sh\nread -r request\nprintf '%s' '${greetingOf(identity)}'\n`, { mode: 0o755 })
  const [file, ...args] = fromOutside(net, ['nc', '-ll', '-p', String(port), '-e', script])
  const child: ResultPromise = execa(file, args, { reject: false, stdin: 'ignore' })
  await eventually(
    `the outside listener on port ${port} to accept`,
    async () => {
      const r = await outsideShell(net, `printf 'GET /\\r\\n' | timeout 5 nc 127.0.0.1 ${port}`)
      return {
        ok: r.stdout.includes(greetingOf(identity)),
        seen: `${r.stdout}${r.stderr}`.trim() || `exit ${r.exitCode}`,
      }
    },
    { timeoutMs: 10_000 },
  )
  return {
    address: net.outsideAddress,
    port,
    identity,
    async stop() {
      child.kill('SIGTERM')
      await child
      // Its script's folder goes with it: a run leaves nothing in $TMPDIR but its lock.
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
