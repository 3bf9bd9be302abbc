/*
 * The fixture test/fixtures/reports/messages.ndjson is real cucumber output. To regenerate it
 * after changing test/fixtures/reports/features or steps.js, from the project root:
 *
 *   npx cucumber-js --config test/fixtures/reports/cucumber.json
 *
 * (exits 1: the fixture has a failing and an undefined scenario on purpose; the config adds
 * --retry 1 --retry-tag-filter @flaky and --format message:test/fixtures/reports/messages.ndjson)
 */
import { test } from 'node:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { TestStepResultStatus } from '@cucumber/messages'
import {
  buildSummary,
  UNEXPLAINED_SKIP,
  vantageOf,
  verdictOf,
  deadlineWaitsOf,
  fixtureOf,
} from '../../support/report/build-summary'
import {
  notApplicableCauses,
  renderSummaryMarkdown,
  writeReportSet,
  DEADLINE_HEADING,
} from '../../support/report/summary-markdown'
import type { ScenarioResult, Summary } from '../../support/types'

const FIXTURE = join(__dirname, '..', 'fixtures', 'reports', 'messages.ndjson')
const SAMPLE = 'test/fixtures/reports/features/sample.feature'
const FORWARDING = 'test/fixtures/reports/features/forwarding.feature'

const META = {
  target: {
    name: 'docker',
    endpoint: 'unix:///var/run/docker.sock',
    engine: { name: 'Docker Engine', version: '27.3.1', apiVersion: '1.47', os: 'linux', kernel: '6.8.0-45-generic' },
  },
  runId: 'run-20250101-120000',
  startedAt: '2025-01-01T12:00:00.000Z',
  durationMs: 83_450,
}

function fixtureSummary(): Summary {
  return buildSummary(readFileSync(FIXTURE, 'utf8'), META)
}

function scenario(summary: Summary, id: string): ScenarioResult {
  const found = summary.scenarios.find((s) => s.id === id)
  if (!found) throw new Error(`no scenario ${id}`)
  return found
}

function result(id: string, durationMs: number, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    id,
    doc: 'Publish a Container Port',
    feature: 'features/publish.feature',
    name: `scenario ${id}`,
    verdict: 'conforms',
    reason: '',
    durationMs,
    ...extra,
  }
}

function summaryOf(scenarios: ScenarioResult[]): Summary {
  return { ...META, scenarios, totals: { conforms: scenarios.length, deviates: 0, fails: 0, 'not-applicable': 0 } }
}

// --- verdictOf ------------------------------------------------------------------------------

test('verdictOf maps the most severe step status to a verdict', () => {
  expect(verdictOf(TestStepResultStatus.PASSED)).to.equal('conforms')
  expect(verdictOf(TestStepResultStatus.SKIPPED)).to.equal('not-applicable')
  for (const status of [
    TestStepResultStatus.FAILED,
    TestStepResultStatus.UNDEFINED,
    TestStepResultStatus.AMBIGUOUS,
    TestStepResultStatus.PENDING,
    TestStepResultStatus.UNKNOWN,
  ]) {
    expect(verdictOf(status), status).to.equal('fails')
  }
})

// --- buildSummary -----------------------------------------------------------------------------

test('buildSummary copies the run metadata', () => {
  const summary = fixtureSummary()
  expect(summary.target).to.deep.equal(META.target)
  expect(summary.runId).to.equal(META.runId)
  expect(summary.startedAt).to.equal(META.startedAt)
  expect(summary.durationMs).to.equal(META.durationMs)
})

test('buildSummary keeps one result per scenario, in document order then by file and line', () => {
  // forwarding.feature runs first, but its doc heading comes after "Publish a Container Port".
  expect(fixtureSummary().scenarios.map((s) => s.id)).to.deep.equal([
    'publish-passes',
    'publish-fails',
    'publish-not-applicable',
    'publish-undefined',
    'publish-multiline',
    'publish-hook-fails',
    'publish-retried',
    `missing-id:${SAMPLE}:41`,
    'forwarding-skipped-silently',
  ])
})

test('buildSummary names the doc heading, feature file and scenario', () => {
  const summary = fixtureSummary()
  expect(scenario(summary, 'publish-passes')).to.include({
    doc: 'Publish a Container Port',
    feature: SAMPLE,
    name: 'A published port answers',
  })
  expect(scenario(summary, 'forwarding-skipped-silently')).to.include({
    doc: 'Container VM Port Forwarding',
    feature: FORWARDING,
    name: 'A step skips without saying why',
  })
})

test('buildSummary: a passing scenario conforms, with no reason', () => {
  expect(scenario(fixtureSummary(), 'publish-passes')).to.include({ verdict: 'conforms', reason: '' })
})

test('buildSummary: a failed assertion fails, naming the step and the first line of the error', () => {
  const s = scenario(fixtureSummary(), 'publish-fails')
  expect(s).to.include({
    verdict: 'fails',
    reason: `port 8080 serves the page "hello | world": the page on port 8080: expected 'hello | world' to equal 'it works'`,
  })
  expect(s.failure).to.deep.equal({
    step: 'port 8080 serves the page "hello | world"',
    message: "the page on port 8080: expected 'hello | world' to equal 'it works'",
  })
})

test('buildSummary records the failing step and its whole message; the reason keeps its first line', () => {
  const s = scenario(fixtureSummary(), 'publish-multiline')
  expect(s.reason).to.equal('the probe fails with a transcript: awaited "Hello world!" from server:80')
  expect(s.failure).to.deep.equal({
    step: 'the probe fails with a transcript',
    message: `awaited "Hello world!" from server:80\n[in client] $ nc server 80 | nc: bad address 'server' | exit 1`,
  })
})

test('buildSummary: a failing hook is named hook "<name>"', () => {
  const s = scenario(fixtureSummary(), 'publish-hook-fails')
  expect(s.verdict).to.equal('fails')
  expect(s.failure).to.deep.equal({
    step: 'hook "checks what the scenario left"',
    message: 'unexamined failure: `docker rm db` exited 1',
  })
})

test('buildSummary: a skipped scenario is not applicable, for the reason and the profile field of its not-applicable record', () => {
  const s = scenario(fixtureSummary(), 'publish-not-applicable')
  expect(s).to.include({
    verdict: 'not-applicable',
    reason: 'target docker has no DHCP network',
    notApplicableField: 'offers.dhcpNetwork',
  })
  expect(s.failure).to.equal(undefined)
})

test('buildSummary: a scenario skipped without a not-applicable record fails, naming the step', () => {
  const s = scenario(fixtureSummary(), 'forwarding-skipped-silently')
  expect(s).to.include({ verdict: 'fails', reason: `a step that skips without a reason: ${UNEXPLAINED_SKIP}` })
  expect(s.notApplicableField).to.equal(undefined)
  expect(s.failure).to.deep.equal({ step: 'a step that skips without a reason', message: UNEXPLAINED_SKIP })
})

test('buildSummary: an undefined step fails, naming the step', () => {
  expect(scenario(fixtureSummary(), 'publish-undefined')).to.include({
    verdict: 'fails',
    reason: 'step is not defined: the moon is full',
  })
})

test('buildSummary applies declared deviations by their step and observed message', () => {
  const summary = buildSummary(readFileSync(FIXTURE, 'utf8'), {
    ...META,
    deviations: {
      // Matches: at this step, and on the message's second line.
      'publish-multiline': {
        reason: 'The lab has no DNS.',
        step: 'the probe fails with a transcript',
        observed: "nc: bad address 'server'",
      },
      // Right step, other message.
      'publish-fails': {
        reason: 'Serves another page.',
        step: 'port 8080 serves the page "hello | world"',
        observed: 'expected .* to equal .hello',
      },
      // Another step.
      'publish-hook-fails': { reason: 'Left a container.', step: '/^a container publishing/', observed: 'exited 1' },
    },
  })
  expect(scenario(summary, 'publish-multiline')).to.include({
    verdict: 'deviates',
    reason: 'The lab has no DNS. (observed: the probe fails with a transcript: awaited "Hello world!" from server:80)',
  })
  for (const id of ['publish-fails', 'publish-hook-fails']) {
    expect(scenario(summary, id).verdict, id).to.equal('fails')
    expect(scenario(summary, id).reason, id).to.match(/^declared deviation does not match: declared /)
  }
  expect(summary.totals).to.deep.equal({ conforms: 3, deviates: 1, fails: 4, 'not-applicable': 1 })
})

test('buildSummary uses only the final attempt of a retried scenario', () => {
  const retried = fixtureSummary().scenarios.filter((s) => s.id === 'publish-retried')
  expect(retried).to.have.length(1)
  expect(retried[0]).to.include({ verdict: 'conforms', reason: '' })
})

test('buildSummary marks a scenario without an @id: tag by its file and line', () => {
  expect(scenario(fixtureSummary(), `missing-id:${SAMPLE}:41`).name).to.equal('A scenario without an id')
})

test('buildSummary gives durations in whole milliseconds', () => {
  for (const s of fixtureSummary().scenarios) {
    expect(Number.isInteger(s.durationMs), s.id).to.equal(true)
    expect(s.durationMs, s.id).to.be.at.least(0).and.below(10_000)
  }
})

test('buildSummary counts every verdict, zero included', () => {
  expect(fixtureSummary().totals).to.deep.equal({ conforms: 3, deviates: 0, fails: 5, 'not-applicable': 1 })
})

test('buildSummary of an empty run has no scenarios and zero totals', () => {
  const summary = buildSummary('', META)
  expect(summary.scenarios).to.deep.equal([])
  expect(summary.totals).to.deep.equal({ conforms: 0, deviates: 0, fails: 0, 'not-applicable': 0 })
})

// --- renderSummaryMarkdown ----------------------------------------------------------------------

test('renderSummaryMarkdown starts with the target, engine and run', () => {
  const md = renderSummaryMarkdown(fixtureSummary())
  expect(md.split('\n')[0]).to.match(/^# .*docker/)
  for (const text of [
    'unix:///var/run/docker.sock',
    'Docker Engine 27.3.1',
    'API 1.47',
    'linux',
    '6.8.0-45-generic',
    'run-20250101-120000',
    '2025-01-01T12:00:00.000Z',
    '83.5 s',
  ]) {
    expect(md).to.include(text)
  }
})

test('renderSummaryMarkdown has a totals line, saying which profile fields made scenarios not applicable', () => {
  expect(renderSummaryMarkdown(fixtureSummary())).to.include(
    '**Totals:** 9 scenarios: 3 conforms, 0 deviates, 5 fails, 1 not-applicable (offers.dhcpNetwork absent: 1)\n',
  )
  expect(renderSummaryMarkdown(summaryOf([result('a', 1)]))).to.include(
    '**Totals:** 1 scenarios: 1 conforms, 0 deviates, 0 fails, 0 not-applicable\n',
  )
})

test('notApplicableCauses counts the not-applicable scenarios per absent profile field', () => {
  const na = (id: string, field?: string) =>
    result(id, 1, { verdict: 'not-applicable', reason: 'r', ...(field ? { notApplicableField: field } : {}) })
  expect(
    notApplicableCauses([
      na('a', 'offers.dhcpNetwork'),
      na('b', 'offers.containerNetwork'),
      na('c', 'offers.dhcpNetwork'),
      result('d', 1),
    ]),
  ).to.equal('offers.containerNetwork absent: 1, offers.dhcpNetwork absent: 2')
  expect(notApplicableCauses([result('d', 1)])).to.equal('')
  expect(notApplicableCauses([na('old')]), 'a summary written before the field was recorded').to.equal(
    'no field named: 1',
  )
})

test('renderSummaryMarkdown has one table per doc heading, in document order', () => {
  const md = renderSummaryMarkdown(fixtureSummary())
  const headings = md.split('\n').filter((line) => line.startsWith('## '))
  expect(headings).to.deep.equal([
    '## Publish a Container Port',
    '## Container VM Port Forwarding',
    '## Durations, slowest first',
  ])
  expect(md.match(/^\| id \| scenario \| verdict \| reason \| observed from \| duration \|$/gm)).to.have.length(2)
  expect(md).to.include(
    '| publish-not-applicable | A port published on a DHCP network | not-applicable | target docker has no DHCP network |',
  )
})

test('renderSummaryMarkdown escapes pipes in cells', () => {
  expect(renderSummaryMarkdown(fixtureSummary())).to.include(
    `| publish-fails | A published port answers with the wrong page | fails | port 8080 serves the page "hello \\| world": the page on port 8080: expected 'hello \\| world' to equal 'it works' |`,
  )
})

test('renderSummaryMarkdown keeps a reason on one line', () => {
  const md = renderSummaryMarkdown(
    summaryOf([result('multi', 10, { verdict: 'not-applicable', reason: 'first line\nsecond | line' })]),
  )
  expect(md).to.include('| multi | scenario multi | not-applicable | first line second \\| line |  | 0.0 s |')
})

test('vantageOf says where a scenario observed from, once each, in the order first used; summary.md shows it', () => {
  const exec = {
    kind: 'exec',
    container: 'nc-1-client',
    command: 'ping -c 3 server',
    exitCode: 0,
    durationMs: 1,
    stdout: '',
    stderr: '',
  } as const
  const host = {
    kind: 'probe',
    from: 'this host',
    target: '198.51.100.1:8080',
    received: 'Hello world! from x',
    durationMs: 1,
  } as const
  const outside = {
    kind: 'probe',
    from: 'outside client, netns extclient',
    target: 'ping -c 1 198.51.100.130',
    received: '',
    durationMs: 1,
  } as const
  expect(vantageOf([exec, host, exec, outside, host]).vantage).to.deep.equal([
    'inside the containers',
    'this host → 198.51.100.1:8080',
    'outside client, netns extclient',
  ])
  expect(vantageOf([{ kind: 'poll', awaited: 'x', attempts: 1, ok: true }]), 'no observation: no field').to.deep.equal(
    {},
  )
  const md = renderSummaryMarkdown(summaryOf([result('pub', 10, { vantage: ['this host → 198.51.100.1:8080'] })]))
  expect(md).to.include('| pub | scenario pub | conforms |  | this host → 198.51.100.1:8080 | 0.0 s |')
})

test('renderSummaryMarkdown lists the five slowest scenarios, flagging those over 15 s', () => {
  const md = renderSummaryMarkdown(
    summaryOf([
      result('a', 1_000),
      result('b', 16_240),
      result('c', 15_000),
      result('d', 200),
      result('e', 42_000),
      result('f', 3_050),
    ]),
  )
  const slowest = md.slice(md.indexOf('## Durations, slowest first'))
  const items = slowest.split('\n').filter((line) => /^\d+\. /.test(line))
  expect(items).to.deep.equal([
    '1. e: scenario e (42.0 s) ⚠ over 15 s',
    '2. b: scenario b (16.2 s) ⚠ over 15 s',
    '3. c: scenario c (15.0 s)',
    '4. f: scenario f (3.0 s)',
    '5. a: scenario a (1.0 s)',
    '6. d: scenario d (0.2 s)',
  ])
})

// --- writeReportSet -------------------------------------------------------------------------------

test('writeReportSet writes summary.json and summary.md', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-reports-'))
  try {
    const summary = fixtureSummary()
    writeReportSet(dir, summary)
    const json = readFileSync(join(dir, 'summary.json'), 'utf8')
    expect(JSON.parse(json)).to.deep.equal(summary)
    expect(json).to.match(/^\{\n {2}"target": \{\n {4}"name": "docker"/)
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).to.equal(renderSummaryMarkdown(summary))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('deadlineWaitsOf keeps the polls that waited out their deadline in vain; summary.md lists them, slowest first', () => {
  const poll = (awaited: string, ok: boolean, waitedMs: number, gaveUpEarly?: boolean) =>
    ({ kind: 'poll', awaited, attempts: 2, ok, waitedMs, ...(gaveUpEarly ? { gaveUpEarly } : {}) }) as const
  expect(
    deadlineWaitsOf([
      poll('a', true, 100),
      poll('b', false, 20_100),
      poll('c', false, 150, true),
      { kind: 'poll', awaited: 'old', attempts: 1, ok: false },
    ]),
  ).to.deep.equal({ deadlineWaits: [{ awaited: 'b', waitedMs: 20_100 }] })
  expect(deadlineWaitsOf([poll('a', true, 100)])).to.deep.equal({})
  const md = renderSummaryMarkdown(
    summaryOf([
      result('one', 21_000, {
        verdict: 'fails',
        reason: 'r',
        deadlineWaits: [{ awaited: '"Hello world!" from db', waitedMs: 20_200 }],
      }),
      result('two', 41_000, {
        verdict: 'deviates',
        reason: 'r',
        deadlineWaits: [
          { awaited: 'replies from 10.91.0.2', waitedMs: 20_900 },
          { awaited: 'x', waitedMs: 10_000 },
        ],
      }),
    ]),
  )
  const lines = md.split('\n')
  const at = lines.indexOf(DEADLINE_HEADING)
  expect(at).to.be.above(0)
  expect(lines.slice(at + 2, at + 7)).to.deep.equal([
    '3 waits, 51.1 s in all (a poll that gives up early because waiting cannot change what it saw is not here):',
    '',
    '- two: awaited replies from 10.91.0.2 (20.9 s)',
    '- one: awaited "Hello world!" from db (20.2 s)',
    '- two: awaited x (10.0 s)',
  ])
  expect(renderSummaryMarkdown(summaryOf([result('a', 1)]))).to.not.include(DEADLINE_HEADING)
})

test('fixtureOf: the Background fixture a scenario used, from its record', () => {
  expect(
    fixtureOf([
      {
        kind: 'fixture',
        id: 'fixture:exposed-port.network-listed',
        builtBy: 'exposed-port.network-listed',
        built: false,
      },
    ]),
  ).to.deep.equal({ fixture: { id: 'fixture:exposed-port.network-listed', builtBy: 'exposed-port.network-listed' } })
  expect(fixtureOf([])).to.deep.equal({})
})
