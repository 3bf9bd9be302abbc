/**
 * A host port (host-port-N) is also held by containers that are not netconform's: a running
 * container without the io.netconform.run label that publishes host port N makes the scenario
 * not run, with the container's name; containers of netconform's other runs that publish it
 * (a run without locks, a crashed run's leftovers) are waited for and named. Given the
 * endpoint's public address, a host port is held only once nothing answers there (portQuiet):
 * Docker frees a removed container's port before its userland proxy stops listening, and the
 * next run's `docker run -p` would fail with "bind: address already in use" (measured: 5 of 60
 * scenarios in two runs started 2 s apart, without this wait).
 */
import { connect } from 'node:net'
import { LABEL_RUN, LABEL_SCENARIO } from '../cleanup/resources'
import { nameOf, type LockDocker } from './lock-containers'
import { NotHeld, ask } from './not-held'

/** What the port checks need of the acquisition that runs them: its run, its clock and its wait. */
export interface PortWaiter {
  docker: LockDocker
  runId: string
  now: () => number
  /** When the acquisition gives up. */
  deadline: number
  intervalMs: number
  /** One wait for WHAT (logged when it changes); throws NotHeld at the deadline or on a stop. */
  waitFor: (what: string) => Promise<void>
}

/** A host port held by a container that is not netconform's; waits (WAIT) for other runs' containers. */
export async function checkHostPort(w: PortWaiter, port: number, wait: boolean): Promise<void> {
  for (;;) {
    const running = await ask('GET /containers/json', `who publishes host port ${port}`, () =>
      w.docker.listContainers({ all: false }),
    )
    const publishing = running.filter((c) =>
      (c.Ports ?? []).some((p) => p.PublicPort === port && (p.Type ?? 'tcp') === 'tcp'),
    )
    const foreign = publishing.filter((c) => !c.Labels?.[LABEL_RUN])
    if (foreign.length > 0)
      throw new NotHeld(`host port ${port} is held by ${foreign.map(nameOf).join(', ')} (not netconform's)`)
    const ofOtherRuns = publishing.filter((c) => c.Labels?.[LABEL_RUN] !== w.runId)
    if (!wait || ofOtherRuns.length === 0) return
    const who = ofOtherRuns.map(
      (c) => `${nameOf(c)} of run ${c.Labels[LABEL_RUN]}, scenario ${c.Labels[LABEL_SCENARIO] ?? '?'}`,
    )
    await w.waitFor(`host port ${port} to be free, published by ${who.join('; ')}`)
  }
}

/** Waits (a little, at most GRACE ms) until nothing answers on the port: a removed container's proxy lingers. */
export async function portQuiet(
  w: PortWaiter,
  at: { address: string; port: number },
  { answers = portAnswers, graceMs = 15_000 }: { answers?: typeof portAnswers; graceMs?: number },
): Promise<void> {
  const { address, port } = at
  const until = Math.min(w.deadline, w.now() + graceMs)
  while (await answers(address, port)) {
    if (w.now() + w.intervalMs > until) {
      throw new NotHeld(
        `host port ${port} answers at ${address}, but no running container publishes it: ` +
          "held by something that is not netconform's",
      )
    }
    await w.waitFor(`host port ${port} at ${address} to stop answering (a removed container's proxy)`)
  }
}

/**
 * True when something accepts a TCP connection at address:port
 * within timeoutMs; refused, silent or unreachable is false.
 */
export function portAnswers(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port })
    const done = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
