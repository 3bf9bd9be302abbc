/**
 * The features as a reader holds them beside the document: each Feature is named exactly after
 * a section heading, every section has one, and every scenario has a stable, unique @id.
 * Also the network rule, checked in the sources: every IPv4 address the suite writes is the
 * lab's own (documentation ranges, loopback, the engines' private pools), never an outside one.
 */
import { test } from 'node:test'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { DOC_SECTIONS } from '../../support/document/doc'
import { inRange } from '../../support/ipv4'

const PROJECT = join(__dirname, '..', '..')
const FEATURES = join(PROJECT, 'features')
const features = readdirSync(FEATURES)
  .filter((f) => f.endsWith('.feature'))
  .map((f) => ({ file: f, text: readFileSync(join(FEATURES, f), 'utf8') }))

test('every Feature is named after a section of the seed document, and every section has one', () => {
  const names = features.map(({ file, text }) => {
    const name = /^Feature: (.+)$/m.exec(text)?.[1]
    expect(DOC_SECTIONS, `Feature name in ${file}`).to.include(name)
    return name
  })
  expect(new Set(names)).to.deep.equal(new Set(DOC_SECTIONS))
})

test('every scenario has exactly one @id: tag — a Scenario above it, a Scenario Outline on each Examples of one row — and ids are unique', () => {
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
  expect(ids.length).to.be.above(40)
  expect(new Set(ids).size, 'unique ids').to.equal(ids.length)
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
    // The document's own output, quoted in doc strings for the reader, is no address the suite uses.
    const text = readFileSync(join(PROJECT, file), 'utf8').replace(/^\s*"""[\s\S]*?^\s*"""/gm, '')
    for (const [address] of text.matchAll(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g)) {
      expect(
        ALLOWED.some((r) => inRange(address, r)),
        `${address} in ${file}`,
      ).to.equal(true)
    }
  }
})
