/**
 * netconform record and verify, through the real CLI. The runs recorded here are made without an
 * endpoint: cucumber runs this netconform's real features/ with stub steps
 * (test/fixtures/record/steps.js) that fail the scenarios named in NETCONFORM_STUB_FAIL, and the
 * run's summary is built from its messages by the run's own code (buildSummary) with a profile
 * that declares one of those failures a deviation. Each tampered record is made the way a
 * tamperer would: change a member, then (unless the test is about the MANIFEST) write the MANIFEST
 * anew so the hashes alone do not give it away.
 */
import { after, before, test } from 'node:test'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { expect } from 'chai'
import { execa } from 'execa'
import { pack } from 'tar-stream'
import { buildSummary } from '../../support/report/build-summary'
import { writeReportSet } from '../../support/report/summary-markdown'
import { MANIFEST, RECORD_FILE, manifestOf, sha256 } from '../../support/report/record/format'
import { packRecord, readRecord, recordName } from '../../support/report/record/pack'
import { scenarioIds } from '../../support/scenario-id'
import type { Deviation, Summary, Target } from '../../support/types'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const CUCUMBER = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js')
const work = mkdtempSync(join(tmpdir(), 'netconform-record-'))
after(() => rmSync(work, { recursive: true, force: true }))

const ids = [...scenarioIds()].sort()
/** Fails in both runs; the profile declares it a deviation. */
const DEVIATING = ids[0]
/** Fails in the first run only, undeclared. */
const FAILING = ids[1]

async function netconform(args: string[]) {
  return execa('node', [CLI, ...args], { cwd: work, reject: false, timeout: 60_000 })
}

/** A run's report folder as `netconform run` writes it, from the stub run that fails `failing`. */
async function stubRun(name: string, runId: string, failing: string[]): Promise<string> {
  const dir = join(work, 'reports', name, runId)
  mkdirSync(dir, { recursive: true })
  const messages = join(dir, 'messages.ndjson')
  const r = await execa(
    'node',
    [
      CUCUMBER,
      '--require',
      'test/fixtures/record/steps.js',
      '--format',
      `message:${messages}`,
      '--format',
      `junit:${join(dir, 'junit.xml')}`,
      'features/',
    ],
    { cwd: PROJECT, reject: false, env: { NETCONFORM_STUB_FAIL: failing.join(',') } },
  )
  expect(r.exitCode, r.stderr).to.equal(failing.length > 0 ? 1 : 0)
  const deviations: Record<string, Deviation> = {
    [DEVIATING]: { reason: 'the stub refuses it', step: '/.+/', observed: 'refused by the endpoint' },
  }
  const engine = { name: 'Stub Engine', version: '1.0.0', apiVersion: '1.41', os: 'linux/amd64', kernel: '6.1.0' }
  const profile: Target = {
    name,
    endpoint: 'unix:///nowhere.sock',
    publicAddress: '127.0.0.1',
    probeImage: 'netconform-probe:1',
    offers: {},
    deviations,
    source: 'test',
  }
  const summary = buildSummary(readFileSync(messages, 'utf8'), {
    target: { name, endpoint: profile.endpoint, engine },
    runId,
    startedAt: '2026-12-04T10:00:00.000Z',
    durationMs: 1000,
    deviations,
  })
  writeReportSet(dir, summary)
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ netconform: 'test', profile }))
  writeFileSync(
    join(dir, 'endpoint.json'),
    JSON.stringify({ version: { Version: '1.0.0', ApiVersion: '1.41' }, info: {}, askedAt: summary.startedAt }),
  )
  return dir
}

let runA = ''
let runB = ''
let recordA = ''
let recordB = ''

before(async () => {
  runA = await stubRun('stub-a', '20261204T100000Z-aaaaaa', [DEVIATING, FAILING])
  runB = await stubRun('stub-b', '20261204T110000Z-bbbbbb', [DEVIATING])
  for (const run of [runA, runB]) {
    const r = await netconform(['record', run])
    expect(r.exitCode, `${r.stdout}${r.stderr}`).to.equal(0)
  }
  const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary
  recordA = join(work, recordName(summaryOf(runA)))
  recordB = join(work, recordName(summaryOf(runB)))
})

/** A copy of `record` with its members changed by `change`; the MANIFEST written anew unless `manifest` is false. */
async function tampered(
  record: string,
  file: string,
  change: (m: Map<string, Buffer>) => void,
  manifest = true,
): Promise<string> {
  const members = await readRecord(record)
  change(members)
  if (manifest) {
    members.delete(MANIFEST)
    members.set(MANIFEST, Buffer.from(manifestOf([...members])))
  }
  const path = join(work, file)
  writeFileSync(path, await packRecord([...members]))
  return path
}

const json = (m: Map<string, Buffer>, name: string) => JSON.parse(m.get(name)!.toString('utf8'))
const put = (m: Map<string, Buffer>, name: string, data: unknown) =>
  m.set(name, Buffer.from(JSON.stringify(data, null, 2)))

async function expectMismatch(record: string, message: RegExp) {
  const r = await netconform(['verify', record])
  expect(r.exitCode, `${r.stdout}${r.stderr}`).to.equal(1)
  const lines = r.stdout.trim().split('\n')
  expect(lines).to.have.length(1)
  expect(lines[0])
    .to.match(/^not verified: /)
    .and.match(message)
  expect(r.stderr).to.equal('')
}

test('a record of a run verifies: exit 0, one line with the totals the run gave', async () => {
  const total = ids.length
  const members = await readRecord(recordA)
  expect([...members.keys()]).to.deep.equal([
    RECORD_FILE,
    'summary.json',
    'messages.ndjson',
    'junit.xml',
    'run.json',
    'endpoint.json',
    MANIFEST,
  ])
  const r = await netconform(['verify', recordA])
  expect(r.exitCode, `${r.stdout}${r.stderr}`).to.equal(0)
  expect(r.stdout.trim()).to.equal(
    `verified: stub-a (Stub Engine 1.0.0, API 1.41) run 20261204T100000Z-aaaaaa, netconform test: ${total - 2} conforms, 1 deviates, 1 fails, 0 not applicable`,
  )
  const b = await netconform(['verify', recordB])
  expect(b.stdout.trim()).to.match(new RegExp(`: ${total - 1} conforms, 1 deviates, 0 fails, 0 not applicable$`))
  // MANIFEST is what sha256sum -c reads: every other member's hash.
  const manifest = members.get(MANIFEST)!.toString('utf8').trim().split('\n')
  expect(manifest).to.have.length(members.size - 1)
  for (const line of manifest) expect(sha256(members.get(line.slice(66))!)).to.equal(line.slice(0, 64))
  // record.json has every feature file's and the document's sha256.
  const info = json(members, RECORD_FILE)
  expect(Object.keys(info.features)).to.have.length.greaterThan(5)
  expect(info.document.sha256).to.match(/^[0-9a-f]{64}$/)
})

test('a run written before run.json existed: its profile.yaml stands for the profile, and the record verifies', async () => {
  const dir = await stubRun('stub-old', '20261204T090000Z-cccccc', [DEVIATING])
  rmSync(join(dir, 'run.json'))
  rmSync(join(dir, 'endpoint.json'))
  writeFileSync(
    join(dir, 'profile.yaml'),
    [
      'name: stub-old',
      'endpoint: unix:///nowhere.sock',
      'publicAddress: 127.0.0.1',
      'probeImage: netconform-probe:1',
      'deviations:',
      `  ${DEVIATING}:`,
      '    reason: the stub refuses it',
      '    step: /.+/',
      '    observed: refused by the endpoint',
      '',
    ].join('\n'),
  )
  const out = join(work, 'old')
  const recorded = await netconform(['record', dir, '--out', out])
  expect(recorded.exitCode, recorded.stderr).to.equal(0)
  const r = await netconform([
    'verify',
    join(out, 'netconform-record-stub-old-stub-engine-1.0.0-20261204T090000Z-cccccc.tar.gz'),
  ])
  expect(r.stdout.trim(), r.stderr).to.match(
    /^verified: stub-old .* netconform unknown: \d+ conforms, 1 deviates, 0 fails, 0 not applicable$/,
  )
  expect(r.exitCode).to.equal(0)
})

test('a verdict edited in summary.json (totals and MANIFEST made to agree): exit 1 naming the scenario', async () => {
  const record = await tampered(recordA, 'verdict.tar.gz', (m) => {
    const summary = json(m, 'summary.json') as Summary
    const s = summary.scenarios.find((x) => x.id === FAILING)!
    s.verdict = 'conforms'
    s.reason = ''
    delete s.failure
    summary.totals.fails -= 1
    summary.totals.conforms += 1
    put(m, 'summary.json', summary)
  })
  await expectMismatch(
    record,
    new RegExp(`scenario ${FAILING.replace(/\./g, '\\.')}: summary\\.json says conforms, its messages say fails`),
  )
})

test('a verdict edited without writing the MANIFEST anew: exit 1 naming the member', async () => {
  const record = await tampered(
    recordA,
    'verdict-only.tar.gz',
    (m) => {
      const summary = json(m, 'summary.json') as Summary
      summary.scenarios.find((x) => x.id === FAILING)!.verdict = 'conforms'
      put(m, 'summary.json', summary)
    },
    false,
  )
  await expectMismatch(
    record,
    /member summary\.json was changed: its sha256 is [0-9a-f]{64}, MANIFEST says [0-9a-f]{64}/,
  )
})

test("a feature edited in the run's messages: exit 1 naming the feature, also when record.json is made to agree", async () => {
  let edited = ''
  const editSource = (m: Map<string, Buffer>) => {
    const lines = m.get('messages.ndjson')!.toString('utf8').split('\n')
    const i = lines.findIndex((l) => l.includes('"source"'))
    const envelope = JSON.parse(lines[i])
    edited = envelope.source.uri
    envelope.source.data = envelope.source.data.replace('Scenario', 'Scenario (edited)')
    lines[i] = JSON.stringify(envelope)
    m.set('messages.ndjson', Buffer.from(lines.join('\n')))
    return envelope.source.data as string
  }
  const inMessages = await tampered(recordA, 'feature.tar.gz', (m) => {
    editSource(m)
  })
  await expectMismatch(inMessages, new RegExp(`feature ${edited} in messages\\.ndjson was edited`))
  const everywhere = await tampered(recordA, 'feature-everywhere.tar.gz', (m) => {
    const text = editSource(m)
    const info = json(m, RECORD_FILE)
    info.features[edited] = sha256(text)
    put(m, RECORD_FILE, info)
  })
  await expectMismatch(everywhere, new RegExp(`features differ from netconform [\\d.]+'s .*: ${edited}$`))
})

test('a member removed (junit.xml, with the MANIFEST written anew; or the MANIFEST itself): exit 1 naming it', async () => {
  await expectMismatch(
    await tampered(recordA, 'no-junit.tar.gz', (m) => {
      m.delete('junit.xml')
    }),
    /member junit\.xml is missing$/,
  )
  await expectMismatch(
    await tampered(
      recordA,
      'no-junit-listed.tar.gz',
      (m) => {
        m.delete('junit.xml')
      },
      false,
    ),
    /member junit\.xml is missing \(MANIFEST lists it\)/,
  )
  await expectMismatch(
    await tampered(
      recordA,
      'no-manifest.tar.gz',
      (m) => {
        m.delete(MANIFEST)
      },
      false,
    ),
    /member MANIFEST is missing$/,
  )
})

test('a declared deviation whose evidence does not match: exit 1 naming the scenario', async () => {
  const record = await tampered(recordA, 'deviation.tar.gz', (m) => {
    const run = json(m, 'run.json')
    run.profile.deviations[DEVIATING].observed = 'something else entirely'
    put(m, 'run.json', run)
  })
  await expectMismatch(
    record,
    new RegExp(`scenario ${DEVIATING.replace(/\./g, '\\.')}: summary\\.json says deviates, its messages say fails`),
  )
})

test('a file that is not a record: exit 2, one line on stderr, no stack trace', async () => {
  const tar = pack()
  const chunks: Buffer[] = []
  tar.on('data', (c) => chunks.push(c as Buffer))
  tar.entry({ name: 'random.bin' }, Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256))))
  tar.entry({ name: 'notes.txt' }, 'not a record')
  tar.finalize()
  await new Promise<void>((ok) => tar.on('end', () => ok()))
  const files = {
    'random.tar.gz': [
      gzipSync(Buffer.concat(chunks)),
      /random\.tar\.gz is not a netconform record: no record\.json and no MANIFEST in it$/,
    ],
    'bytes.tar.gz': [
      Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 256)),
      /bytes\.tar\.gz is not a netconform record: not a gzip file$/,
    ],
    'text.tar.gz': [
      gzipSync('just some text, no tar header here\n'.repeat(40)),
      /text\.tar\.gz is not a netconform record: not a tar archive/,
    ],
  } as const
  for (const [name, [data, message]] of Object.entries(files)) {
    writeFileSync(join(work, name), data)
    const r = await netconform(['verify', name])
    expect(r.exitCode, `${name}: ${r.stdout}${r.stderr}`).to.equal(2)
    const lines = r.stderr.trim().split('\n')
    expect(lines, name).to.have.length(1)
    expect(lines[0])
      .to.match(/^netconform: /)
      .and.match(message)
    expect(r.stderr).to.not.match(/\n\s+at /)
  }
  const missing = await netconform(['verify', 'nowhere.tar.gz'])
  expect(missing.exitCode).to.equal(2)
  expect(missing.stderr.trim()).to.match(/^netconform: cannot read record nowhere\.tar\.gz: /)
})

test('compare and matrix over two records say what they say over the two report folders', async () => {
  for (const format of [[], ['--format', 'markdown']]) {
    const folders = await netconform(['compare', runA, runB, ...format])
    const records = await netconform(['compare', recordA, recordB, ...format])
    expect(folders.exitCode).to.equal(0)
    expect(records.exitCode).to.equal(folders.exitCode)
    expect(records.stdout).to.equal(folders.stdout)
    expect(folders.stdout).to.match(/1 fix/)
  }
  const back = await netconform(['compare', recordB, recordA])
  expect(back.exitCode, 'a regression, from records').to.equal(1)
  const outFolders = join(work, 'matrix-folders')
  const outRecords = join(work, 'matrix-records')
  expect((await netconform(['matrix', runA, runB, '--out', outFolders])).exitCode).to.equal(0)
  expect((await netconform(['matrix', recordA, recordB, '--out', outRecords])).exitCode).to.equal(0)
  // The same matrix but for its links: to each run's report.html, or to the record file.
  const unlinked = (dir: string) => readFileSync(join(dir, 'matrix.md'), 'utf8').replace(/\]\([^)]*\)/g, '](…)')
  expect(unlinked(outRecords)).to.equal(unlinked(outFolders))
  expect(readFileSync(join(outRecords, 'matrix.md'), 'utf8')).to.include('../netconform-record-stub-a-')
  // A record whose members do not match its MANIFEST is refused (exit 2), naming it.
  const bad = await tampered(
    recordA,
    'bad-for-compare.tar.gz',
    (m) => {
      m.set('junit.xml', Buffer.from('<x/>'))
    },
    false,
  )
  const refused = await netconform(['compare', bad, recordB])
  expect(refused.exitCode).to.equal(2)
  expect(refused.stderr.trim()).to.match(/^netconform: .*bad-for-compare\.tar\.gz: member junit\.xml was changed/)
})
