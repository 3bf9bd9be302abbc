/**
 * The suite's outside listener, as the steps state it: started outside the endpoint's networks,
 * reached from a container (with the evidence a negative towards it is judged by), and not
 * reachable from one, judged at the listener itself.
 */
import { answersInContainer } from '../observe/positive'
import { noAnswerInContainer } from '../observe/negative'
import { datagramsArrive } from '../observe/beside'
import { containerReceiver, duringProbe, judgeControlArrived, listenerReceiver } from '../observe/receiver'
import { startOutsideListener } from '../engine/outside'
import { replayed } from './commands'
import { asker, containerNetwork, control } from './scenario'
import type { NetconformWorld } from './world'

/**
 * "a listener outside the endpoint's networks": started on a
 * high port of the outside client, stopped after the scenario.
 */
export async function startListener(w: NetconformWorld): Promise<void> {
  if (w.replayingStep) return replayed(w, "a listener outside the endpoint's networks")
  const listener = await startOutsideListener(containerNetwork(w))
  w.listeners.push(listener)
  if (w.inBackground && w.fixture) w.fixture.listeners.push(listener)
}

/**
 * in CONTAINER, the outside listener answers EXPECTED from the outside listener; its own evidence
 * (its port's connections, the datagrams it keeps) shows the connection and datagrams arrive, the
 * evidence a negative towards it is judged by.
 */
export async function listenerAnswers(w: NetconformWorld, container: string, expected: string): Promise<void> {
  const listener = w.listeners[0]
  const { address, port, identity } = listener
  const receiver = listenerReceiver(containerNetwork(w), listener)
  // The connection and the datagrams at once: each is told by its own record of the listener's.
  const seen = await duringProbe(receiver, 'tcp', () =>
    Promise.all([
      answersInContainer({
        ...asker(w),
        from: container,
        address,
        port,
        request: 'GET /',
        expected,
        answerer: identity,
      }),
      datagramsArrive({ ...asker(w), from: container, address, port, receiver }),
    ]),
  )
  w.note(await judgeControlArrived({ receiver, arrival: seen.arrival, probe: `${container}'s connection` }))
}

/** in CONTAINER, the outside listener cannot be reached, while PEER's address on NETWORK answers EXPECTED on PORT. */
export async function listenerUnreachable(
  w: NetconformWorld,
  {
    container,
    peer,
    network,
    expected,
    port,
  }: { container: string; peer: string; network: string; expected: string; port: number },
): Promise<void> {
  const listener = w.listeners[0]
  const { address, port: listening } = listener
  const theControl = await control(w, { peer, network, expected, port })
  const [receiver, controlReceiver] = [
    listenerReceiver(containerNetwork(w), listener),
    containerReceiver(w.docker, peer),
  ]
  await noAnswerInContainer({
    ...asker(w),
    from: container,
    address,
    port: listening,
    control: theControl,
    receiver,
    controlReceiver,
    datagrams: listening,
  })
}
