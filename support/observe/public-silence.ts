/**
 * "It does not apply to networks that are connected after creation": from this host, a port of
 * the VCH's public interface gets no answer. A public interface may refuse the connection or drop
 * it silently; silence counts as no answer only once a control on the same interface, from the
 * same source, answers (a port published there answers with its container's greeting), so a
 * dead path or an unreachable address is never taken for a closed port. And no answer is not
 * enough: nothing of the probe may reach any of the scenario's containers (a port forwarded into
 * one whose answers leave by another network is silent too), told by the evidence that shows the
 * control's connection arrive at its container.
 */
import { answersFromHost } from './positive'
import { hostGetsNoAnswer } from './negative'
import type { Attach } from './evidence'
import type Docker from 'dockerode'
import { judgeControlArrived, judgeNothingArrived, type Receiver } from './receiver'
import { arrivalBetween } from './arrival'

/** The ways the unmapped port may end that count as no answer, once the control answered. */
const NO_ANSWER_BESIDE_CONTROL = ['connection refused', 'timed out'] as const

/** How long the unmapped port is given to answer: ten times the control's answer, at least 2 s. */
function silenceWaitMs(controlMs: number): number {
  return Math.max(2_000, controlMs * 10)
}

/**
 * From this host, address:port gets no answer (refused, or silent for silenceWaitMs), while
 * address:control.port answers control.expected from control.answerer first.
 */
export async function noAnswerBesideControl({
  docker,
  attach,
  address,
  port,
  control,
  receivers,
}: {
  docker: Docker
  attach: Attach
  address: string
  port: number
  control: { port: number; answerer: string; expected: string; receiver: Receiver }
  receivers: readonly Receiver[]
}): Promise<void> {
  const c0 = await control.receiver.read()
  const started = Date.now()
  await answersFromHost({
    docker,
    attach,
    address,
    port: control.port,
    request: 'GET /',
    expected: control.expected,
    answerer: control.answerer,
  })
  const controlMs = Date.now() - started
  const [c1, before] = await Promise.all([control.receiver.read(), Promise.all(receivers.map((r) => r.read()))])
  const shown = await judgeControlArrived({
    receiver: control.receiver,
    arrival: arrivalBetween(c0, c1, 'tcp', control.receiver.ports),
    probe: `the control's connection to ${address}:${control.port}`,
  })
  const waitMs = silenceWaitMs(controlMs)
  const how = await hostGetsNoAnswer({ attach, address, port, allowed: NO_ANSWER_BESIDE_CONTROL, waitMs })
  const after = await Promise.all(receivers.map((r) => r.read()))
  const probed = {
    value: how,
    arrivals: receivers.map((receiver, i) => ({
      receiver,
      arrival: arrivalBetween(before[i], after[i], 'tcp', receiver.ports),
    })),
  }
  const nothing: string[] = []
  for (const { receiver, arrival } of probed.arrivals)
    nothing.push(
      await judgeNothingArrived({ receiver, arrival, probe: `this host's connection to ${address}:${port}` }),
    )
  attach(
    `no answer, as documented: ${probed.value} (waited up to ${waitMs / 1000} s; ${address}:${control.port} answered ` +
      `"${control.expected}" from ${control.answerer} just before, from this host, so the interface is reachable), ` +
      `and ${nothing.join('; ')} (control: ${shown})`,
  )
}
