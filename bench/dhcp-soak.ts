/**
 * The DHCP soak (issue 29): the DHCP section (features/deploy-a-network-container-that-supports-dhcp.feature,
 * each of its scenarios) run N times in a row (default 60), each a `netconform run` of its own, on each DHCP
 * endpoint of the lab (every target whose profile offers a DHCP network and whose endpoint answers: podman and
 * podman-5), the endpoints side by side. Root, on the lab's machine (it reads udhcpd's leases: lab/lib.sh).
 *
 *   node --require ts-node/register bench/dhcp-soak.ts [--runs N] [--target NAME]...
 *
 * It holds when, on every endpoint: no scenario was not run, none failed, no verdict changed between runs, no
 * container of its runs (label io.netconform.run) is left, and no lease leaked: within a lease and 30 s of
 * the last run, every lease udhcpd holds that it did not hold before the soak belongs to a MAC that a
 * container on a DHCP endpoint has. It prints each endpoint's runs, time and counts, the pool's free count
 * before and after, and writes bench/dhcp-soak.json. Exit 0 when it holds, 1 when not, 2 on a usage error.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { dockerFor } from '../support/engine/connection'
import { knownTargets, loadTarget } from '../support/profile/targets'
import { featureScenarios } from '../support/scenario-id'
import { eventually } from '../support/poll'
import { loadSummary } from '../support/report/summary'
import { LABEL_RUN } from '../support/cleanup/resources'
import type { Summary, Target } from '../support/types'

const PROJECT = join(__dirname, '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const FEATURE = 'deploy-a-network-container-that-supports-dhcp.feature'
const log = (line: string) => process.stdout.write(`${line}\n`)

interface EndpointSoak {
  target: string
  runs: number
  seconds: number
  notRun: string[]
  fails: string[]
  changed: string[]
  exitCodes: number[]
  leftContainers: string[]
}

function usage(message: string): never {
  process.stderr.write(`dhcp-soak: ${message} (usage: bench/dhcp-soak.ts [--runs N] [--target NAME]...)\n`)
  process.exit(2)
}

function parseArgs(argv: string[]): { runs: number; targets: string[] } {
  let runs = 60
  const targets: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1]
    if (argv[i] === '--runs' && /^[1-9]\d*$/.test(value ?? '')) runs = Number(argv[++i])
    else if (argv[i] === '--target' && value) targets.push(argv[++i])
    else usage(`unknown or incomplete option "${argv[i]}"`)
  }
  return { runs, targets }
}

/** The lab's udhcpd's unexpired leases, "MAC IP" each (lab/lib.sh's dhcp_leases). */
async function leases(): Promise<Map<string, string>> {
  const { stdout } = await execa('bash', ['-c', `. ${join(PROJECT, 'lab', 'lib.sh')} && dhcp_leases`])
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  )
}

/** The pool's "FREE USED" (lab/lib.sh's dhcp_pool). */
async function pool(): Promise<{ free: number; used: number }> {
  const { stdout } = await execa('bash', ['-c', `. ${join(PROJECT, 'lab', 'lib.sh')} && dhcp_pool`])
  const [free, used] = stdout.trim().split(' ').map(Number)
  return { free, used }
}

/** The MACs of every container (running or not) on the given endpoints, on any of their networks. */
async function containerMacs(targets: Target[]): Promise<Set<string>> {
  const macs = new Set<string>()
  for (const t of targets) {
    const docker = dockerFor(t)
    for (const c of await docker.listContainers({ all: true })) {
      const info = await docker
        .getContainer(c.Id)
        .inspect()
        .catch(() => undefined) // removed meanwhile: it holds nothing
      for (const n of Object.values(info?.NetworkSettings?.Networks ?? {}))
        if (n.MacAddress) macs.add(n.MacAddress.toLowerCase())
    }
  }
  return macs
}

/** One `netconform run` of the section on `target`, its summary read from its reports folder. */
async function runOnce(target: string, tags: string, reports: string): Promise<{ code: number; summary: Summary }> {
  const child = spawn(process.execPath, [CLI, 'run', '--target', target, '--tags', tags, '--reports', reports], {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)))
  const runs = join(reports, target)
  const dirs = readdirSync(runs).sort()
  if (dirs.length === 0) throw new Error(`run on ${target} wrote no report (exit ${code}): ${output.slice(-400)}`)
  return { code, summary: loadSummary(join(runs, dirs[dirs.length - 1])) }
}

async function soak(target: Target, tags: string, runs: number): Promise<EndpointSoak> {
  const started = Date.now()
  const verdicts = new Map<string, Set<string>>()
  const result: EndpointSoak = {
    target: target.name,
    runs,
    seconds: 0,
    notRun: [],
    fails: [],
    changed: [],
    exitCodes: [],
    leftContainers: [],
  }
  const runIds = new Set<string>()
  for (let i = 1; i <= runs; i++) {
    const reports = mkdtempSync(join(tmpdir(), `netconform-dhcp-soak-${target.name}-`))
    try {
      const { code, summary } = await runOnce(target.name, tags, reports)
      runIds.add(summary.runId)
      result.exitCodes.push(code)
      for (const n of summary.notRun ?? []) result.notRun.push(`run ${i}: ${n.id}: ${n.reason}`)
      for (const s of summary.scenarios) {
        verdicts.set(s.id, (verdicts.get(s.id) ?? new Set()).add(s.verdict))
        if (s.verdict === 'fails') result.fails.push(`run ${i}: ${s.id}: ${s.reason}`)
      }
      const line = summary.scenarios.map((s) => `${s.id} ${s.verdict}`).join(', ')
      const notRun = summary.notRun?.length ? `; ${summary.notRun.length} not run` : ''
      log(`${target.name} ${i}/${runs}: ${line}${notRun} (${(summary.durationMs / 1000).toFixed(1)} s, exit ${code})`)
    } finally {
      rmSync(reports, { recursive: true, force: true })
    }
  }
  result.seconds = Math.round((Date.now() - started) / 1000)
  result.changed = [...verdicts].filter(([, v]) => v.size > 1).map(([id, v]) => `${id}: ${[...v].join(' and ')}`)
  // What the soak's runs left on the endpoint: containers labelled with one of their run ids.
  const left = await dockerFor(target).listContainers({ all: true, filters: { label: [LABEL_RUN] } })
  result.leftContainers = left.filter((c) => runIds.has(c.Labels[LABEL_RUN])).map((c) => c.Names[0] ?? c.Id)
  return result
}

async function main(): Promise<number> {
  const { runs, targets: named } = parseArgs(process.argv.slice(2))
  const ids = featureScenarios()
    .filter((f) => f.pickle.uri.endsWith(FEATURE))
    .map((f) => f.pickle.tags.find((t) => t.name.startsWith('@id:'))!.name)
  if (ids.length === 0) throw new Error(`no scenarios in features/${FEATURE}`)
  const tags = ids.join(' or ')
  const all = (named.length > 0 ? named : knownTargets()).map((n) => loadTarget(n))
  const targets: Target[] = []
  for (const t of all) {
    if (!t.offers?.dhcpNetwork) {
      if (named.length > 0) usage(`target ${t.name} offers no DHCP network`)
      continue
    }
    const answers = await dockerFor(t, 5_000)
      .ping()
      .then(() => true)
      .catch(() => false)
    if (answers) targets.push(t)
    else log(`dhcp-soak: ${t.name} offers a DHCP network but does not answer on ${t.endpoint}: left out`)
  }
  if (targets.length === 0) usage('no DHCP endpoint answers')
  const leaseSeconds = Number(/^option lease (\d+)/m.exec(readFileSync('/run/netconform/udhcpd.conf', 'utf8'))?.[1])
  const before = await leases()
  const poolBefore = await pool()
  log(
    `dhcp-soak: ${runs} runs of ${tags} on ${targets.map((t) => t.name).join(', ')}; ` +
      `pool ${poolBefore.free} free, ${poolBefore.used} in use (leases of ${leaseSeconds} s)`,
  )
  const started = Date.now()
  const results = await Promise.all(targets.map((t) => soak(t, tags, runs)))
  const wall = Math.round((Date.now() - started) / 1000)
  // A lease the soak leaked: granted during it (not held before) to a MAC no container has. One that a
  // removed container did not give back lasts a lease at most: awaited for a lease and 30 s.
  const ended = Date.now()
  const leaked = await eventually(
    `every lease granted during the soak held by a container's MAC`,
    async () => {
      const now = await leases()
      const macs = await containerMacs(targets)
      const stray = [...now].filter(([mac]) => !before.has(mac) && !macs.has(mac.toLowerCase()))
      return { ok: stray.length === 0, seen: stray.map(([m, ip]) => `${m} ${ip}`).join(', '), value: stray }
    },
    { timeoutMs: (leaseSeconds + 30) * 1000, intervalMs: 2_000 },
  ).then(
    (o) => ({ count: 0, waitedMs: Date.now() - ended, seen: o.seen }),
    // The count is the stray leases last seen (the error's message lists them).
    (e: Error) => ({ count: e.message.split(', ').length, waitedMs: Date.now() - ended, seen: e.message }),
  )
  const poolAfter = await pool()
  for (const r of results) {
    log(
      `dhcp-soak: ${r.target}: ${r.runs} runs in ${r.seconds} s, ${r.notRun.length} not run, ` +
        `${r.fails.length} fails, ${r.changed.length} verdicts changed, ${r.leftContainers.length} containers left, ` +
        `exit codes ${[...new Set(r.exitCodes)].join('/')}`,
    )
    for (const x of [...r.notRun, ...r.fails, ...r.changed, ...r.leftContainers].slice(0, 10)) log(`  ${x}`)
  }
  const leakedWords =
    leaked.count === 0
      ? `0 (every lease given back or held by a container ${(leaked.waitedMs / 1000).toFixed(0)} s after the last run)`
      : leaked.seen
  log(
    `dhcp-soak: ${wall} s in all; leases leaked: ${leakedWords}; ` +
      `pool after: ${poolAfter.free} free, ${poolAfter.used} in use (before: ${poolBefore.free} free)`,
  )
  writeFileSync(
    join(PROJECT, 'bench', 'dhcp-soak.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        runs,
        tags,
        leaseSeconds,
        wallSeconds: wall,
        poolBefore,
        poolAfter,
        leaked,
        results,
      },
      null,
      2,
    )}\n`,
  )
  const ok =
    leaked.count === 0 &&
    results.every((r) => !r.notRun.length && !r.fails.length && !r.changed.length && !r.leftContainers.length)
  return ok ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`dhcp-soak: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
