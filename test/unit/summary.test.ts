/**
 * The summary's one definition (support/report/summary.ts): its schema accepts what netconform
 * writes and the fixtures of real runs, and refuses, on one line naming the file and the field,
 * what compare and matrix cannot use. Also the one scenario id parse (support/scenario-id.ts)
 * and the one oneLine (support/text.ts).
 */
import { test } from 'node:test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import Ajv from 'ajv'
import { UsageError } from '../../support/errors'
import { compareCommand, matrixCommand } from './cli-commands'
import { buildSummary } from '../../support/report/build-summary'
import { loadSummary, SUMMARY_SCHEMA, type Summary, summaryProblems, writeSummary } from '../../support/report/summary'
import { featurePickles, scenarioId, scenarioIds } from '../../support/scenario-id'
import { oneLine } from '../../support/text'

const FIXTURES = join(__dirname, '..', 'fixtures')
const VALID = [
  join(FIXTURES, 'compare', 'base', 'summary.json'),
  join(FIXTURES, 'compare', 'new.json'),
  join(FIXTURES, 'matrix', 'docker', 'summary.json'),
  join(FIXTURES, 'matrix', 'podman', 'summary.json'),
]
const DOCKER = join(FIXTURES, 'matrix', 'docker', 'summary.json')

function valid(): Summary {
  return JSON.parse(readFileSync(DOCKER, 'utf8')) as Summary
}

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-summary-'))
  try {
    fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Writes `data` as dir/name and returns the UsageError's message loadSummary throws for it. */
function refusal(dir: string, name: string, data: unknown): string {
  const file = join(dir, name)
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data))
  try {
    loadSummary(file)
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError)
    const message = (e as Error).message
    expect(message, 'one line').not.to.include('\n')
    expect(message).to.include(file)
    return message
  }
  throw new Error(`loadSummary accepted ${name}`)
}

// --- the schema ---------------------------------------------------------------------------------

test('the summary schema is a draft-07 schema that ajv compiles strictly', () => {
  expect(SUMMARY_SCHEMA.$schema).to.equal('http://json-schema.org/draft-07/schema#')
  expect(() => new Ajv({ strict: true, allErrors: true }).compile(SUMMARY_SCHEMA)).not.to.throw()
})

test('the fixtures of real runs are valid summaries', () => {
  for (const file of VALID) {
    expect(summaryProblems(JSON.parse(readFileSync(file, 'utf8'))), file).to.deep.equal([])
    expect(loadSummary(file).scenarios.length, file).to.be.greaterThan(0)
  }
})

test('what buildSummary builds from real cucumber messages is a valid summary (failures, deviations, not-applicable fields)', () => {
  const summary = buildSummary(readFileSync(join(FIXTURES, 'reports', 'messages.ndjson'), 'utf8'), {
    target: {
      name: 'docker',
      endpoint: 'unix:///var/run/docker.sock',
      engine: { name: 'Docker Engine', version: '27.3.1', apiVersion: '1.47', os: 'linux', kernel: '6.8.0' },
    },
    runId: 'run-1',
    startedAt: '2025-01-01T12:00:00.000Z',
    durationMs: 1,
    interrupted: 'SIGINT',
  })
  expect(summary.scenarios.some((s) => s.failure)).to.equal(true)
  expect(summary.scenarios.some((s) => s.notApplicableField)).to.equal(true)
  expect(summaryProblems(JSON.parse(JSON.stringify(summary)))).to.deep.equal([])
})

test('unknown fields are allowed: a summary written by a newer netconform still reads', () => {
  const summary = { ...valid(), addedLater: { x: 1 } }
  summary.scenarios[0] = { ...summary.scenarios[0], evidence: ['y'] } as never
  expect(summaryProblems(summary)).to.deep.equal([])
})

test('a missing target.name is refused, naming the field', () => {
  withTempDir((dir) => {
    const s = valid()
    const message = refusal(dir, 'no-name.json', { ...s, target: { ...s.target, name: undefined } })
    expect(message).to.equal(`${join(dir, 'no-name.json')} is not a netconform summary: missing field "target.name"`)
  })
})

test('an unknown verdict is refused, naming the field, the scenario and the value', () => {
  withTempDir((dir) => {
    const s = valid()
    s.scenarios[2] = { ...s.scenarios[2], verdict: 'passes' as never }
    const message = refusal(dir, 'verdict.json', s)
    expect(message).to.include(
      `field "scenarios[2].verdict" (scenario ${s.scenarios[2].id}) is "passes", not one of conforms, deviates, fails, not-applicable`,
    )
  })
})

test('a scenario id that appears twice is refused, naming both places', () => {
  withTempDir((dir) => {
    const s = valid()
    const twice = { ...s, scenarios: [s.scenarios[0], s.scenarios[1], s.scenarios[0]] }
    expect(refusal(dir, 'twice.json', twice)).to.include(
      `scenario id ${s.scenarios[0].id} appears twice (scenarios[0] and scenarios[2])`,
    )
  })
})

test('a wrong type is refused, saying what it is instead', () => {
  withTempDir((dir) => {
    const s = valid()
    s.scenarios[0] = { ...s.scenarios[0], durationMs: '12 ms' as never }
    expect(refusal(dir, 'type.json', s)).to.include(
      `field "scenarios[0].durationMs" (scenario ${s.scenarios[0].id}) must be number, not the string "12 ms"`,
    )
    expect(refusal(dir, 'array.json', [s])).to.include('field "(top)" must be object, not an array')
    expect(refusal(dir, 'null.json', 'null')).to.include('field "(top)" must be object')
  })
})

test('every problem is named on the one line (allErrors), at most six, the rest counted', () => {
  withTempDir((dir) => {
    const s = valid()
    const some = { ...s, runId: '', totals: { ...s.totals, fails: -1 } }
    const message = refusal(dir, 'some.json', some)
    expect(message).to.include('field "runId" must NOT have fewer than 1 characters')
    expect(message).to.include('field "totals.fails" must be >= 0')
    const many = { ...s, scenarios: s.scenarios.map((x) => ({ ...x, verdict: 'passes' })) }
    expect(refusal(dir, 'many.json', many)).to.match(/; and \d+ more$/)
  })
})

test('a file that is not JSON, a folder without summary.json and a missing path are one-line UsageErrors naming them', () => {
  withTempDir((dir) => {
    expect(refusal(dir, 'broken.json', '{ "target": ')).to.include('is not valid JSON')
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    expect(() => loadSummary(empty)).to.throw(
      UsageError,
      `no summary.json in report folder ${empty} (looked for ${join(empty, 'summary.json')})`,
    )
    expect(() => loadSummary(join(dir, 'nope'))).to.throw(UsageError, `no report at ${join(dir, 'nope')}`)
  })
})

test('compare and matrix refuse an invalid summary through the schema, as a UsageError (exit 2), not a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-summary-'))
  try {
    const s = valid()
    const report = join(dir, 'run')
    mkdirSync(report)
    writeFileSync(join(report, 'summary.json'), JSON.stringify({ ...s, target: { ...s.target, name: undefined } }))
    const expected = `${join(report, 'summary.json')} is not a netconform summary: missing field "target.name"`
    const rejection = async (call: () => Promise<number>) =>
      call().then(
        () => undefined,
        (e: unknown) => e,
      )
    for (const e of [
      await rejection(() => compareCommand([DOCKER, report], () => {})),
      await rejection(() => matrixCommand([report, '--out', join(dir, 'out')], () => {})),
    ]) {
      expect(e).to.be.instanceOf(UsageError)
      expect((e as Error).message).to.include(expected)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('writeSummary writes what loadSummary reads back unchanged', () => {
  withTempDir((dir) => {
    const s = valid()
    const file = writeSummary(join(dir, 'run'), s)
    expect(file).to.equal(join(dir, 'run', 'summary.json'))
    expect(loadSummary(join(dir, 'run'))).to.deep.equal(s)
  })
})

test('writeSummary of a summary loadSummary would refuse writes it, then throws a plain Error (a suite defect, not a UsageError)', () => {
  withTempDir((dir) => {
    const s = valid()
    const bad = { ...s, target: { ...s.target, engine: { ...s.target.engine, kernel: undefined as never } } }
    let thrown: unknown
    try {
      writeSummary(dir, bad)
    } catch (e) {
      thrown = e
    }
    expect(thrown).to.be.instanceOf(Error)
    expect(thrown).not.to.be.instanceOf(UsageError)
    expect((thrown as Error).message).to.include('missing field "target.engine.kernel"')
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).runId).to.equal(s.runId)
  })
})

// --- scenario ids -----------------------------------------------------------------------------

test('scenarioId reads the @id: tag, from pickle tags or strings; none, or an empty one, is undefined', () => {
  expect(scenarioId([{ name: '@exclusive:host-port-80' }, { name: '@id:publish.port-8080' }])).to.equal(
    'publish.port-8080',
  )
  expect(scenarioId(['@wip', '@id:a.b', '@id:c'])).to.equal('a.b')
  expect(scenarioId([{ name: '@wip' }])).to.equal(undefined)
  expect(scenarioId(['@id:'])).to.equal(undefined)
  expect(scenarioId([])).to.equal(undefined)
})

test('scenarioIds reads features as cucumber compiles them: Examples ids, not an @id: in a comment or description', () => {
  withTempDir((dir) => {
    writeFileSync(
      join(dir, 'a.feature'),
      [
        'Feature: A',
        '  Some prose that mentions @id:not.an.id',
        '  # @id:commented.out',
        '  @id:a.one',
        '  Scenario: one',
        '    Given x',
        '  Scenario Outline: two <n>',
        '    Given <n>',
        '    @id:a.two-1',
        '    Examples:',
        '      | n |',
        '      | 1 |',
        '    @id:a.two-2',
        '    Examples:',
        '      | n |',
        '      | 2 |',
        '',
      ].join('\n'),
    )
    writeFileSync(join(dir, 'notes.txt'), '@id:not.a.feature\n')
    expect([...scenarioIds(dir)].sort()).to.deep.equal(['a.one', 'a.two-1', 'a.two-2'])
    expect(featurePickles(dir)).to.have.length(3)
  })
})

test('a feature file that is not Gherkin is a one-line UsageError naming it', () => {
  withTempDir((dir) => {
    writeFileSync(join(dir, 'bad.feature'), 'Feature: x\n  Scenario: y\n    Given z\n  | a |\n  Nonsense here\n')
    expect(() => scenarioIds(dir)).to.throw(
      UsageError,
      `${join(dir, 'bad.feature')}: not a valid feature file: (5:3): expected: `,
    )
  })
})

test('every scenario of features/, as cucumber compiles it, has an id, and no two the same', () => {
  // (the parallel plan, support/cucumber/parallel.ts planOf, is these pickles; it loads only inside cucumber)
  const ids = featurePickles().map((p) => scenarioId(p.tags))
  expect(ids.length).to.be.greaterThan(30)
  expect(ids.filter((id) => id === undefined)).to.deep.equal([])
  expect(scenarioIds().size).to.equal(ids.length)
})

// --- one line ---------------------------------------------------------------------------------

test('oneLine puts whitespace runs, line breaks included, as one space, and cuts at max with an ellipsis', () => {
  expect(oneLine('  a\n\tb   c\r\n ')).to.equal('a b c')
  expect(oneLine('abcdef', 6)).to.equal('abcdef')
  expect(oneLine('abc defg', 6)).to.equal('abc d…')
  expect(oneLine('abc defg', 5)).to.equal('abc…')
  expect(oneLine('ab🟢cdef', 4)).to.equal('ab🟢…')
  expect(Array.from(oneLine('x'.repeat(500), 300))).to.have.length(300)
})
