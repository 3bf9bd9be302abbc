import { test } from 'node:test'
import { expect } from 'chai'
import { NameBook } from '../../support/document/doc-commands'
import {
  LABEL_RUN,
  LABEL_SCENARIO,
  newInstanceTag,
  newRunId,
  realName,
  scenarioLabels,
  shortRunId,
} from '../../support/cleanup/resources'

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/

test('newRunId: a UTC timestamp to the second, then 6 random hex digits', () => {
  const id = newRunId(new Date('2025-01-02T03:04:05.678Z'))
  expect(id).to.match(/^20250102T030405Z-[0-9a-f]{6}$/)
  expect(newRunId(new Date('2025-12-31T23:59:59.000Z'))).to.match(/^20251231T235959Z-[0-9a-f]{6}$/)
})

test('newRunId: without a date it uses now', () => {
  const before = new Date().toISOString().slice(0, 10).replace(/-/g, '')
  const id = newRunId()
  expect(id).to.match(RUN_ID)
  const after = new Date().toISOString().slice(0, 10).replace(/-/g, '')
  expect([before, after]).to.include(id.slice(0, 8))
})

test('newRunId: ids sort by time', () => {
  const dates = [
    '2024-12-31T23:59:59.999Z',
    '2025-01-01T00:00:00.000Z',
    '2025-01-01T00:00:01.000Z',
    '2025-01-01T09:00:00.000Z',
    '2025-01-01T10:00:00.000Z',
    '2025-10-01T00:00:00.000Z',
  ]
  const ids = dates.map((d) => newRunId(new Date(d)))
  expect([...ids].reverse().sort()).to.deep.equal(ids)
})

test('newRunId: ids made in the same second differ by their random tail', () => {
  const now = new Date('2025-01-02T03:04:05Z')
  const ids = new Set(Array.from({ length: 50 }, () => newRunId(now)))
  expect(ids.size).to.equal(50)
})

test('shortRunId: the random tail', () => {
  expect(shortRunId('20250102T030405Z-a1b2c3')).to.equal('a1b2c3')
  const id = newRunId()
  expect(shortRunId(id)).to.equal(id.split('-')[1])
})

test('newInstanceTag: 4 hex digits', () => {
  expect(newInstanceTag()).to.match(/^[0-9a-f]{4}$/)
})

test("newInstanceTag: a worker's tags end in its id (mod 16) and none repeats in its share of 4096", () => {
  const three = Array.from({ length: 4096 }, () => newInstanceTag(3))
  expect(new Set(three).size).to.equal(4096)
  expect(three.every((t) => t.endsWith('3'))).to.equal(true)
  const eleven = Array.from({ length: 200 }, () => newInstanceTag(11))
  expect(eleven.every((t) => t.endsWith('b'))).to.equal(true)
  expect(eleven.filter((t) => three.includes(t))).to.deep.equal([])
  // Without a worker id (a run without --parallel), the first share.
  expect(process.env.CUCUMBER_WORKER_ID).to.equal(undefined)
  expect(newInstanceTag()).to.match(/^[0-9a-f]{3}0$/)
})

test('realName: nc-<short run>-<instance>-<doc name>', () => {
  expect(realName('20250102T030405Z-a1b2c3', 'beef', 'my-bridge-network')).to.equal('nc-a1b2c3-beef-my-bridge-network')
  expect(realName('20250102T030405Z-a1b2c3', 'beef', 'server')).to.equal('nc-a1b2c3-beef-server')
})

test('realName agrees with the names a NameBook built on its prefix gives (as the World builds it)', () => {
  const runId = '20250102T030405Z-a1b2c3'
  const names = new NameBook(realName(runId, 'beef', '').replace(/-$/, ''))
  for (const doc of ['server', 'client', 'my-bridge-network', 'bridge-db'])
    expect(names.define(doc)).to.equal(realName(runId, 'beef', doc))
})

test('realName: names are valid container and network names', () => {
  // docker: [a-zA-Z0-9][a-zA-Z0-9_.-]+
  expect(realName(newRunId(), newInstanceTag(), 'my_container')).to.match(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/)
})

test('scenarioLabels: the run and the scenario', () => {
  expect(LABEL_RUN).to.equal('io.netconform.run')
  expect(LABEL_SCENARIO).to.equal('io.netconform.scenario')
  expect(scenarioLabels('20250102T030405Z-a1b2c3', 'publish.port-80')).to.deep.equal({
    'io.netconform.run': '20250102T030405Z-a1b2c3',
    'io.netconform.scenario': 'publish.port-80',
  })
  // the run label comes first: docker ps is filtered on the first label (see doc-commands)
  expect(Object.keys(scenarioLabels('r', 's'))[0]).to.equal(LABEL_RUN)
})
