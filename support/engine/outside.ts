/**
 * The outside world of a container network: a client on the network's segment that is none
 * of the endpoint's (the lab's `extclient` namespace, or this host), and a listener the suite
 * runs there to prove what can and cannot reach the outside. Only the lab's own addresses.
 */
import { randomBytes } from 'node:crypto'
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
  /**
   * Each connection it answered and each datagram it got: what came, and the peer address it came
   * from (as the listener saw it).
   */
  readonly heard: readonly Heard[]
  stop(): Promise<void>
}

interface Heard {
  /** The connection's request line, or "udp <bytes>" for a datagram. */
  request: string
  peer: string
}

/**
 * The listener, as a Node.js script given on the command line (it runs in the outside namespace
 * with this machine's node; its port and greeting in NETCONFORM_LISTENER, as JSON): it answers each
 * connection's first line with the greeting, its identity and the peer address it sees, and prints
 * that line and the peer as one JSON line; each datagram to the same port it prints the same way,
 * as "udp <bytes>". On stderr it says "listening" once both are bound, or why it could not
 * (EADDRINUSE) before it exits.
 */
const LISTENER = String.raw`
const net = require('node:net')
const { port, greeting } = JSON.parse(process.env.NETCONFORM_LISTENER)
net
  .createServer((s) => {
    let buffer = ''
    s.on('error', () => {})
    s.on('data', (d) => {
      buffer += d
      const i = buffer.indexOf('\n')
      if (i < 0) return
      const peer = String(s.remoteAddress).replace(/^::ffff:/, '')
      process.stdout.write(JSON.stringify({ request: buffer.slice(0, i).trim(), peer }) + '\n')
      s.end(greeting + ' (peer ' + peer + ')')
    })
  })
  .on('error', (e) => {
    process.stderr.write(String(e.code || e.message) + '\n')
    process.exit(1)
  })
  .listen(Number(port), '0.0.0.0', () => {
    // The same port for datagrams: each is kept as "udp <its bytes, printable>" with its peer.
    const udp = require('node:dgram').createSocket('udp4')
    udp.on('message', (m, r) => {
      const request = 'udp ' + m.toString('latin1').replace(/[^\x20-\x7e]/g, '.')
      process.stdout.write(JSON.stringify({ request, peer: r.address }) + '\n')
    })
    udp.on('error', (e) => {
      process.stderr.write(String(e.code || e.message) + '\n')
      process.exit(1)
    })
    udp.bind(Number(port), '0.0.0.0', () => process.stderr.write('listening\n'))
  })
`

/** A random port among 20000–39999, where nothing of the lab listens. */
function highPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000)
}

/** How many ports the listener tries before it gives up: each another run's listener may hold. */
const LISTENER_TRIES = 3

/**
 * Starts a "Hello world!" listener on the outside client, at the network's outside address; it
 * answers with its identity and the address the connection came from, and keeps what it heard.
 * Runs on one endpoint or several share the outside client, so a port may be another listener's:
 * then it tries another (up to 3), and says which it found in use.
 */
export async function startOutsideListener(net: ContainerNetwork, choosePort = highPort): Promise<Listener> {
  if (!net.outsideAddress) throw new Error('the container network has no outsideAddress in the target profile')
  const inUse: number[] = []
  while (inUse.length < LISTENER_TRIES) {
    const port = choosePort()
    const listener = await listenOn(net, net.outsideAddress, port)
    if (listener !== 'in use') return listener
    inUse.push(port)
  }
  const where = net.outsideNetns ? `netns ${net.outsideNetns}` : 'this host'
  throw new Error(`the outside listener found each port it tried in use (EADDRINUSE) in ${where}: ${inUse.join(', ')}`)
}

/** The listener on PORT, once it has answered from the outside client; 'in use' if the port was taken. */
async function listenOn(net: ContainerNetwork, address: string, port: number): Promise<Listener | 'in use'> {
  // Unique, not only by port: another run's listener on this port answers with another identity.
  const identity = `netconform-outside-listener-${port}-${randomBytes(3).toString('hex')}`
  const node = [process.execPath, '-e', LISTENER]
  const env = { NETCONFORM_LISTENER: JSON.stringify({ port, greeting: greetingOf(identity) }) }
  const [file, ...args] = net.outsideNetns ? ['ip', 'netns', 'exec', net.outsideNetns, ...node] : node
  const child: ResultPromise = execa(file, args, { reject: false, stdin: 'ignore', buffer: false, env })
  const heard: Heard[] = []
  let rest = ''
  child.stdout?.on('data', (d: Buffer) => {
    rest += d.toString('utf8')
    for (let i = rest.indexOf('\n'); i >= 0; i = rest.indexOf('\n')) {
      const line = rest.slice(0, i)
      rest = rest.slice(i + 1)
      try {
        heard.push(JSON.parse(line) as Heard)
      } catch {
        // not the listener's: ignored
      }
    }
  })
  let said = ''
  child.stderr?.on('data', (d: Buffer) => (said = `${said}${d.toString('utf8')}`.slice(-500)))
  let ended: string | undefined
  void child.then((r) => (ended = `exit ${r.exitCode ?? r.signal}${said.trim() ? `: ${said.trim()}` : ''}`))
  const stop = async () => {
    child.kill('SIGTERM')
    await child
  }
  try {
    await eventually(
      `the outside listener on port ${port} to accept`,
      async () => {
        if (ended !== undefined) return { ok: false, final: true, seen: `the listener ended (${ended})` }
        if (!said.includes('listening')) return { ok: false, seen: 'the listener has not said it listens' }
        const r = await outsideShell(net, `printf 'GET /\\r\\n' | timeout 5 nc 127.0.0.1 ${port}`)
        return {
          ok: r.stdout.includes(greetingOf(identity)),
          seen: `${r.stdout}${r.stderr}`.trim() || `exit ${r.exitCode}`,
        }
      },
      { timeoutMs: 10_000 },
    )
  } catch (e) {
    await stop()
    if (said.includes('EADDRINUSE')) return 'in use'
    throw e
  }
  return { address, port, identity, heard, stop }
}
