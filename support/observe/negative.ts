/**
 * The negative checks: a name does not resolve, an address:port gives no answer. Each asks its
 * control first, from the same source (a peer that must answer does), so a "no answer" is about the
 * target and not a dead source; only a recognised "no answer" counts, never any failure. A "no
 * answer" holds only when the receiver's own evidence shows nothing of the probe arrived, the same
 * evidence that shows the control's arrival (receiver.ts).
 */
import { randomBytes } from 'node:crypto'
import type Docker from 'dockerode'
import { describeExec, describeTcp, execIn, tcpExchange } from '../engine/probes'
import { describeOutside, outsideShell, type ContainerNetwork } from '../engine/outside'
import { oneLine } from '../text'
import type { Attach } from './evidence'
import { NOT_RESOLVED, datagramsAndEcho, negativeProbe, requestBytes } from './busybox'
import { datagramPort, judgeBeside } from './beside'
import { answersInContainer, outsidePings } from './positive'
import { arrivalBetween } from './arrival'
import { duringProbe, judgeControlArrived, judgeNothingArrived, type Receiver } from './receiver'

/** A peer that must answer from the same source: the control of a negative check. */
export interface Control {
  address: string
  port: number
  answerer: string
  /** What it answers: the documented greeting. */
  expected: string
}

/** The ways a connection attempt ends that the suite recognises as "no answer". */
const NO_ANSWER: readonly [RegExp, string][] = [
  [/Connection refused|ECONNREFUSED/i, 'connection refused'],
  [/timed out|ETIMEDOUT|no close within/i, 'timed out'],
  [/Network is unreachable|ENETUNREACH/i, 'network unreachable'],
  [/No route to host|EHOSTUNREACH/i, 'no route to host'],
]

/** How one connection attempt ended. */
export type ConnectionOutcome =
  { kind: 'answered'; text: string } | { kind: 'no answer'; how: string } | { kind: 'other'; text: string }

/** What busybox sh prints when `timeout` ends the pipeline's nc with SIGTERM: not nc's own words. */
const KILLED_BY_TIMEOUT = /^Terminated$/gm

/**
 * Classifies a connection attempt: what came back, what the tool said, and its exit code
 * (busybox `timeout` ends a silent nc with 143; the shell then says "Terminated"). Anything else —
 * a missing applet, a missing namespace, a connection accepted without a greeting — is `other`, never "no answer".
 */
export function connectionOutcome(
  received: string,
  said: string,
  exitCode: number | null | undefined,
): ConnectionOutcome {
  if (received.trim() !== '') return { kind: 'answered', text: received.trim() }
  const hit = NO_ANSWER.find(([pattern]) => pattern.test(said))
  if (hit) return { kind: 'no answer', how: hit[1] }
  if (exitCode === 143 && said.replace(KILLED_BY_TIMEOUT, '').trim() === '')
    return { kind: 'no answer', how: 'timed out' }
  return {
    kind: 'other',
    text: `exit ${exitCode ?? 'none'}${said.trim() ? `: ${said.trim().split('\n')[0]}` : ', nothing said'}`,
  }
}

/** Throws unless the outcome is a recognised "no answer"; `allowed` narrows which ones count. Returns how it ended. */
export function expectNoAnswer({
  outcome,
  who,
  address,
  port,
  allowed,
}: {
  outcome: ConnectionOutcome
  who: string
  address: string
  port: number
  allowed?: readonly string[]
}): string {
  if (outcome.kind === 'answered')
    throw new Error(`${who} reached ${address}:${port} and got "${oneLine(outcome.text)}"`)
  if (outcome.kind === 'other' || (allowed && !allowed.includes(outcome.how))) {
    const seen = outcome.kind === 'other' ? outcome.text : outcome.how
    throw new Error(
      `${who} → ${address}:${port} ended neither in an answer nor in a recognised "no answer"` +
        `${allowed ? ` (${allowed.join(', ')})` : ''}: ${seen}`,
    )
  }
  return outcome.how
}

/**
 * How long a negative probe waits for an answer, in whole seconds: ten times the round trip of
 * the same-source control that just answered (its whole exec, so an upper bound), at least one
 * second. A peer that answers in milliseconds is not silent for a second by accident.
 */
export function boundByControl(controlMs: number): { seconds: number; why: string } {
  const seconds = Math.max(1, Math.ceil((controlMs * 10) / 1000))
  return {
    seconds,
    why: `waited ${seconds} s for an answer: 10 × the control's ${controlMs} ms round trip, at least 1 s`,
  }
}

/**
 * In `from`, the command fails because the name does not resolve. The control comes first,
 * from the same source: `from` reaches its peer by address, so its network works and a failed
 * lookup is about the name. Only the resolver's "no such name" counts; any other failure fails.
 */
export async function doesNotResolve({
  docker,
  attach,
  from,
  command,
  name,
  control,
}: {
  docker: Docker
  attach: Attach
  from: string
  command: string
  name: string
  control: Control
}): Promise<void> {
  await askControl(docker, attach, from, control)
  const r = await execIn(docker, from, command)
  attach(describeExec(r))
  const text = `${r.stdout}\n${r.stderr}`
  if (r.exitCode === 0)
    throw new Error(
      `"${command}" in ${from} succeeded: ` +
        `the name ${name} resolved (${text.trim().split('\n').slice(0, 3).join(' | ')})`,
    )
  if (r.exitCode === 127 || !NOT_RESOLVED.test(text)) {
    throw new Error(
      `"${command}" in ${from} failed, ` +
        `but not for want of name resolution (exit ${r.exitCode}: ${text.trim().split('\n')[0]})`,
    )
  }
}

/** The control of a negative, asked from the same source: its peer answers `GET /` with what it must. */
function askControl(docker: Docker, attach: Attach, from: string, control: Control) {
  return answersInContainer({
    docker,
    attach,
    from,
    address: control.address,
    port: control.port,
    request: 'GET /',
    expected: control.expected,
    answerer: control.answerer,
    owner: control.answerer,
  })
}

/**
 * From `from`, address:port gives no answer, and nothing of the probe reaches RECEIVER. The control
 * comes first, from the same source: a peer that must answer does, and its receiver shows the
 * control's arrival, so "no answer" is about the target, not a dead source, and "nothing arrived"
 * is told by evidence that shows an arrival. With `datagrams` ("cannot communicate"), marked
 * datagrams and a ping go at once to the control's peer and to the target while the connection
 * waits for its answer, judged the same way (judgeBeside).
 */
export async function noAnswerInContainer({
  docker,
  attach,
  from,
  address,
  port,
  control,
  receiver,
  controlReceiver,
  datagrams,
}: {
  docker: Docker
  attach: Attach
  from: string
  address: string
  port: number
  control: Control
  receiver: Receiver
  controlReceiver: Receiver
  /** The port the target's datagrams go to (the listener's own); true: any port of the suite's. */
  datagrams?: number | true
}): Promise<void> {
  const c0 = await controlReceiver.read()
  const controlled = await askControl(docker, attach, from, control)
  const [c1, t0] = await Promise.all([controlReceiver.read(), receiver.read()])
  const shown = await judgeControlArrived({
    receiver: controlReceiver,
    arrival: arrivalBetween(c0, c1, 'tcp', controlReceiver.ports),
    probe: `the control's connection from ${from}`,
  })
  const bound = boundByControl(controlled.durationMs)
  const marker = `nc-udp-${randomBytes(4).toString('hex')}`
  const udpPort = datagrams === true ? datagramPort() : datagrams
  const [r, beside] = await Promise.all([
    execIn(docker, from, negativeProbe(address, port, bound.seconds)),
    udpPort === undefined
      ? undefined
      : Promise.all([
          execIn(docker, from, datagramsAndEcho(control.address, datagramPort(), `${marker}-control`)),
          execIn(docker, from, datagramsAndEcho(address, udpPort, marker)),
        ]),
  ])
  const [c2, t1] = await Promise.all([controlReceiver.read(), receiver.read()])
  attach(describeExec(r))
  const how = expectNoAnswer({ outcome: connectionOutcome(r.stdout, r.stderr, r.exitCode), who: from, address, port })
  const nothing = await judgeNothingArrived({
    receiver,
    arrival: arrivalBetween(t0, t1, 'tcp', receiver.ports),
    probe: `${from}'s connection to ${address}:${port}`,
  })
  attach(
    `no answer, as documented: ${how}, and ${nothing} ` +
      `(control: ${control.answerer} at ${control.address}:${control.port} answered ${from}, ` +
      `and ${shown}; ${bound.why})`,
  )
  if (beside && udpPort !== undefined)
    await judgeBeside({
      attach,
      from,
      sent: { control: beside[0], target: beside[1] },
      target: { address, port: udpPort, receiver, before: t0, after: t1, marker },
      control: {
        address: control.address,
        receiver: controlReceiver,
        before: c1,
        after: c2,
        marker: `${marker}-control`,
      },
    })
}

/**
 * The outside client gets no answer from address:port, and nothing of the probe reaches RECEIVER
 * (the container that has the address), while the same address answers its ping first (the
 * control), which the receiver's own echo counter shows arrive.
 */
export async function noAnswerFromOutside({
  net,
  attach,
  address,
  port,
  receiver,
}: {
  net: ContainerNetwork
  attach: Attach
  address: string
  port: number
  receiver: Receiver
}): Promise<void> {
  const pinged = await duringProbe(receiver, 'icmp', () => outsidePings({ net, attach, address }))
  const shown = await judgeControlArrived({
    receiver,
    arrival: pinged.arrival,
    probe: "the outside client's control ping",
  })
  const probed = await duringProbe(receiver, 'tcp', () => outsideShell(net, negativeProbe(address, port)))
  const r = probed.value
  attach(describeOutside(net, r))
  const how = expectNoAnswer({
    outcome: connectionOutcome(r.stdout, r.stderr, r.exitCode),
    who: 'the outside client',
    address,
    port,
  })
  const nothing = await judgeNothingArrived({
    receiver,
    arrival: probed.arrival,
    probe: `the outside client's connection to ${address}:${port}`,
  })
  attach(`no answer, as documented: ${how}, and ${nothing} (control: ${address} answered the ping, and ${shown})`)
}

/**
 * From this host, `GET /` to address:port, waiting up to waitMs (tcpExchange's default when absent):
 * its transcript attached, and how it ended if that is one of ALLOWED's kinds of no answer (else
 * expectNoAnswer throws).
 */
export async function hostGetsNoAnswer({
  attach,
  address,
  port,
  allowed,
  waitMs,
}: {
  attach: Attach
  address: string
  port: number
  allowed: readonly string[]
  waitMs?: number
}): Promise<string> {
  const r = await tcpExchange(address, port, requestBytes('GET /'), waitMs)
  attach(describeTcp(r))
  return expectNoAnswer({
    outcome: connectionOutcome(r.received, r.error ?? '', r.error ? undefined : 0),
    who: 'this host',
    address,
    port,
    allowed,
  })
}
