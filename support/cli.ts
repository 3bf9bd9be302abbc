/**
 * The netconform command line. Errors a user can cause end in one line and exit 2; a run
 * exits 1 when a scenario fails and 0 otherwise.
 */
import { parseArgs } from 'node:util'
import { relative } from 'node:path'
import { UsageError, firstLine } from './errors'
import { endpointFromEnvironment } from './endpoint'
import { defaultTarget, knownTargets, loadTarget } from './targets'
import type { Summary, Target } from './types'
import { conformanceRun } from './run'
import { labDown, labStatus, labUp } from './lab'
import { compareCommand } from './compare'
import { matrixCommand } from './matrix'

const USAGE = `usage:
  netconform run [--target NAME|FILE] [--endpoint URL] [--public-address ADDR] [--tags EXPR] [--parallel N]
  netconform matrix DIR… [--out DIR]   (report folders, e.g. reports/*/latest → reports/matrix.html, matrix.md)
  netconform compare BASE NEW          (report folders or summary.json files; exit 1 on a regression)
  netconform lab up|down|status
  netconform help

  --target          a profile in targets/ (${'{'}known{'}'}) or a path to one
  --endpoint        Docker API endpoint (unix:///… or tcp://…); overrides the profile's.
                    Without --target, the endpoint is DOCKER_HOST or unix:///var/run/docker.sock
  --public-address  where published ports answer (overrides the profile's)
  --tags            cucumber tag expression, e.g. '@id:new-bridge.ping-by-name'
  --parallel        run scenarios in N worker processes

exit codes: 0 no scenario fails (each conforms, deviates as its profile declares, or is not applicable);
            1 a scenario fails (compare: a regression); 2 usage, profile or endpoint error`

const out = (line: string) => process.stdout.write(`${line}\n`)

function resolveTarget(values: { target?: string; endpoint?: string; 'public-address'?: string }): Target {
  let target = values.target ? loadTarget(values.target) : defaultTarget(values.endpoint ?? endpointFromEnvironment())
  if (values.endpoint) target = { ...target, endpoint: values.endpoint }
  if (values['public-address']) target = { ...target, publicAddress: values['public-address'] }
  return target
}

function printVerdicts(summary: Summary, dir: string): void {
  for (const s of summary.scenarios) out(`  ${s.verdict.padEnd(14)} ${s.id}${s.reason ? `  — ${s.reason}` : ''}`)
  const stale = summary.scenarios.filter((s) => s.deviation?.noLongerNeeded).map((s) => s.id)
  if (stale.length > 0) out(`netconform: declared deviations no longer needed (remove them from the profile): ${stale.join(', ')}`)
  const t = summary.totals
  out(`netconform: ${summary.target.name}: ${t.conforms} conforms, ${t.deviates} deviates, ${t.fails} fails, ${t['not-applicable']} not applicable`)
  out(`netconform: reports in ${relative(process.cwd(), dir) || dir}`)
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      endpoint: { type: 'string' },
      'public-address': { type: 'string' },
      tags: { type: 'string' },
      parallel: { type: 'string' },
    },
    strict: true,
  })
  const parallel = values.parallel === undefined ? 0 : Number(values.parallel)
  if (!Number.isInteger(parallel) || parallel < 0) throw new UsageError(`--parallel takes a whole number, not "${values.parallel}"`)
  const { summary, dir } = await conformanceRun({ target: resolveTarget(values), tags: values.tags, parallel, log: out })
  printVerdicts(summary, dir)
  return summary.totals.fails > 0 ? 1 : 0
}

async function lab(argv: string[]): Promise<number> {
  const action = argv[0]
  if (action === 'up') await labUp(out)
  else if (action === 'down') await labDown()
  else if (action === 'status') await labStatus()
  else throw new UsageError(`unknown lab action "${action ?? ''}" (expected up, down or status)`)
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === 'run') return await run(rest)
    if (command === 'lab') return await lab(rest)
    if (command === 'compare') return compareCommand(rest, out)
    if (command === 'matrix') return matrixCommand(rest, out)
    if (command === 'help' || command === '--help' || command === '-h' || command === undefined) {
      out(USAGE.replace('{known}', knownTargets().join(', ')))
      return command === undefined ? 2 : 0
    }
    throw new UsageError(`unknown command "${command}" (try: netconform help)`)
  } catch (e) {
    const known = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`netconform: ${known ? '' : 'internal error: '}${firstLine(e)}\n`)
    if (!known && process.env.NETCONFORM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`)
    return 2
  }
}
