/**
 * What is wrong with a catalogue of the document's statements (statements.ts), against the
 * document's sections, the features' scenarios (what each runs) and the map of the words each
 * scenario verifies (anchors.ts); none when right. Used by test/unit/statements.test.ts, on the
 * real catalogue and on broken copies of it; the rules are that test's first comment.
 */
import { type SectionStatements, type Statement, checkedBy } from './statements'
import type { Block, DocumentSection } from './text'
import type { Anchor } from './anchors'
import { featureScenarios, scenarioId } from '../scenario-id'
import { oneLine } from '../text'

/** What may remain of a line once every statement quoted in it is taken out: spaces and punctuation. */
const LEFTOVER_OK = /^[\s.,;:]*$/
/** Of a line of a command block (whose punctuation is output too): spaces. A line of `...` elides. */
const OUTPUT_LEFTOVER_OK = /^\s*$/

/** A scenario as the check reads it: its id, its Feature's name, and what it runs. */
export interface CheckingScenario {
  id: string
  section: string
  /** Its name as cucumber runs it (a Scenario Outline's row filled in): what it says it checks. */
  name: string
  /** Its Feature's description: the document's words the feature's scenarios check, as it quotes them. */
  description: string
  /** Each step's text as cucumber runs it (a Scenario Outline's row filled in, the Background's first). */
  steps: readonly string[]
  /** The steps' docstrings: what the document shows, beside which a step puts what the endpoint shows. */
  docStrings: readonly string[]
}

/** The scenarios of features/ that have an id, with what they run. */
export function checkingScenarios(): CheckingScenario[] {
  return featureScenarios().flatMap(({ pickle, feature, description }) => {
    const id = scenarioId(pickle.tags)
    if (!id) return []
    const steps = pickle.steps.map((s) => s.text)
    const docStrings = pickle.steps.flatMap((s) => (s.argument?.docString ? [s.argument.docString.content] : []))
    return [{ id, section: feature, name: pickle.name, description, steps, docStrings }]
  })
}

/** The fewest characters a quote has for a scenario to show it: an id's "50" or a bare "Result:" is in too much. */
const SHOWN_MIN = 8

/**
 * Whether a scenario shows a quote as the document has it: in a step's text (a command, an error
 * in double quotes, a PORTS entry), or as a whole line of a docstring (a row, a header, a printed id).
 */
function shows(quote: string, scenario: CheckingScenario): boolean {
  const q = oneLine(quote)
  if (q.length < SHOWN_MIN) return false
  return (
    scenario.steps.some((s) => oneLine(s).includes(q)) ||
    scenario.docStrings.some((d) => d.split('\n').some((l) => oneLine(l) === q))
  )
}

/** The prompts a command line of the document starts with: the docker client's host, or a shell in a container. */
const PROMPT = /^(\$ |\/ # )/

/**
 * A command block's lines, each command whole: a line ending in `\` joined to the next, a prompt
 * taken off. `command` says whether the line was prompted or starts with `docker `; the rest is output.
 */
function blockEntries(lines: readonly string[]): { text: string; raw: string[]; command: boolean }[] {
  const entries: { text: string; raw: string[]; command: boolean }[] = []
  for (let i = 0; i < lines.length; i++) {
    const raw = [lines[i]]
    while (/\\\s*$/.test(raw[raw.length - 1]) && i + 1 < lines.length) raw.push(lines[++i])
    const joined = oneLine(raw.map((l) => l.replace(/\\\s*$/, '')).join(' '))
    const command = PROMPT.test(raw[0]) || /^docker /.test(joined)
    entries.push({ text: command ? joined.replace(PROMPT, '') : oneLine(raw[0]), raw, command })
  }
  return entries
}

/** The commands a step runs or shows, in backticks. */
function stepCommands(step: string): string[] {
  return [...step.matchAll(/`([^`]+)`/g)].map((m) => oneLine(m[1]))
}

/** Words too common to say what a sentence is about. */
const STOP = new Set(
  (
    'the and that with can you your are for from this these those its which when will not does each other into ' +
    'than then they them their there have has was were but also may must how what who where one all only way use ' +
    'using while unless where shows show'
  ).split(' '),
)

/**
 * A sentence's key words: its words (camelCase split, lower-cased) of three letters or more that
 * are not STOP words, and its numbers; each cut to its first six letters, so that
 * communicate/communication or network/networks are one.
 */
function keyWords(text: string): Set<string> {
  const words = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
  return new Set(
    words.filter((w) => /^\d{2,}$/.test(w) || (/^[a-z]{3,}$/.test(w) && !STOP.has(w))).map((w) => w.slice(0, 6)),
  )
}

/**
 * How a scenario holds a statement: whole, in its name, a step or a docstring; and how many of the
 * statement's key words its name and steps have.
 */
function holding(quote: string, scenario: CheckingScenario): { whole: boolean; found: number; of: number } {
  const all = [scenario.name, ...scenario.steps, ...scenario.docStrings]
  const whole = all.some((s) => oneLine(s).includes(oneLine(quote)))
  const want = keyWords(quote)
  const have = keyWords([scenario.name, ...scenario.steps].join(' '))
  const found = [...want].filter((w) => have.has(w)).length
  return { whole, found, of: want.size }
}

/** What a statement shows the endpoint printing: a scenario checks it only by holding it whole. */
const PRINTED: ReadonlySet<string> = new Set(['output format', 'error text'])

/** Whether a scenario's Feature description quotes a statement (a full stop for the document's leading colon). */
function describes(quote: string, scenario: CheckingScenario): boolean {
  const q = oneLine(quote).replace(/[.:]$/, '')
  return q.length >= SHOWN_MIN && oneLine(scenario.description).includes(q)
}

/**
 * Whether a scenario checks a statement: it holds it whole; or, for a sentence of prose (not an
 * output or an error text), the words the scenario verifies (its anchor) are in the statement or
 * in the same paragraph or list, its Feature's description quotes the statement, or its name and
 * steps hold at least half of the statement's key words.
 */
function checks(
  s: Statement,
  scenario: CheckingScenario,
  anchor: string | undefined,
  blocks: readonly Block[],
): boolean {
  const h = holding(s.quote, scenario)
  if (h.whole) return true
  if ('states' in s && PRINTED.has(s.states)) return false
  const near =
    anchor !== undefined &&
    blocks.some((b) => b.lines.join('\n').includes(s.quote) && b.lines.join('\n').includes(anchor))
  return near || describes(s.quote, scenario) || (h.of > 0 && h.found * 2 >= h.of)
}

function kindOf(s: Statement | undefined): string {
  if (!s) return 'in no statement of the catalogue'
  if ('context' in s) return 'catalogued as context'
  if ('notObservable' in s) return 'catalogued as not observable'
  return 'in a statement that does not name it'
}

export function catalogueProblems(
  catalogue: readonly SectionStatements[],
  sections: readonly DocumentSection[],
  scenarios: readonly CheckingScenario[],
  anchors: readonly Anchor[],
): string[] {
  const problems: string[] = []
  const featureIds = new Set(scenarios.map((s) => s.id))
  for (const section of sections) {
    const entry = catalogue.find((c) => c.section === section.heading)
    const quotes = entry?.statements.map((s) => s.quote) ?? []
    const ran = new Set(
      scenarios.filter((s) => s.section === section.heading).flatMap((s) => s.steps.flatMap(stepCommands)),
    )
    const uncovered = (line: string, ok = LEFTOVER_OK) => {
      // longest first, so a short quote never cuts a longer one it is part of
      let left = line
      for (const q of [...quotes].sort((a, b) => b.length - a.length)) left = left.split(q).join(' ')
      return ok.test(left) ? undefined : left
    }
    for (const block of section.blocks) {
      if (block.kind === 'commands') {
        // a command (or what is typed to one, `GET /`) is run, as written, by a step of the section,
        // or a statement says why not; every line of output the document shows is a statement
        for (const e of blockEntries(block.lines)) {
          if (e.text !== '' && ran.has(e.text)) continue
          if (e.text === '...') continue
          const left = e.raw.map((l) => uncovered(l, OUTPUT_LEFTOVER_OK)).filter((l) => l !== undefined)
          if (left.length === 0) continue
          const shown = left.map((l) => l.trim()).join(' ')
          problems.push(
            e.command
              ? `"${section.heading}": a command no step runs as written, not in the catalogue: "${e.text}"`
              : `"${section.heading}": an output line not in the catalogue: "${shown.replace(/\s{2,}/g, ' … ')}"`,
          )
        }
        continue
      }
      for (const line of block.lines) {
        const left = uncovered(line)
        if (left !== undefined)
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
      // a quote that is a whole line of the document counts once per such line; any other, once per occurrence
      const whole = lines.filter((l) => l === s.quote).length
      const times = whole > 0 ? whole : lines.reduce((n, l) => n + l.split(s.quote).length - 1, 0)
      if (s.quote.trim() === '' || times !== 1)
        problems.push(`"${s.quote}" occurs ${times} times in "${entry.section}" (needs exactly once, within a line)`)
      if ('checkedBy' in s && s.checkedBy.length === 0)
        problems.push(`"${s.quote}": states a ${s.states} but names no scenario id and no reason it is not observable`)
      if ('notObservable' in s && s.notObservable.trim() === '')
        problems.push(`"${s.quote}": not observable, with no reason`)
      // a statement a scenario of its section shows as the document has it, or its Feature's description
      // quotes, is one that scenario checks
      if (!('checkedBy' in s)) {
        const own = scenarios.filter((x) => x.section === entry.section)
        const shownBy = own.find((x) => shows(s.quote, x))
        const quotedBy = own.find((x) => describes(s.quote, x))
        const label = `"${s.quote}": catalogued as ${'context' in s ? 'context' : 'not observable'}, but`
        if (shownBy) problems.push(`${label} ${shownBy.id} shows it, as the document has it`)
        else if (quotedBy) problems.push(`${label} the Feature of ${quotedBy.id} quotes it as what its scenarios check`)
      }
      for (const id of checkedBy(s)) {
        const scenario = scenarios.find((x) => x.id === id)
        if (!scenario) problems.push(`${id}: in the catalogue, in no feature`)
        else if (scenario.section !== entry.section)
          problems.push(`"${s.quote}" names ${id}, a scenario of "${scenario.section}", not of its section`)
        else if (!checks(s, scenario, anchors.find((a) => a.id === id)?.quote, section.blocks)) {
          const h = holding(s.quote, scenario)
          problems.push(
            'states' in s && PRINTED.has(s.states)
              ? `"${s.quote}" names ${id}, which does not check it: its name, steps and docstrings do not hold it`
              : `"${s.quote}" names ${id}, which does not check it: the words it verifies are not near, its ` +
                  `feature does not quote it, and its name and steps hold ${h.found} of its ${h.of} key words`,
          )
        }
      }
    }
  }
  // the words each scenario verifies (anchors.ts) are a statement of its section that names it
  for (const a of anchors) {
    if (!featureIds.has(a.id)) continue
    const statement = catalogue
      .find((c) => c.section === a.section)
      ?.statements.filter((s) => s.quote.includes(a.quote) || a.quote.includes(s.quote))
      .sort((x, y) => y.quote.length - x.quote.length)[0]
    if (!statement || !checkedBy(statement).includes(a.id))
      problems.push(`${a.id}: the words it verifies, "${a.quote}", are ${kindOf(statement)}`)
  }
  const named = new Set(catalogue.flatMap((c) => c.statements.flatMap(checkedBy)))
  for (const id of featureIds)
    if (!named.has(id)) problems.push(`${id}: a scenario of features/ that checks no statement`)
  return problems
}
