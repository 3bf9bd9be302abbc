/**
 * The documented results, as observations: each polls a probe until the documented
 * behaviour shows or the deadline passes, attaches what it last saw, and throws with the
 * evidence when the behaviour did not show.
 */
import type Docker from 'dockerode'
import { eventually } from '../poll'
import { addressesOf, describeExec, describeTcp, execIn, tcpExchange, type ExecResult } from '../engine/probes'
import { describeOutside, outsideShell } from '../engine/outside'
import type { Transcript } from '../records'
import { inRange, isIPv4, parseIpAddr, type InterfaceAddress } from '../ipv4'
import { DOC_IMAGES, answererOf } from '../document/doc-commands'
import { oneLine } from '../text'
import type { Offers } from '../types'

type ContainerNetworkOffer = NonNullable<Offers['containerNetwork']>

/** Where checks put their evidence: the scenario's transcript (text for people, with a record for tools). */
export type Attach = (what: string | Transcript) => void

/** A request line sent as telnet would send it. */
function requestBytes(request: string): string {
  return `${request}\r\n`
}

/**
 * Shell text that sends `request` to address:port from inside a container (busybox telnet is
 * interactive; nc sends the same bytes). `connectWait`: seconds nc waits for its connection to be
 * answered (`nc -w`, then "nc: timed out"); once connected it reads the answer for up to 10 s.
 */
export function telnetLike(address: string, port: number, request: string, connectWait?: number): string {
  const wait = connectWait === undefined ? '' : `-w ${connectWait} `
  return `printf '%s\\r\\n' '${request.replace(/'/g, "'\\''")}' | timeout 10 nc ${wait}${address} ${port}`
}

/** The address a container has on a network, read from inspect (the endpoint's own account). */
export async function addressOn(docker: Docker, container: string, network: string): Promise<string> {
  const all = await addressesOf(docker, container)
  // The default bridge is "bridge" on Docker; other engines name their default network otherwise.
  const names = Object.keys(all)
  const ip = all[network] ?? (network === 'bridge' && names.length === 1 ? all[names[0]] : undefined)
  if (!ip)
    throw new Error(
      `${container} has no address on ${network} (it is on: ${Object.keys(all).join(', ') || 'no network'})`,
    )
  return ip
}

/** Failures that waiting cannot cure: a missing capability, a missing program. */
const PERMANENT = /permission denied|operation not permitted|not found/i

/**
 * Says why a failed observation cannot change by waiting, or undefined when it might. Asked
 * only for failures; what it looks at to decide goes to the transcript.
 */
export type Finality<T> = (seen: T) => Promise<string | undefined>

/** One attempt of a poll: what it gives, its transcript, and whether it is what was awaited. */
interface Attempt<T> {
  value: T
  transcript: Transcript
  ok: boolean
  /** Why waiting cannot change a failed attempt, when it cannot. */
  why?: string
  final?: boolean
}

/**
 * Polls `attempt` until it is ok (see `eventually`); the last attempt's transcript is attached
 * either way, then a poll record saying what was awaited, how many attempts it took, and whether it came.
 */
async function pollAttaching<T>(attach: Attach, awaited: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
  let last: Transcript | undefined
  let attempts = 0
  let ok = false
  let gaveUpEarly = false
  const started = Date.now()
  try {
    const seen = await eventually(awaited, async () => {
      attempts += 1
      const a = await attempt()
      last = a.transcript
      ok = a.ok
      gaveUpEarly = !a.ok && (a.final === true || a.why !== undefined)
      return {
        ok: a.ok,
        value: a.value,
        final: a.final || a.why !== undefined,
        seen: [a.transcript.text, a.why].filter(Boolean).join('\n').replace(/\n/g, ' | '),
      }
    })
    return seen.value as T
  } finally {
    if (last) attach(last)
    const waitedMs = Date.now() - started
    attach({
      text:
        `${ok ? 'saw' : 'did not see'} ${awaited} (${attempts} attempt${attempts === 1 ? '' : 's'}, ` +
        `${(waitedMs / 1000).toFixed(1)} s${gaveUpEarly ? ', gave up early: waiting could not change it' : ''})`,
      record: { kind: 'poll', awaited, attempts, ok, waitedMs, ...(gaveUpEarly ? { gaveUpEarly } : {}) },
    })
  }
}

/** Polls a command in a container until `ok` holds; attaches the last run either way. */
export async function execUntil({
  docker,
  attach,
  container,
  command,
  awaited,
  ok,
  finality,
}: {
  docker: Docker
  attach: Attach
  container: string
  command: string
  awaited: string
  ok: (r: ExecResult) => boolean
  finality?: Finality<ExecResult>
}): Promise<ExecResult> {
  return pollAttaching(attach, awaited, async () => {
    const r = await execIn(docker, container, command)
    const good = ok(r)
    const why = !good && finality ? await finality(r) : undefined
    return {
      value: r,
      transcript: describeExec(r),
      ok: good,
      why,
      final: PERMANENT.test(r.stderr) || r.exitCode === 127,
    }
  })
}

/**
 * In `from`, `ping` reaches `toAddress`: replies come from exactly that address (`bytes from IP:`,
 * so .2 is not .23). `owner`: the container the endpoint says has `toAddress`, checked on failure.
 */
export async function pingReplies({
  docker,
  attach,
  from,
  command,
  toAddress,
  owner,
}: {
  docker: Docker
  attach: Attach
  from: string
  command: string
  toAddress: string
  owner?: string
}): Promise<void> {
  const notOwned = ownership(docker, attach, owner, toAddress)
  await execUntil({
    docker,
    attach,
    container: from,
    command,
    awaited: `replies from ${toAddress} to "${command}" in ${from}`,
    ok: (r) => r.exitCode === 0 && r.stdout.includes(`bytes from ${toAddress}:`),
    finality: async (r) => resolvedElsewhere(r.stdout, toAddress) ?? (await notOwned()),
  })
}

/**
 * When ping resolved the name to another address than the peer's (its first line, `PING name (IP)`),
 * says so: the name leads elsewhere, and the container's own resolver will not change its mind.
 */
export function resolvedElsewhere(pingOutput: string, expected: string): string | undefined {
  const m = /^PING (\S+) \((\d+\.\d+\.\d+\.\d+)\)/m.exec(pingOutput)
  return m && m[2] !== expected
    ? `${m[1]} resolves to ${m[2]}, not to ${expected}, the address the endpoint reports: waiting cannot change that`
    : undefined
}

/** How busybox nc says a name did not resolve. */
const LOOKUP_FAILED = /bad address/

/**
 * Whether a name lookup in `container` can never succeed as things stand: /etc/resolv.conf
 * names nameservers and the container has a route to none of them ("Network is unreachable",
 * as on an --internal network whose engine offers no DNS there). A container's routes and
 * resolver change only when a network is connected or disconnected, never by waiting; the
 * peers it looks up were started by earlier steps, so /etc/hosts will not change either.
 */
export async function resolverUnreachable(
  docker: Docker,
  attach: Attach,
  container: string,
): Promise<string | undefined> {
  const r = await execIn(
    docker,
    container,
    `awk '$1=="nameserver"{print $2}' /etc/resolv.conf | while read ns; do ` +
      `echo "nameserver $ns: $(ip route get "$ns" 2>&1 | head -n 1)"; done`,
  )
  attach(describeExec(r))
  const lines = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
  if (
    r.exitCode !== 0 ||
    lines.length === 0 ||
    !lines.every((l) => /^nameserver \S+: .*Network is unreachable/.test(l))
  )
    return undefined
  const servers = lines.map((l) => l.split(' ')[1].replace(/:$/, ''))
  return (
    `${container} has no route to its nameservers (${servers.join(', ')}), ` +
    'so no name resolves there until a network is connected: waiting cannot change that'
  )
}

/** How long after a container started its engine may still be registering its name with its DNS. */
export const NAME_GRACE_MS = 10_000

/**
 * Whether NAME, which did not resolve in `from` (whose nameservers are reachable), names a
 * container that has run for longer than NAME_GRACE_MS by the engine's own clock: an engine
 * registers a container's name with its DNS as it starts it (Docker's embedded DNS at once,
 * Podman's dnsname or aardvark-dns within a second), so a name still unknown by then will not
 * come by waiting. Undefined while that is not known (not a container, not running, its start
 * or the engine's clock unreadable) or the grace has not passed.
 */
export async function nameNotRegistered(
  docker: Docker,
  attach: Attach,
  from: string,
  name: string,
): Promise<string | undefined> {
  if (isIPv4(name)) return undefined
  const ranMs = await runningFor(docker, attach, name)
  if (ranMs === undefined) return undefined
  return (
    `${name} does not resolve in ${from}, whose nameservers it can reach, ` +
    `although ${name} has run for ${Math.round(ranMs / 1000)} s ` +
    `(an engine registers a container's name as it starts it; ${NAME_GRACE_MS / 1000} s allowed): ` +
    'waiting cannot change that'
  )
}

/**
 * How long CONTAINER has been running by the engine's own clock (a remote endpoint's clock may
 * differ from this machine's), when that is at least NAME_GRACE_MS; undefined otherwise or when
 * it cannot be read (not a container, not running, no clock). Attaches what it read.
 */
async function runningFor(docker: Docker, attach: Attach, container: string): Promise<number | undefined> {
  try {
    const [c, info] = await Promise.all([
      docker.getContainer(container).inspect(),
      docker.info() as Promise<{ SystemTime?: string }>,
    ])
    const ranMs = Date.parse(info.SystemTime ?? '') - Date.parse(c.State?.StartedAt ?? '')
    if (!c.State?.Running || !Number.isFinite(ranMs) || ranMs < NAME_GRACE_MS) return undefined
    attach(`${container} runs since ${c.State.StartedAt} (the engine's clock: ${info.SystemTime})`)
    return ranMs
  } catch {
    return undefined
  }
}

/**
 * Whether "connection refused" at a published address:port is final: ANSWERER has run for
 * NAME_GRACE_MS by the engine's clock and its stand-in service answers inside it, on its own
 * port, with its own greeting. An engine sets up a container's published ports as it starts it,
 * so a port still refused by then, while the service is up, will not open by waiting.
 */
export async function publishedRefused(
  docker: Docker,
  attach: Attach,
  answerer: string,
  address: string,
  port: number,
  expected: string,
): Promise<string | undefined> {
  const ranMs = await runningFor(docker, attach, answerer)
  if (ranMs === undefined) return undefined
  const r = await execIn(docker, answerer, serviceProbe('127.0.0.1', SERVICE_PORTS, expected)).catch(() => undefined)
  const answering = r ? answeringPorts(r.stdout) : []
  if (!r || answering.length === 0) return undefined
  attach(describeExec(r))
  return (
    `${address}:${port} refuses connections while ${answerer}'s service answers inside it on port ${answering[0]}, ` +
    `and ${answerer} has run for ${Math.round(ranMs / 1000)} s ` +
    `(an engine sets up a container's published ports as it starts it; ${NAME_GRACE_MS / 1000} s allowed): ` +
    'waiting cannot change the refusal'
  )
}

/**
 * Whether an answer is the expected one from the expected service: the documented text, and
 * the identity of the container (or listener) that should have answered. Says who answered
 * instead when another did: that cannot change by waiting (a name resolved to the wrong peer,
 * an address that belongs to another container).
 */
export function judgeAnswer(received: string, expected: string, answerer: string): { ok: boolean; why?: string } {
  const by = answererOf(received)
  if (received.includes(expected) && by === answerer) return { ok: true }
  if (by !== undefined && by !== answerer) return { ok: false, why: `answered by ${by}, not by ${answerer}` }
  return { ok: false }
}

/**
 * Whether `address`, which the endpoint reports as `owner`'s, is on none of `owner`'s interfaces:
 * then no probe to it can reach `owner`, and waiting cannot change that (a container's addresses
 * are set up before its process starts). Says so with what `owner` has instead; undefined when it is there.
 */
export async function addressNotOwned(
  docker: Docker,
  attach: Attach,
  owner: string,
  address: string,
  whence = `which the endpoint reports as ${owner}'s`,
): Promise<string | undefined> {
  const r = await execIn(docker, owner, 'ip addr')
  if (r.exitCode !== 0) return undefined
  const shown = parseIpAddr(r.stdout).filter((a) => a.iface !== 'lo')
  if (shown.some((a) => a.address === address)) return undefined
  attach(describeExec(r))
  const has = shown.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(', ') || 'no IPv4 address'
  return `${address}, ${whence}, is on no interface of ${owner} (it has ${has}): waiting cannot change that`
}

/**
 * The address nc connected to when it was refused or timed out
 * (`can't connect to remote host (IP)`): what a name resolved to.
 */
export function connectedAddressOf(stderr: string): string | undefined {
  return /can't connect to remote host \((\d+\.\d+\.\d+\.\d+)\)/.exec(stderr)?.[1]
}

/**
 * When NAME resolved in `from` to an address that is on no interface of `answerer` (a loopback
 * address never is: it is the asker's own), says so: the connection can never reach `answerer`,
 * and a name's address does not change while its container stays on the network.
 */
function resolvedToStranger(
  docker: Docker,
  attach: Attach,
  from: string,
  name: string,
  answerer: string,
): (stderr: string) => Promise<string | undefined> {
  const asked = new Map<string, Promise<string | undefined>>()
  return async (stderr) => {
    const ip = isIPv4(name) ? undefined : connectedAddressOf(stderr)
    if (!ip) return undefined
    if (!asked.has(ip))
      asked.set(
        ip,
        addressNotOwned(docker, attach, answerer, ip, `which ${name} resolves to in ${from}`).catch(() => undefined),
      )
    return asked.get(ip)
  }
}

/** Asks `addressNotOwned` once per poll, and only when `owner` is known. */
function ownership(
  docker: Docker,
  attach: Attach,
  owner: string | undefined,
  address: string,
): () => Promise<string | undefined> {
  let asked: Promise<string | undefined> | undefined
  return () => (owner ? (asked ??= addressNotOwned(docker, attach, owner, address)) : Promise.resolve(undefined))
}

/**
 * In `from`, a connection to address:port answers the request with `expected`, from `answerer`.
 * `owner`: the container the endpoint says has `address` (when `address` is one): a failed attempt
 * checks that it really has it, and stops at once when it does not.
 */
export async function answersInContainer({
  docker,
  attach,
  from,
  address,
  port,
  request,
  expected,
  answerer,
  owner,
}: {
  docker: Docker
  attach: Attach
  from: string
  address: string
  port: number
  request: string
  expected: string
  answerer: string
  owner?: string
}): Promise<ExecResult> {
  // Asked once: the answer does not change while the scenario waits.
  let resolver: Promise<string | undefined> | undefined
  const notOwned = ownership(docker, attach, owner, address)
  const lookupFailed = async () =>
    (await (resolver ??= resolverUnreachable(docker, attach, from))) ??
    (await nameNotRegistered(docker, attach, from, address))
  const stranger = resolvedToStranger(docker, attach, from, address, answerer)
  const command = telnetLike(address, port, request, SILENCE_S)
  return execUntil({
    docker,
    attach,
    container: from,
    command,
    awaited: `"${expected}" from ${answerer} at ${address}:${port} in ${from}`,
    ok: (r) => judgeAnswer(r.stdout, expected, answerer).ok,
    finality: async (r) =>
      judgeAnswer(r.stdout, expected, answerer).why ??
      (LOOKUP_FAILED.test(r.stderr) ? await lookupFailed() : undefined) ??
      (await stranger(r.stderr)) ??
      (CONNECT_SILENT.test(r.stderr)
        ? await droppedOnPath(docker, attach, from, address, port, answerer, expected)
        : undefined) ??
      (await notOwned()),
  })
}

/**
 * How long a connection from inside a container may go unanswered before the silence is looked
 * into, in seconds: Linux sends the SYN at once and again after 1 s, so two SYNs went unanswered.
 * A reset ends the connect at once ("Connection refused"), and so does any ICMP error while it is
 * being set up (the kernel aborts a connect in SYN-SENT on an ICMP destination unreachable).
 */
export const SILENCE_S = 2

/** How busybox nc says its connect got no answer within `-w` seconds. */
const CONNECT_SILENT = /^nc: timed out$/m

/** One entry of `ip neigh show`: an address, its link-layer address when resolved, its state. */
export interface Neighbour {
  address: string
  lladdr?: string
  state: string
}

/** `ip neigh show`, parsed (IPv4 entries only). */
export function parseNeighbours(text: string): Neighbour[] {
  return text.split('\n').flatMap((line) => {
    const m = /^(\d+\.\d+\.\d+\.\d+)\s.*\s([A-Z]+)$/.exec(line.trim())
    const lladdr = /\slladdr ([0-9a-fA-F:]+)\s/.exec(line)?.[1]
    return m ? [{ address: m[1], ...(lladdr ? { lladdr } : {}), state: m[2] }] : []
  })
}

/**
 * The IPv4 addresses busybox nslookup gives for the name asked (those after a `Name:` line, not the
 * server's own), from one or more of its outputs one after the other (one per nameserver asked).
 */
export function lookedUpAddresses(text: string): string[] {
  const out = new Set<string>()
  for (const block of text.split(/^(?=Server:)/m)) {
    const at = block.search(/^Name:/m)
    if (at < 0) continue
    for (const m of block.slice(at).matchAll(/^Address(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)\s*$/gm)) out.add(m[1])
  }
  return [...out]
}

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
export async function droppedOnPath(
  docker: Docker,
  attach: Attach,
  from: string,
  target: string,
  port: number,
  answerer: string,
  expected: string,
): Promise<string | undefined> {
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

/**
 * From this host, a connection to address:port answers the request with `expected`, from `answerer`.
 * Given the endpoint, a refusal is final once `answerer`'s service is seen up inside it (publishedRefused).
 */
export async function answersFromHost({
  attach,
  address,
  port,
  request,
  expected,
  answerer,
  docker,
}: {
  attach: Attach
  address: string
  port: number
  request: string
  expected: string
  answerer: string
  docker?: Docker
}): Promise<void> {
  await pollAttaching(
    attach,
    `"${expected}" from ${answerer} at ${address}:${port} (connecting from this host)`,
    async () => {
      const r = await tcpExchange(address, port, requestBytes(request))
      const judged = judgeAnswer(r.received, expected, answerer)
      const why =
        judged.why ??
        (!judged.ok && docker && /ECONNREFUSED/.test(r.error ?? '')
          ? await publishedRefused(docker, attach, answerer, address, port, expected)
          : undefined)
      return { value: r, transcript: describeTcp(r), ok: judged.ok, why }
    },
  )
}

/**
 * Messages with which busybox's resolver says a name does not
 * exist (a timeout is not one: it says nothing of the name).
 */
const NOT_RESOLVED = /can't find|can't resolve|bad address|NXDOMAIN/i

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
export type Outcome =
  { kind: 'answered'; text: string } | { kind: 'no answer'; how: string } | { kind: 'other'; text: string }

/**
 * Classifies a connection attempt: what came back, what the tool said, and its exit code
 * (busybox `timeout` ends a silent nc with 143). Anything else — a missing applet, a missing
 * namespace, a connection accepted without a greeting — is `other`, never "no answer".
 */
export function connectionOutcome(received: string, said: string, exitCode: number | null | undefined): Outcome {
  if (received.trim() !== '') return { kind: 'answered', text: received.trim() }
  const hit = NO_ANSWER.find(([pattern]) => pattern.test(said))
  if (hit) return { kind: 'no answer', how: hit[1] }
  if (exitCode === 143 && said.trim() === '') return { kind: 'no answer', how: 'timed out' }
  return {
    kind: 'other',
    text: `exit ${exitCode ?? 'none'}${said.trim() ? `: ${said.trim().split('\n')[0]}` : ', nothing said'}`,
  }
}

/** Throws unless the outcome is a recognised "no answer"; `allowed` narrows which ones count. Returns how it ended. */
export function expectNoAnswer(
  outcome: Outcome,
  who: string,
  address: string,
  port: number,
  allowed?: readonly string[],
): string {
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

/** How long a negative probe waits when no control measured the path: the outside client's and the host's. */
const NEGATIVE_WAIT_S = 3

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

/** Shell text for a negative probe: send a request line, wait `seconds` for an answer. */
function negativeProbe(address: string, port: number, seconds = NEGATIVE_WAIT_S): string {
  return `printf 'GET /\\r\\n' | timeout ${seconds + 1} nc -w ${seconds} ${address} ${port}`
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
 * From `from`, address:port gives no answer. The control comes first, from the same source: a
 * peer that must answer does, so "no answer" is about the target, not a dead source.
 */
export async function noAnswerInContainer({
  docker,
  attach,
  from,
  address,
  port,
  control,
}: {
  docker: Docker
  attach: Attach
  from: string
  address: string
  port: number
  control: Control
}): Promise<void> {
  const controlled = await askControl(docker, attach, from, control)
  const bound = boundByControl(controlled.durationMs)
  const r = await execIn(docker, from, negativeProbe(address, port, bound.seconds))
  attach(describeExec(r))
  const how = expectNoAnswer(connectionOutcome(r.stdout, r.stderr, r.exitCode), from, address, port)
  attach(
    `no answer, as documented: ${how} ` +
      `(control: ${control.answerer} at ${control.address}:${control.port} answered ${from}; ${bound.why})`,
  )
}

/** `ip addr` inside a container, parsed; attaches what it showed. */
export async function interfaceAddresses(
  docker: Docker,
  attach: Attach,
  container: string,
): Promise<InterfaceAddress[]> {
  const r = await execIn(docker, container, 'ip addr')
  attach(describeExec(r))
  if (r.exitCode !== 0) throw new Error(`ip addr failed in ${container}: ${r.stderr.trim()}`)
  return parseIpAddr(r.stdout).filter((a) => a.iface !== 'lo')
}

/** What `ip addr` shows for one address, or an error saying what it shows instead. */
export function findAddress(shown: InterfaceAddress[], address: string, container: string): InterfaceAddress {
  const hit = shown.find((a) => a.address === address)
  if (!hit)
    throw new Error(
      `ip addr in ${container} shows no ${address}; ` +
        `it shows ${shown.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(', ') || 'no IPv4 address'}`,
    )
  return hit
}

/**
 * An address `ip addr` shows inside `cidr` with `cidr`'s own prefix: a hit must exist first, then its mask is checked.
 */
export function addressInCidr(shown: InterfaceAddress[], cidr: string, container: string): InterfaceAddress {
  const all = shown.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(', ') || 'no IPv4 address'
  const hit = shown.find((a) => inRange(a.address, cidr))
  if (!hit) throw new Error(`ip addr in ${container} shows no address in ${cidr}; it shows ${all}`)
  const bits = Number(cidr.split('/')[1])
  if (hit.prefix !== bits)
    throw new Error(
      `ip addr in ${container} shows ${hit.address}/${hit.prefix}, ` +
        `in ${cidr} but with mask /${hit.prefix}, not /${bits}`,
    )
  return hit
}

/** The ports the suite's stand-in services listen on: each runs one listener, `nc -ll -p PORT`. */
export const SERVICE_PORTS = [...new Set(Object.values(DOC_IMAGES).flatMap((i) => (i.port ? [i.port] : [])))]

/** A shell loop that asks ADDRESS on each of PORTS for `GET /` and prints `port P answers` where EXPECTED came back. */
function serviceProbe(address: string, ports: readonly number[], expected: string): string {
  return (
    `for p in ${ports.join(' ')}; do printf 'GET /\\r\\n' | timeout 3 nc ${address} $p 2>/dev/null | ` +
    `grep -q '${expected.replace(/'/g, "'\\''")}' && echo "port $p answers"; done; true`
  )
}

/** The ports serviceProbe found answering. */
function answeringPorts(stdout: string): number[] {
  return [...stdout.matchAll(/^port (\d+) answers$/gm)].map((m) => Number(m[1]))
}

/**
 * Whether "Connection refused" on address:port, seen from the outside client, is final: the
 * same address answers `expected` on another port a stand-in service listens on. Then the
 * container runs and its service is up; an engine sets up a container's networks, port
 * forwarding included, before it starts the container's process, and the stand-in listens on
 * its one port only, so nothing will ever open `port` there.
 */
export async function serviceElsewhere(
  net: ContainerNetworkOffer,
  attach: Attach,
  address: string,
  port: number,
  expected: string,
): Promise<string | undefined> {
  const others = SERVICE_PORTS.filter((p) => p !== port)
  if (others.length === 0) return undefined
  const r = await outsideShell(net, serviceProbe(address, others, expected))
  const answering = answeringPorts(r.stdout)
  if (answering.length === 0) return undefined
  attach(describeOutside(net, r))
  return (
    `port ${port} refuses connections while the service at ${address} answers on port ${answering[0]}: ` +
    "the container's network was set up before its service started, " +
    'and the service listens on that port only, so waiting cannot change the refusal'
  )
}

/** The outside client reaches address:port and gets `expected` from `answerer`. */
export async function answersFromOutside({
  net,
  attach,
  address,
  port,
  expected,
  answerer,
  owner,
  docker,
}: {
  net: ContainerNetworkOffer
  attach: Attach
  address: string
  port: number
  expected: string
  answerer: string
  owner?: string
  docker?: Docker
}): Promise<void> {
  const notOwned = docker ? ownership(docker, attach, owner, address) : () => Promise.resolve(undefined)
  await pollAttaching(
    attach,
    `"${expected}" from ${answerer} at ${address}:${port} at the outside client`,
    async () => {
      const r = await outsideShell(net, telnetLike(address, port, 'GET /'))
      const judged = judgeAnswer(r.stdout, expected, answerer)
      const why =
        judged.why ??
        (!judged.ok && /Connection refused/.test(`${r.stdout}\n${r.stderr}`)
          ? await serviceElsewhere(net, attach, address, port, expected)
          : undefined) ??
        (!judged.ok ? await notOwned() : undefined)
      return { value: r, transcript: describeOutside(net, r), ok: judged.ok, why }
    },
  )
}

/** The outside client reaches the address at all (ping): the control before a port is found closed. */
export async function outsidePings({
  net,
  attach,
  address,
}: {
  net: ContainerNetworkOffer
  attach: Attach
  address: string
}): Promise<void> {
  await pollAttaching(attach, `replies from ${address} at the outside client`, async () => {
    const r = await outsideShell(net, `ping -c 1 -W 2 ${address}`)
    return {
      value: r,
      transcript: describeOutside(net, r),
      ok: r.exitCode === 0 && r.stdout.includes(`bytes from ${address}:`),
    }
  })
}

/**
 * The outside client gets no answer from address:port, while the same address answers its ping (the control, first).
 */
export async function noAnswerFromOutside({
  net,
  attach,
  address,
  port,
}: {
  net: ContainerNetworkOffer
  attach: Attach
  address: string
  port: number
}): Promise<void> {
  await outsidePings({ net, attach, address })
  const r = await outsideShell(net, negativeProbe(address, port))
  attach(describeOutside(net, r))
  const how = expectNoAnswer(connectionOutcome(r.stdout, r.stderr, r.exitCode), 'the outside client', address, port)
  attach(`no answer, as documented: ${how} (control: ${address} answered the outside client's ping)`)
}

/**
 * From this host, address:port gives no answer. Only a refusal counts: the address itself
 * answers (with a reset), which is the control; a silence could as well be an address this
 * host cannot reach at all.
 */
export async function noAnswerFromHost({
  attach,
  address,
  port,
}: {
  attach: Attach
  address: string
  port: number
}): Promise<void> {
  const r = await tcpExchange(address, port, requestBytes('GET /'))
  attach(describeTcp(r))
  const how = expectNoAnswer(
    connectionOutcome(r.received, r.error ?? '', r.error ? undefined : 0),
    'this host',
    address,
    port,
    ['connection refused'],
  )
  attach(
    `no answer, as documented: ${how} ` +
      `(the refusal comes from ${address} itself, so the address is reachable and the port closed)`,
  )
}

/** The document's output and the endpoint's, one above the other, for a reader to compare. */
export function besideDocument(documented: string, observed: string): string {
  return [
    'as the document shows it:',
    indent(documented),
    '',
    'as this endpoint shows it:',
    indent(observed.trimEnd() || '(nothing)'),
  ].join('\n')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')
}
