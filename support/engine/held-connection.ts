/**
 * An outside client that keeps asking: on the container network's segment (the lab's outside
 * namespace, or this host), it holds one TCP connection to a container's service and sends a
 * numbered line on it every interval, and at each tick also opens a new connection to the
 * container's documented port. Each tick's outcome is one JSON line, so the suite sees, while it
 * stops and starts the endpoint's control plane, whether any request went unanswered and who
 * answered the others. Only the address it is given is ever asked.
 */
import { execa, type ResultPromise } from 'execa'
import type { Offers } from '../types'

type ContainerNetwork = NonNullable<Offers['containerNetwork']>

/** One tick: the numbered request on the held connection, and a request on a new connection. */
export interface Tick {
  seq: number
  /** ms since the client started. */
  at: number
  /** The held connection's answer to this tick's line ('' when none came within the tick's deadline). */
  held: string
  /** 'answered', 'missed' (no answer in time), or 'closed' (the connection was gone when it was asked). */
  heldOutcome: 'answered' | 'missed' | 'closed'
  /** What the new connection to the documented port answered ('' for none), or its error. */
  fresh: string
  freshOutcome: 'answered' | 'missed'
}

export interface HeldConnection {
  /** The ticks so far, in order. */
  readonly ticks: readonly Tick[]
  /** How the held connection ended, when it has ('' while it is open). */
  readonly ended: string
  /** Stops asking; resolves once the client has left. */
  stop(): Promise<void>
}

/**
 * The client, as a Node.js script given on the command line (it runs in the outside namespace with
 * this machine's node): its address, ports, interval and answer deadline in NETCONFORM_CLIENT (JSON).
 */
const CLIENT = String.raw`
const net = require('node:net')
const { address, heldPort, freshPort, interval, deadline } = JSON.parse(process.env.NETCONFORM_CLIENT)
const t0 = Date.now()
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
let closed = ''
let buffer = ''
const waiting = new Map()
const held = net.connect(heldPort, address)
held.setNoDelay(true)
held.on('data', (d) => {
  buffer += d
  let i
  while ((i = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, i).trim()
    buffer = buffer.slice(i + 1)
    const m = /^seq (\d+)\b/.exec(line)
    const w = m && waiting.get(Number(m[1]))
    if (w) w(line)
  }
})
const end = (why) => () => {
  if (closed) return
  closed = why
  out({ ended: why, at: Date.now() - t0 })
  for (const w of waiting.values()) w(undefined)
}
held.on('error', (e) => end(e.code || e.message)())
held.on('end', end('closed by the container'))
held.on('close', end('closed'))
function fresh() {
  return new Promise((resolve) => {
    let got = ''
    const s = net.connect(freshPort, address)
    const done = (r) => { clearTimeout(timer); s.destroy(); resolve(r) }
    const timer = setTimeout(() => done({ text: got || 'no answer within ' + deadline + ' ms', ok: false }), deadline)
    s.on('connect', () => s.write('GET /\r\n'))
    s.on('data', (d) => { got += d })
    s.on('end', () => done({ text: got, ok: got.length > 0 }))
    s.on('error', (e) => done({ text: e.code || e.message, ok: false }))
  })
}
let seq = 0
async function tick() {
  const n = ++seq
  const at = Date.now() - t0
  const answer = closed
    ? Promise.resolve(undefined)
    : new Promise((resolve) => {
        const timer = setTimeout(() => { waiting.delete(n); resolve('') }, deadline)
        waiting.set(n, (line) => { clearTimeout(timer); waiting.delete(n); resolve(line) })
        held.write('seq ' + n + '\n')
      })
  const [h, f] = await Promise.all([answer, fresh()])
  out({
    seq: n, at, held: h || '', heldOutcome: h === undefined ? 'closed' : h ? 'answered' : 'missed',
    fresh: f.text, freshOutcome: f.ok ? 'answered' : 'missed',
  })
}
held.on('connect', () => {
  const timer = setInterval(tick, interval)
  tick()
  process.on('SIGTERM', () => { clearInterval(timer); setTimeout(() => process.exit(0), deadline + 100) })
})
`

export interface HoldOptions {
  address: string
  /** The port of the service that answers each line on one connection. */
  heldPort: number
  /** The documented port, asked on a new connection at each tick. */
  freshPort: number
  intervalMs: number
  /** How long a tick waits for its answers. */
  deadlineMs: number
}

/** Starts the client; it asks until stop(). */
export function holdConnection(net: ContainerNetwork, opts: HoldOptions): HeldConnection {
  const node = [process.execPath, '-e', CLIENT]
  const [file, ...args] = net.outsideNetns ? ['ip', 'netns', 'exec', net.outsideNetns, ...node] : node
  const env = {
    NETCONFORM_CLIENT: JSON.stringify({
      address: opts.address,
      heldPort: opts.heldPort,
      freshPort: opts.freshPort,
      interval: opts.intervalMs,
      deadline: opts.deadlineMs,
    }),
  }
  const ticks: Tick[] = []
  let ended = ''
  const child: ResultPromise = execa(file, args, { reject: false, stdin: 'ignore', buffer: false, env })
  let rest = ''
  child.stdout?.on('data', (d: Buffer) => {
    rest += d.toString('utf8')
    let i
    while ((i = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, i)
      rest = rest.slice(i + 1)
      try {
        const o = JSON.parse(line) as Tick | { ended: string }
        if ('ended' in o) ended ||= o.ended
        else ticks.push(o)
      } catch {
        // not the client's: ignored
      }
    }
  })
  return {
    ticks,
    get ended() {
      return ended
    },
    async stop() {
      child.kill('SIGTERM')
      await child
    },
  }
}
