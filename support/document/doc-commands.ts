/**
 * Documented docker commands, made runnable: the document's names become the suite's unique
 * names, its images become the probe image with a stand-in command, and every created
 * resource gets the suite's labels. Everything else in the command is kept as written.
 */

/** What each image of the document stands for; `port` is where its service listens. */
export const DOC_IMAGES: Record<string, { role: string; port?: number }> = {
  my_container: { role: 'my_app, a web service on port 80', port: 80 },
  my_server_image: { role: 'server_app, which binds to port 5000', port: 5000 },
  busybox: { role: 'an interactive busybox shell' },
  'tomcat:alpine': { role: 'Tomcat, on port 8080 as its Dockerfile defines', port: 8080 },
  'myrepo/mydatabase': { role: 'the data tier, on port 80', port: 80 },
  'myrepo/web-model': { role: 'the web model, on port 80', port: 80 },
  'myrepo/web-view': { role: 'the web front end, on port 80', port: 80 },
}

/** What a documented image stands for; an image the document does not use is an error that names the known ones. */
function docImageOf(docImage: string): { role: string; port?: number } {
  const image = DOC_IMAGES[docImage]
  if (!image)
    throw new Error(`the document's image "${docImage}" has no stand-in (known: ${Object.keys(DOC_IMAGES).join(', ')})`)
  return image
}

/** What every stand-in service answers first, as the document's server_app does. */
export const GREETING = 'Hello world!'

/** The answer of the service that `identity` (a container's real name) runs: the greeting, then who it is. */
export function greetingOf(identity: string): string {
  return `${GREETING} from ${identity}`
}

/** Who answered, from an answer a stand-in service (or the suite's outside listener) gave; undefined when none said. */
export function answererOf(text: string): string | undefined {
  return /Hello world! from (\S+)/.exec(text)?.[1]
}

/**
 * The command the probe image runs in place of a documented image. A server answers each
 * connection's first line with the greeting and its own identity, so a probe knows WHO
 * answered (a name that resolves to the wrong container is caught); a shell just stays up.
 */
export function standInCommand(docImage: string, identity: string): string[] {
  const image = docImageOf(docImage)
  if (!/^[A-Za-z0-9_.-]+$/.test(identity)) throw new Error(`a service identity must be a plain name, not "${identity}"`)
  return image.port
    ? [
        'nc',
        '-ll',
        '-p',
        String(image.port),
        '-e',
        'sh',
        '-c',
        `read -r request; printf '%s' '${greetingOf(identity)}'`,
      ]
    : ['sleep', '86400']
}

/** The networks the document names that belong to the endpoint, never to a scenario. */
export const DOCUMENT_NETWORKS: ReadonlySet<string> = new Set(['bridge', 'host', 'none', 'default'])

/**
 * The scenario's names: the document's name on one side, the real, unique name on the other.
 * `fixed` maps document names that the target provides (its container network) to real names.
 */
export class NameBook {
  private readonly real = new Map<string, string>()
  constructor(
    private readonly prefix: string,
    fixed: Record<string, string> = {},
  ) {
    for (const [doc, real] of Object.entries(fixed)) this.real.set(doc, real)
  }

  /** A name the scenario creates: gets its unique real name. */
  define(doc: string): string {
    const existing = this.real.get(doc)
    if (existing) return existing
    const real = `${this.prefix}-${doc}`
    this.real.set(doc, real)
    return real
  }

  /** Records a real id for a documented one (an id the engine printed, as in `docker start 50`). */
  alias(doc: string, real: string): void {
    this.real.set(doc, real)
  }

  /** A name the scenario refers to: its real name when known, else as written. */
  resolve(doc: string): string {
    if (DOCUMENT_NETWORKS.has(doc)) return doc
    return this.real.get(doc) ?? doc
  }

  has(doc: string): boolean {
    return this.real.has(doc)
  }

  /** Replaces every word that is a known documented name, for commands run inside containers. */
  substitute(command: string): string {
    return command.replace(/[A-Za-z0-9][A-Za-z0-9_.-]*/g, (word) => (this.real.has(word) ? this.resolve(word) : word))
  }

  entries(): [string, string][] {
    return [...this.real.entries()]
  }
}

/** The fewest characters an id prefix the suite calls a container by has: fewer would soon be ambiguous. */
const ID_PREFIX_MIN = 4

/**
 * The prefix of container id `id` that the suite calls it by, as the document calls
 * 50ca681655326775… "50": the shortest of at least ID_PREFIX_MIN characters that none of the
 * `others` ids (every other container of the endpoint) starts with.
 */
export function idPrefix(id: string, others: readonly string[], min = ID_PREFIX_MIN): string {
  for (let n = min; n < id.length; n++) {
    const prefix = id.slice(0, n)
    if (!others.some((o) => o.startsWith(prefix))) return prefix
  }
  return id
}

/** Splits a command line as a POSIX shell would for plain words and quotes (no expansions). */
export function splitWords(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quote) {
      if (ch === quote) quote = null
      else if (ch === '\\' && quote === '"' && '$`"\\\n'.includes(line[i + 1] ?? '')) word += line[++i]
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in: ${line}`)
  if (inWord) words.push(word)
  return words
}

/** Options of `docker run`/`create` and `docker network create|connect` that take a value. */
export const VALUE_OPTIONS = new Set([
  '-p',
  '--publish',
  '--name',
  '--net',
  '--network',
  '-e',
  '--env',
  '--ip',
  '--ip6',
  '--dns',
  '--dns-search',
  '--dns-option',
  '-l',
  '--label',
  '--network-alias',
  '--alias',
  '-v',
  '--volume',
  '--cap-add',
  '--cap-drop',
  '--expose',
  '-w',
  '--workdir',
  '--entrypoint',
  '-h',
  '--hostname',
  '--mac-address',
  '-u',
  '--user',
  '--restart',
  '--add-host',
  '--link',
  '--link-local-ip',
  '-d',
  '--driver',
  '--subnet',
  '--ip-range',
  '--gateway',
  '-o',
  '--opt',
  '--ipam-driver',
  '--aux-address',
  '--ipam-opt',
  '--scope',
  '--config-from',
])

/** The same minus `-d`/`-o`, which for `docker run`/`create` are flags (detach), not the driver or an opt. */
export const RUN_VALUE_OPTIONS = new Set([...VALUE_OPTIONS].filter((o) => o !== '-d' && o !== '-o'))

export interface Parsed {
  options: [string, string | undefined][]
  operands: string[]
}

/** Splits words after a subcommand into options (with their values) and operands. */
export function parseOptions(words: string[], valueOptions: Set<string>): Parsed {
  const options: [string, string | undefined][] = []
  let i = 0
  for (; i < words.length && words[i].startsWith('-'); i++) {
    const w = words[i]
    const eq = w.indexOf('=')
    if (w.startsWith('--') && eq > 0) options.push([w.slice(0, eq), w.slice(eq + 1)])
    else if (valueOptions.has(w)) options.push([w, words[++i]])
    else options.push([w, undefined])
  }
  return { options, operands: words.slice(i) }
}

function formatOptions(options: [string, string | undefined][]): string[] {
  return options.flatMap(([o, v]) => (v === undefined ? [o] : o.startsWith('--') ? [`${o}=${v}`] : [o, v]))
}

function labelOptions(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])
}

export interface RewriteContext {
  names: NameBook
  labels: Record<string, string>
  probeImage: string
}

export interface Rewritten {
  /** The argv to run, without the leading `docker`. */
  argv: string[]
  /** The documented name of the container a run or create makes. */
  container?: string
  /** What was changed and why, for the transcript. */
  notes: string[]
}

/** Makes a documented `docker …` command runnable on the endpoint. */
export function rewrite(documented: string, ctx: RewriteContext): Rewritten {
  const words = splitWords(documented)
  if (words[0] !== 'docker') throw new Error(`not a docker command: ${documented}`)
  const [sub, ...rest] = words.slice(1)
  const notes: string[] = []
  const { names } = ctx
  if (sub === 'run' || sub === 'create') {
    const { options, operands } = parseOptions(rest, RUN_VALUE_OPTIONS)
    const kept: [string, string | undefined][] = []
    let container: string | undefined
    for (const [o, v] of options) {
      if (o === '--name') kept.push([o, names.define((container = v!))])
      else if (o === '--net' || o === '--network') kept.push([o, names.resolve(v!)])
      else if (['-it', '-ti', '-i', '-t', '--interactive', '--tty'].includes(o))
        notes.push(`${o} dropped: the suite drives the shell with exec, so the container runs detached`)
      else if (o === '-d' && sub === 'create')
        notes.push('-d dropped: docker create has no -d (the document writes it)')
      else kept.push([o, v === undefined ? v : names.resolve(v)])
    }
    if (sub === 'run' && !kept.some(([o]) => o === '-d' || o === '--detach')) kept.unshift(['-d', undefined])
    const [image, ...appArgs] = operands
    if (!image) throw new Error(`no image in: ${documented}`)
    const { role } = docImageOf(image)
    if (!container) {
      container = image.replace(/:.*$/, '').replace(/^.*\//, '')
      kept.push(['--name', names.define(container)])
      notes.push(
        `--name added: the document leaves the container unnamed; the suite names all it makes (here "${container}")`,
      )
    }
    const command = standInCommand(image, names.resolve(container))
    notes.push(`${[image, ...appArgs].join(' ')} → ${ctx.probeImage} ${command.join(' ')} (stands for ${role})`)
    return {
      argv: [sub, ...labelOptions(ctx.labels), ...formatOptions(kept), ctx.probeImage, ...command],
      notes,
      container,
    }
  }
  if (sub === 'network' && rest[0] === 'create') {
    const { options, operands } = parseOptions(rest.slice(1), VALUE_OPTIONS)
    if (operands.length !== 1) throw new Error(`docker network create takes one name: ${documented}`)
    return {
      argv: ['network', 'create', ...labelOptions(ctx.labels), ...formatOptions(options), names.define(operands[0])],
      notes,
    }
  }
  if (sub === 'network' && rest[0] === 'connect') {
    const { options, operands } = parseOptions(rest.slice(1), VALUE_OPTIONS)
    const resolved = options.map(([o, v]): [string, string | undefined] => [o, v === undefined ? v : names.resolve(v)])
    return { argv: ['network', 'connect', ...formatOptions(resolved), ...operands.map((n) => names.resolve(n))], notes }
  }
  if (sub === 'ps' || (sub === 'network' && rest[0] === 'ls')) {
    if (sub === 'ps') notes.push("--filter added: only this run's containers are listed, never anyone else's")
    const filter =
      sub === 'ps' ? ['--filter', `label=${Object.entries(ctx.labels).map(([k, v]) => `${k}=${v}`)[0]}`] : []
    return { argv: [sub, ...rest, ...filter], notes }
  }
  // start, stop, inspect, network inspect, exec…: only the names change.
  return { argv: [sub, ...rest.map((w) => (w.startsWith('-') ? w : names.resolve(w)))], notes }
}
