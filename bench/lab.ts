/**
 * The whole lab's bench (`npm run bench:lab`): what a lab run costs against what its engines cost.
 *   (1) per lab endpoint, the document floor: bench/doc-floor.sh with the names of the endpoint's
 *       profile (public address, container network and its range, outside client, DHCP network,
 *       control plane): each section's documented commands once, one probe per result, no harness;
 *   (2) per lab endpoint, the suite's serial run (`netconform run --target NAME`, every scenario);
 *   (3) the whole lab as `npm run conformance` runs it (`netconform conformance --jobs 3`), and with
 *       `--without EXPR` once more without the scenarios EXPR selects (what they add to the lab's wall).
 * Each is timed (wall) and costed: the CPU-seconds this machine's CPUs were busy meanwhile
 * (/proc/stat; the engines do their work in daemons, not in the processes started here). It prints
 * the table README carries and the whole lab's wall against 1.25 × Σ floor CPU-s ÷ cores, and writes
 * bench/lab.json. Run it on an otherwise idle machine, after `netconform lab up`.
 *   npm run bench:lab [-- --targets a,b] [--parts floor,serial,conformance] [--without EXPR]
 * A run of some endpoints or parts replaces those entries of bench/lab.json and keeps the others.
 */
import { execa } from 'execa'
import { cpus } from 'node:os'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LAB_ENDPOINTS } from '../support/cli/conformance'
import { loadTarget } from '../support/profile/targets'
import { pickInRange } from '../support/ipv4'
import type { Target } from '../support/types'

const PROJECT = join(__dirname, '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
/** The whole lab's wall may be this much above the floors' CPU-seconds spread over the cores. */
const GOAL = 1.25
const PARTS = ['floor', 'serial', 'conformance'] as const
type Part = (typeof PARTS)[number]

interface Cost {
  /** When the measurement started: each endpoint's entries of bench/lab.json are as fresh as their last run. */
  measuredAt: string
  wallSeconds: number
  cpuSeconds: number
}

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
  return { cost: { measuredAt, wallSeconds: round(wallSeconds), cpuSeconds: round(busyCpuSeconds() - cpu) }, result }
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

interface Floor extends Cost {
  /** Seconds per part of the script (a section, or a part of one), in its order. */
  parts: Record<string, number>
  /** What the floor saw not as documented (the suite's deviations, seen without a harness). */
  notes: string[]
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

interface SuiteRun extends Cost {
  exitCode: number
  totals: string
}

async function serialRun(name: string): Promise<SuiteRun> {
  const { cost, result: r } = await costOf(() =>
    execa('node', [CLI, 'run', '--target', name], { cwd: PROJECT, reject: false, all: true }),
  )
  const totals = /netconform: \S+: (.+)$/m.exec(String(r.all ?? ''))?.[1] ?? `exit ${r.exitCode}, no totals`
  return { ...cost, exitCode: r.exitCode ?? 2, totals }
}

interface LabRun extends Cost {
  exitCode: number
  tags?: string
  /** Each endpoint's wall seconds in it, as `conformance` prints them. */
  endpoints: Record<string, number>
}

async function conformance(targets: readonly string[], tags?: string): Promise<LabRun> {
  const args = [CLI, 'conformance', '--jobs', '3', '--targets', targets.join(','), ...(tags ? ['--tags', tags] : [])]
  const { cost, result: r } = await costOf(() => execa('node', args, { cwd: PROJECT, reject: false, all: true }))
  const endpoints: Record<string, number> = {}
  for (const m of String(r.all ?? '').matchAll(/^ {2}(\S+)\s+.*; exit \d+, (\d+) s$/gm)) endpoints[m[1]] = Number(m[2])
  return { ...cost, exitCode: r.exitCode ?? 2, tags, endpoints }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
const log = (line: string) => process.stdout.write(`${line}\n`)

function option(flag: string): string | undefined {
  const at = process.argv.indexOf(flag)
  return at > 0 ? process.argv[at + 1] : undefined
}

async function main(): Promise<void> {
  const targets = option('--targets')?.split(',') ?? LAB_ENDPOINTS
  const parts = (option('--parts')?.split(',') ?? PARTS) as Part[]
  const unknown = parts.filter((p) => !PARTS.includes(p))
  if (unknown.length) throw new Error(`unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`)
  const without = option('--without')
  const profiles = targets.map((n) => loadTarget(n))
  const cores = cpus().length
  log(`bench:lab: ${targets.length} endpoints, ${cores} CPUs; parts: ${parts.join(', ')}`)

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
      const run = await conformance(targets, tags)
      lab.push(run)
      log(
        `  conformance --jobs 3${tags ? ` --tags '${tags}'` : ''}: ` +
          `${run.wallSeconds} s wall, ${run.cpuSeconds} CPU-s, exit ${run.exitCode}`,
      )
    }
  }

  const file = join(__dirname, 'lab.json')
  const earlier = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as Partial<Results>
  const results = resultsOf(
    { ...earlier.floors, ...floors },
    { ...earlier.serial, ...serial },
    lab.length > 0 ? lab : (earlier.conformance ?? []),
    cores,
  )
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  for (const line of table(results)) log(line)
  log('bench/lab.json written (entries not measured now kept from before, each with its measuredAt)')
  if (lab.some((r) => r.exitCode !== 0) || Object.values(serial).some((x) => x.exitCode !== 0)) process.exitCode = 1
}

interface Results {
  cores: number
  floors: Record<string, Floor>
  serial: Record<string, SuiteRun>
  /** The whole lab as `conformance --jobs 3` runs it; a second entry without the --without scenarios. */
  conformance: LabRun[]
  whole: {
    floorCpuSeconds: number
    floorCpuSecondsPerCore: number
    /** GOAL × Σ floor CPU-s ÷ cores: the whole lab's wall must stay under it. */
    bound: number
    conformanceWallSeconds?: number
    ratioToFloorPerCore?: number
    withinGoal?: boolean
  }
}

function resultsOf(
  floors: Record<string, Floor>,
  serial: Record<string, SuiteRun>,
  conformance: LabRun[],
  cores: number,
): Results {
  const floorCpu = round(Object.values(floors).reduce((sum, f) => sum + f.cpuSeconds, 0))
  const whole = conformance[0] as LabRun | undefined
  return {
    cores,
    floors,
    serial,
    conformance,
    whole: {
      floorCpuSeconds: floorCpu,
      floorCpuSecondsPerCore: round(floorCpu / cores),
      bound: round((GOAL * floorCpu) / cores),
      conformanceWallSeconds: whole?.wallSeconds,
      ratioToFloorPerCore: whole && floorCpu ? round(whole.wallSeconds / (floorCpu / cores), 2) : undefined,
      withinGoal: whole && floorCpu ? whole.wallSeconds <= (GOAL * floorCpu) / cores : undefined,
    },
  }
}

/** The table README carries, and the whole lab's line. */
function table(r: Results): string[] {
  const whole = r.conformance[0] as LabRun | undefined
  const names = [...new Set([...LAB_ENDPOINTS, ...Object.keys(r.floors), ...Object.keys(r.serial)])]
  const lines = [
    '| endpoint | doc floor: wall | doc floor: CPU-s | suite serial: wall | serial ÷ floor ' +
      '| in `conformance --jobs 3`: wall |',
    '|---|---:|---:|---:|---:|---:|',
  ]
  for (const name of names) {
    const f = r.floors[name] as Floor | undefined
    const s = r.serial[name] as SuiteRun | undefined
    const cells = [
      f ? `${f.wallSeconds} s` : '–',
      f ? `${f.cpuSeconds}` : '–',
      s ? `${s.wallSeconds} s` : '–',
      f && s ? `${round(s.wallSeconds / f.wallSeconds, 2)} ×` : '–',
      whole?.endpoints[name] !== undefined ? `${whole.endpoints[name]} s` : '–',
    ]
    lines.push(`| ${name} | ${cells.join(' | ')} |`)
  }
  if (whole && r.whole.floorCpuSeconds)
    lines.push(
      `whole lab: ${whole.wallSeconds} s wall against Σ floor ${r.whole.floorCpuSeconds} CPU-s ÷ ${r.cores} cores = ` +
        `${r.whole.floorCpuSecondsPerCore} s (${r.whole.ratioToFloorPerCore} ×; goal ≤ ${GOAL} ×: ${r.whole.bound} s)`,
    )
  const without = r.conformance[1] as LabRun | undefined
  if (whole && without)
    lines.push(
      `with --tags '${without.tags}': ${without.wallSeconds} s wall ` +
        `(${round(whole.wallSeconds - without.wallSeconds)} s less)`,
    )
  return lines
}

main().catch((e) => {
  process.stderr.write(`bench:lab: ${(e as Error).message}\n`)
  process.exitCode = 2
})
