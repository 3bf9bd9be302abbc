/**
 * What is wrong with a catalogue of the document's statements (statements.ts), against the
 * document's sections and the features' scenario ids; none when right. Used by
 * test/unit/statements.test.ts, on the real catalogue and on broken copies of it.
 */
import { type SectionStatements, checkedBy } from './statements'
import type { DocumentSection } from './text'

/** What may remain of a line once every statement quoted in it is taken out: spaces and punctuation. */
const LEFTOVER_OK = /^[\s.,;:]*$/

export function catalogueProblems(
  catalogue: readonly SectionStatements[],
  sections: readonly DocumentSection[],
  featureIds: ReadonlySet<string>,
): string[] {
  const problems: string[] = []
  for (const section of sections) {
    const entry = catalogue.find((c) => c.section === section.heading)
    const quotes = entry?.statements.map((s) => s.quote) ?? []
    // every sentence of its prose and bullets is a catalogued quote (longest first, so a short one
    // never cuts a longer one it is part of)
    for (const block of section.blocks) {
      if (block.kind === 'commands') continue
      for (const line of block.lines) {
        let left = line
        for (const q of [...quotes].sort((a, b) => b.length - a.length)) left = left.split(q).join(' ')
        if (!LEFTOVER_OK.test(left))
          problems.push(`"${section.heading}": not in the catalogue: "${left.trim().replace(/\s{2,}/g, ' … ')}"`)
      }
    }
  }
  for (const entry of catalogue) {
    const section = sections.find((s) => s.heading === entry.section)
    if (!section) {
      problems.push(`no section "${entry.section}" in the document`)
      continue
    }
    const lines = section.blocks.flatMap((b) => b.lines)
    for (const s of entry.statements) {
      const times = lines.reduce((n, l) => n + l.split(s.quote).length - 1, 0)
      if (s.quote.trim() === '' || times !== 1)
        problems.push(`"${s.quote}" occurs ${times} times in "${entry.section}" (needs exactly once, within a line)`)
      if ('checkedBy' in s && s.checkedBy.length === 0)
        problems.push(`"${s.quote}": states a ${s.states} but names no scenario id and no reason it is not observable`)
      if ('notObservable' in s && s.notObservable.trim() === '')
        problems.push(`"${s.quote}": not observable, with no reason`)
      for (const id of checkedBy(s)) if (!featureIds.has(id)) problems.push(`${id}: in the catalogue, in no feature`)
    }
  }
  const named = new Set(catalogue.flatMap((c) => c.statements.flatMap(checkedBy)))
  for (const id of featureIds)
    if (!named.has(id)) problems.push(`${id}: a scenario of features/ that checks no statement`)
  return problems
}
