/**
 * The conformance features against every lab endpoint (`npx --no netconform lab up` first), as a
 * user runs them: through the CLI. Asserts the verdicts the profiles (targets/NAME.yaml, one per lab endpoint)
 * say these machines give, each deviation with the failure its profile declares,
 * the report set, that nothing labelled is left behind, and that what the suite did not create
 * survives.
 */
import { test, before, after } from 'node:test'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import Docker from 'dockerode'
import {
  NEEDS_OFFERS,
  NEEDS_TRUST_LEVEL,
  SCENARIO_IDS,
  WHOLE_ENDPOINT_IDS,
  WITHOUT_WHOLE_ENDPOINT,
} from './expected-verdicts'
import { deploymentOf, inboundOutcome } from '../../support/profile/deployment'
import { loadTarget } from '../../support/profile/targets'
import { failureText, matchesDeviation } from '../../support/profile/verdicts'
import { DEADLINE_HEADING } from '../../support/report/summary-markdown'
import { stringify } from 'yaml'
import { tmpdir } from 'node:os'
import { DOC_SECTIONS } from '../../support/document/doc'
import { LAB_ENDPOINTS } from '../../support/cli/conformance'
import type { ScenarioResult, Summary, Target, Verdict } from '../../support/types'
import { loadSummary } from '../../support/report/summary'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
/** The lab's endpoints (`netconform conformance` runs the same), each at its profile's socket. */
const ENDPOINTS: Record<string, string> = Object.fromEntries(
  LAB_ENDPOINTS.map((name) => [name, loadTarget(name).endpoint]),
)

const netconform = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  execa('node', [CLI, ...args], { cwd: PROJECT, reject: false, env, all: true, timeout: 600_000 })

/** A scenario's expected verdict, and what else its result must show. */
interface Expected {
  verdict: Verdict
  check?: (s: ScenarioResult) => void
}

/**
 * What the profile says each scenario does on its endpoint: not-applicable where it lacks the
 * offer the scenario needs (the reason and the field say which), deviates where it declares a
 * deviation (failing at the declared step, with a message the declared observed matches), and
 * conforms otherwise. `declared` false: the deviations are those of `profile` but the run's
 * profile declares none, so each is a failure, the very one the profile describes.
 */
function expectedFrom(profile: Target, declared = true): Record<string, Expected> {
  const expected: Record<string, Expected> = {}
  for (const id of SCENARIO_IDS) {
    if (WHOLE_ENDPOINT_IDS.has(id)) continue
    const offer = NEEDS_OFFERS[id]?.find((o) => !profile.offers[o])
    const deviation = profile.deviations[id]
    if (offer) {
      expect(
        deviation,
        `${profile.source} declares a deviation for ${id}, which it cannot run (no offers.${offer})`,
      ).to.equal(undefined)
      expected[id] = {
        verdict: 'not-applicable',
        check: (s) => {
          expect(s.notApplicableField, `${id}'s field`).to.equal(`offers.${offer}`)
          expect(s.reason, `${id}'s reason`).to.match(new RegExp(`offers\\.${offer}`))
        },
      }
    } else if (
      NEEDS_TRUST_LEVEL.has(id) &&
      inboundOutcome(deploymentOf(profile).containerNetworkFirewall, true) === 'nothing in'
    ) {
      expected[id] = {
        verdict: 'not-applicable',
        check: (s) => expect(s.notApplicableField, `${id}'s field`).to.equal('deployment.containerNetworkFirewall'),
      }
    } else if (deviation) {
      expected[id] = {
        verdict: declared ? 'deviates' : 'fails',
        check: (s) => {
          expect(
            matchesDeviation(s.failure, deviation),
            `${id} failed as ${profile.source} declares (${deviation.step} / /${deviation.observed}/): ${JSON.stringify(s.failure)}`,
          ).to.equal(true)
          expect(s.reason, `${id}'s reason`).to.equal(
            declared ? `${deviation.reason} (observed: ${failureText(s.failure!)})` : failureText(s.failure!),
          )
        },
      }
    } else {
      expected[id] = { verdict: 'conforms', check: (s) => expect(s.reason, `${id}'s reason`).to.equal('') }
    }
  }
  return expected
}

/**
 * Decoys: containers `server` and `db` and a network `my-bridge-network`, made by hand before the run,
 * without the suite's run label (to the suite they are someone else's). They carry DECOY_LABEL, this
 * test's own, so a test run that was killed before its `after` leaves nothing the next one cannot find:
 * `before` removes decoys by that label first (left running, a `db` would keep every later
 * control-plane scenario from stopping its engine), and `after` by the same label.
 */
interface Decoys {
  container?: string
  db?: string
  network?: string
}
const decoys: Record<string, Decoys> = {}
const DECOY_LABEL = 'io.netconform.lab-test.decoy'
const DECOY_LABELS = { [DECOY_LABEL]: 'conformance.test' }

/** Removes every decoy of this test's on the endpoint, by DECOY_LABEL: a killed run's before, this run's after. */
async function removeDecoys(docker: Docker): Promise<void> {
  const filters = JSON.stringify({ label: [DECOY_LABEL] })
  for (const c of await docker.listContainers({ all: true, filters }))
    await docker.getContainer(c.Id).remove({ force: true })
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove()
}

/** Whether the endpoint already has a container NAME (someone else's: it then stands in as the decoy). */
async function hasContainer(docker: Docker, name: string): Promise<boolean> {
  const filters = JSON.stringify({ name: [`^/?${name}$`] })
  return (await docker.listContainers({ all: true, filters })).length > 0
}

const decoyContainer = (docker: Docker, name: string) =>
  docker.createContainer({ name, Image: 'netconform-probe:1', Cmd: ['sleep', '3600'], Labels: DECOY_LABELS })

async function makeDecoys(docker: Docker): Promise<Decoys> {
  await removeDecoys(docker)
  const made: Decoys = {}
  if ((await docker.listNetworks({ filters: JSON.stringify({ name: ['^my-bridge-network$'] }) })).length === 0) {
    made.network = (
      await docker.createNetwork({ Name: 'my-bridge-network', Driver: 'bridge', Labels: DECOY_LABELS })
    ).id
  }
  if (!(await hasContainer(docker, 'server'))) made.container = (await decoyContainer(docker, 'server')).id
  if (!(await hasContainer(docker, 'db'))) {
    const db = await decoyContainer(docker, 'db')
    await db.start()
    made.db = db.id
  }
  return made
}

/** A docker profile that declares no deviation: the same offers, so each declared deviation is a failure. */
function undeclaredProfile(): string {
  const profile = loadTarget('docker')
  const bare = {
    ...profile,
    name: 'docker-undeclared',
    deviations: undefined,
    offers: profile.offers,
    source: undefined,
  }
  const file = join(mkdtempSync(join(tmpdir(), 'netconform-')), 'docker-undeclared.yaml')
  writeFileSync(file, stringify(JSON.parse(JSON.stringify(bare))))
  return file
}
const UNDECLARED = undeclaredProfile()
const UNDECLARED_REPORTS = mkdtempSync(join(tmpdir(), 'netconform-undeclared-reports-'))
/** The lab's Docker once more, in two workers that each set a section up once (its own reports folder). */
const PARALLEL = 'docker --parallel 2'
const PARALLEL_REPORTS = mkdtempSync(join(tmpdir(), 'netconform-parallel-reports-'))
/** A run's arguments and where its reports go: the lab's endpoints into reports/, this test's own runs into folders of their own. */
function runOf(key: string): { args: string[]; reports: string } {
  const tags = ['--tags', WITHOUT_WHOLE_ENDPOINT]
  if (key === UNDECLARED)
    return { args: ['--target', key, '--reports', UNDECLARED_REPORTS, ...tags], reports: UNDECLARED_REPORTS }
  if (key === PARALLEL)
    return {
      args: ['--target', 'docker', '--parallel', '2', '--reports', PARALLEL_REPORTS, ...tags],
      reports: PARALLEL_REPORTS,
    }
  return { args: ['--target', key, ...tags], reports: join(PROJECT, 'reports') }
}

before(async () => {
  for (const [name, endpoint] of Object.entries(ENDPOINTS))
    decoys[name] = await makeDecoys(new Docker({ socketPath: new URL(endpoint).pathname }))
  // Every run starts now (JOBS at a time); each test awaits its own.
  for (const name of Object.keys(ENDPOINTS)) void startRun(name).catch(() => {})
  void startRun(UNDECLARED).catch(() => {})
  void startRun(PARALLEL).catch(() => {})
})

after(async () => {
  for (const endpoint of Object.values(ENDPOINTS))
    await removeDecoys(new Docker({ socketPath: new URL(endpoint).pathname }))
})

/**
 * The runs, started in `before` and awaited by the tests: NETCONFORM_LAB_JOBS of them at once
 * (default 3). They are independent engines; their scenarios take turns on this host's ports
 * (endpoint/host-lock.ts) and on each endpoint (endpoint/lock.ts), as `netconform conformance --jobs` does.
 */
const JOBS = Math.max(1, Number(process.env.NETCONFORM_LAB_JOBS ?? 3) || 1)
const runs = new Map<string, ReturnType<typeof netconform>>()
const queue: (() => void)[] = []
let running = 0
function startRun(targetArg: string): ReturnType<typeof netconform> {
  const known = runs.get(targetArg)
  if (known) return known
  const run = new Promise<void>((go) => queue.push(go))
    .then(() => netconform(['run', ...runOf(targetArg).args]))
    .finally(() => {
      running -= 1
      next()
    }) as ReturnType<typeof netconform>
  runs.set(targetArg, run)
  next()
  return run
}
function next(): void {
  while (running < JOBS && queue.length > 0) {
    running += 1
    queue.shift()!()
  }
}

/**
 * A failed run's output, the telling lines first: each verdict line that is not the one
 * expected (with the reason line under it), then the closing lines. CI shows only the
 * start of a failure's message.
 */
function gist(all: string, expected: Record<string, Expected>): string {
  const lines = all.split('\n')
  const unexpected: string[] = []
  lines.forEach((line, i) => {
    const m = /^(conforms|deviates|fails|not run|not applicable)\s+(\S+)/.exec(line)
    if (m && expected[m[2]]?.verdict !== m[1].replace(' ', '-')) unexpected.push(line, lines[i + 1] ?? '')
  })
  return [
    `unexpected verdicts: ${unexpected.length === 0 ? 'none' : ''}`,
    ...unexpected,
    'last lines:',
    ...lines.slice(-6),
    'whole output:',
    all,
  ].join('\n')
}

/** The report folder a run names on its last line (runs of other targets may end meanwhile). */
const reportsFolderOf = (stdout: string) => /netconform: reports in (\S+)/.exec(stdout)?.[1]

/**
 * A scenario the endpoint failed a call of, or whose holds were not had in time, is not run: an
 * honest outcome on a loaded machine, not a verdict. Those (and only when every scenario not run
 * was so) are run once more, alone, and said on the test's output; each must then get its
 * expected verdict. Any other scenario not run stays a failure of the test.
 */
async function onceMore(targetArg: string, summary: Summary): Promise<Summary | undefined> {
  const notRun = summary.notRun ?? []
  const retried = notRun.filter((n) => n.cause === 'failed-call' || n.cause === 'held')
  if (retried.length === 0 || retried.length < notRun.length) return undefined
  for (const n of retried) console.log(`${targetArg}: ${n.id} not run (${n.reason}): running it once more`)
  const { args } = runOf(targetArg)
  const at = args.indexOf('--tags')
  const tags = retried.map((n) => `@id:${n.id}`).join(' or ')
  const r = await netconform(['run', ...args.slice(0, at), ...args.slice(at + 2), '--tags', tags])
  const said = reportsFolderOf(r.stdout)
  expect(said, `the second run names its report folder: ${r.all}`).to.be.a('string')
  const again = loadSummary(resolve(PROJECT, said!))
  expect(again.notRun ?? [], `not run twice on ${targetArg}`).to.deep.equal([])
  return again
}

/** Runs the suite on a target and checks verdicts, the report set, leaks and decoys. */
async function runAndCheck(
  targetArg: string,
  reportName: string,
  endpoint: string,
  expected: Record<string, Expected>,
): Promise<Summary> {
  const r = await startRun(targetArg)
  const fails = Object.values(expected).filter((e) => e.verdict === 'fails').length

  // The run's own report folder (runs of other targets may end meanwhile).
  const said = reportsFolderOf(r.stdout)
  expect(said, `the run names its report folder: ${gist(r.all ?? '', expected)}`).to.be.a('string')
  const latest = resolve(PROJECT, said!)
  const under = runOf(targetArg).reports
  expect(latest.startsWith(join(under, reportName)), `${latest} is a report of ${reportName} in ${under}`).to.equal(
    true,
  )
  for (const f of ['messages.ndjson', 'report.html', 'junit.xml', 'summary.json', 'summary.md']) {
    expect(existsSync(join(latest, f)), `${f} in ${latest}`).to.equal(true)
  }
  const summary: Summary = loadSummary(latest)
  const again = await onceMore(targetArg, summary)
  expect(r.exitCode, gist(r.all ?? '', expected)).to.equal(fails > 0 || again ? 1 : 0)
  expect(summary.target.endpoint).to.equal(endpoint)
  expect(summary.target.engine.version).to.be.a('string').and.not.equal('')
  const results = [...summary.scenarios, ...(again?.scenarios ?? [])]
  const seen = Object.fromEntries(results.map((s) => [s.id, s.verdict]))
  expect(seen).to.deep.equal(Object.fromEntries(Object.entries(expected).map(([id, e]) => [id, e.verdict])))
  for (const s of results) {
    expected[s.id].check?.(s)
    expect(DOC_SECTIONS, `${s.id}'s doc heading`).to.include(s.doc)
  }
  // The closing line says how many are not applicable, and for want of which field.
  const counts = summary.totals['not-applicable']
  expect(r.stdout).to.match(
    new RegExp(
      `: ${summary.totals.conforms} conforms, ${summary.totals.deviates} deviates, ${summary.totals.fails} fails, ${counts} not applicable${counts > 0 ? ' \\(offers\\.\\w+ absent: \\d+' : '\\n'}`,
    ),
  )
  // summary.md groups the scenarios by the document's sections, in the document's order.
  const headings = readFileSync(join(latest, 'summary.md'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('## ') && l !== '## Durations, slowest first' && l !== DEADLINE_HEADING)
    .map((l) => l.slice(3))
  expect(headings).to.deep.equal([...DOC_SECTIONS])

  const docker = new Docker({ socketPath: new URL(endpoint).pathname })
  // Nothing labelled with this run is left (other runs may be running on the same endpoint; after all of them, nothing labelled at all).
  const labelled = JSON.stringify({ label: [`io.netconform.run=${summary.runId}`] })
  expect(await docker.listContainers({ all: true, filters: labelled }), 'labelled containers left').to.have.length(0)
  expect(await docker.listNetworks({ filters: labelled }), 'labelled networks left').to.have.length(0)
  const d = decoys[Object.keys(ENDPOINTS).find((n) => ENDPOINTS[n] === endpoint)!]
  if (d.container) expect((await docker.getContainer(d.container).inspect()).Name).to.equal('/server')
  if (d.db) expect((await docker.getContainer(d.db).inspect()).State.Running, 'the decoy db still runs').to.equal(true)
  if (d.network) expect((await docker.getNetwork(d.network).inspect()).Name).to.equal('my-bridge-network')
  return summary
}

for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
  test(`netconform run --target ${name}: exit 0, every declared deviation fails as declared, full report set, nothing left behind`, async () => {
    const summary = await runAndCheck(name, name, endpoint, expectedFrom(loadTarget(name)))
    expect(summary.totals.fails).to.equal(0)
    expect(
      summary.scenarios.filter((s) => s.deviation?.noLongerNeeded).map((s) => s.id),
      'declared deviations no longer needed',
    ).to.deep.equal([])
  })
}

test('a docker profile that declares nothing: exit 1, exactly the declared deviations fail, each as targets/docker.yaml describes', async () => {
  await runAndCheck(UNDECLARED, 'docker-undeclared', ENDPOINTS.docker, expectedFrom(loadTarget('docker'), false))
})

test("netconform run --target docker --parallel 2: each worker sets a section up once; the serial run's verdicts, nothing left behind", async () => {
  const summary = await runAndCheck(PARALLEL, 'docker', ENDPOINTS.docker, expectedFrom(loadTarget('docker')))
  const observed = summary.scenarios.filter((s) => s.fixture && s.fixture.builtBy !== s.id)
  expect(observed.length, 'scenarios that observed a fixture another scenario built').to.be.greaterThan(10)
})

test('after every run: nothing labelled io.netconform.run is left on any lab endpoint', async () => {
  await Promise.allSettled(runs.values())
  const labelled = JSON.stringify({ label: ['io.netconform.run'] })
  for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
    const docker = new Docker({ socketPath: new URL(endpoint).pathname })
    expect(
      (await docker.listContainers({ all: true, filters: labelled })).map((c) => c.Names[0]),
      `labelled containers left on ${name}`,
    ).to.deep.equal([])
    expect(
      (await docker.listNetworks({ filters: labelled })).map((n) => n.Name),
      `labelled networks left on ${name}`,
    ).to.deep.equal([])
  }
})

test('an unreachable endpoint: exit 2 within 10 s, naming the endpoint', async () => {
  const started = Date.now()
  const r = await netconform(['run'], { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' })
  expect(r.exitCode).to.equal(2)
  expect(Date.now() - started).to.be.below(10_000)
  expect(r.all?.trim().split('\n')).to.have.length(1)
  expect(r.all).to.contain('unix:///nonexistent.sock')
})
