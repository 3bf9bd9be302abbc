/**
 * Runs documented docker commands with the docker CLI, against the same endpoint as
 * dockerode, and keeps what happened for the transcript.
 */
import { execa } from 'execa'
import { cliEnvironment, type EndpointRef } from './endpoint'
import { rewrite, type RewriteContext } from './doc-commands'

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
}

export const CLI_DEADLINE_MS = 60_000

export async function runDocumented(documented: string, ctx: RewriteContext & { endpoint: EndpointRef }): Promise<CommandResult> {
  const { argv, notes, container } = rewrite(documented, ctx)
  const started = Date.now()
  const r = await execa('docker', argv, { env: cliEnvironment(ctx.endpoint), reject: false, timeout: CLI_DEADLINE_MS, stdin: 'ignore' })
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
  }
}

export function succeeded(r: CommandResult): boolean {
  return r.exitCode === 0 && !r.timedOut
}

/** The transcript of one documented command: as documented, as run, and what came back. */
export function describeCommand(r: CommandResult): string {
  return [
    `$ ${r.documented}    # as documented`,
    `$ docker ${r.argv.join(' ')}    # as run`,
    ...r.notes.map((n) => `# ${n}`),
    r.stdout.trimEnd(),
    r.stderr.trimEnd(),
    r.timedOut ? `timed out after ${CLI_DEADLINE_MS / 1000} s` : `exit ${r.exitCode} (${r.durationMs} ms)`,
  ]
    .filter((l) => l !== '')
    .join('\n')
}

/** One line saying how a command failed. */
export function failureOf(r: CommandResult): string {
  const why = r.timedOut ? `timed out after ${CLI_DEADLINE_MS / 1000} s` : `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`
  return `\`${r.documented}\` failed (${why})`
}

/** Throws, with what happened instead, unless the command failed (and its error says `expected`). */
export function expectRefused(r: CommandResult, expected?: string): void {
  if (succeeded(r)) throw new Error(`\`${r.documented}\` was accepted (exit 0${r.stdout.trim() ? `, printed ${r.stdout.trim().split('\n')[0]}` : ''}); the document says it is refused`)
  const said = `${r.stderr}${r.stdout}`.trim()
  if (expected && !said.includes(expected)) throw new Error(`\`${r.documented}\` failed, but not with "${expected}": ${said.split('\n')[0]}`)
}
