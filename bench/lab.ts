/**
 * The whole lab's bench (`npm run bench:lab`): what a lab run costs against what its engines cost,
 * all measured in this one run (bench/lab-figures.ts gives no ratio of figures from two runs).
 *   (1) per lab endpoint, the document floor: bench/doc-floor.sh with the names of the endpoint's
 *       profile (public address, container network and its range, outside client, DHCP network,
 *       control plane): each section's documented commands once, one probe per result, no harness;
 *   (2) with `--parts …,serial`, per lab endpoint, the suite's serial run (`netconform run --target NAME`);
 *   (3) the whole lab as `npm run conformance` runs it (`netconform conformance --jobs N`, 3 unless
 *       `--jobs`), and with `--without EXPR` once more without the scenarios EXPR selects (what they
 *       add to the lab's wall).
 * Each is timed (wall) and costed: the CPU-seconds this machine's CPUs were busy meanwhile
 * (/proc/stat; the engines do their work in daemons, not in the processes started here). It prints
 * the table README carries, the whole lab's wall against Σ floor CPU-s ÷ cores and its CPU-s against
 * Σ floor CPU-s. A run that gives every ratio writes bench/lab.json; one that cannot (a part left out)
 * prints what it measured, writes bench/lab-partial.json, says in one line which ratio it refuses and
 * why, and exits 1. Run it on an otherwise idle machine, after `netconform lab up`.
 *   npm run bench:lab [-- --targets a,b] [--parts floor,serial,conformance] [--jobs N] [--without EXPR]
 */
import { execa } from 'execa'
import { cpus } from 'node:os'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { LAB_ENDPOINTS } from '../support/cli/conformance'
import { loadTarget } from '../support/profile/targets'
import { pickInRange } from '../support/ipv4'
import type { Target } from '../support/types'
import { type Cost, type Floor, figuresOf, type LabRun, type SuiteRun, tableOf } from './lab-figures'

const PROJECT = join(__dirname, '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const PARTS = ['floor', 'serial', 'conformance'] as const
type Part = (typeof PARTS)[number]
/** What a bench run measures unless told: the floors and the lab run, the two parts of its ratios. */
const DEFAULT_PARTS: readonly Part[] = ['floor', 'conformance']
/** README's `npm run conformance`. */
const DEFAULT_JOBS = 3
/** This bench run: every figure it measures carries it. */
const BENCH_RUN = `${new Date().toISOString()}-${process.pid}`

/** The CPU-seconds this machine's CPUs have been busy since boot (all but idle and iowait). */
function busyCpuSeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, , , irq, softirq, steal] = fields
  return (user + nice + system + irq + softirq + (steal ?? 0)) / 100 // USER_HZ
}

/** Runs WORK and says what it cost: its wall time and the machine's busy CPU-seconds meanwhile. */
async function costOf<T>(work: () => Promise<T>): Promise<{ cost: Cost; result: T }> {
  const measuredAt = new Date().toISOString()
  const cpu = busyCpuSeconds()
  const started = process.hrtime.bigint()
  const result = await work()
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
  const cpuSeconds = round(busyCpuSeconds() - cpu)
  return { cost: { benchRun: BENCH_RUN, measuredAt, wallSeconds: round(wallSeconds), cpuSeconds }, result }
}

/** bench/doc-floor.sh's names, from a profile: what it offers, and empty for what it lacks. */
function floorEnv(t: Target): NodeJS.ProcessEnv {
  const net = t.offers.containerNetwork
  const dhcp = t.offers.dhcpNetwork
  return {
    ...process.env,
    DOCKER_HOST: t.endpoint,
    PUBLIC: t.publicAddress ?? '127.0.0.1',
    IMAGE: t.probeImage,
    CNET: net?.name ?? '',
    NETNS: net?.outsideNetns ?? '',
    OUTSIDE: net?.outsideAddress ?? '',
    ...(net?.ipRange ? { RANGE_IP: pickInRange(net.ipRange) } : {}),
    DHCPNET: dhcp?.name ?? '',
    DHCPDNS: dhcp?.dns ?? '',
    CONTROL_STOP: t.offers.controlPlane?.stop ?? '',
    CONTROL_START: t.offers.controlPlane?.start ?? '',
    NETCONFORM_LAB: join(PROJECT, 'lab'),
  }
}

async function documentFloor(t: Target): Promise<Floor> {
  const { cost, result: r } = await costOf(() =>
    execa('bash', [join(__dirname, 'doc-floor.sh')], { env: floorEnv(t), reject: false, all: true }),
  )
  const lines = String(r.all ?? '')
    .trim()
    .split('\n')
  if (r.exitCode !== 0 || !Number.isFinite(Number(lines.at(-1))))
    throw new Error(`bench/doc-floor.sh on ${t.name} failed (exit ${r.exitCode}): ${lines.slice(-3).join(' | ')}`)
  const parts: Record<string, number> = {}
  for (const l of lines) {
    const m = /^doc-floor-part: (\S+) (.+)$/.exec(l)
    if (m) parts[m[2]] = round(Number(m[1]))
  }
  return { ...cost, parts, notes: lines.filter((l) => l.startsWith('doc-floor:')) }
}

async function serialRun(name: string): Promise<SuiteRun> {
  const { cost, result: r } = await costOf(() =>
    execa('node', [CLI, 'run', '--target', name], { cwd: PROJECT, reject: false, all: true }),
  )
  const totals = /netconform: \S+: (.+)$/m.exec(String(r.all ?? ''))?.[1] ?? `exit ${r.exitCode}, no totals`
  return { ...cost, exitCode: r.exitCode ?? 2, totals }
}

async function conformance(targets: string[], jobs: number, tags?: string): Promise<LabRun> {
  const args = [
    CLI,
    'conformance',
    '--jobs',
    String(jobs),
    '--targets',
    targets.join(','),
    ...(tags ? ['--tags', tags] : []),
  ]
  const { cost, result: r } = await costOf(() => execa('node', args, { cwd: PROJECT, reject: false, all: true }))
  const endpoints: Record<string, number> = {}
  for (const m of String(r.all ?? '').matchAll(/^ {2}(\S+)\s+.*; exit \d+, (\d+) s$/gm)) endpoints[m[1]] = Number(m[2])
  return { ...cost, exitCode: r.exitCode ?? 2, targets, jobs, ...(tags ? { tags } : {}), endpoints }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
const log = (line: string) => process.stdout.write(`${line}\n`)

function option(flag: string): string | undefined {
  const at = process.argv.indexOf(flag)
  return at > 0 ? process.argv[at + 1] : undefined
}

async function main(): Promise<void> {
  const targets = option('--targets')?.split(',') ?? LAB_ENDPOINTS
  const parts = (option('--parts')?.split(',') ?? DEFAULT_PARTS) as Part[]
  const unknown = parts.filter((p) => !PARTS.includes(p))
  if (unknown.length) throw new Error(`unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`)
  const jobs = Number(option('--jobs') ?? DEFAULT_JOBS)
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs takes a whole number from 1, not ${option('--jobs')}`)
  const without = option('--without')
  const profiles = targets.map((n) => loadTarget(n))
  const cores = cpus().length
  log(`bench:lab: run ${BENCH_RUN}, ${targets.length} endpoints, ${cores} CPUs; parts: ${parts.join(', ')}`)

  const floors: Record<string, Floor> = {}
  const serial: Record<string, SuiteRun> = {}
  for (const t of profiles) {
    if (parts.includes('floor')) {
      floors[t.name] = await documentFloor(t)
      const f = floors[t.name]
      log(
        `  floor   ${t.name.padEnd(20)} ${f.wallSeconds} s wall, ${f.cpuSeconds} CPU-s` +
          (f.notes.length ? ` (${f.notes.length} not as documented)` : ''),
      )
    }
    if (parts.includes('serial')) {
      serial[t.name] = await serialRun(t.name)
      const s = serial[t.name]
      log(`  serial  ${t.name.padEnd(20)} ${s.wallSeconds} s wall, ${s.cpuSeconds} CPU-s: ${s.totals}`)
    }
  }
  const lab: LabRun[] = []
  if (parts.includes('conformance')) {
    for (const tags of [undefined, ...(without ? [`not (${without})`] : [])]) {
      const run = await conformance(targets, jobs, tags)
      lab.push(run)
      log(
        `  conformance --jobs ${jobs}${tags ? ` --tags '${tags}'` : ''}: ` +
          `${run.wallSeconds} s wall, ${run.cpuSeconds} CPU-s, exit ${run.exitCode}`,
      )
    }
  }

  const figures = figuresOf({ cores, floors, serial, conformance: lab })
  for (const line of tableOf(figures, LAB_ENDPOINTS)) log(line)
  const file = join(__dirname, figures.refusal ? 'lab-partial.json' : 'lab.json')
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`)
  log(`${relative(PROJECT, file)} written (this bench run's figures only)`)
  if (lab.some((r) => r.exitCode !== 0) || Object.values(serial).some((x) => x.exitCode !== 0)) process.exitCode = 1
  if (figures.refusal) {
    process.stderr.write(`bench:lab: ${figures.refusal}\n`)
    process.exitCode = 1
  }
}

main().catch((e) => {
  process.stderr.write(`bench:lab: ${(e as Error).message}\n`)
  process.exitCode = 2
})
