/**
 * The documented results, as observations: each polls a probe until the documented
 * behaviour shows or the deadline passes, attaches what it last saw, and throws with the
 * evidence when the behaviour did not show.
 */
import type Docker from 'dockerode'
import { eventually } from './poll'
import { addressesOf, describeExec, describeTcp, execIn, tcpExchange, type ExecResult } from './probes'
import { describeCommand, failureOf, runDocumented, succeeded } from './docker-cli'
import { describeOutside, outsideShell } from './outside'
import { parseIpAddr, type InterfaceAddress } from './ipv4'
import { parseTable } from './tables'
import { DOC_IMAGES } from './doc-commands'
import type { Offers } from './types'
import type { NetconformWorld } from './world'

type ContainerNetworkOffer = NonNullable<Offers['containerNetwork']>

/** Where checks put their evidence: the scenario's transcript. */
export type Attach = (text: string) => void

/** A request line sent as telnet would send it. */
function requestBytes(request: string): string {
  return `${request}\r\n`
}

/** Shell text that sends `request` to address:port from inside a container (busybox telnet is interactive; nc sends the same bytes). */
export function telnetLike(address: string, port: number, request: string): string {
  return `printf '%s\\r\\n' '${request.replace(/'/g, "'\\''")}' | timeout 10 nc ${address} ${port}`
}

/** The address a container has on a network, read from inspect (the endpoint's own account). */
export async function addressOn(docker: Docker, container: string, network: string): Promise<string> {
  const all = await addressesOf(docker, container)
  // The default bridge is "bridge" on Docker; other engines name their default network otherwise.
  const names = Object.keys(all)
  const ip = all[network] ?? (network === 'bridge' && names.length === 1 ? all[names[0]] : undefined)
  if (!ip) throw new Error(`${container} has no address on ${network} (it is on: ${Object.keys(all).join(', ') || 'no network'})`)
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
  transcript: string
  ok: boolean
  /** Why waiting cannot change a failed attempt, when it cannot. */
  why?: string
  final?: boolean
}

/** Polls `attempt` until it is ok (see `eventually`); the last attempt's transcript is attached either way. */
async function pollAttaching<T>(attach: Attach, awaited: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
  let last: string | undefined
  try {
    const seen = await eventually(awaited, async () => {
      const a = await attempt()
      last = a.transcript
      return { ok: a.ok, value: a.value, final: a.final || a.why !== undefined, seen: [a.transcript, a.why].filter(Boolean).join('\n').replace(/\n/g, ' | ') }
    })
    return seen.value as T
  } finally {
    if (last) attach(last)
  }
}

/** Polls a command in a container until `ok` holds; attaches the last run either way. */
export async function execUntil(
  docker: Docker, attach: Attach, container: string, command: string, awaited: string, ok: (r: ExecResult) => boolean,
  finality?: Finality<ExecResult>,
): Promise<ExecResult> {
  return pollAttaching(attach, awaited, async () => {
    const r = await execIn(docker, container, command)
    const good = ok(r)
    const why = !good && finality ? await finality(r) : undefined
    return { value: r, transcript: describeExec(r), ok: good, why, final: PERMANENT.test(r.stderr) || r.exitCode === 127 }
  })
}

/** In `from`, `ping` reaches `toAddress`: replies come from that address. */
export async function pingReplies(docker: Docker, attach: Attach, from: string, command: string, toAddress: string): Promise<void> {
  await execUntil(docker, attach, from, command, `replies from ${toAddress} to "${command}" in ${from}`,
    (r) => r.exitCode === 0 && r.stdout.includes(`bytes from ${toAddress}`))
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
export async function resolverUnreachable(docker: Docker, attach: Attach, container: string): Promise<string | undefined> {
  const r = await execIn(docker, container,
    `awk '$1=="nameserver"{print $2}' /etc/resolv.conf | while read ns; do echo "nameserver $ns: $(ip route get "$ns" 2>&1 | head -n 1)"; done`)
  attach(describeExec(r))
  const lines = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '')
  if (r.exitCode !== 0 || lines.length === 0 || !lines.every((l) => /^nameserver \S+: .*Network is unreachable/.test(l))) return undefined
  const servers = lines.map((l) => l.split(' ')[1].replace(/:$/, ''))
  return `${container} has no route to its nameservers (${servers.join(', ')}), so no name resolves there until a network is connected: waiting cannot change that`
}

/** In `from`, a connection to address:port answers the request with `expected`. */
export async function answersInContainer(docker: Docker, attach: Attach, from: string, address: string, port: number, request: string, expected: string): Promise<void> {
  // Asked once: the answer does not change while the scenario waits.
  let resolver: Promise<string | undefined> | undefined
  await execUntil(docker, attach, from, telnetLike(address, port, request), `"${expected}" from ${address}:${port} in ${from}`,
    (r) => r.stdout.includes(expected),
    async (r) => (LOOKUP_FAILED.test(r.stderr) ? await (resolver ??= resolverUnreachable(docker, attach, from)) : undefined))
}

/** From this host, a connection to address:port answers the request with `expected`. */
export async function answersFromHost(attach: Attach, address: string, port: number, request: string, expected: string): Promise<void> {
  await pollAttaching(attach, `"${expected}" from ${address}:${port} (connecting from this host)`, async () => {
    const r = await tcpExchange(address, port, requestBytes(request))
    return { value: r, transcript: describeTcp(r), ok: r.received.includes(expected) }
  })
}

/** Messages with which busybox's resolver says a name did not resolve. */
const NOT_RESOLVED = /can't find|can't resolve|bad address|NXDOMAIN|no servers could be reached|timed out/i

/**
 * In `from`, the command fails because the name does not resolve. One observation is
 * enough: the steps before it show the container is up and the peer reachable by address.
 */
export async function doesNotResolve(docker: Docker, attach: Attach, from: string, command: string, name: string): Promise<void> {
  const r = await execIn(docker, from, command)
  attach(describeExec(r))
  const text = `${r.stdout}\n${r.stderr}`
  if (r.exitCode === 0) throw new Error(`"${command}" in ${from} succeeded: the name ${name} resolved (${text.trim().split('\n').slice(0, 3).join(' | ')})`)
  if (r.exitCode === 127 || !NOT_RESOLVED.test(text)) {
    throw new Error(`"${command}" in ${from} failed, but not for want of name resolution (exit ${r.exitCode}: ${text.trim().split('\n')[0]})`)
  }
}

/** From `from`, a connection to address:port gets no greeting: one observation, after the steps' positive controls. */
export async function noAnswerInContainer(docker: Docker, attach: Attach, from: string, address: string, port: number): Promise<void> {
  const r = await execIn(docker, from, `printf 'GET /\\r\\n' | timeout 5 nc -w 3 ${address} ${port}`)
  attach(describeExec(r))
  if (r.exitCode === 127) throw new Error(`the probe could not run in ${from}: ${r.stderr.trim()}`)
  if (r.stdout.includes('Hello world!')) throw new Error(`${from} reached ${address}:${port} and got "${r.stdout.trim()}"`)
}

/** `ip addr` inside a container, parsed; attaches what it showed. */
export async function interfaceAddresses(docker: Docker, attach: Attach, container: string): Promise<InterfaceAddress[]> {
  const r = await execIn(docker, container, 'ip addr')
  attach(describeExec(r))
  if (r.exitCode !== 0) throw new Error(`ip addr failed in ${container}: ${r.stderr.trim()}`)
  return parseIpAddr(r.stdout).filter((a) => a.iface !== 'lo')
}

/** What `ip addr` shows for one address, or an error saying what it shows instead. */
export function findAddress(shown: InterfaceAddress[], address: string, container: string): InterfaceAddress {
  const hit = shown.find((a) => a.address === address)
  if (!hit) throw new Error(`ip addr in ${container} shows no ${address}; it shows ${shown.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(', ') || 'no IPv4 address'}`)
  return hit
}

/** The subnets `docker network inspect` shows for a documented network. */
export async function subnetsOf(world: NetconformWorld, network: string): Promise<string[]> {
  const r = await runDocumented(`docker network inspect ${network} --format '{{json .IPAM.Config}}'`, world.commandContext)
  world.note(describeCommand(r))
  if (!succeeded(r)) throw new Error(failureOf(r))
  const config = JSON.parse(r.stdout.trim() || '[]') as { Subnet?: string }[] | null
  return (config ?? []).map((c) => c.Subnet ?? '').filter((s) => s !== '')
}

/** The PORTS cell `docker ps` shows for a container, and the mapping the document shows. */
export async function portsShown(world: NetconformWorld, command: string, container: string, network: string, mapping: string, documented?: string): Promise<{ shown: string; expected: string }> {
  const address = await addressOn(world.docker, world.real(container), world.real(network))
  const r = await runDocumented(command, world.commandContext)
  world.note(describeCommand(r))
  if (documented) world.note(besideDocument(documented, r.stdout))
  const row = parseTable(r.stdout).find((x) => x.NAMES === world.real(container))
  return { shown: row?.PORTS ?? `(${world.real(container)} not listed)`, expected: `${address}${mapping}` }
}

/** The ports the suite's stand-in services listen on: each runs one listener, `nc -ll -p PORT`. */
export const SERVICE_PORTS = [...new Set(Object.values(DOC_IMAGES).flatMap((i) => (i.port ? [i.port] : [])))]

/**
 * Whether "Connection refused" on address:port, seen from the outside client, is final: the
 * same address answers `expected` on another port a stand-in service listens on. Then the
 * container runs and its service is up; an engine sets up a container's networks, port
 * forwarding included, before it starts the container's process, and the stand-in listens on
 * its one port only, so nothing will ever open `port` there.
 */
export async function serviceElsewhere(net: ContainerNetworkOffer, attach: Attach, address: string, port: number, expected: string): Promise<string | undefined> {
  const others = SERVICE_PORTS.filter((p) => p !== port)
  if (others.length === 0) return undefined
  const r = await outsideShell(net,
    `for p in ${others.join(' ')}; do printf 'GET /\\r\\n' | timeout 3 nc ${address} $p 2>/dev/null | grep -q '${expected.replace(/'/g, "'\\''")}' && echo "port $p answers"; done; true`)
  const answering = [...r.stdout.matchAll(/^port (\d+) answers$/gm)].map((m) => Number(m[1]))
  if (answering.length === 0) return undefined
  attach(describeOutside(net, r))
  return `port ${port} refuses connections while the service at ${address} answers on port ${answering[0]}: the container's network was set up before its service started, and the service listens on that port only, so waiting cannot change the refusal`
}

/** The outside client reaches address:port and gets `expected`. */
export async function answersFromOutside(net: ContainerNetworkOffer, attach: Attach, address: string, port: number, expected: string): Promise<void> {
  await pollAttaching(attach, `"${expected}" from ${address}:${port} at the outside client`, async () => {
    const r = await outsideShell(net, telnetLike(address, port, 'GET /'))
    const ok = r.stdout.includes(expected)
    const why = !ok && /Connection refused/.test(`${r.stdout}\n${r.stderr}`) ? await serviceElsewhere(net, attach, address, port, expected) : undefined
    return { value: r, transcript: describeOutside(net, r), ok, why }
  })
}

/** The outside client reaches the address at all (ping): the control before a port is found closed. */
export async function outsidePings(net: ContainerNetworkOffer, attach: Attach, address: string): Promise<void> {
  await pollAttaching(attach, `replies from ${address} at the outside client`, async () => {
    const r = await outsideShell(net, `ping -c 1 -W 2 ${address}`)
    return { value: r, transcript: describeOutside(net, r), ok: r.exitCode === 0 }
  })
}

/** The outside client gets no greeting from address:port. */
export async function noAnswerFromOutside(net: ContainerNetworkOffer, attach: Attach, address: string, port: number): Promise<void> {
  const r = await outsideShell(net, `printf 'GET /\\r\\n' | timeout 5 nc -w 3 ${address} ${port}`)
  attach(describeOutside(net, r))
  if (r.stdout.includes('Hello world!')) throw new Error(`the outside client reached ${address}:${port} and got "${r.stdout.trim()}"`)
}

/** The interface that carries a container's address on each of the given networks. */
export async function interfacesOf(world: NetconformWorld, container: string, networks: string[]): Promise<string[]> {
  const shown = await interfaceAddresses(world.docker, world.note, world.real(container))
  const out: string[] = []
  for (const n of networks) out.push(findAddress(shown, await addressOn(world.docker, world.real(container), world.real(n)), container).iface)
  return out
}

/** From this host, address:port gives no greeting (one observation, after the scenario's positive controls). */
export async function noAnswerFromHost(attach: Attach, address: string, port: number): Promise<void> {
  const r = await tcpExchange(address, port, requestBytes('GET /'))
  attach(describeTcp(r))
  if (r.received.includes('Hello world!')) throw new Error(`${address}:${port} answered "${r.received.trim()}" from this host`)
}

/** The document's output and the endpoint's, one above the other, for a reader to compare. */
export function besideDocument(documented: string, observed: string): string {
  return ['as the document shows it:', indent(documented), '', 'as this endpoint shows it:', indent(observed.trimEnd() || '(nothing)')].join('\n')
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n')
}

/** `docker network ls` lists the documented network (with the driver, when given). */
export async function networkListed(world: NetconformWorld, command: string, network: string, driver?: string, documented?: string): Promise<void> {
  const r = await runDocumented(command, world.commandContext)
  world.note(describeCommand(r))
  if (documented) world.note(besideDocument(documented, r.stdout))
  if (!succeeded(r)) throw new Error(failureOf(r))
  const row = parseTable(r.stdout).find((x) => x.NAME === world.real(network))
  if (!row) throw new Error(`docker network ls does not list ${network} (${world.real(network)})`)
  if (driver && row.DRIVER !== driver) throw new Error(`docker network ls shows ${network} with driver ${row.DRIVER}, not ${driver}`)
}
