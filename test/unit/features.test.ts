/**
 * The features are the one source of what the suite covers: each Feature is named exactly after a
 * section heading of the seed document (doc.ts orders the names as the document does), every
 * heading has one, and every scenario has a stable, unique @id. What else restates them is checked
 * here, naming what is missing or extra: the offers the lab test expects a scenario to need (read
 * from its steps), the document floor's sections and results (bench/doc-floor.sh) and README's
 * table of what is covered. Also the network rule, checked in the sources: every IPv4 address the
 * suite writes is the lab's own (documentation ranges, loopback, the engines' private pools).
 */
import { test } from 'node:test'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { DOC_SECTIONS, DOC_TITLE, documentText } from '../../support/document/doc'
import { featurePickles, scenarioIds, scenarioSections } from '../../support/scenario-id'
import { neededOffer, OFFER_STEPS } from '../../support/scenario/offers'
import { inRange } from '../../support/ipv4'

const PROJECT = join(__dirname, '..', '..')
const FEATURES = join(PROJECT, 'features')
const features = readdirSync(FEATURES)
  .filter((f) => f.endsWith('.feature'))
  .map((f) => ({ file: f, text: readFileSync(join(FEATURES, f), 'utf8') }))

/** A line of the document that stands alone (blank lines around it) and reads as a heading: short, title-cased. */
function headingLike(lines: readonly string[], i: number): boolean {
  const line = lines[i]
  if (line.trim() === '' || lines[i - 1]?.trim() || lines[i + 1]?.trim()) return false
  if (/^(\$|docker|\s)|[.:,;()]/.test(line)) return false
  const words = line.split(' ')
  return words.length <= 12 && words.filter((w) => /^[A-Z]/.test(w)).length * 2 >= words.length
}

/** What is wrong with the Feature names against the document's lines: none when names and headings match. */
function headingProblems(named: readonly { file: string; name: string }[], lines: readonly string[]): string[] {
  const problems: string[] = []
  for (const { file, name } of named) {
    const at = lines.flatMap((l, i) => (l === name ? [i] : []))
    if (at.length !== 1) problems.push(`${file}: Feature "${name}" is ${at.length} lines of the document, not one`)
    else if (!headingLike(lines, at[0])) problems.push(`${file}: Feature "${name}" is no heading of the document`)
  }
  const names = new Set(named.map((n) => n.name))
  lines.forEach((line, i) => {
    if (headingLike(lines, i) && !names.has(line)) problems.push(`document line ${i + 1}: "${line}" has no Feature`)
  })
  return problems
}

const featureNamesByFile = () =>
  features.map(({ file, text }) => ({ file, name: /^Feature: (.+)$/m.exec(text)?.[1] ?? '' }))

test('every Feature is named after a heading of the document, and every heading has one', () => {
  const lines = documentText().split('\n')
  const problems = headingProblems(featureNamesByFile(), lines)
  expect(problems, problems.join('; ')).to.deep.equal([])
  // doc.ts's sections are those names, in the document's order, the title first
  expect(DOC_SECTIONS[0]).to.equal(DOC_TITLE)
  expect([...DOC_SECTIONS]).to.deep.equal(lines.filter((_l, i) => headingLike(lines, i)))
  // and each has a scenario
  expect([...new Set(scenarioSections().values())]).to.have.members([...DOC_SECTIONS])
  // the check names what is wrong
  const named = featureNamesByFile()
  const publish = named.find((n) => n.name === 'Publish a Container Port')!
  expect(headingProblems([...named.filter((n) => n !== publish)], lines)).to.deep.equal([
    'document line 9: "Publish a Container Port" has no Feature',
  ])
  expect(headingProblems([...named, { file: 'x.feature', name: 'Result:' }], lines)).to.deep.equal([
    'x.feature: Feature "Result:" is 2 lines of the document, not one',
  ])
  expect(
    headingProblems([...named, { file: 'y.feature', name: 'docker network create bridge-web' }], lines),
  ).to.deep.equal(['y.feature: Feature "docker network create bridge-web" is no heading of the document'])
})

test('one @id: per scenario (above a Scenario, on each one-row Examples of an Outline); ids are unique', () => {
  const ids: string[] = []
  for (const { file, text } of features) {
    const lines = text.split('\n')
    const idsAbove = (i: number) =>
      lines[i - 1]
        ?.trim()
        .split(/\s+/)
        .filter((t) => t.startsWith('@id:')) ?? []
    lines.forEach((line, i) => {
      if (/^\s*Scenario:/.test(line) || /^\s*Examples:/.test(line)) {
        expect(idsAbove(i), `@id: tag above ${file}:${i + 1}`).to.have.length(1)
        ids.push(idsAbove(i)[0])
      }
      if (/^\s*Scenario Outline:/.test(line))
        expect(idsAbove(i), `no @id: above the outline ${file}:${i + 1}: each Examples has its own`).to.have.length(0)
      if (/^\s*Examples:/.test(line)) {
        const rows = lines.slice(i + 1).findIndex((l) => !/^\s*\|/.test(l))
        expect(rows, `Examples at ${file}:${i + 1} has a header and one row: one documented result`).to.equal(2)
      }
    })
  }
  // as many as cucumber compiles scenarios
  expect(ids.length).to.equal(featurePickles().length)
  expect(new Set(ids).size, 'unique ids').to.equal(ids.length)
})

test('the offer a scenario needs is read from its steps: the first that asks for one (OFFER_STEPS)', () => {
  const steps = (...text: string[]) => text.map((t) => ({ text: t }))
  expect(neededOffer(steps('I run `docker network ls`'))).to.equal(undefined)
  expect(neededOffer(steps('I run `x`', 'a container network ExternalNetwork'))).to.equal('containerNetwork')
  expect(neededOffer(steps('a container network container-net with an address range'))).to.equal('containerNetwork')
  expect(
    neededOffer(steps('a DHCP container network DhcpNetwork, whose DNS server the document calls dns_server')),
  ).to.equal('dhcpNetwork')
  expect(neededOffer(steps('a container network two words'))).to.equal(undefined)
  // each phrase is asked by some scenario of features/, Background steps included
  for (const [key, expression] of Object.entries(OFFER_STEPS)) {
    const pattern = new RegExp(`^${expression.replace(/\{word\}/g, '\\S+')}$`)
    expect(
      featurePickles().some((p) => p.steps.some((s) => pattern.test(s.text))),
      `OFFER_STEPS.${key} is used`,
    ).to.equal(true)
  }
})

test('the steps that make a scenario not applicable are registered with OFFER_STEPS phrases, not literals', () => {
  const dir = join(PROJECT, 'steps')
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const registrations = readFileSync(join(dir, file), 'utf8').split(/(?=\b(?:Given|When|Then)\()/)
    for (const r of registrations.filter((r) => /\bneed(ContainerNetwork|DhcpNetwork)\(/.test(r)))
      expect(r, `steps/${file}: a step asking for an offer`).to.match(/^(Given|When|Then)\(OFFER_STEPS\.\w+,/)
  }
})

/** What bench/doc-floor.sh lacks or has beyond the features: a section comment per heading, each id probed or shown. */
function floorProblems(script: string, sections: readonly string[], ids: ReadonlySet<string>): string[] {
  const comments = script.split('\n').filter((l) => /^\s*# /.test(l))
  const missingSections = sections.filter((s) => !comments.some((c) => c.trim().startsWith(`# ${s}`)))
  const labels = [...script.matchAll(/(?:^|;)\s*(?:probe (?:yes|no)|shown) (\S+)/gm)].map((m) =>
    m[1].replace(/\/.*/, ''),
  )
  return [
    ...missingSections.map((s) => `section "${s}": no comment naming it`),
    ...[...ids].filter((id) => !labels.includes(id)).map((id) => `${id}: neither probed nor shown`),
    ...[...new Set(labels)].filter((l) => !ids.has(l)).map((l) => `${l}: probed or shown, in no feature`),
  ]
}

test('bench/doc-floor.sh: a comment per section, a probe or command per scenario id; no other id', () => {
  const script = readFileSync(join(PROJECT, 'bench', 'doc-floor.sh'), 'utf8')
  const ids = scenarioIds()
  const problems = floorProblems(script, DOC_SECTIONS, ids)
  expect(problems, problems.join('; ')).to.deep.equal([])
  const without = script.replace(/^.*shown new-bridge\.network-listed.*$/m, '').replace('# Publish a Container', '#')
  expect(floorProblems(without, DOC_SECTIONS, ids)).to.deep.equal([
    'section "Publish a Container Port": no comment naming it',
    'new-bridge.network-listed: neither probed nor shown',
  ])
  expect(floorProblems(`${script}\nprobe yes gone.result true\n`, DOC_SECTIONS, ids)).to.deep.equal([
    'gone.result: probed or shown, in no feature',
  ])
})

test("README's table of what is covered has a row per section the features transcribe", () => {
  const readme = readFileSync(join(PROJECT, 'README.md'), 'utf8')
  const covered = readme.slice(
    readme.indexOf('## What is covered'),
    readme.indexOf('\n## ', readme.indexOf('## What is covered') + 1),
  )
  const rows = [...covered.matchAll(/^\| ([^|]+?) \|/gm)].map((m) => m[1])
  // the title's section is its NOTE
  const missing = DOC_SECTIONS.filter((s) => s !== DOC_TITLE && !rows.includes(s))
  expect(missing, `sections without a row in README's What is covered: ${missing.join('; ')}`).to.deep.equal([])
})

/**
 * The only ranges an address in the suite's sources may fall in (and one netmask): loopback, the
 * documentation ranges, and the engines' container pools the lab sets (Docker's 172.16/12, the CNI
 * Podman's 10.88/16 and 10.89/16, the netavark Podman's 10.90/16 and 10.91/16).
 */
const ALLOWED = [
  '127.0.0.0/8',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '192.0.2.0/24',
  '172.16.0.0/12',
  '10.88.0.0/16',
  '10.89.0.0/16',
  '10.90.0.0/16',
  '10.91.0.0/16',
  '0.0.0.0/32',
  '255.255.255.0/32',
]

function sources(dir: string): string[] {
  return readdirSync(join(PROJECT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.(ts|feature|sh|yaml|json)$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  )
}

test("the network rule: every IPv4 address in features, steps, support, lab and targets is the lab's own", () => {
  for (const file of ['features', 'steps', 'support', 'lab', 'targets'].flatMap(sources)) {
    // The document's own output, quoted in doc strings for the reader (and, line by line, in the
    // catalogue of its statements), is no address the suite uses.
    if (file === join('support', 'document', 'statements.ts')) continue
    const text = readFileSync(join(PROJECT, file), 'utf8').replace(/^\s*"""[\s\S]*?^\s*"""/gm, '')
    for (const [address] of text.matchAll(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g)) {
      expect(
        ALLOWED.some((r) => inRange(address, r)),
        `${address} in ${file}`,
      ).to.equal(true)
    }
  }
})
