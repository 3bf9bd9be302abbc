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
import { idPrefix } from '../document/doc-commands'
import { judge } from '../observe/evidence'
import { DEFAULT_NETWORKS } from '../engine/kinds'
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

/**
 * I run COMMAND, which prints the id ID…: the whole id it printed is kept as `ID…`, and later steps
 * call the container ID as the document does, by a prefix of that id (idPrefix: one no other
 * container's id on the endpoint starts with).
 */
export async function runCommandNamingId(w: NetconformWorld, command: string, id: string): Promise<void> {
  const result = await runCommand(w, command)
  if (!result) return
  const printed = result.stdout.trim().split('\n').pop() ?? ''
  if (!/^[0-9a-f]{12,64}$/.test(printed))
    throw new Error(`\`${command}\` printed no container id: ${JSON.stringify(result.stdout.trim())}`)
  const others = (await w.docker.listContainers({ all: true })).map((c) => c.Id).filter((other) => other !== printed)
  const prefix = idPrefix(printed, others)
  w.names.alias(`${id}…`, printed)
  w.names.alias(id, prefix)
  w.note(`${id} is ${prefix}: the id's first ${prefix.length} characters, which no other container's id starts with`)
}

/**
 * ID is a prefix of the id COMMAND printed, and that container runs on each of NETWORKS: the
 * commands that called it ID (`docker network connect bridge 50`, `docker start 50`) reached it.
 */
export async function addressedByPrefix(
  w: NetconformWorld,
  { id, networks, documented }: { id: string; networks: readonly string[]; documented: string },
): Promise<void> {
  const printed = w.real(`${id}…`)
  const prefix = w.real(id)
  if (printed === `${id}…`) throw new Error(`no id was printed for ${id}: the step that creates it did not run`)
  const info = await w.docker.getContainer(prefix).inspect()
  const on = Object.entries(info.NetworkSettings.Networks ?? {})
  const missing: string[] = []
  for (const n of networks) {
    const net = await w.docker.getNetwork(w.real(n)).inspect()
    // the default network, which a command calls bridge, may be named after the engine (Podman: podman)
    const isIt = (name: string, networkId: string) =>
      name === net.Name || networkId === net.Id || (n === 'bridge' && DEFAULT_NETWORKS.includes(name))
    if (!on.some(([name, e]) => isIt(name, e.NetworkID))) missing.push(n)
  }
  // the document's transcript with this endpoint's id, and the prefix in place of ID
  const observed = documented
    .split('\n')
    .map((l) => (/^[0-9a-f]{64}$/.test(l.trim()) ? printed : l.replace(new RegExp(` ${id}$`), ` ${prefix}`)))
  w.note(besideDocument(documented, observed.join('\n')))
  const state = info.State.Running ? 'running' : info.State.Status
  w.note(`${prefix} is ${info.Id}, ${state}, on ${on.map(([n]) => n).join(', ')}`)
  judge(prefix.length < printed.length && printed.startsWith(prefix) && info.Id === printed, {
    kind: 'id-prefix',
    what: `${id}, the container docker create printed ${printed}`,
    seen: `called ${prefix}, which is ${info.Id}`,
    documented: 'a prefix of the id that was printed',
  })
  judge(info.State.Running && missing.length === 0, {
    kind: 'id-prefix-commands',
    what: `the container called ${prefix} after \`docker network connect bridge ${id}\` and \`docker start ${id}\``,
    seen: `${state}${missing.length ? `, not on ${missing.join(', ')}` : ''}`,
    documented: `it running on ${networks.join(' and ')}`,
  })
}

/** I try COMMAND: a failure is kept for a later step to judge; unjudged, the After hook fails the scenario. */
export async function tryCommand(w: NetconformWorld, command: string, deadlineMs?: number): Promise<void> {
  w.tried = await runDocumented(command, w.commandContext, deadlineMs)
  w.note(describeCommand(w.tried))
  if (!succeeded(w.tried)) w.unchecked = w.tried
}

/**
 * it is refused (, naming ABOUT | with the whole line "LINE"): the tried command's
 * failure is judged here; the refusal's words go to the transcript.
 */
export function wasRefused(w: NetconformWorld, expected?: { line?: string; about?: string }): void {
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
