/**
 * Runs documented docker commands with the docker CLI, against the same endpoint as
 * dockerode, and keeps what happened for the transcript.
 */
import { execa } from 'execa'
import { cliEnvironment, type EndpointRef } from './connection'
import { rewrite, type RewriteContext } from '../document/doc-commands'
import { unresolvedPlaceholder } from '../document/placeholders'
import type { Transcript } from '../records'

export interface CommandResult {
  documented: string
  argv: string[]
  notes: string[]
  /** The documented name of the container a run or create made. */
  container?: string
  stdout: string
  stderr: string
  exitCode: number | undefined
  durationMs: number
  timedOut: boolean
  /** How long the CLI call was given (CLI_DEADLINE_MS unless the step gave another). */
  deadlineMs: number
}

const CLI_DEADLINE_MS = 60_000

export async function runDocumented(
  documented: string,
  ctx: RewriteContext & { endpoint: EndpointRef },
  deadlineMs = CLI_DEADLINE_MS,
): Promise<CommandResult> {
  const { argv, notes, container } = rewrite(documented, ctx)
  const placeholder = unresolvedPlaceholder(argv)
  if (placeholder)
    throw new Error(
      `\`${documented}\` still holds the placeholder ${placeholder}: ` +
        'the target profile gives it no value, so it was not run',
    )
  const started = Date.now()
  const r = await execa('docker', argv, {
    env: cliEnvironment(ctx.endpoint),
    reject: false,
    timeout: deadlineMs,
    stdin: 'ignore',
  })
  return {
    documented,
    argv,
    notes,
    container,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    exitCode: r.exitCode,
    durationMs: Date.now() - started,
    timedOut: Boolean(r.timedOut),
    deadlineMs,
  }
}

export function succeeded(r: CommandResult): boolean {
  return r.exitCode === 0 && !r.timedOut
}

/** The transcript of one documented command: as documented, as run, and what came back (text, and its record). */
export function describeCommand(r: CommandResult): Transcript {
  const record = {
    kind: 'command' as const,
    documented: r.documented,
    argv: r.argv,
    exitCode: r.exitCode ?? null,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    stdout: r.stdout,
    stderr: r.stderr,
  }
  return { record, text: commandText(r) }
}

function commandText(r: CommandResult): string {
  return [
    `$ ${r.documented}    # as documented`,
    `$ docker ${r.argv.join(' ')}    # as run`,
    ...r.notes.map((n) => `# ${n}`),
    r.stdout.trimEnd(),
    r.stderr.trimEnd(),
    r.timedOut ? `timed out after ${r.deadlineMs / 1000} s` : `exit ${r.exitCode} (${r.durationMs} ms)`,
  ]
    .filter((l) => l !== '')
    .join('\n')
}

/** One line saying how a command failed. */
export function commandFailureLine(r: CommandResult): string {
  const why = r.timedOut
    ? `timed out after ${r.deadlineMs / 1000} s`
    : `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`
  return `\`${r.documented}\` failed (${why})`
}

/**
 * What a refusal must be about, by the words a step uses: the endpoint's error must name it.
 * `address` is the address asked for: the command's --ip, or the one a step names (a `docker start`
 * that refuses the address an earlier connect asked for has no --ip of its own).
 */
function refusalAbout(
  about: string,
  address: string | undefined,
): { describe: string; matches(said: string): boolean } {
  const names = (said: string) => address !== undefined && said.includes(address)
  switch (about) {
    case 'the running state':
      return { describe: "the container's running state", matches: (said) => /\brunning\b|\bstate\b/i.test(said) }
    case 'the address':
      return {
        describe: `the address ${address ?? '(none given)'} or that it is taken`,
        matches: (said) => names(said) || /\b(in use|already|allocated|taken|conflict)/i.test(said),
      }
    case 'the address or the range':
      return {
        describe: `the address ${address ?? '(none given)'} or the range`,
        matches: (said) => names(said) || /\b(range|pool|subnet)\b/i.test(said),
      }
    default:
      throw new Error(`unknown refusal "${about}" (known: the running state, the address, the address or the range)`)
  }
}

/** The value of a command's --ip, as run. */
function requestedAddress(r: CommandResult): string | undefined {
  const i = r.argv.findIndex((w) => w === '--ip' || w.startsWith('--ip='))
  if (i < 0) return undefined
  return r.argv[i].startsWith('--ip=') ? r.argv[i].slice('--ip='.length) : r.argv[i + 1]
}

/**
 * Throws, with what happened instead, unless the endpoint refused the command: it answered
 * with an error (a CLI timeout is no refusal), and that error says `expected` (quoted text) or
 * names what the refusal must be about.
 */
export function expectRefused(r: CommandResult, expected?: { line?: string; about?: string; address?: string }): void {
  if (succeeded(r))
    throw new Error(
      `\`${r.documented}\` was accepted ` +
        `(exit 0${r.stdout.trim() ? `, printed ${r.stdout.trim().split('\n')[0]}` : ''}); ` +
        'the document says it is refused',
    )
  if (r.timedOut)
    throw new Error(`\`${r.documented}\` got no answer within ${r.deadlineMs / 1000} s: a timeout is not a refusal`)
  const said = `${r.stderr}${r.stdout}`.trim()
  if (said === '')
    throw new Error(
      `\`${r.documented}\` failed (exit ${r.exitCode}) without saying why: a refusal names what it refuses`,
    )
  // the whole line, from its first character: to its end, or to the detail VIC's portlayer adds after ': '
  // (lib/portlayer/exec/base.go: "unable to wait for process launch status: <detail>")
  const line = expected?.line
  if (line !== undefined && !said.split('\n').some((l) => l.trimEnd() === line || l.startsWith(`${line}: `)))
    throw new Error(
      `\`${r.documented}\` failed, but no line of its error is "${line}" (whole, or with a detail after ": "): ` +
        said.split('\n')[0],
    )
  if (expected?.about) {
    const about = refusalAbout(expected.about, expected.address ?? requestedAddress(r))
    if (!about.matches(said))
      throw new Error(
        `\`${r.documented}\` failed, but its error does not name ${about.describe}: ${said.split('\n')[0]}`,
      )
  }
}
