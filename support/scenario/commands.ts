/**
 * The document's commands as the steps state them: run one (it must succeed), try one (a later
 * step judges it), say it was refused, or read what `docker network ls` lists. Each takes the
 * World; transcripts go to the scenario as "as documented" / "as run".
 */
import {
  describeCommand,
  expectRefused,
  commandFailureLine,
  runDocumented,
  succeeded,
  type CommandResult,
} from '../engine/docker-cli'
import { besideDocument } from '../observe/beside-document'
import { Evidence } from '../observe/evidence'
import { parseTable } from '../document/tables'
import type { NetconformWorld } from './world'

/** A Background step the fixture already did (holds/fixtures.ts): said in the transcript, not run again. */
export function replayed(w: NetconformWorld, what: string): undefined {
  w.note(
    `${what} — set up once for this section: ` +
      `done by ${w.fixture?.builtBy} ` +
      `in fixture ${w.fixture?.id}, not again`,
  )
  return undefined
}

/** I run COMMAND: it must succeed. Returns what it did (nothing when the fixture already did it). */
export async function runCommand(w: NetconformWorld, command: string): Promise<CommandResult | undefined> {
  if (w.replayingStep) return replayed(w, `as documented: ${command}`)
  return runNoted(w, command)
}

/** COMMAND run as documented, its transcript noted; a failure throws with what it said. */
export async function runNoted(w: NetconformWorld, command: string): Promise<CommandResult> {
  const result = await runDocumented(command, w.commandContext)
  w.note(describeCommand(result))
  if (!succeeded(result)) throw new Error(commandFailureLine(result))
  return result
}

/** I run COMMAND, which prints the id ID…: later steps call the container it made by that id. */
export async function runCommandNamingId(w: NetconformWorld, command: string, id: string): Promise<void> {
  const result = await runCommand(w, command)
  if (result) w.names.alias(id, w.real(result.container!))
}

/** I try COMMAND: a failure is kept for a later step to judge; unjudged, the After hook fails the scenario. */
export async function tryCommand(w: NetconformWorld, command: string, deadlineMs?: number): Promise<void> {
  w.tried = await runDocumented(command, w.commandContext, deadlineMs)
  w.note(describeCommand(w.tried))
  if (!succeeded(w.tried)) w.unchecked = w.tried
}

/**
 * it is refused (, naming ABOUT | with "TEXT"): the tried command's failure is judged here; the
 * refusal's words go to the transcript.
 */
export function wasRefused(w: NetconformWorld, expected?: { text?: string; about?: string }): void {
  w.unchecked = undefined
  if (!w.tried) throw new Error('no command was tried before "it is refused"')
  expectRefused(w.tried, expected)
  w.note(`refused: ${`${w.tried.stderr}${w.tried.stdout}`.trim().split('\n')[0]}`)
}

/** A documented command with only its first --net (or --network): later ones and their values taken out. */
export function withFirstNetOnly(documented: string): string {
  const words = documented.split(/\s+/)
  const out: string[] = []
  let nets = 0
  for (let i = 0; i < words.length; i++) {
    const flag = /^--net(work)?(=|$)/.exec(words[i])
    if (flag && ++nets > 1) {
      if (!flag[2]) i++
      continue
    }
    out.push(words[i])
  }
  return out.join(' ')
}

/**
 * it is refused, while the same command with only its first --net is accepted: the control shows the
 * refusal was the later --net's, not the image's, the name's or the network's.
 */
export async function refusedForSeveralNets(w: NetconformWorld): Promise<void> {
  wasRefused(w)
  const control = withFirstNetOnly(w.tried!.documented)
  if (control === w.tried!.documented) throw new Error(`\`${control}\` has no second --net to take out`)
  const r = await runDocumented(control, w.commandContext)
  w.note(describeCommand(r))
  if (!succeeded(r))
    throw new Error(
      `${commandFailureLine(r)}: with one --net it is refused too, ` +
        "so the refusal is not shown to be the several --net's",
    )
}

/** `docker network ls` lists NETWORK (with DRIVER), where the document shows DOCUMENTED. */
export async function listsNetwork(
  w: NetconformWorld,
  { command, network, documented, driver }: { command: string; network: string; documented: string; driver?: string },
): Promise<void> {
  const r = await runDocumented(command, w.commandContext)
  w.note(describeCommand(r))
  w.note(besideDocument(documented, r.stdout))
  if (!succeeded(r)) throw new Error(commandFailureLine(r))
  const row = parseTable(r.stdout).find((x) => x.NAME === w.real(network))
  if (!row)
    throw new Evidence(
      'network-listed',
      { network, seen: 'absent' },
      `docker network ls does not list ${network} (${w.real(network)})`,
    )
  if (driver && row.DRIVER !== driver)
    throw new Evidence(
      'network-driver',
      { network, seen: row.DRIVER, documented: driver },
      `docker network ls shows ${network} with driver ${row.DRIVER}, not ${driver}`,
    )
}
