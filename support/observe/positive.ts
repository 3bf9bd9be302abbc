/**
 * The positive checks: a documented answer or reply shows, from the expected container, polled
 * until it does or the deadline passes (or a failure is final, finality.ts); what was last seen is
 * attached, and a failure throws with the evidence.
 */
import type Docker from 'dockerode'
import { describeTcp, tcpExchange, type ExecResult } from '../engine/probes'
import { describeOutside, outsideShell, type ContainerNetwork } from '../engine/outside'
import { answererOf } from '../document/doc-commands'
import type { Attach } from './evidence'
import { execUntil, pollAttaching } from './poll-attaching'
import { CONNECT_SILENT, LOOKUP_FAILED, requestBytes, telnetLike } from './busybox'
import {
  nameNotRegistered,
  ownership,
  publishedRefused,
  resolvedElsewhere,
  resolvedToStranger,
  resolverUnreachable,
  serviceElsewhere,
} from './finality'
import { SILENCE_S, droppedOnPath } from './silence'

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
  const stranger = resolvedToStranger({ docker, attach, from, name: address, answerer })
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
        ? await droppedOnPath({ docker, attach, from, target: address, port, answerer, expected })
        : undefined) ??
      (await notOwned()),
  })
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
          ? await publishedRefused({ docker, attach, answerer, address, port, expected })
          : undefined)
      return { value: r, transcript: describeTcp(r), ok: judged.ok, why }
    },
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
  net: ContainerNetwork
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
          ? await serviceElsewhere({ net, attach, address, port, expected })
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
  net: ContainerNetwork
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
