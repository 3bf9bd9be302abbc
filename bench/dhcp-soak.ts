/**
 * The DHCP soak (issue 29): the DHCP section (features/deploy-a-network-container-that-supports-dhcp.feature,
 * each of its scenarios) run N times in a row (default 60: `netconform run --repeat N`) on each DHCP endpoint of
 * the lab (every target whose profile offers a DHCP network and whose endpoint answers: podman and podman-5),
 * the endpoints side by side. Root, on the lab's machine (it reads udhcpd's leases: lab/lib.sh).
 *
 *   node --require ts-node/register bench/dhcp-soak.ts [--runs N] [--target NAME]...
 *
 * It holds when, on every endpoint: no scenario was not run, none failed, no verdict changed between runs, no
 * container of its runs (label io.netconform.run) is left, and no lease leaked: no lease that udhcpd holds at
 * the end (and did not before) for a MAC no container on a DHCP endpoint has is still held a lease and 30 s
 * later. It prints each endpoint's runs, time and counts, the pool's free count
 * before and after, and writes bench/dhcp-soak.json. Exit 0 when it holds, 1 when not, 2 on a usage error.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { dockerFor } from '../support/engine/connection'
import { knownTargets, loadTarget } from '../support/profile/targets'
import { featureScenarios } from '../support/scenario-id'
import { eventually } from '../support/poll'
import { loadSummary } from '../support/report/summary'
import { LABEL_RUN } from '../support/cleanup/resources'
import type { Target } from '../support/types'
import { oneLine } from '../support/text'

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
  /** Runs that wrote no summary.json (they ran nothing), with their output's end. */
  noSummary: string[]
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
    const all = await docker.listContainers({ all: true }).catch(() => []) // none known: their leases count as stray
    for (const c of all) {
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

/**
 * `netconform run --repeat N` of the section on `target` (one process: N runs in a row, each with its own run id
 * and report), its progress lines logged; returns its exit code and the summaries of its runs, in order.
 */
async function repeated(target: string, tags: string, runs: number, reports: string) {
  const args = ['run', '--target', target, '--tags', tags, '--repeat', String(runs), '--reports', reports]
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let rest = ''
  const take = (d: Buffer) => {
    output = (output + d.toString()).slice(-2000)
    const lines = (rest + d.toString()).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines)
      if (/^netconform: (repetition|\d+ not run|.*stopped answering)/.test(line)) log(`${target}: ${line}`)
  }
  child.stdout.on('data', take)
  child.stderr.on('data', take)
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)))
  const base = join(reports, target)
  const summaries = (existsSync(base) ? readdirSync(base, { withFileTypes: true }) : [])
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'summary.json')))
    .map((d) => loadSummary(join(base, d.name, 'summary.json')))
    .sort((x, y) => x.startedAt.localeCompare(y.startedAt))
  return { code, summaries, output: oneLine(output.slice(-600)) }
}

async function soak(target: Target, tags: string, runs: number): Promise<EndpointSoak> {
  const started = Date.now()
  const reports = mkdtempSync(join(tmpdir(), `netconform-dhcp-soak-${target.name}-`))
  try {
    const { code, summaries, output } = await repeated(target.name, tags, runs, reports)
    const verdicts = new Map<string, Set<string>>()
    const result: EndpointSoak = {
      target: target.name,
      runs: summaries.length,
      seconds: Math.round((Date.now() - started) / 1000),
      notRun: [],
      fails: [],
      changed: [],
      exitCodes: [code],
      leftContainers: [],
      // Runs that wrote no summary.json ran nothing: the output's end says why.
      noSummary:
        summaries.length < runs ? [`${runs - summaries.length} of ${runs} runs wrote no summary: ${output}`] : [],
    }
    summaries.forEach((summary, i) => {
      for (const n of summary.notRun ?? []) result.notRun.push(`run ${i + 1}: ${n.id}: ${n.reason}`)
      for (const sc of summary.scenarios) {
        verdicts.set(sc.id, (verdicts.get(sc.id) ?? new Set()).add(sc.verdict))
        if (sc.verdict === 'fails') result.fails.push(`run ${i + 1}: ${sc.id}: ${sc.reason}`)
      }
    })
    result.changed = [...verdicts].filter(([, v]) => v.size > 1).map(([id, v]) => `${id}: ${[...v].join(' and ')}`)
    // What the soak's runs left on the endpoint: containers labelled with one of their run ids.
    const runIds = new Set(summaries.map((x) => x.runId))
    // An endpoint that cannot list them (a container another run left broken: Podman answers 500) is no proof.
    result.leftContainers = await dockerFor(target)
      .listContainers({ all: true, filters: { label: [LABEL_RUN] } })
      .then(
        (left) => left.filter((c) => runIds.has(c.Labels[LABEL_RUN])).map((c) => c.Names[0] ?? c.Id),
        (e: Error) => [`could not list the containers: ${oneLine(e.message, 200)}`],
      )
    const verdictLine = [...verdicts].map(([id, v]) => `${id} ${[...v].join('/')}`).join(', ')
    log(`${target.name}: ${summaries.length} runs done in ${result.seconds} s (exit ${code}): ${verdictLine}`)
    return result
  } finally {
    rmSync(reports, { recursive: true, force: true })
  }
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
  // A lease the soak leaked: one granted during it (not held before) to a MAC no container has, held when the
  // soak ended and still held a lease and 30 s later (one a removed container did not give back lasts a lease
  // at most). Leases that other runs on the lab take and leave meanwhile are not the soak's: only those seen
  // stray at the end are awaited.
  const stray = async () => {
    const now = await leases()
    const macs = await containerMacs(targets)
    return new Map([...now].filter(([mac]) => !before.has(mac) && !macs.has(mac.toLowerCase())))
  }
  const ended = Date.now()
  const atEnd = await stray()
  const leaked = await eventually(
    `the ${atEnd.size} leases held by no container's MAC at the end expired or given back`,
    async () => {
      const still = [...(await stray())].filter(([mac]) => atEnd.has(mac))
      return { ok: still.length === 0, seen: still.map(([m, ip]) => `${m} ${ip}`).join(', ') }
    },
    { timeoutMs: (leaseSeconds + 30) * 1000, intervalMs: 2_000 },
  ).then(
    () => ({ count: 0, strayAtEnd: atEnd.size, waitedMs: Date.now() - ended, seen: '' }),
    // The count is the stray leases last seen (the error's message lists them).
    (e: Error) => ({
      count: e.message.split(', ').length,
      strayAtEnd: atEnd.size,
      waitedMs: Date.now() - ended,
      seen: e.message,
    }),
  )
  const poolAfter = await pool()
  for (const r of results) {
    log(
      `dhcp-soak: ${r.target}: ${r.runs} runs in ${r.seconds} s, ${r.notRun.length} not run, ` +
        `${r.fails.length} fails, ${r.changed.length} verdicts changed, ${r.leftContainers.length} containers left, ` +
        `${r.noSummary.length ? 'some runs without a summary, ' : ''}exit ${r.exitCodes.join('/')}`,
    )
    for (const x of [...r.noSummary, ...r.notRun, ...r.fails, ...r.changed, ...r.leftContainers].slice(0, 10))
      log(`  ${x}`)
  }
  const leakedWords =
    leaked.count === 0
      ? `0 (${leaked.strayAtEnd} held by no container at the end, gone ${(leaked.waitedMs / 1000).toFixed(0)} s later)`
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
    results.every(
      (r) =>
        !r.noSummary.length && !r.notRun.length && !r.fails.length && !r.changed.length && !r.leftContainers.length,
    )
  return ok ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`dhcp-soak: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
