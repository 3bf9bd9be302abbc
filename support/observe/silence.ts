/**
 * A connection from inside a container that got no answer at all: what is known of it (the peer's
 * addresses and MACs, the asker's neighbour table, what the name resolved to, whether the peer's
 * service is up) and when that shows the packets were dropped on the path, which waiting cannot change.
 */
import type Docker from 'dockerode'
import { describeExec, execIn } from '../engine/probes'
import { isIPv4 } from '../ipv4'
import type { Attach } from './evidence'
import { answeringPorts, lookedUpAddresses, parseNeighbours, serviceProbe, type Neighbour } from './busybox'

/**
 * How long a connection from inside a container may go unanswered before the silence is looked
 * into, in seconds: Linux sends the SYN at once and again after 1 s, so two SYNs went unanswered.
 * A reset ends the connect at once ("Connection refused"), and so does any ICMP error while it is
 * being set up (the kernel aborts a connect in SYN-SENT on an ICMP destination unreachable).
 */
export const SILENCE_S = 2

/** What is known when a connection from inside a container went unanswered (see judgeSilence). */
export interface Silence {
  from: string
  /** What was asked for (an address or a name) and the port. */
  target: string
  port: number
  answerer: string
  /** The addresses `target` stands for in `from` (itself when an address; empty: the lookup said nothing). */
  resolved: string[]
  /** `answerer`'s addresses and MACs, as the endpoint reports them. */
  peer: { address: string; mac?: string }[]
  /** `from`'s neighbour table, read after the attempt. */
  neighbours: Neighbour[]
  /** Whether `answerer`'s service answers inside it on `port` (its own loopback). */
  serviceAnswers: boolean
}

/** Neighbour states in which the kernel holds a link-layer address it got from the peer. */
const RESOLVED_STATES = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT'])

/**
 * Whether a connection that got no answer at all was dropped on the path: the peer's service is up
 * (it answers inside the peer), and the asker has the peer's link-layer address for an address
 * `target` stands for, the MAC the endpoint reports for it (ARP was answered: the peer is on the
 * asker's link). Then the SYNs reached the link and no reset or ICMP error came back: something
 * between them drops the packets. An engine sets up a container's networks and their filtering
 * before it starts the container's process, and the service already runs, so waiting cannot
 * change that. Undefined while any of it is not so (a service still starting, a neighbour not
 * yet resolved): the poll goes on.
 */
export function judgeSilence(s: Silence): string | undefined {
  if (!s.serviceAnswers) return undefined
  for (const p of s.peer) {
    if (!s.resolved.includes(p.address)) continue
    const n = s.neighbours.find((x) => x.address === p.address && x.lladdr && RESOLVED_STATES.has(x.state))
    if (!n || (p.mac && n.lladdr!.toLowerCase() !== p.mac.toLowerCase())) continue
    const via = s.target === p.address ? p.address : `${s.target} (${p.address})`
    return (
      `dropped on the path: ${s.from}'s connection to ${via}:${s.port} got no answer at all within ${SILENCE_S} s ` +
      '(two SYNs; a reset or an ICMP error would have ended it at once), ' +
      `while ${s.answerer}'s service answers inside it ` +
      `on port ${s.port} and ${s.from} has resolved ${p.address}'s link-layer address (${n.lladdr}, ${n.state}` +
      `${p.mac ? ', the MAC the endpoint reports' : ''}): ` +
      'the packets are dropped between them, and an engine sets up ' +
      "a container's networks before its process starts, so waiting cannot change that"
    )
  }
  return undefined
}

/**
 * Gathers what judgeSilence needs after a silent connect from `from` to target:port: `answerer`'s
 * addresses and MACs (inspect), `from`'s neighbour table and what `target` resolves to there, and
 * whether `answerer`'s service answers on its own loopback. Attaches what it read.
 */
export async function droppedOnPath({
  docker,
  attach,
  from,
  target,
  port,
  answerer,
  expected,
}: {
  docker: Docker
  attach: Attach
  from: string
  target: string
  port: number
  answerer: string
  expected: string
}): Promise<string | undefined> {
  try {
    // Each nameserver the asker has (one per network it is on): the one nc's resolver got
    // the answer from is among them.
    const lookup = isIPv4(target)
      ? ''
      : "; echo '--- nslookup'; " +
        `for ns in $(awk '$1=="nameserver"{print $2}' /etc/resolv.conf); do nslookup ${target} $ns 2>&1; done`
    const [info, asker, service] = await Promise.all([
      docker.getContainer(answerer).inspect(),
      execIn(docker, from, `ip neigh show${lookup}`),
      execIn(docker, answerer, serviceProbe('127.0.0.1', [port], expected)),
    ])
    const [neigh, looked = ''] = asker.stdout.split('--- nslookup')
    const peer = Object.values(info.NetworkSettings?.Networks ?? {})
      .filter((n) => n.IPAddress)
      .map((n) => ({ address: n.IPAddress, ...(n.MacAddress ? { mac: n.MacAddress } : {}) }))
    const silence: Silence = {
      from,
      target,
      port,
      answerer,
      peer,
      neighbours: parseNeighbours(neigh),
      resolved: isIPv4(target) ? [target] : lookedUpAddresses(looked),
      serviceAnswers: answeringPorts(service.stdout).includes(port),
    }
    const why = judgeSilence(silence)
    if (why) {
      attach(describeExec(asker))
      attach(describeExec(service))
    }
    return why
  } catch {
    return undefined
  }
}
