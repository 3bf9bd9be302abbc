/**
 * bench:lab's ratios (bench/lab-figures.ts): given only when the lab run and the floors it is divided
 * by come from one bench run; otherwise refused in one line that says which parts are missing.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import { figuresOf, type Floor, type LabRun, type Measured, type SuiteRun, tableOf } from '../../bench/lab-figures'

const TODAY = '2026-12-08T10:00:00.000Z-4242'
const EARLIER = '2026-12-05T06:11:10.252Z-1717'

const floor = (benchRun: string, cpuSeconds: number, wallSeconds = 60): Floor => ({
  benchRun,
  measuredAt: benchRun.slice(0, 24),
  wallSeconds,
  cpuSeconds,
  parts: {},
  notes: [],
})
const lab = (benchRun: string, targets: string[], wallSeconds: number, cpuSeconds: number): LabRun => ({
  benchRun,
  measuredAt: benchRun.slice(0, 24),
  wallSeconds,
  cpuSeconds,
  exitCode: 0,
  targets,
  jobs: 3,
  endpoints: Object.fromEntries(targets.map((t) => [t, 100])),
})
const serialRun = (benchRun: string, wallSeconds: number): SuiteRun => ({
  benchRun,
  measuredAt: benchRun.slice(0, 24),
  wallSeconds,
  cpuSeconds: 50,
  exitCode: 0,
  totals: '37 conforms',
})
const measured = (m: Partial<Measured>): Measured => ({ cores: 2, floors: {}, serial: {}, conformance: [], ...m })

test('bench:lab: floors and the lab run of one bench run give both ratios, and no refusal', () => {
  const f = figuresOf(
    measured({
      floors: { docker: floor(TODAY, 120), podman: floor(TODAY, 80.4) },
      conformance: [lab(TODAY, ['docker', 'podman'], 130, 240)],
    }),
  )
  expect(f.refusal).to.equal(undefined)
  expect(f.whole).to.include({
    benchRun: TODAY,
    floorCpuSeconds: 200.4,
    floorCpuSecondsPerCore: 100.2,
    wallRatio: 1.3,
    cpuRatio: 1.2,
    withinWallGoal: true, // 130 s ≤ 1.3 × 100.2 s
    withinCpuGoal: false, // 1.2 × > 1.1 ×
  })
  const lines = tableOf(f, ['docker', 'podman'])
  expect(lines.join('\n')).to.include('1.3 ×').and.include('1.2 ×').and.include(`bench run ${TODAY}`)
})

test('bench:lab: a lab run alone (--parts conformance) gets its wall, no ratio, and one line saying why', () => {
  const f = figuresOf(measured({ conformance: [lab(TODAY, ['docker', 'podman'], 130, 240)] }))
  expect(f.whole).to.equal(undefined)
  expect(f.refusal).to.match(
    /^no ratio: the lab run \(.*\) has no floor from its own bench run for 2 of its 2 endpoints/,
  )
  expect(f.refusal).to.include('docker: floor not measured')
  expect(f.refusal!.split('\n')).to.have.length(1)
  const table = tableOf(f, ['docker', 'podman']).join('\n')
  expect(table).to.include('whole lab: 130 s wall, 240 CPU-s')
  expect(table).not.to.match(/×/)
})

test('bench:lab: floors of another bench run are refused as parts of a ratio, even one endpoint of several', () => {
  const f = figuresOf(
    measured({
      floors: { docker: floor(TODAY, 120), podman: floor(EARLIER, 80.4) },
      serial: { docker: serialRun(TODAY, 90), podman: serialRun(TODAY, 70) },
      conformance: [lab(TODAY, ['docker', 'podman'], 130, 240)],
    }),
  )
  expect(f.whole).to.equal(undefined)
  expect(f.refusal).to.include(`podman: floor from bench run ${EARLIER}`)
  expect(f.refusal).to.include('1 of its 2 endpoints')
  expect(f.refusal).to.include('the serial run of podman has no floor from its own bench run')
  expect(f.serialOverFloor).to.deep.equal({ docker: 1.5 })
  expect(tableOf(f, ['docker', 'podman']).find((l) => l.startsWith('| podman'))).to.equal(
    '| podman | 60 s | 80.4 | 70 s | – | 100 s |',
  )
})

test('bench:lab: floors alone (--parts floor) give no ratio either: they have no lab run of their bench run', () => {
  const f = figuresOf(measured({ floors: { docker: floor(TODAY, 120) } }))
  expect(f.whole).to.equal(undefined)
  expect(f.refusal).to.equal(
    'no ratio: the floors have no lab run of their bench run; measure the floors and the runs in one bench run (npm run bench:lab)',
  )
})
