/**
 * What a reason measures anew on every run, masked, so that two runs' reasons compare equal when
 * their evidence is the same: resource names, ids, addresses, durations, counts, and the names of a
 * container's interfaces (the engine does not fix which network gets eth0). What tells evidence
 * apart stays: the words, the verdict's facts, which addresses share an interface, the prefixes.
 * `compare` and sensitivity's "already so" judge reasons through maskReason, and `declare` makes a
 * deviation's `observed` pattern from a failure's message through observedPattern; it is the one
 * place these masks are kept.
 */
import { oneLine } from '../text'

/** Tokens measured per run and what stands for them, most specific first. */
const MEASURED: readonly (readonly [RegExp, string])[] = [
  [/\b\d{8}T\d{6}Z-[0-9a-f]{6}\b/g, '<run>'], // run id: 20261127T224745Z-18dc41
  [/\bnc-[0-9a-f]{6}-[0-9a-f]{4}-/g, 'nc-…-'], // resource name: nc-a6af35-c004-db
  [/\b[0-9a-f]{64}\b/g, '<id>'], // full container or network id
  [/\b[0-9a-f]{12}\b/g, '<id>'], // short container id
  // the source port of a connection a receiver held (connection at 172.16.0.2:8080 from 198.51.100.1:55640):
  // the sender's choice
  [/\b(connection at \S+ from (?:\d{1,3}\.){3}\d{1,3}):\d+\b/g, '$1:<port>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '<ip>'], // IPv4 address, assigned per run
  [/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi, '<mac>'], // a container's link-layer address, made per run
  [/@if\d+\b/g, '@if<n>'], // eth0@if23: the index of the veth's peer on the host
  // a neighbour entry's state: every one of these means the peer's link-layer address was resolved
  [/(<mac>), (?:REACHABLE|STALE|DELAY|PROBE)\b/g, '$1, <resolved>'],
  [/\(\d+ attempts?\)/g, '(<n> attempts)'],
  [/\bafter \d+ attempts?\b/g, 'after <n> attempts'], // gave up after 5 attempts
  [/\b\d+(?:\.\d+)?–\d+(?:\.\d+)? ?(?:ms|s)\b/g, '<duration>–<duration>'], // a window: 1.2–12.3 s
  [/\b\d+(?:\.\d+)? ?(?:ms|s)\b/g, '<duration>'], // 70 ms, 20 s, 1.5 s
  // the control-plane window's requests, counted as they were sent: 58 of 103 requests missed (58 on …)
  [/\b\d+ of \d+ requests\b/g, '<n> of <n> requests'],
  [/\(\d+ on the held connection, \d+ on new connections\b/g, '(<n> on the held connection, <n> on new connections'],
  [/\basked only \d+ times\b/g, 'asked only <n> times'], // asks while the control plane was down, per run
  [/\b\d+ (asks|ticks)\b/g, '<n> $1'],
  // what a receiver's interfaces counted during a probe, listed in the order the engine numbered them and
  // not judged: (packets of any kind received meanwhile, not judged: eth1 7 → 16, eth0 0 → 2)
  [
    /\(packets of any kind received meanwhile, not judged: [^)]*\)/g,
    '(packets of any kind received meanwhile, not judged)',
  ],
  // counters read before and after a probe: Tcp.InSegs 0 → 3
  [/\b\d+ → \d+\b/g, '<n> → <n>'],
  // a receiver's own counters that did not move (Tcp.InSegs 3 unchanged), and what it kept of a probe
  [/\b((?:Tcp|TcpExt|Udp|Icmp|Listener)\.\w+) \d+\b/g, '$1 <n>'],
  [/\b\d+ datagram\(s\)/g, '<n> datagram(s)'],
  [/\bnc-udp-[0-9a-f]{8}\b/g, 'nc-udp-<marker>'],
]

/** Where a reason's evidence begins: the observed part of a deviation, of a mismatch. */
const EVIDENCE = /( \(observed: |, observed )/

/** A container's interface name: its stem stays, its number is the engine's choice. */
const INTERFACE = /\beth(\d+)\b/g

/**
 * A list of addresses with their interfaces (`<ip>/24 on eth1, <ip>/16 on eth0`), as `ip addr`
 * lists them: in the order of the interfaces, which follows the engine's numbering. Sorted by
 * address and prefix, so that the numbering below sees them in an order the engine does not pick.
 */
const ADDRESS_LIST = /<ip>\/\d+ on eth\d+(?:, <ip>\/\d+ on eth\d+)+/g

function sortAddressList(list: string): string {
  const key = (item: string) => item.replace(/ on eth\d+$/, '')
  return list
    .split(', ')
    .sort((a, b) => key(a).localeCompare(key(b)))
    .join(', ')
}

/**
 * Interface names renumbered in the order they first appear (eth1 and eth0 → eth#1 and eth#2),
 * within each part of the reason (the declared text, the observed evidence): two runs that gave the
 * same networks swapped interfaces read alike, while one interface against two (eth#1 and eth#1,
 * eth#1 and eth#2) still differs.
 */
function renumberInterfaces(text: string): string {
  return text
    .split(EVIDENCE)
    .map((part) => {
      const seen = new Map<string, number>()
      return part.replace(INTERFACE, (name) => {
        if (!seen.has(name)) seen.set(name, seen.size + 1)
        return `eth#${seen.get(name)}`
      })
    })
    .join('')
}

/** A reason on one line, what each run measures anew masked, so two runs' reasons can be compared. */
export function maskReason(reason: string): string {
  const masked = MEASURED.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), oneLine(reason))
  return renumberInterfaces(masked.replace(ADDRESS_LIST, sortAddressList))
}

/** Characters a regular expression reads as syntax. */
const SYNTAX = /[.*+?^${}()|[\]\\/]/g

/** A measured token's pattern in `observedPattern`: the mask that found it, unanchored and ungrouped. */
const tokenPattern = (mask: RegExp) => `(?:${mask.source})`

/**
 * A regular expression (JavaScript syntax) that MESSAGE matches whole, and any message that differs
 * from it only in what maskReason masks: each token a mask finds (names, ids, addresses, durations,
 * counts, interface numbers) stands for what that mask matches; everything else is literal. Masks are
 * applied in maskReason's order, each to the text no earlier mask took. The address lists maskReason
 * sorts are kept in their order here.
 */
export function observedPattern(message: string): string {
  type Part = { literal: string } | { pattern: string }
  let parts: Part[] = [{ literal: message }]
  for (const mask of [...MEASURED.map(([m]) => m), INTERFACE]) {
    parts = parts.flatMap((part) => {
      if (!('literal' in part)) return [part]
      const out: Part[] = []
      let at = 0
      for (const m of part.literal.matchAll(new RegExp(mask.source, mask.flags))) {
        out.push({ literal: part.literal.slice(at, m.index) }, { pattern: tokenPattern(mask) })
        at = m.index + m[0].length
      }
      out.push({ literal: part.literal.slice(at) })
      return out.filter((p) => !('literal' in p) || p.literal !== '')
    })
  }
  const body = parts
    .map((p) => ('literal' in p ? p.literal.replace(SYNTAX, '\\$&').replace(/\n/g, '\\n') : p.pattern))
    .join('')
  return `^${body}$`
}
