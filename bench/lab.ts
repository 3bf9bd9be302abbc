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
 */
import { execa } from 'execa'
import { cpus } from 'node:os'
import { readFileSync, writeFileSync } from 'node:fs'
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
  const cpu = busyCpuSeconds()
  const started = process.hrtime.bigint()
  const result = await work()
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
  return { cost: { wallSeconds: round(wallSeconds), cpuSeconds: round(busyCpuSeconds() - cpu) }, result }
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

  const floorCpu = round(Object.values(floors).reduce((sum, f) => sum + f.cpuSeconds, 0))
  const bound = round((GOAL * floorCpu) / cores)
  const whole = lab[0]
  const results = {
    measuredAt: new Date().toISOString(),
    cores,
    targets,
    floors,
    serial,
    conformance: lab,
    whole: {
      floorCpuSeconds: floorCpu,
      floorCpuSecondsPerCore: round(floorCpu / cores),
      bound,
      conformanceWallSeconds: whole?.wallSeconds,
      ratioToFloorPerCore: whole && floorCpu ? round(whole.wallSeconds / (floorCpu / cores), 2) : undefined,
      withinGoal: whole && floorCpu ? whole.wallSeconds <= bound : undefined,
    },
  }
  writeFileSync(join(__dirname, 'lab.json'), `${JSON.stringify(results, null, 2)}\n`)

  log('')
  log(
    '| endpoint | doc floor: wall | doc floor: CPU-s | suite serial: wall | serial ÷ floor ' +
      '| in `conformance --jobs 3`: wall |',
  )
  log('|---|---:|---:|---:|---:|---:|')
  for (const name of targets) {
    const f = floors[name]
    const s = serial[name]
    const cells = [
      f ? `${f.wallSeconds} s` : '–',
      f ? `${f.cpuSeconds}` : '–',
      s ? `${s.wallSeconds} s` : '–',
      f && s ? `${round(s.wallSeconds / f.wallSeconds, 2)} ×` : '–',
      whole?.endpoints[name] !== undefined ? `${whole.endpoints[name]} s` : '–',
    ]
    log(`| ${name} | ${cells.join(' | ')} |`)
  }
  if (whole && floorCpu)
    log(
      `whole lab: ${whole.wallSeconds} s wall against Σ floor ${floorCpu} CPU-s ÷ ${cores} cores = ` +
        `${round(floorCpu / cores)} s (${results.whole.ratioToFloorPerCore} ×; goal ≤ ${GOAL} ×: ${bound} s)`,
    )
  if (lab[1])
    log(`without ${without}: ${lab[1].wallSeconds} s wall (${round(whole.wallSeconds - lab[1].wallSeconds)} s less)`)
  log('bench/lab.json written')
  if (lab.some((r) => r.exitCode !== 0) || Object.values(serial).some((s) => s.exitCode !== 0)) process.exitCode = 1
}

main().catch((e) => {
  process.stderr.write(`bench:lab: ${(e as Error).message}\n`)
  process.exitCode = 2
})
