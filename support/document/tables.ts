/** Reads the docker CLI's tables (`docker network ls`, `docker ps`): columns are separated by two or more spaces. */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  if (lines.length === 0) return []
  const header = lines[0]
  const names = header.trim().split(/\s{2,}/)
  let from = 0
  const starts = names.map((n) => {
    const at = header.indexOf(n, from)
    from = at + n.length
    return at
  })
  const cell = (line: string, i: number) =>
    line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : line.length).trim()
  return lines.slice(1).map((line) => Object.fromEntries(names.map((n, i) => [n, cell(line, i)])))
}
