/**
 * The documented results, as observations: each polls a probe until the documented
 * behaviour shows or the deadline passes, attaches what it last saw, and throws with the
 * evidence when the behaviour did not show.
 */
import type Docker from 'dockerode'
import { eventually } from './poll'
import { addressesOf, describeExec, describeTcp, execIn, tcpExchange, type ExecResult } from './probes'

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

/** Polls a command in a container until `ok` holds; attaches the last run either way. */
export async function execUntil(docker: Docker, attach: Attach, container: string, command: string, awaited: string, ok: (r: ExecResult) => boolean): Promise<ExecResult> {
  let last: ExecResult | undefined
  try {
    const seen = await eventually(awaited, async () => {
      last = await execIn(docker, container, command)
      const final = PERMANENT.test(last.stderr) || last.exitCode === 127
      return { ok: ok(last), seen: describeExec(last).replace(/\n/g, ' | '), value: last, final }
    })
    return seen.value!
  } finally {
    if (last) attach(describeExec(last))
  }
}

/** In `from`, `ping` reaches `toAddress`: replies come from that address. */
export async function pingReplies(docker: Docker, attach: Attach, from: string, command: string, toAddress: string): Promise<void> {
  await execUntil(docker, attach, from, command, `replies from ${toAddress} to "${command}" in ${from}`,
    (r) => r.exitCode === 0 && r.stdout.includes(`bytes from ${toAddress}`))
}

/** In `from`, a connection to address:port answers the request with `expected`. */
export async function answersInContainer(docker: Docker, attach: Attach, from: string, address: string, port: number, request: string, expected: string): Promise<void> {
  await execUntil(docker, attach, from, telnetLike(address, port, request), `"${expected}" from ${address}:${port} in ${from}`,
    (r) => r.stdout.includes(expected))
}

/** From this host, a connection to address:port answers the request with `expected`. */
export async function answersFromHost(attach: Attach, address: string, port: number, request: string, expected: string): Promise<void> {
  let last = ''
  try {
    await eventually(`"${expected}" from ${address}:${port} (connecting from this host)`, async () => {
      const r = await tcpExchange(address, port, requestBytes(request))
      last = describeTcp(r)
      return { ok: r.received.includes(expected), seen: last.replace(/\n/g, ' | ') }
    })
  } finally {
    if (last) attach(last)
  }
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
