/**
 * The probe image's busybox tools, from the suite's side: the shell text that runs nc, ip and
 * nslookup inside a container or at the outside client, and how their output and their messages read.
 */
import { DOC_IMAGES } from '../document/doc-commands'

/** A request line sent as telnet would send it. */
export function requestBytes(request: string): string {
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

/** How long a negative probe waits when no control measured the path: the outside client's and the host's. */
const NEGATIVE_WAIT_S = 3

/**
 * Shell text for a negative probe: send a request line, wait `seconds` for an answer. nc's own
 * `-w` ends it first ("nc: timed out"); `timeout` is the backstop, 2 s later, for a machine too busy
 * to run nc's timer on time.
 */
export function negativeProbe(address: string, port: number, seconds = NEGATIVE_WAIT_S): string {
  return `printf 'GET /\\r\\n' | timeout ${seconds + 2} nc -w ${seconds} ${address} ${port}`
}

/** The ports the suite's stand-in services listen on: each runs one listener, `nc -ll -p PORT`. */
export const SERVICE_PORTS = [...new Set(Object.values(DOC_IMAGES).flatMap((i) => (i.port ? [i.port] : [])))]

/** A shell loop that asks ADDRESS on each of PORTS for `GET /` and prints `port P answers` where EXPECTED came back. */
export function serviceProbe(address: string, ports: readonly number[], expected: string): string {
  return (
    `for p in ${ports.join(' ')}; do printf 'GET /\\r\\n' | timeout 3 nc ${address} $p 2>/dev/null | ` +
    `grep -q '${expected.replace(/'/g, "'\\''")}' && echo "port $p answers"; done; true`
  )
}

/** The ports serviceProbe found answering. */
export function answeringPorts(stdout: string): number[] {
  return [...stdout.matchAll(/^port (\d+) answers$/gm)].map((m) => Number(m[1]))
}

/** How busybox nc says a name did not resolve. */
export const LOOKUP_FAILED = /bad address/

/** How busybox nc says its connect got no answer within `-w` seconds. */
export const CONNECT_SILENT = /^nc: timed out$/m

/**
 * Messages with which busybox's resolver says a name does not
 * exist (a timeout is not one: it says nothing of the name).
 */
export const NOT_RESOLVED = /can't find|can't resolve|bad address|NXDOMAIN/i

/**
 * The address nc connected to when it was refused or timed out
 * (`can't connect to remote host (IP)`): what a name resolved to.
 */
export function connectedAddressOf(stderr: string): string | undefined {
  return /can't connect to remote host \((\d+\.\d+\.\d+\.\d+)\)/.exec(stderr)?.[1]
}

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

/**
 * Shell text that, for a second, sends datagrams carrying MARKER to address:port (busybox tftp's
 * read request names MARKER as its file, and is sent again until `timeout` ends it; nothing here
 * answers it) and, meanwhile, one ping; it prints how the ping ended as "ping exit N".
 */
export function datagramsAndEcho(address: string, port: number, marker: string): string {
  return (
    `timeout 1 tftp -g -r ${marker} -l /dev/null ${address} ${port} >/dev/null 2>&1 & ` +
    `ping -c 1 -W 1 ${address}; echo "ping exit $?"; wait`
  )
}

/** How a ping of datagramsAndEcho ended: a reply from ADDRESS, none, or a sender that cannot ping (why). */
export function echoOutcome(output: string, address: string): 'reply' | 'no reply' | { cannot: string } {
  if (output.includes(`bytes from ${address}:`)) return 'reply'
  const denied = /^ping: .*(permission denied|Operation not permitted).*$/im.exec(output)
  if (denied) return { cannot: denied[0].trim() }
  return 'no reply'
}
