/**
 * What reached a receiver: the receiver's own evidence that a probe got there, read before and
 * after the probe. A negative ("does not answer", "cannot communicate") holds only if nothing of
 * its probe arrived; silence at the sender says only that no answer came back, and a path that
 * lets the probe in and loses the answer (asymmetric routes, a one-way rule) is silent too.
 *
 * The evidence is the receiver's connections at the ports it listens on (or the listener's own
 * port) that appear during the probe, in any state: a SYN whose answer was lost leaves a half-open
 * connection (SYN-RECV), an answered one a closing or TIME-WAIT one. A container's network
 * namespace is its own, so its counters (Tcp PassiveOpens and InSegs, Udp, Icmp InEchos) move only
 * with what reaches that container, its reverse-path filter's drops among them; a shared
 * namespace's counters (the outside client's) are never used.
 */

/** One connection of the receiver's socket table (/proc/net/tcp, /proc/net/tcp6). */
export interface Connection {
  local: string
  localPort: number
  remote: string
  remotePort: number
  state: string
}

/** What a receiver shows at one moment: its connections, its listening ports, and its own counters. */
export interface ReceiverState {
  connections: Connection[]
  /**
   * Counters as "Tcp.InSegs", "Udp.NoPorts", "Icmp.InEchos"… where the namespace is the receiver's
   * own; a listener's own record as "Listener.Connections", "Listener.Datagrams".
   */
  counters: Record<string, number>
  /** Packets received per interface (/proc/net/dev), where the namespace is the receiver's own. */
  received: Record<string, number>
}

const STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN-SENT',
  '03': 'SYN-RECV',
  '04': 'FIN-WAIT-1',
  '05': 'FIN-WAIT-2',
  '06': 'TIME-WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE-WAIT',
  '09': 'LAST-ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
}

/** /proc/net/tcp's address word: IPv4 as one little-endian word, IPv6 as four (v4-mapped shown as IPv4). */
function hexAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? []
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)))
  if (bytes.length === 4) return bytes.join('.')
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255)
    return bytes.slice(12).join('.')
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16))
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')
}

/** The connections of /proc/net/tcp and /proc/net/tcp6 (both tables, headers skipped). */
export function parseConnections(text: string): Connection[] {
  return text.split('\n').flatMap((line) => {
    const m = /^\s*\d+:\s+([0-9A-F]+):([0-9A-F]{4})\s+([0-9A-F]+):([0-9A-F]{4})\s+([0-9A-F]{2})\s/i.exec(line)
    if (!m) return []
    return [
      {
        local: hexAddress(m[1]),
        localPort: parseInt(m[2], 16),
        remote: hexAddress(m[3]),
        remotePort: parseInt(m[4], 16),
        state: STATES[m[5].toUpperCase()] ?? m[5],
      },
    ]
  })
}

/** /proc/net/snmp's counters, as "Proto.Name". */
export function parseCounters(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  const lines = text.split('\n').filter((l) => /^\w+: /.test(l))
  for (let i = 0; i + 1 < lines.length; i++) {
    const [proto, ...names] = lines[i].trim().split(/\s+/)
    const [again, ...values] = lines[i + 1].trim().split(/\s+/)
    if (proto !== again || names.some((n) => /^-?\d+$/.test(n))) continue
    names.forEach((n, j) => (out[`${proto.replace(/:$/, '')}.${n}`] = Number(values[j])))
    i++
  }
  return out
}

/** /proc/net/dev's received packets per interface (loopback left out). */
function parseReceived(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const m = /^\s*([\w.@-]+):\s*(\d+)\s+(\d+)/.exec(line)
    if (m && m[1] !== 'lo') out[m[1]] = Number(m[3])
  }
  return out
}

/** Shell text that prints what parseReceiverState reads, in a container (busybox). */
export const READ_RECEIVER =
  "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; echo '--- snmp'; cat /proc/net/snmp /proc/net/netstat; " +
  "echo '--- dev'; cat /proc/net/dev"

/** The output of READ_RECEIVER; `own`: the namespace is the receiver's alone, so its counters count. */
export function parseReceiverState(text: string, own: boolean): ReceiverState {
  const [tables, rest = ''] = text.split('--- snmp')
  const [snmp, dev = ''] = rest.split('--- dev')
  return {
    connections: parseConnections(tables),
    counters: own ? parseCounters(snmp) : {},
    received: own ? parseReceived(dev) : {},
  }
}

/** The kinds of probe whose arrival a receiver can show, and the counters of its own that each moves. */
export type Protocol = 'tcp' | 'udp' | 'icmp'
// TcpExt.IPReversePathFilter: packets the receiver's own kernel dropped because its route back to
// their source leaves by another interface (strict rp_filter): they reached it all the same.
const MOVED_BY: Record<Protocol, readonly string[]> = {
  tcp: ['Tcp.PassiveOpens', 'Tcp.InSegs', 'TcpExt.IPReversePathFilter', 'Listener.Connections'],
  udp: ['Udp.InDatagrams', 'Udp.NoPorts', 'Udp.InErrors', 'TcpExt.IPReversePathFilter', 'Listener.Datagrams'],
  icmp: ['Icmp.InEchos', 'TcpExt.IPReversePathFilter'],
}

/** What reached the receiver between two readings. */
export interface Arrival {
  /** Connections at the watched ports that were not there before. */
  connections: Connection[]
  /** The ports watched for new connections. */
  ports: number[]
  /** The receiver's own counters of the protocol that moved, as [before, after]. */
  moved: Record<string, [number, number]>
  /** Those that did not, with their value. */
  unmoved: Record<string, number>
  /** Interfaces whose received packets moved, as [before, after] (context, not judged). */
  interfaces: Record<string, [number, number]>
}

const key = (c: Connection) => `${c.local}:${c.localPort} ${c.remote}:${c.remotePort}`

/**
 * What arrived between BEFORE and AFTER: new connections at PORTS (any state; default: the ports
 * the receiver listens on), and the protocol's counters of the receiver's own that moved.
 */
export function arrivalBetween(
  before: ReceiverState,
  after: ReceiverState,
  protocol: Protocol,
  ports?: readonly number[],
): Arrival {
  // A listener on loopback (Docker's embedded DNS on 127.0.0.11, a random port) hears no probe.
  const loopback = (c: Connection) => /^127\./.test(c.local) || c.local === '::1'
  const watched = new Set(
    ports ??
      [...before.connections, ...after.connections]
        .filter((c) => c.state === 'LISTEN' && !loopback(c))
        .map((c) => c.localPort),
  )
  const seen = new Set(before.connections.map(key))
  const connections =
    protocol === 'tcp'
      ? after.connections.filter((c) => c.state !== 'LISTEN' && watched.has(c.localPort) && !seen.has(key(c)))
      : []
  const moved: Arrival['moved'] = {}
  const unmoved: Arrival['unmoved'] = {}
  for (const name of MOVED_BY[protocol]) {
    const [a, b] = [before.counters[name], after.counters[name]]
    if (a === undefined || b === undefined) continue
    if (b !== a) moved[name] = [a, b]
    else unmoved[name] = a
  }
  const interfaces: Arrival['interfaces'] = {}
  for (const [name, b] of Object.entries(after.received)) {
    const a = before.received[name]
    if (a !== undefined && b !== a) interfaces[name] = [a, b]
  }
  return {
    connections,
    ports: protocol === 'tcp' ? [...watched].sort((a, b) => a - b) : [],
    moved,
    unmoved,
    interfaces,
  }
}

/** Whether anything arrived: a new connection, or a counter of the receiver's own that moved. */
export function arrived(a: Arrival): boolean {
  return a.connections.length > 0 || Object.keys(a.moved).length > 0
}

/**
 * The arrival in words: what arrived ("a SYN-RECV connection at 172.16.0.2:8080 from
 * 198.51.100.1:43922; Tcp.InSegs 3 → 6"), or what was looked at and stayed still ("no new
 * connection at port 80; Tcp.PassiveOpens 0, Tcp.InSegs 0 unchanged"); then, not judged, every
 * kind of packet (ARP, IPv6 too) each interface received meanwhile.
 */
export function describeArrival(a: Arrival): string {
  const parts = arrived(a)
    ? [
        ...a.connections.map(
          (c) => `a ${c.state} connection at ${c.local}:${c.localPort} from ${c.remote}:${c.remotePort}`,
        ),
        ...Object.entries(a.moved).map(([n, [x, y]]) => `${n} ${x} → ${y}`),
      ]
    : [
        ...(a.ports.length ? [`no new connection at port ${a.ports.join(', ')}`] : []),
        ...(Object.keys(a.unmoved).length
          ? [
              `${Object.entries(a.unmoved)
                .map(([n, x]) => `${n} ${x}`)
                .join(', ')} unchanged`,
            ]
          : []),
      ]
  const rx = Object.entries(a.interfaces).map(([n, [x, y]]) => `${n} ${x} → ${y}`)
  return (
    `${parts.join('; ') || 'nothing it keeps moved'}` +
    `${rx.length ? ` (packets of any kind received meanwhile, not judged: ${rx.join(', ')})` : ''}`
  )
}
