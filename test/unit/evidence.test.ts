/**
 * A check's evidence is the suite's own: kind, fields and a sentence that profiles match. A declared
 * deviation written against that sentence matches it, and nothing of an assertion library's wording.
 */
import { test } from 'node:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { Evidence, judge } from '../../support/observe/evidence'
import { PROJECT } from '../../support/project'

test('judge: nothing when the endpoint shows what the document shows; otherwise Evidence with its kind, fields and sentence', () => {
  expect(() =>
    judge(true, { kind: 'subnet-mask', what: 'subnet masks of n', seen: '/16', documented: '/16' }),
  ).not.to.throw()
  try {
    judge(false, {
      kind: 'interfaces',
      what: "interfaces of model's addresses on a (eth0) and b (eth1)",
      seen: 'distinct interfaces',
      documented: 'one interface',
      fields: {
        interfaces: ['eth0', 'eth1'],
      },
    })
    expect.fail('judge did not throw')
  } catch (e) {
    expect(e).to.be.instanceOf(Evidence)
    const ev = e as Evidence
    expect(ev.kind).to.equal('interfaces')
    expect(ev.fields).to.deep.include({
      seen: 'distinct interfaces',
      documented: 'one interface',
      interfaces: ['eth0', 'eth1'],
    })
    expect(ev.message).to.equal(
      "interfaces of model's addresses on a (eth0) and b (eth1): distinct interfaces, where the document shows one interface",
    )
  }
})

test('no profile matches an assertion library\'s wording ("expected … to …")', () => {
  const dir = join(PROJECT, 'targets')
  const phrases = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => /^\s*observed:/.test(l) && /expected .* to (?:equal|include|contain|have|be)\b/.test(l))
        .map((l) => `${f}: ${l.trim()}`),
    )
  expect(phrases).to.deep.equal([])
})
