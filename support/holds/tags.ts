/**
 * The hold tags, parsed in one place: `@exclusive:NAME` (the scenario needs NAME alone, e.g. a
 * fixed host port) and `@shared:NAME` (it uses NAME beside others, never beside an exclusive
 * holder). The scheduler, the endpoint lock and the fixture keeper all read them through here.
 */
const EXCLUSIVE = '@exclusive:'
const SHARED = '@shared:'

export type Mode = 'exclusive' | 'shared'

/**
 * `@exclusive:endpoint`: the scenario needs the whole endpoint alone (it stops its control plane):
 * no other scenario of the run runs beside it, whatever it holds.
 */
export const WHOLE_ENDPOINT = 'endpoint'

export interface Holds {
  exclusive: Set<string>
  shared: Set<string>
}

/** What tags hold: the names needed alone, and the names shared (an empty name is no hold). */
export function holdsIn(tags: readonly string[]): Holds {
  const named = (prefix: string) =>
    new Set(
      tags
        .filter((t) => t.startsWith(prefix))
        .map((t) => t.slice(prefix.length))
        .filter(Boolean),
    )
  return { exclusive: named(EXCLUSIVE), shared: named(SHARED) }
}

/** The hold tags among TAGS, sorted: two scenarios with the same key hold the same. */
export function holdTags(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith(EXCLUSIVE) || t.startsWith(SHARED)).sort()
}

/** The names a scenario holds, in the order they are taken (sorted; exclusive wins over shared). */
export function holdsOf(tags: readonly string[]): { name: string; mode: Mode }[] {
  const { exclusive, shared } = holdsIn(tags)
  const names = [...new Set([...exclusive, ...shared])].sort()
  return names.map((name) => ({ name, mode: exclusive.has(name) ? 'exclusive' : 'shared' }))
}

/** The host port a name holds (host-port-8080 → 8080), if it is one. */
export function hostPortOf(name: string): number | undefined {
  const m = /^host-port-(\d{1,5})$/.exec(name)
  const port = m ? Number(m[1]) : NaN
  return port > 0 && port < 65536 ? port : undefined
}
