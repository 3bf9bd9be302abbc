/**
 * "The container is not dependent on the VCH control plane being up for network connectivity":
 * an outside client keeps asking a container on the container network while the suite stops the
 * endpoint's control plane (offers.controlPlane), keeps it down, and starts it again.
 */
import { controlPlane, controlPlaneOwed, describeControl } from '../engine/control-plane'
import { endpointAnswers } from '../engine/connection'
import { holdConnection } from '../engine/held-connection'
import { execIn, describeExec } from '../engine/probes'
import { greetingOf } from '../document/doc-commands'
import { addressOn } from '../observe/addresses'
import { askedSummary, judgeConnectivityKept } from '../observe/control-plane'
import { judge } from '../observe/evidence'
import { eventually } from '../poll'
import { DEFAULT_DOWN_SECONDS } from './offers'
import { runNoted } from './commands'
import { parseTable } from '../document/tables'
import type { NetconformWorld } from './world'

/** The port of the suite's own line service in the container: it answers each line with the line and its name. */
const HELD_PORT = 7070
/** How often the outside client asks, and how long each ask waits for its answer. */
const INTERVAL_MS = 250
const ANSWER_DEADLINE_MS = 1_000
/** How long the endpoint's API may take to answer again once its start command has returned. */
const API_BACK_MS = 60_000

function plane(w: NetconformWorld) {
  const p = w.target.offers.controlPlane
  if (!p) throw new Error(`target ${w.target.name} offers no control plane (offers.controlPlane in ${w.target.source})`)
  return p
}

function asking(w: NetconformWorld) {
  if (!w.asking)
    throw new Error('no outside client is asking: a step "the outside client holds a connection…" comes first')
  return w.asking
}

/**
 * The outside client holds a connection to CONTAINER's address on NETWORK (the suite's line service,
 * started in it) and asks every 250 ms there and on a new connection to PORT; it must be answered
 * by CONTAINER four times in a row before anything is stopped (the control).
 */
export async function holdConnectionTo(w: NetconformWorld, container: string, network: string, port: number) {
  const net = w.containerNetwork
  if (!net) throw new Error(`target ${w.target.name} offers no container network`)
  const address = await addressOn(w.docker, container, network)
  const service = await execIn(
    w.docker,
    container,
    `nc -ll -p ${HELD_PORT} -e sh -c 'while read -r l; do echo "$l from ${container}"; done' ` +
      '</dev/null >/dev/null 2>&1 & echo started',
  )
  w.note(describeExec(service))
  const client = holdConnection(net, {
    address,
    heldPort: HELD_PORT,
    freshPort: port,
    intervalMs: INTERVAL_MS,
    deadlineMs: ANSWER_DEADLINE_MS,
  })
  w.asking = { client, container, network, address, port, answerer: container, greeting: greetingOf(container) }
  w.note(
    `the outside client (${net.outsideNetns ? `netns ${net.outsideNetns}` : 'this host'}) holds a connection to ` +
      `${address}:${HELD_PORT} and sends "seq N" on it every ${INTERVAL_MS} ms (${container} answers "seq N from ` +
      `${container}"), and opens a new connection to ${address}:${port} at each tick`,
  )
  await eventually(
    `4 answered ticks in a row from ${container} before the control plane is stopped`,
    async () => {
      const last = client.ticks.slice(-4)
      const ok = last.length === 4 && last.every((t) => t.held === `seq ${t.seq} from ${container}`)
      const seen = client.ended
        ? `the held connection ended: ${client.ended}`
        : `${client.ticks.length} ticks; last: ${JSON.stringify(client.ticks.at(-1) ?? 'none yet')}`
      return { ok: ok && last.every((t) => t.fresh.includes(greetingOf(container))), seen, final: !!client.ended }
    },
    { timeoutMs: 15_000 },
  )
}

/** The endpoint's control plane is stopped: its API answered before (the control) and does not after. */
export async function stopControlPlane(w: NetconformWorld): Promise<void> {
  const a = asking(w)
  judge(await endpointAnswers(w.target, 5_000), {
    kind: 'control-plane',
    what: `the endpoint's API before the stop`,
    seen: 'it does not answer',
    documented: 'an endpoint that answers',
  })
  a.stopAt = a.client.ticks.at(-1)?.at ?? 0
  const r = await controlPlane(w.target, 'stop')
  w.note(describeControl(r))
  if (r.exitCode !== 0)
    throw new Error(`the control plane's stop command failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`)
  judge(!(await endpointAnswers(w.target, 3_000)), {
    kind: 'control-plane',
    what: `the endpoint's API after \`${r.command}\``,
    seen: 'it still answers a ping',
    documented: 'a control plane that is down',
  })
  w.note(`the endpoint's API does not answer: the control plane is down`)
}

/** It stays down for the profile's window while the client keeps asking; the API must still not answer at its end. */
export async function keepControlPlaneDown(w: NetconformWorld): Promise<void> {
  const a = asking(w)
  const seconds = plane(w).downSeconds ?? DEFAULT_DOWN_SECONDS
  const from = a.client.ticks.length
  const needed = Math.ceil((seconds * 1000) / INTERVAL_MS)
  await eventually(
    `${needed} more asks of the outside client (${seconds} s) with the control plane down`,
    async () => ({
      ok: a.client.ticks.length - from >= needed,
      seen: `${a.client.ticks.length - from} asks since it went down`,
    }),
    { timeoutMs: seconds * 1000 + 15_000, intervalMs: INTERVAL_MS },
  )
  judge(!(await endpointAnswers(w.target, 3_000)), {
    kind: 'control-plane',
    what: `the endpoint's API at the end of the ${seconds} s window`,
    seen: 'it answers again',
    documented: 'a control plane that stayed down',
  })
  w.note(`the control plane stayed down for ${seconds} s (${needed} asks); its API still does not answer`)
}

/** The control plane is started again, and its API answers (polled). */
export async function startControlPlane(w: NetconformWorld): Promise<void> {
  const a = asking(w)
  const r = await controlPlane(w.target, 'start')
  w.note(describeControl(r))
  if (r.exitCode !== 0)
    throw new Error(`the control plane's start command failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`)
  await apiBack(w, r.command)
  a.startedAt = a.client.ticks.at(-1)?.at ?? 0
  w.note(`the endpoint's API answers again`)
}

/** The client had every ask answered by CONTAINER, and its held connection open, throughout. */
export async function connectivityKept(w: NetconformWorld, container: string): Promise<void> {
  const a = asking(w)
  if (a.container !== container) throw new Error(`the outside client asks ${a.container}, not ${container}`)
  // Two more ticks after the start: the first asks after the control plane came back are judged too.
  const after = a.client.ticks.length + 2
  await eventually(
    'two more asks of the outside client after the control plane is back',
    async () => ({ ok: a.client.ticks.length >= after, seen: `${a.client.ticks.length} ticks` }),
    { timeoutMs: 10_000, intervalMs: INTERVAL_MS },
  )
  await a.client.stop()
  const ticks = [...a.client.ticks]
  const window = { answerer: a.answerer, greeting: a.greeting, port: a.port, stopAt: a.stopAt ?? 0 }
  const startedAt = a.startedAt ?? ticks.at(-1)?.at ?? 0
  w.note({
    text:
      `outside client: ${askedSummary(ticks, { ...window, startedAt })}; ` +
      (a.client.ended ? `the held connection ended: ${a.client.ended}` : 'the held connection is still open'),
    record: {
      kind: 'probe',
      from: 'outside client',
      target: `${a.address}:${HELD_PORT}`,
      received: JSON.stringify(ticks),
      durationMs: ticks.at(-1)?.at ?? 0,
    },
  })
  const minDown = Math.ceil(((plane(w).downSeconds ?? DEFAULT_DOWN_SECONDS) * 1000) / INTERVAL_MS)
  judgeConnectivityKept(ticks, a.client.ended, { ...window, startedAt, minDown })
}

/** CONTAINER still runs, with the address on NETWORK it had before the stop, and `docker ps` lists it. */
export async function stillRuns(w: NetconformWorld, container: string, network: string): Promise<void> {
  const a = asking(w)
  const info = await w.docker.getContainer(container).inspect()
  judge(info.State.Running, {
    kind: 'control-plane',
    what: `${container} after the control plane came back`,
    seen: `its state is ${info.State.Status}`,
    documented: 'a container that still runs',
  })
  const address = await addressOn(w.docker, container, network)
  judge(address === a.address, {
    kind: 'control-plane',
    what: `${container}'s address on ${network}`,
    seen: `${address} (before the stop: ${a.address})`,
    documented: 'the same address',
  })
  const ps = await runNoted(w, 'docker ps')
  const row = parseTable(ps.stdout).find((x) => x.NAMES === container)
  judge(!!row, {
    kind: 'control-plane',
    what: '`docker ps`',
    seen: `it does not list ${container}`,
    documented: 'the container listed',
  })
}

/**
 * After the scenario, whatever its steps did: the outside client stops asking, and a control plane
 * the scenario left down is started again (before the cleanup, which needs the API).
 */
export async function endAsking(w: NetconformWorld): Promise<void> {
  await w.asking?.client.stop()
  if (!controlPlaneOwed()) return
  const r = await controlPlane(w.target, 'start')
  w.note(describeControl(r))
  if (r.exitCode === 0) await apiBack(w, r.command).catch((e: unknown) => w.note(String((e as Error).message)))
}

/** Polls until the endpoint's API answers a ping after COMMAND started it (API_BACK_MS at most). */
async function apiBack(w: NetconformWorld, command: string): Promise<void> {
  await eventually(
    `the endpoint's API to answer after \`${command}\``,
    async () => ({ ok: await endpointAnswers(w.target, 2_000), seen: 'no answer to a ping' }),
    { timeoutMs: API_BACK_MS, intervalMs: 500 },
  )
}
