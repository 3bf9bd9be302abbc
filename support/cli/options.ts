/**
 * How a netconform command's arguments are declared, parsed and described. A command is one
 * entry of a table (support/cli/commands.ts): its positional arguments and its options, each
 * with its value's name, how the value is read, its default and a one-line description. The
 * parser (node:util parseArgs, strict) and the help text are both made from that entry, so
 * neither can list an option the other does not know.
 *
 * Every mistake in the arguments is a UsageError of one line that names the command and the
 * option or argument: the CLI prints it as `netconform: …` and exits 2.
 */
import { parseArgs } from 'node:util'
import { UsageError, firstLine } from '../errors'

/** How an option's text becomes its value: `read` answers undefined when the text is not one. */
export interface Reader<T> {
  /** What the option takes, for the error: "--jobs takes <takes>, not "x"". */
  readonly takes: string
  read(text: string): T | undefined
}

/** A number the way the commands always read one (Number(), so 1e3 and 0x10 pass), not blank. */
function numberIn(text: string): number | undefined {
  const n = Number(text)
  return text.trim() === '' || !Number.isFinite(n) ? undefined : n
}

/** A whole number, from `min` when given. */
export function wholeNumber(min?: number, takes?: string): Reader<number> {
  return {
    takes: takes ?? (min === undefined || min === 0 ? 'a whole number' : `a whole number from ${min}`),
    read: (text) => {
      const n = numberIn(text)
      return n !== undefined && Number.isInteger(n) && (min === undefined || n >= min) ? n : undefined
    },
  }
}

/** A number strictly between 0 and 1. */
export const fraction: Reader<number> = {
  takes: 'a fraction between 0 and 1 (0.05: 5 %)',
  read: (text) => {
    const n = numberIn(text)
    return n !== undefined && n > 0 && n < 1 ? n : undefined
  },
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** "90s", "30m", "2h", "1d" → milliseconds. */
export const duration: Reader<number> = {
  takes: 'a duration like 90s, 30m, 2h or 1d',
  read: (text) => {
    const m = /^(\d+)(s|m|h|d)$/.exec(text.trim())
    return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined
  },
}

/** Names separated by commas (blanks dropped); at least one. */
export function commaList(what: string): Reader<string[]> {
  return {
    takes: `${what} separated by commas`,
    read: (text) => {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
      return items.length > 0 ? items : undefined
    },
  }
}

/** One of a few words. */
export function oneOf<const C extends readonly string[]>(...choices: C): Reader<C[number]> & { choices: C } {
  return {
    choices,
    takes: alternatives(choices),
    read: (text) => (choices.includes(text) ? text : undefined),
  }
}

/** "a, b or c". */
function alternatives(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`
}

/** An option that is given or not. */
interface Flag {
  readonly flag: true
  readonly description: string
}

/** An option with a value: text unless `read` says how to read it; `multiple`: repeatable, every value kept. */
interface Valued {
  /** The value's name in the help, e.g. N, DIR, NAME|FILE. */
  readonly value: string
  /** A one-letter alias, e.g. o for --out: -o FILE. */
  readonly short?: string
  readonly description: string
  readonly read?: Reader<unknown>
  readonly multiple?: boolean
  /** The value when the option is absent, as it would be written (read like a given one). */
  readonly default?: string
  /** What the help says the default is, when it is not a fixed value (then the option is undefined when absent). */
  readonly defaultText?: string
}

export type OptionSpec = Flag | Valued

interface ArgumentSpec {
  /** Its name in the usage line, e.g. DIR, BASE. */
  readonly name: string
  readonly description: string
  /** One or more (the last argument only). */
  readonly repeat?: boolean
  /** May be left out (the last arguments only). */
  readonly optional?: boolean
  /** The words it may be. */
  readonly choices?: readonly string[]
}

export interface CommandSpec {
  /** What the command does, in one line (the list of commands shows it). */
  readonly summary: string
  readonly args?: readonly ArgumentSpec[]
  readonly options: Readonly<Record<string, OptionSpec>>
  /** Command lines to copy, without the leading `netconform`. */
  readonly examples: readonly string[]
  /** What its exit codes mean, when more than 0 done and 2 a usage error. */
  readonly exit?: string
}

/** An option's value after parsing. */
type ValueOf<O> = O extends Flag
  ? boolean
  : O extends { readonly read: Reader<infer T> }
    ? O extends { readonly multiple: true }
      ? T[]
      : T
    : O extends { readonly multiple: true }
      ? string[]
      : string

/** Every option's value: present when it has a default, else possibly undefined. */
type Values<Os> = {
  -readonly [K in keyof Os]: Os[K] extends { readonly default: string } ? ValueOf<Os[K]> : ValueOf<Os[K]> | undefined
}

export interface Parsed<C extends CommandSpec> {
  values: Values<C['options']>
  positionals: string[]
}

const isFlag = (o: OptionSpec): o is Flag => 'flag' in o

/** What ends each usage error: where the whole usage is. */
const helpHint = (command: string) => ` (netconform help${command === 'help' ? '' : ` ${command}`})`

/** A usage error of COMMAND: one line, naming the command, pointing at its help. */
export function usageError(command: string, message: string): UsageError {
  return new UsageError(`${command}: ${message}${helpHint(command)}`)
}

/** Whether the arguments ask for help (-h or --help before any `--`). */
export function asksHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')
}

/** How many edits turn a into b (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]
}

/** The known name closest to `name`, if one is close (a letter or two, or one is the start of the other). */
export function closest(name: string, known: readonly string[]): string | undefined {
  const near = known
    .map((k) => ({ k, d: k.startsWith(name) || name.startsWith(k) ? 1 : editDistance(name, k) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d)
  return near[0]?.k
}

/** A parseArgs error as one line that names the option. */
function parseProblem(e: unknown, spec: CommandSpec): string {
  const message = e instanceof Error ? e.message : String(e)
  const code = (e as { code?: string }).code
  // parseArgs names an option with a one-letter alias as '-o, --out <value>': the long name is the option's
  const option = /'(?:-\w, )?(-[^' ]+)/.exec(message)?.[1] ?? ''
  const name = option.replace(/^-+/, '')
  const o = spec.options[name] as OptionSpec | undefined
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = closest(name, Object.keys(spec.options))
    return `unknown option ${option}${near ? ` (did you mean --${near}?)` : ''}`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && o) {
    if (isFlag(o)) return `${option} takes no value`
    if (/ambiguous/.test(message))
      return `${option} needs a value (${o.value}); one that starts with "-" is written ${option}=-…`
    return `${option} needs a value (${o.value})`
  }
  return firstLine(e)
}

/** The option's value(s) read from their text; a value it does not take is a usage error. */
function readValue(command: string, name: string, o: Valued, text: string): unknown {
  if (!o.read) return text
  const value = o.read.read(text)
  if (value === undefined) throw usageError(command, `--${name} takes ${o.read.takes}, not "${text}"`)
  return value
}

/** The positional arguments checked against the spec: their number, and the words of those with choices. */
function checkPositionals(command: string, spec: CommandSpec, positionals: readonly string[]): void {
  const args = spec.args ?? []
  const required = args.filter((a) => !a.optional)
  if (positionals.length < required.length) {
    const missing = required.slice(positionals.length).map((a) => (a.repeat ? `${a.name}…` : a.name))
    throw usageError(command, `missing ${missing.join(' ')}; usage: ${usageLine(command, spec)}`)
  }
  if (!args.at(-1)?.repeat && positionals.length > args.length) {
    const extra = positionals.slice(args.length).map((p) => `"${p}"`)
    const takes = args.length === 0 ? 'no arguments' : `only ${args.map((a) => a.name).join(' ')}`
    throw usageError(command, `takes ${takes}, not ${extra.join(' ')}; usage: ${usageLine(command, spec)}`)
  }
  positionals.forEach((p, i) => {
    const a = args[Math.min(i, args.length - 1)]
    if (a.choices && !a.choices.includes(p))
      throw usageError(command, `${a.name} is ${alternatives(a.choices)}, not "${p}"`)
  })
}

/** COMMAND's arguments, parsed as its spec says (parseArgs, strict), values read and defaults applied. */
export function parseWith<C extends CommandSpec>(command: string, spec: C, argv: readonly string[]): Parsed<C> {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      isFlag(o)
        ? { type: 'boolean' as const }
        : { type: 'string' as const, multiple: o.multiple === true, ...(o.short ? { short: o.short } : {}) },
    ]),
  )
  const parsed = (() => {
    try {
      return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
    } catch (e) {
      throw usageError(command, parseProblem(e, spec))
    }
  })()
  const values: Record<string, unknown> = {}
  for (const [name, o] of Object.entries(spec.options)) {
    const given = parsed.values[name]
    if (isFlag(o)) values[name] = given
    else if (given === undefined)
      values[name] = o.default === undefined ? undefined : readValue(command, name, o, o.default)
    else if (Array.isArray(given)) values[name] = given.map((text) => readValue(command, name, o, String(text)))
    else values[name] = readValue(command, name, o, String(given))
  }
  checkPositionals(command, spec, parsed.positionals)
  return { values: values as Values<C['options']>, positionals: parsed.positionals }
}

// ---------------------------------------------------------------------------------------------
// Help

/** `netconform CMD ARG… [OPTION…]`. */
function usageLine(command: string, spec: CommandSpec): string {
  const args = (spec.args ?? []).map((a) => {
    const word = a.choices ? a.choices.join('|') : a.name
    const one = a.repeat ? `${word}…` : word
    return a.optional ? `[${one}]` : one
  })
  const options = Object.keys(spec.options).length > 0 ? ['[OPTION…]'] : []
  return ['netconform', command, ...args, ...options].join(' ')
}

/** What the help shows in an option's first column. */
const optionWords = (name: string, o: OptionSpec) =>
  isFlag(o) ? `--${name}` : `${o.short ? `-${o.short}, ` : ''}--${name} ${o.value}`

/** TEXT in lines of at most WIDTH columns, the first after LEAD, the next indented to its width. */
export function wrapped(lead: string, text: string, width = 120): string[] {
  const lines: string[] = []
  let line = lead
  for (const word of text.split(' ')) {
    if (line.length > lead.length && line.length + 1 + word.length > width) {
      lines.push(line.trimEnd())
      line = `${' '.repeat(lead.length)}${word}`
    } else line = line.length === lead.length ? `${line}${word}` : `${line} ${word}`
  }
  lines.push(line.trimEnd())
  return lines
}

/** Two columns: each left word padded to the widest, its text wrapped beside it. */
export function columns(rows: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.flatMap(([left, text]) => wrapped(`${indent}${left.padEnd(width)}  `, text))
}

/** An option's line of help: its description, then its default. */
function optionText(o: OptionSpec): string {
  if (isFlag(o)) return o.description
  const fallback = o.defaultText ?? o.default
  const text = o.multiple ? `${o.description} (repeatable)` : o.description
  return fallback === undefined ? text : `${text} (default: ${fallback})`
}

/** The help of one command: what it does, its usage, arguments, options, notes, examples and exit codes. */
export function helpText(
  command: string,
  spec: CommandSpec,
  notes: readonly (readonly [lead: string, text: string])[] = [],
): string {
  const lines = [...wrapped(`netconform ${command}: `, spec.summary), '', `usage: ${usageLine(command, spec)}`]
  if (spec.args?.length) {
    lines.push('', 'arguments:')
    lines.push(...columns(spec.args.map((a) => [a.name, a.description] as const)))
  }
  lines.push('', 'options:')
  lines.push(
    ...columns([
      ...Object.entries(spec.options).map(([name, o]) => [optionWords(name, o), optionText(o)] as const),
      ['-h, --help', 'this help'] as const,
    ]),
  )
  for (const [lead, text] of notes) lines.push('', ...wrapped(lead, text))
  lines.push('', spec.examples.length > 1 ? 'examples:' : 'example:', ...spec.examples.map((e) => `  netconform ${e}`))
  if (spec.exit) lines.push('', ...wrapped('exit: ', spec.exit))
  return lines.join('\n')
}
