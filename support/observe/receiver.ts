/**
 * The receivers of negative probes, read through what the suite already has on any endpoint: a
 * container through the Docker API's exec, the outside listener through the outside client the
 * profile names. Each says what arrived during a probe (arrival.ts) and, when something did,
 * on which interface and where its answers went. Never the endpoint's own namespaces.
 */
import type Docker from 'dockerode'
import { execIn } from '../engine/probes'
import { outsideShell, type ContainerNetwork, type Listener } from '../engine/outside'
import { Evidence } from './evidence'
import {
  READ_RECEIVER,
  arrivalBetween,
  arrived,
  describeArrival,
  parseReceiverState,
  type Arrival,
  type Protocol,
  type ReceiverState,
} from './arrival'

export interface Receiver {
  /** Who it is, in the transcript's words. */
  name: string
  /** Its namespace is its own, so its counters move only with what reaches it. */
  counts: boolean
  read(): Promise<ReceiverState>
  /** The ports watched for new connections; undefined: the ports it listens on. */
  ports?: readonly number[]
  /** Where an arrived connection came in (LOCAL) and where its answers to REMOTE leave, in words. */
  answersGo(local: string, remote: string): Promise<string>
  /** How many datagrams carrying MARKER it recorded (a listener keeps what it heard); absent: it keeps none. */
  heardMarker?(marker: string): number
}

/** A container of the scenario's as a receiver: its own namespace, so its counters count too. */
export function containerReceiver(docker: Docker, container: string, name = container): Receiver {
  return {
    name,
    counts: true,
    async read() {
      const r = await execIn(docker, container, READ_RECEIVER)
      if (r.exitCode !== 0)
        throw new Error(`could not read what reached ${name}: exit ${r.exitCode} ${r.stderr.trim()}`)
      return parseReceiverState(r.stdout, true)
    },
    async answersGo(local, remote) {
      const [r, info] = await Promise.all([
        execIn(docker, container, `ip -o -4 addr show; echo '--- route'; ip route get ${remote}`),
        docker.getContainer(container).inspect(),
      ])
      const [addrs, route = ''] = r.stdout.split('--- route')
      const networkOf = (address: string) =>
        Object.entries(info.NetworkSettings?.Networks ?? {}).find(([, n]) => n.IPAddress === address)?.[0]
      const ifaceOf = (address: string) => new RegExp(`^\\d+:\\s+(\\S+)\\s+inet ${address.replace(/\./g, '\\.')}/`, 'm')
      const inIface = ifaceOf(local).exec(addrs)?.[1]
      const outIface = /\bdev (\S+)/.exec(route)?.[1]
      const outSrc = /\bsrc (\S+)/.exec(route)?.[1]
      const netOfIface = (iface?: string) => {
        const a = iface && new RegExp(`^\\d+:\\s+${iface}\\s+inet (\\S+)/`, 'm').exec(addrs)?.[1]
        return a ? networkOf(a) : undefined
      }
      const on = (iface?: string, net?: string) => `${iface ?? 'an interface not shown'}${net ? ` (${net})` : ''}`
      return (
        `${local} is on ${on(inIface, networkOf(local))}; its answers to ${remote} leave by ` +
        `${on(outIface, netOfIface(outIface))}${outSrc && outSrc !== local ? ` from ${outSrc}` : ''}`
      )
    },
  }
}

/**
 * The suite's outside listener as a receiver: its port's connections in the outside client's
 * socket table (the namespace is shared, so only that port, the listener's own, is watched, and no
 * counter of the namespace's), and the connections and datagrams it recorded itself.
 */
export function listenerReceiver(net: ContainerNetwork, listener: Listener): Receiver {
  return {
    name: `the outside listener (port ${listener.port})`,
    counts: false,
    ports: [listener.port],
    async read() {
      const r = await outsideShell(net, 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null')
      if (r.exitCode !== 0 && !r.stdout)
        throw new Error(`could not read the outside client's socket table: ${r.stderr}`)
      const datagrams = listener.heard.filter((h) => h.request.startsWith('udp ')).length
      return {
        ...parseReceiverState(r.stdout, false),
        // The listener's own record: its port is this run's alone.
        counters: { 'Listener.Connections': listener.heard.length - datagrams, 'Listener.Datagrams': datagrams },
      }
    },
    async answersGo(local, remote) {
      const r = await outsideShell(net, `ip route get ${remote}`)
      const dev = /\bdev (\S+)/.exec(r.stdout)?.[1]
      return `${local} is the listener's; its answers to ${remote} leave by ${dev ?? 'no route'}`
    },
    heardMarker: (marker) => listener.heard.filter((h) => h.request.includes(marker)).length,
  }
}

/** What arrived at RECEIVER during PROBE, and what PROBE returned. */
export async function duringProbe<T>(
  receiver: Receiver,
  protocol: Protocol,
  probe: () => Promise<T>,
): Promise<{ value: T; arrival: Arrival }> {
  const before = await receiver.read()
  const value = await probe()
  const after = await receiver.read()
  return { value, arrival: arrivalBetween(before, after, protocol, receiver.ports) }
}

/** The words of an arrival, with where the first connection came in and where its answers went. */
async function arrivalWords(receiver: Receiver, arrival: Arrival, markers: number): Promise<string> {
  const first = arrival.connections[0]
  const where = first ? `; ${await receiver.answersGo(first.local, first.remote).catch(() => 'its route unread')}` : ''
  const heard = markers > 0 ? `${markers} datagram(s) carrying the probe's marker recorded; ` : ''
  return `${heard}${describeArrival(arrival)}${where}`
}

/** What a judgement reads: the receiver, what arrived at it, the probe in words, and the probe's marker if any. */
interface Reading {
  receiver: Receiver
  arrival: Arrival
  probe: string
  marker?: string
}

/** How many datagrams carrying the reading's marker the receiver kept, and whether it shows anything arrived. */
function shown({ receiver, arrival, marker }: Reading): { markers: number; any: boolean } {
  const markers = marker && receiver.heardMarker ? receiver.heardMarker(marker) : 0
  return { markers, any: arrived(arrival) || markers > 0 }
}

/**
 * After a negative's probe that got no answer: throws Evidence (kind arrived) when RECEIVER shows
 * the probe arrived (PROBE names it: "db's connection to view's address on port 80"); else returns what the
 * receiver showed, for the transcript.
 */
export async function judgeNothingArrived(reading: Reading): Promise<string> {
  const { receiver, arrival, probe } = reading
  const { markers, any } = shown(reading)
  if (!any) return `nothing of ${probe} reached ${receiver.name} (its own evidence: ${describeArrival(arrival)})`
  const words = await arrivalWords(receiver, arrival, markers)
  throw new Evidence(
    'arrived',
    { receiver: receiver.name, probe, arrival, markers },
    `${probe} got no answer, but it reached ${receiver.name}: ${words}; ` +
      'where the document shows nothing gets through',
  )
}

/**
 * After a control that answered: throws unless RECEIVER shows it arrived, so the same evidence can
 * tell an arrival here; returns what it showed, for the transcript.
 */
export async function judgeControlArrived(reading: Reading): Promise<string> {
  const { receiver, arrival, probe } = reading
  const { markers, any } = shown(reading)
  if (!any)
    throw new Error(
      `${probe} reached ${receiver.name}, yet its own evidence showed nothing (${describeArrival(arrival)}): ` +
        'that evidence cannot tell an arrival on this endpoint, so no silence can be judged by it',
    )
  return `${probe} reached ${receiver.name}: ${await arrivalWords(receiver, arrival, markers)}`
}
