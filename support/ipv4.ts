/** IPv4 arithmetic for the checks: CIDR membership, address ranges, and `ip addr` output. */

/** Whether S is a dotted IPv4 address (not a name). */
export function isIPv4(s: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(s)
}

function toNumber(ip: string): number {
  const parts = ip.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${ip}`)
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]
}

function toAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** First and last address of a CIDR block, or of a range written "A-B". */
export function bounds(range: string): [number, number] {
  if (range.includes('-')) {
    const [a, b] = range.split('-')
    return [toNumber(a.trim()), toNumber(b.trim())]
  }
  const [base, bits] = range.split('/')
  const size = 2 ** (32 - Number(bits))
  const start = toNumber(base) - (toNumber(base) % size)
  return [start, start + size - 1]
}

/** The smallest CIDR block that holds the addresses FIRST to LAST. */
export function blockHolding(first: string, last: string): string {
  const [a, b] = [toNumber(first), toNumber(last)]
  let bits = 32
  while (bits > 0 && bounds(`${toAddress(a)}/${bits}`)[1] < b) bits--
  return `${toAddress(bounds(`${toAddress(a)}/${bits}`)[0])}/${bits}`
}

/** The last host address of ADDRESS's subnet of /BITS (its broadcast address less one). */
export function lastHost(address: string, bits: number): string {
  return toAddress(bounds(`${address}/${bits}`)[1] - 1)
}

export function inRange(ip: string, range: string): boolean {
  const [lo, hi] = bounds(range)
  const n = toNumber(ip)
  return n >= lo && n <= hi
}

/** A random host address in the range, away from its first and last `margin` addresses. */
export function pickInRange(range: string, margin = 4): string {
  const [lo, hi] = bounds(range)
  const span = hi - lo - 2 * margin
  if (span < 1) throw new Error(`range ${range} is too small to pick an address from`)
  return toAddress(lo + margin + Math.floor(Math.random() * span))
}

/** An address inside `subnet` but outside `range`, or undefined if the range covers the subnet. */
export function outsideRange(subnet: string, range: string, avoid: string[] = []): string | undefined {
  const [slo, shi] = bounds(subnet)
  const [rlo, rhi] = bounds(range)
  const taken = new Set(avoid.map(toNumber))
  for (let n = slo + 20; n < shi; n++) if ((n < rlo || n > rhi) && !taken.has(n)) return toAddress(n)
  return undefined
}

export interface InterfaceAddress {
  iface: string
  address: string
  prefix: number
}

/** The IPv4 addresses in `ip addr` output (busybox or iproute2), with their interface. */
export function parseIpAddr(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = []
  let iface = ''
  for (const line of text.split('\n')) {
    const head = /^\d+:\s+([^:@\s]+)/.exec(line)
    if (head) iface = head[1]
    const inet = /^\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line)
    if (inet) out.push({ iface, address: inet[1], prefix: Number(inet[2]) })
  }
  return out
}
