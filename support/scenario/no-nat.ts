/**
 * "This avoids the use of NAT": the outside listener sees a container's connection come from the
 * container's own address on the container network, and the container sees the outside client's
 * connection come from the client's own address.
 */
import { randomBytes } from 'node:crypto'
import { describeOutside, outsideShell } from '../engine/outside'
import { describeExec, execIn } from '../engine/probes'
import { addressOn } from '../observe/addresses'
import { judge } from '../observe/evidence'
import { judgePeer, plainPeer } from '../observe/nat'
import { eventually } from '../poll'
import type { NetconformWorld } from './world'

/** The port of the suite's own peer service in a container (busybox httpd; its CGI says REMOTE_ADDR). */
const PEER_PORT = 7071

function containerNetwork(w: NetconformWorld) {
  const net = w.containerNetwork
  if (!net) throw new Error(`target ${w.target.name} offers no container network`)
  return net
}

/** in CONTAINER, the outside listener answers, and it heard the connection come from OWNER's address on NETWORK. */
export async function outboundFromOwnAddress(
  w: NetconformWorld,
  container: string,
  owner: string,
  network: string,
): Promise<void> {
  const listener = w.listeners[0]
  if (!listener)
    throw new Error('no outside listener: the step "a listener outside the endpoint\'s networks" comes first')
  const own = await addressOn(w.docker, owner, network)
  const nonce = randomBytes(4).toString('hex')
  const r = await execIn(
    w.docker,
    container,
    `printf 'GET /${nonce}\\r\\n' | nc -w 5 ${listener.address} ${listener.port}`,
  )
  w.note(describeExec(r))
  judge(r.stdout.includes(`from ${listener.identity}`), {
    kind: 'nat',
    what: `${container} → the outside listener ${listener.address}:${listener.port}`,
    seen: `it answered "${(r.stdout + r.stderr).trim()}"`,
    documented: `the listener's answer ("from ${listener.identity}")`,
  })
  const heard = await eventually(
    `the outside listener to record the connection of ${container} (request GET /${nonce})`,
    async () => {
      const h = listener.heard.find((x) => x.request === `GET /${nonce}`)
      return { ok: !!h, value: h, seen: `${listener.heard.length} connections recorded` }
    },
    { timeoutMs: 5_000 },
  )
  const seen = heard.value?.peer
  w.note(`the outside listener recorded GET /${nonce} from ${seen}; ${owner}'s own address on ${network} is ${own}`)
  judgePeer({ direction: 'outbound', sender: container, own, seen, by: 'the outside listener' })
}

/**
 * from the outside, CONTAINER's address on NETWORK answers, and SEER (the same container) saw the
 * connection come from the outside client's own address.
 */
export async function inboundFromClientAddress(
  w: NetconformWorld,
  container: string,
  network: string,
  seer: string,
): Promise<void> {
  const net = containerNetwork(w)
  if (!net.outsideAddress) throw new Error('the container network has no outsideAddress in the target profile')
  const address = await addressOn(w.docker, container, network)
  const service = await execIn(
    w.docker,
    container,
    'mkdir -p /tmp/nc-peer/cgi-bin && ' +
      `printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho "peer $REMOTE_ADDR from ${container}"\\n' ` +
      '>/tmp/nc-peer/cgi-bin/peer && chmod +x /tmp/nc-peer/cgi-bin/peer && ' +
      `httpd -p ${PEER_PORT} -h /tmp/nc-peer && echo started`,
  )
  w.note(describeExec(service))
  let last: ReturnType<typeof outsideShell> extends Promise<infer R> ? R | undefined : never
  const asked = await eventually(
    `${container}'s peer service at ${address}:${PEER_PORT} to answer the outside client`,
    async () => {
      // busybox nc, not its wget: Debian 12's busybox wget crashes when its sh runs it (SIGSEGV, exit 139).
      const r = await outsideShell(
        net,
        `printf 'GET /cgi-bin/peer HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${address} ${PEER_PORT}`,
      )
      last = r
      const m = /^peer (\S+) from (\S+)$/m.exec(r.stdout)
      return {
        ok: !!m && m[2] === container && m[2] === seer,
        value: m,
        seen: `${r.stdout}${r.stderr}`.trim() || `exit ${r.exitCode}`,
      }
    },
    { timeoutMs: 15_000 },
  )
  if (last) w.note(describeOutside(net, last))
  const seen = plainPeer(asked.value![1])
  judgePeer({ direction: 'inbound', sender: 'the outside client', own: net.outsideAddress, seen, by: seer })
}
