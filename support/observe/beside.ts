/**
 * Beside a negative's connection, where the document says "cannot communicate": datagrams that
 * carry a marker of their own (busybox tftp's request names it) and a ping, sent at once to the
 * control's peer and to the target and judged by each receiver's own evidence; and the control of
 * a receiver that keeps the datagrams it gets (the outside listener).
 */
import { randomBytes } from 'node:crypto'
import type Docker from 'dockerode'
import { describeExec, execIn, type ExecResult } from '../engine/probes'
import { Evidence, type Attach } from './evidence'
import { datagramsAndEcho, echoOutcome } from './busybox'
import { arrivalBetween, type ReceiverState } from './arrival'
import { judgeControlArrived, judgeNothingArrived, type Receiver } from './receiver'

/** A random port among 30000–39999 for a probe's datagrams, where nothing of the suite's listens. */
export function datagramPort(): number {
  return 30_000 + Math.floor(Math.random() * 10_000)
}

/**
 * "Cannot communicate" beyond TCP: the datagrams (carrying a marker of their own) and the ping that
 * `from` sent at once to the control's address and to the target's. Each receiver read before and
 * after: the control's must show them arrive; nothing may reach the target's, and its ping gets no
 * reply. Where the sender cannot ping (no CAP_NET_RAW), or the target's receiver keeps no counter
 * of its own, the transcript says so.
 */
export async function judgeBeside({
  attach,
  from,
  sent,
  target,
  control,
}: {
  attach: Attach
  from: string
  sent: { control: ExecResult; target: ExecResult }
  target: {
    address: string
    port: number
    receiver: Receiver
    before: ReceiverState
    after: ReceiverState
    marker: string
  }
  control: { address: string; receiver: Receiver; before: ReceiverState; after: ReceiverState; marker: string }
}): Promise<void> {
  attach(describeExec(sent.control))
  attach(describeExec(sent.target))
  const udpShown = await judgeControlArrived({
    receiver: control.receiver,
    arrival: arrivalBetween(control.before, control.after, 'udp'),
    probe: `${from}'s control datagrams to ${control.address}`,
    marker: control.marker,
  })
  const udpNothing = await judgeNothingArrived({
    receiver: target.receiver,
    arrival: arrivalBetween(target.before, target.after, 'udp'),
    probe: `${from}'s datagrams to ${target.address}:${target.port} (marker ${target.marker})`,
    marker: target.marker,
  })
  attach(`datagrams: ${udpNothing}, as documented (control: ${udpShown})`)
  const controlEcho = echoOutcome(sent.control.stdout + sent.control.stderr, control.address)
  if (typeof controlEcho === 'object') return attach(`ping not judged: ${from} cannot ping (${controlEcho.cannot})`)
  if (controlEcho !== 'reply') throw new Error(`${from}'s ping of the control ${control.address} got no reply`)
  const echoShown = await judgeControlArrived({
    receiver: control.receiver,
    arrival: arrivalBetween(control.before, control.after, 'icmp'),
    probe: `${from}'s control ping of ${control.address}`,
  })
  if (echoOutcome(sent.target.stdout + sent.target.stderr, target.address) === 'reply')
    throw new Evidence(
      'answered',
      { from, address: target.address, protocol: 'icmp' },
      `${from}'s ping of ${target.address} got a reply, where the document shows they cannot communicate`,
    )
  if (!target.receiver.counts)
    return attach(
      `ping: no reply from ${target.address}, as documented; ` +
        `${target.receiver.name} keeps no echo counter of its own ` +
        `(a shared namespace), so the echo's arrival is not judged (control: ${echoShown})`,
    )
  const echoNothing = await judgeNothingArrived({
    receiver: target.receiver,
    arrival: arrivalBetween(target.before, target.after, 'icmp'),
    probe: `${from}'s ping of ${target.address}`,
  })
  attach(`ping: no reply, and ${echoNothing}, as documented (control: ${echoShown})`)
}

/**
 * The control of a receiver that keeps the datagrams it gets (the outside listener): from `from`,
 * datagrams carrying a marker reach it at address:port, so its record can tell an arrival.
 */
export async function datagramsArrive({
  docker,
  attach,
  from,
  address,
  port,
  receiver,
}: {
  docker: Docker
  attach: Attach
  from: string
  address: string
  port: number
  receiver: Receiver
}): Promise<void> {
  const marker = `nc-udp-${randomBytes(4).toString('hex')}-control`
  const r = await execIn(docker, from, datagramsAndEcho(address, port, marker))
  attach(describeExec(r))
  attach(
    await judgeControlArrived({
      receiver,
      arrival: { connections: [], ports: [], moved: {}, unmoved: {}, interfaces: {} },
      probe: `${from}'s datagrams to ${address}:${port}`,
      marker,
    }),
  )
}
