/**
 * The matrix's endpoints grouped by engine family and version: "Docker Engine 20.10", "Podman Engine 6.1"
 * (the engine's product name and the major.minor of its version, as the run read them from GET /version).
 * Families in alphabetical order, versions within a family in numeric order, and within a group the
 * order the runs were given in; a run with no engine read is a group of its own, last.
 */

/** What a column needs for grouping: the engine its run read. */
export interface EngineOf {
  engine?: { name?: string; version?: string }
}

/** The group a run's endpoint belongs to, e.g. "Podman Engine 6.1"; '' when its engine is unknown. */
export function engineGroup(of: EngineOf): string {
  const name = (of.engine?.name ?? '').trim()
  const version = /^v?(\d+)\.(\d+)/.exec((of.engine?.version ?? '').trim())
  if (!name) return ''
  return version ? `${name} ${Number(version[1])}.${Number(version[2])}` : name
}

/** The indices of `items`, ordered by engine family, then version, then as given. */
export function groupOrder(items: readonly EngineOf[]): number[] {
  const keys = items.map((item) => {
    const group = engineGroup(item)
    const m = /^(.*?) (\d+)\.(\d+)$/.exec(group)
    return {
      unknown: group === '',
      family: m ? m[1] : group,
      major: m ? Number(m[2]) : -1,
      minor: m ? Number(m[3]) : -1,
    }
  })
  return items
    .map((_, i) => i)
    .sort((a, b) => {
      const x = keys[a]
      const y = keys[b]
      return (
        Number(x.unknown) - Number(y.unknown) ||
        x.family.localeCompare(y.family) ||
        x.major - y.major ||
        x.minor - y.minor ||
        a - b
      )
    })
}

/** Consecutive runs of the same group, as [group, how many columns]. */
export function groupSpans(groups: readonly string[]): [string, number][] {
  const spans: [string, number][] = []
  for (const g of groups) {
    const last = spans[spans.length - 1]
    if (last && last[0] === g) last[1] += 1
    else spans.push([g, 1])
  }
  return spans
}
