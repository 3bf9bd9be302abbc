/**
 * Why a failed observation cannot change by waiting: each looks, only once an attempt has failed,
 * at what would make the failure final (a name that leads elsewhere, an address its owner does not
 * have, a resolver out of reach, a service up behind a refused port), attaches what it read, and
 * says why in a sentence, or undefined while waiting might still help. A poll stops at once on one.
 */
import type Docker from 'dockerode'
import { describeExec, execIn } from '../engine/probes'
import { describeOutside, outsideShell, type ContainerNetwork } from '../engine/outside'
import { isIPv4, parseIpAddr } from '../ipv4'
import type { Attach } from './evidence'
import { SERVICE_PORTS, answeringPorts, connectedAddressOf, serviceProbe } from './busybox'

/** Failures that waiting cannot cure: a missing capability, a missing program. */
export const PERMANENT = /permission denied|operation not permitted|not found/i

/**
 * Says why a failed observation cannot change by waiting, or undefined when it might. Asked
 * only for failures; what it looks at to decide goes to the transcript.
 */
export type Finality<T> = (seen: T) => Promise<string | undefined>

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
const NAME_GRACE_MS = 10_000

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
export async function publishedRefused({
  docker,
  attach,
  answerer,
  address,
  port,
  expected,
}: {
  docker: Docker
  attach: Attach
  answerer: string
  address: string
  port: number
  expected: string
}): Promise<string | undefined> {
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
 * Whether "Connection refused" on address:port, seen from the outside client, is final: the
 * same address answers `expected` on another port a stand-in service listens on. Then the
 * container runs and its service is up; an engine sets up a container's networks, port
 * forwarding included, before it starts the container's process, and the stand-in listens on
 * its one port only, so nothing will ever open `port` there.
 */
export async function serviceElsewhere({
  net,
  attach,
  address,
  port,
  expected,
}: {
  net: ContainerNetwork
  attach: Attach
  address: string
  port: number
  expected: string
}): Promise<string | undefined> {
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

/**
 * Whether `address`, which the endpoint reports as `owner`'s, is on none of `owner`'s interfaces:
 * then no probe to it can reach `owner`, and waiting cannot change that (a container's addresses
 * are set up before its process starts). Says so with what `owner` has instead; undefined when it is there.
 */
async function addressNotOwned({
  docker,
  attach,
  owner,
  address,
  whence = `which the endpoint reports as ${owner}'s`,
}: {
  docker: Docker
  attach: Attach
  owner: string
  address: string
  whence?: string
}): Promise<string | undefined> {
  const r = await execIn(docker, owner, 'ip addr')
  if (r.exitCode !== 0) return undefined
  const shown = parseIpAddr(r.stdout).filter((a) => a.iface !== 'lo')
  if (shown.some((a) => a.address === address)) return undefined
  attach(describeExec(r))
  const has = shown.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(', ') || 'no IPv4 address'
  return `${address}, ${whence}, is on no interface of ${owner} (it has ${has}): waiting cannot change that`
}

/**
 * When NAME resolved in `from` to an address that is on no interface of `answerer` (a loopback
 * address never is: it is the asker's own), says so: the connection can never reach `answerer`,
 * and a name's address does not change while its container stays on the network.
 */
export function resolvedToStranger({
  docker,
  attach,
  from,
  name,
  answerer,
}: {
  docker: Docker
  attach: Attach
  from: string
  name: string
  answerer: string
}): (stderr: string) => Promise<string | undefined> {
  const asked = new Map<string, Promise<string | undefined>>()
  return async (stderr) => {
    const ip = isIPv4(name) ? undefined : connectedAddressOf(stderr)
    if (!ip) return undefined
    if (!asked.has(ip))
      asked.set(
        ip,
        addressNotOwned({
          docker,
          attach,
          owner: answerer,
          address: ip,
          whence: `which ${name} resolves to in ${from}`,
        }).catch(() => undefined),
      )
    return asked.get(ip)
  }
}

/** Asks `addressNotOwned` once per poll, and only when `owner` is known. */
export function ownership(
  docker: Docker,
  attach: Attach,
  owner: string | undefined,
  address: string,
): () => Promise<string | undefined> {
  let asked: Promise<string | undefined> | undefined
  return () => (owner ? (asked ??= addressNotOwned({ docker, attach, owner, address })) : Promise.resolve(undefined))
}
