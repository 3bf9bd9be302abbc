/**
 * Judging "this avoids the use of NAT": the address a connection came from, as its other end saw it,
 * must be the sender's own address on the container network, not one an engine rewrote it to.
 */
import { Evidence } from './evidence'

/** The plain IPv4 address in what a server reports as its peer ("[::ffff:198.51.100.10]" → 198.51.100.10). */
export function plainPeer(reported: string): string {
  return reported
    .trim()
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .replace(/^::ffff:/i, '')
}

/** Throws Evidence (kind nat) unless the peer SEEN by the server is the sender's OWN address. */
export function judgePeer(opts: {
  direction: string
  sender: string
  own: string
  seen: string | undefined
  by: string
}) {
  const { direction, sender, own, seen, by } = opts
  if (seen === own) return
  throw new Evidence(
    'nat',
    { direction, sender, own, seen: seen ?? null, by },
    `${direction}: ${by} saw the connection of ${sender} come from ` +
      `${seen ?? 'no address (it heard no such connection)'}, ` +
      `where the document shows no NAT: ${sender}'s own address ${own}`,
  )
}
