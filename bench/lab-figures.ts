/**
 * The whole lab's bench figures (bench/lab.ts) put together: the ratios of a lab run to its engines'
 * floors, given only when every part of a ratio was measured in one bench run. The machine's speed
 * varies more from one day to the next than the gap the ratios measure (523 CPU-s for the floors one
 * day, 200 another), so a ratio of figures from two runs would say nothing; it is refused instead.
 */

/** The whole lab's wall may be this much above the floors' CPU-seconds spread over the cores. */
const WALL_GOAL = 1.3
/** The lab run's CPU-seconds may be this much above the floors'. */
const CPU_GOAL = 1.1

export interface Cost {
  /** The bench run (one invocation of bench/lab.ts) that measured it. */
  benchRun: string
  /** When the measurement started. */
  measuredAt: string
  wallSeconds: number
  /** The CPU-seconds this machine's CPUs were busy meanwhile. */
  cpuSeconds: number
}

export interface Floor extends Cost {
  /** Seconds per part of the script (a section, or a part of one), in its order. */
  parts: Record<string, number>
  /** What the floor saw not as documented (the suite's deviations, seen without a harness). */
  notes: string[]
}

export interface SuiteRun extends Cost {
  exitCode: number
  totals: string
}

export interface LabRun extends Cost {
  exitCode: number
  /** The endpoints it ran (`conformance --targets`). */
  targets: string[]
  jobs: number
  tags?: string
  /** Each endpoint's wall seconds in it, as `conformance` prints them. */
  endpoints: Record<string, number>
}

export interface Measured {
  cores: number
  floors: Record<string, Floor>
  serial: Record<string, SuiteRun>
  /** The whole lab as README's command runs it; a second entry without the --without scenarios. */
  conformance: LabRun[]
}

interface Whole {
  benchRun: string
  floorCpuSeconds: number
  floorCpuSecondsPerCore: number
  /** WALL_GOAL × Σ floor CPU-s ÷ cores: the whole lab's wall must stay under it. */
  wallBound: number
  conformanceWallSeconds: number
  conformanceCpuSeconds: number
  /** The lab run's wall ÷ (Σ floor CPU-s ÷ cores). */
  wallRatio: number
  /** The lab run's CPU-s ÷ Σ floor CPU-s. */
  cpuRatio: number
  withinWallGoal: boolean
  withinCpuGoal: boolean
}

interface Figures extends Measured {
  /** The whole lab's ratios, when the lab run and the floors of all its endpoints come from one bench run. */
  whole?: Whole
  /** serial ÷ floor (wall) per endpoint, where both come from one bench run. */
  serialOverFloor: Record<string, number>
  /** Why a ratio asked for is not given: one line, or undefined when every ratio could be given. */
  refusal?: string
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

/**
 * The ratios of what was measured, each only from parts of one bench run. A lab run without the
 * floors of its endpoints from its own bench run (not measured, or measured in another) gets no
 * ratio, and neither does a serial run without its endpoint's floor; the refusal says which.
 */
export function figuresOf(m: Measured): Figures {
  const missing: string[] = []
  const serialOverFloor: Record<string, number> = {}
  for (const [name, s] of Object.entries(m.serial)) {
    const f = m.floors[name] as Floor | undefined
    if (f?.benchRun === s.benchRun) serialOverFloor[name] = round(s.wallSeconds / f.wallSeconds, 2)
    else missing.push(`the serial run of ${name} has no floor from its own bench run (${absent(f)})`)
  }
  const lab = m.conformance[0] as LabRun | undefined
  let whole: Whole | undefined
  if (lab) {
    const apart = lab.targets.filter((name) => m.floors[name]?.benchRun !== lab.benchRun)
    if (apart.length > 0)
      missing.push(
        `the lab run (${lab.benchRun}) has no floor from its own bench run for ${apart.length} of its ` +
          `${lab.targets.length} endpoints (${apart.map((n) => `${n}: ${absent(m.floors[n])}`).join(', ')})`,
      )
    else
      whole = wholeOf(
        lab,
        lab.targets.map((name) => m.floors[name]),
        m.cores,
      )
  } else if (Object.keys(m.floors).length > 0) missing.push('the floors have no lab run of their bench run')
  const refusal = missing.length
    ? `no ratio: ${missing.join('; ')}; measure the floors and the runs in one bench run (npm run bench:lab)`
    : undefined
  return { ...m, ...(whole ? { whole } : {}), serialOverFloor, ...(refusal ? { refusal } : {}) }
}

/** Why an endpoint's floor is not one to divide by: not measured, or measured in another bench run. */
function absent(floor: Floor | undefined): string {
  return floor ? `floor from bench run ${floor.benchRun}` : 'floor not measured'
}

function wholeOf(lab: LabRun, floors: Floor[], cores: number): Whole {
  const floorCpu = round(floors.reduce((sum, f) => sum + f.cpuSeconds, 0))
  const perCore = floorCpu / cores
  return {
    benchRun: lab.benchRun,
    floorCpuSeconds: floorCpu,
    floorCpuSecondsPerCore: round(perCore),
    wallBound: round(WALL_GOAL * perCore),
    conformanceWallSeconds: lab.wallSeconds,
    conformanceCpuSeconds: lab.cpuSeconds,
    wallRatio: round(lab.wallSeconds / perCore, 2),
    cpuRatio: round(lab.cpuSeconds / floorCpu, 2),
    withinWallGoal: lab.wallSeconds <= WALL_GOAL * perCore,
    withinCpuGoal: lab.cpuSeconds <= CPU_GOAL * floorCpu,
  }
}

/** The table README carries (only this bench run's figures), and the whole lab's lines. */
export function tableOf(r: Figures, endpoints: readonly string[]): string[] {
  const lab = r.conformance[0] as LabRun | undefined
  const names = [...new Set([...endpoints, ...Object.keys(r.floors), ...Object.keys(r.serial)])]
  const lines = [
    '| endpoint | doc floor: wall | doc floor: CPU-s | suite serial: wall | serial ÷ floor ' +
      `| in \`conformance --jobs ${lab?.jobs ?? '…'}\`: wall |`,
    '|---|---:|---:|---:|---:|---:|',
  ]
  for (const name of names) {
    const f = r.floors[name] as Floor | undefined
    const s = r.serial[name] as SuiteRun | undefined
    const cells = [
      f ? `${f.wallSeconds} s` : '–',
      f ? `${f.cpuSeconds}` : '–',
      s ? `${s.wallSeconds} s` : '–',
      r.serialOverFloor[name] !== undefined ? `${r.serialOverFloor[name]} ×` : '–',
      lab?.endpoints[name] !== undefined ? `${lab.endpoints[name]} s` : '–',
    ]
    lines.push(`| ${name} | ${cells.join(' | ')} |`)
  }
  if (lab) lines.push(`whole lab: ${lab.wallSeconds} s wall, ${lab.cpuSeconds} CPU-s (bench run ${lab.benchRun})`)
  const w = r.whole
  if (w)
    lines.push(
      `  wall ${w.conformanceWallSeconds} s against Σ floor ${w.floorCpuSeconds} CPU-s ÷ ${r.cores} cores = ` +
        `${w.floorCpuSecondsPerCore} s: ${w.wallRatio} × (goal ≤ ${WALL_GOAL} ×: ${w.wallBound} s; ` +
        `${w.withinWallGoal ? 'met' : 'not met'})`,
      `  CPU ${w.conformanceCpuSeconds} CPU-s against Σ floor ${w.floorCpuSeconds} CPU-s: ${w.cpuRatio} × ` +
        `(goal ≤ ${CPU_GOAL} ×; ${w.withinCpuGoal ? 'met' : 'not met'})`,
    )
  const without = r.conformance[1] as LabRun | undefined
  if (lab && without)
    lines.push(
      `with --tags '${without.tags}': ${without.wallSeconds} s wall ` +
        `(${round(lab.wallSeconds - without.wallSeconds)} s less)`,
    )
  return lines
}
