/**
 * The netconform command line. Errors a user can cause end in one line and exit 2; a run
 * exits 1 when a scenario fails and 0 otherwise.
 */
import { relative, resolve } from 'node:path'
import { UsageError, firstLine } from '../errors'
import { asksHelp, closest } from './options'
import {
  COMMANDS,
  type CommandName,
  type ParsedCommand,
  commandHelp,
  commandUsageError,
  isCommandName,
  overview,
  parseCommand,
} from './commands'
import type { Summary, Target } from '../types'
import type { WiderDeclaration } from '../report/overlaps'
import { interruption, signalExitCode } from '../cleanup/interrupt'
import { netconformVersion } from '../project'

/**
 * The modules behind the commands load when a command needs them (Docker's client, cucumber,
 * ajv's compiled schemas take a second to load): `netconform --help` loads none of them. A command
 * whose module gives one or two functions requires it where it runs, naming what it takes (so
 * knip, in `npm run lint`, sees those exports used).
 */
const lazy = {
  targets: () => require('../profile/targets') as typeof import('../profile/targets'),
  connection: () => require('../engine/connection') as typeof import('../engine/connection'),
  dockerContexts: () => require('../engine/docker-contexts') as typeof import('../engine/docker-contexts'),
  reports: () => require('../report/summary-markdown') as typeof import('../report/summary-markdown'),
  run: () => require('../run/run') as typeof import('../run/run'),
  reportCommands: () => require('./report-commands') as typeof import('./report-commands'),
  sweep: () => require('../cleanup/sweep') as typeof import('../cleanup/sweep'),
}

const out = (line: string) => process.stdout.write(`${line}\n`)

/**
 * The target of a command: its profile, or the endpoint the docker CLI would use (docker-contexts.ts
 * chooseEndpoint: --context, --endpoint, DOCKER_HOST, DOCKER_CONTEXT, config.json's current context);
 * --endpoint (the profile's TLS files kept) or --context (the context's TLS files) overrides a profile's.
 */
function resolveTarget(
  command: CommandName,
  values: { target?: string; endpoint?: string; context?: string; 'public-address'?: string },
): Target {
  if (values.endpoint !== undefined && values.context !== undefined)
    throw commandUsageError(
      command,
      '--endpoint and --context contradict each other: give one (as docker -H and --context)',
    )
  const { defaultTarget, loadTarget } = lazy.targets()
  const chosen = lazy.dockerContexts().chooseEndpoint({ endpoint: values.endpoint, context: values.context })
  let target = values.target ? loadTarget(values.target) : defaultTarget(chosen)
  if (values.target && values.endpoint) target = { ...target, endpoint: values.endpoint }
  if (values.target && values.context) {
    const { url, tls } = chosen.endpoint
    target = { ...target, endpoint: url, tls, source: `${target.source}, endpoint from ${chosen.source}` }
  }
  if (values['public-address']) target = { ...target, publicAddress: values['public-address'] }
  return target
}

/**
 * After the run: what the verdict console did not say line by line (stale deviations, what was
 * not run), then the totals.
 */
function printVerdicts(summary: Summary, dir: string, wider: readonly WiderDeclaration[] = []): void {
  const stale = summary.scenarios.filter((s) => s.deviation?.noLongerNeeded).map((s) => s.id)
  if (stale.length > 0)
    out(`netconform: declared deviations no longer needed (remove them from the profile): ${stale.join(', ')}`)
  for (const w of wider)
    out(
      `netconform: declared deviation ${w.id} also matches another failure of its scenario (narrow its step or ` +
        `observed): ${w.also.join('; ')}`,
    )
  const notRun = lazy.reports().notRunLine(summary)
  if (notRun) out(notRun)
  const t = summary.totals
  const causes = lazy.reports().notApplicableCauses(summary.scenarios)
  out(
    `netconform: ${summary.target.name}: ${t.conforms} conforms, ${t.deviates} deviates, ${t.fails} fails, ` +
      `${t['not-applicable']} not applicable${causes ? ` (${causes})` : ''}`,
  )
  out(`netconform: reports in ${relative(process.cwd(), dir) || dir}`)
}

async function run({ values }: ParsedCommand<'run'>): Promise<number> {
  const { parallel, repeat } = values
  if (values['share-setup'] && values['setup-per-scenario'])
    throw commandUsageError('run', '--share-setup and --setup-per-scenario contradict each other: give one')
  // Each section is set up once per worker unless told otherwise.
  const shareSetup = !values['setup-per-scenario']
  const target = resolveTarget('run', values)
  const summaries: Summary[] = []
  for (let i = 1; i <= repeat; i++) {
    if (repeat > 1) out(`netconform: repetition ${i} of ${repeat}`)
    const reportsDir = values.reports === undefined ? undefined : resolve(values.reports)
    const { summary, dir, wider } = await lazy
      .run()
      .conformanceRun({ target, tags: values.tags, parallel, formats: values.format, reportsDir, shareSetup, log: out })
    printVerdicts(summary, dir, wider)
    summaries.push(summary)
    if (summary.interrupted) break
  }
  const flaky = repeat > 1 ? reportFlakes(summaries) : 0
  if (values['remove-images']) await removeImages(target)
  if (interruption.signal) return signalExitCode(interruption.signal)
  const incomplete = summaries.some((s) => (s.notRun?.length ?? 0) > 0)
  return summaries.some((s) => s.totals.fails > 0) || flaky > 0 || incomplete ? 1 : 0
}

/** Lists the scenarios whose verdict changed between repetitions; returns how many did. */
function reportFlakes(summaries: Summary[]): number {
  const verdicts = new Map<string, string[]>()
  for (const s of summaries) for (const r of s.scenarios) verdicts.set(r.id, [...(verdicts.get(r.id) ?? []), r.verdict])
  const flaky = [...verdicts].filter(([, v]) => new Set(v).size > 1)
  const wall = summaries.reduce((ms, s) => ms + s.durationMs, 0)
  out(
    `netconform: ${summaries.length} repetitions in ${(wall / 1000).toFixed(0)} s: ` +
      `${flaky.length} of ${verdicts.size} scenarios changed verdict`,
  )
  for (const [id, v] of flaky) out(`  flaky ${id}: ${v.join(' → ')}`)
  return flaky.length
}

async function removeImages(target: Target): Promise<void> {
  const { removeSuiteImages } = require('../cleanup/sweep') as typeof import('../cleanup/sweep')
  const removed = await removeSuiteImages(lazy.connection().dockerFor(target))
  out(`netconform: removed images: ${removed.images.join(', ') || 'none'}`)
  for (const e of removed.errors) out(`netconform: could not remove ${e}`)
}

async function clean({ values }: ParsedCommand<'clean'>): Promise<number> {
  const target = resolveTarget('clean', values)
  const { dockerFor, probeEndpoint } = lazy.connection()
  await probeEndpoint(target)
  const swept = await lazy
    .sweep()
    .sweepAbandoned(dockerFor(target), { olderThanMs: values['older-than'], runs: values.run })
  out(
    `netconform: clean ${target.endpoint}: removed ${swept.runs.length} run(s)` +
      `${swept.runs.length ? ` (${swept.runs.join(', ')})` : ''}: ` +
      `containers: ${swept.containers.join(', ') || 'none'}; networks: ${swept.networks.join(', ') || 'none'}`,
  )
  for (const e of swept.errors) out(`netconform: could not remove ${e}`)
  if (values['remove-images']) await removeImages(target)
  return swept.errors.length > 0 ? 1 : 0
}

async function lab({ positionals: [action] }: ParsedCommand<'lab'>): Promise<number> {
  const { labUp, labDown, labStatus } = require('../run/lab') as typeof import('../run/lab')
  if (action === 'up') await labUp(out)
  else if (action === 'down') await labDown()
  else await labStatus()
  return 0
}

function help({ positionals: [name] }: ParsedCommand<'help'>): number {
  if (name === undefined) out(overview())
  else if (isCommandName(name)) out(commandHelp(name))
  else throw commandUsageError('help', `unknown command "${name}"`)
  return 0
}

/** What each command does with its parsed arguments. */
const HANDLERS: { [N in CommandName]: (parsed: ParsedCommand<N>) => Promise<number> | number } = {
  run,
  conformance: ({ values }) => {
    const { conformanceCommand } = require('./conformance') as typeof import('./conformance')
    return conformanceCommand(values, out)
  },
  clean,
  matrix: (parsed) => lazy.reportCommands().matrixCommand(parsed, out),
  document: (parsed) => lazy.reportCommands().documentCommand(parsed, out),
  compare: (parsed) => lazy.reportCommands().compareCommand(parsed, out),
  record: (parsed) => lazy.reportCommands().recordCommand(parsed, out),
  verify: (parsed) => lazy.reportCommands().verifyCommand(parsed, out),
  profile: ({ values }) => {
    const { profileCommand } = require('./commands/profile') as typeof import('./commands/profile')
    return profileCommand(values, out, (v) => resolveTarget('profile', v))
  },
  declare: (parsed) => {
    const { declareCommand } = require('./commands/declare') as typeof import('./commands/declare')
    return declareCommand(parsed, out)
  },
  sensitivity: ({ values }) => {
    const { sensitivityCommand } = require('./sensitivity') as typeof import('./sensitivity')
    return sensitivityCommand(values, out, (v) => resolveTarget('sensitivity', v))
  },
  lab,
  help,
  version: () => {
    out(`netconform ${netconformVersion()}`)
    return 0
  },
}

/** Command N: its help when asked for, else its arguments parsed as COMMANDS says, then its handler. */
async function dispatch<N extends CommandName>(name: N, argv: string[]): Promise<number> {
  if (asksHelp(argv)) {
    out(commandHelp(name))
    return 0
  }
  const handler: (parsed: ParsedCommand<N>) => Promise<number> | number = HANDLERS[name]
  return await handler(parseCommand(name, argv))
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === undefined) {
      out(overview())
      return 2
    }
    if (command === '--help' || command === '-h') return await dispatch('help', rest)
    if (command === '--version' || command === '-V') return await dispatch('version', rest)
    if (isCommandName(command)) return await dispatch(command, rest)
    const near = closest(command, Object.keys(COMMANDS))
    throw new UsageError(`unknown command "${command}"${near ? ` (did you mean ${near}?)` : ''} (try: netconform help)`)
  } catch (e) {
    const known = e instanceof UsageError
    process.stderr.write(`netconform: ${known ? '' : 'internal error: '}${firstLine(e)}\n`)
    if (!known && process.env.NETCONFORM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`)
    return 2
  }
}
