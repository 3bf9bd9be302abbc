/** Set up once per section (support/holds/fixtures.ts): which scenario may observe which fixture. */
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin'
import { IdGenerator } from '@cucumber/messages'
import type Docker from 'dockerode'
import { Keeper, backgroundStepIds, holdsKey, newFixture, reusable } from '../../support/holds/fixtures'
import { FakeDocker } from './fake-docker'

const FEATURES = join(__dirname, '..', '..', 'features')
const parse = (file: string) =>
  new Parser(new AstBuilder(IdGenerator.incrementing()), new GherkinClassicTokenMatcher()).parse(
    readFileSync(join(FEATURES, file), 'utf8'),
  )

test("backgroundStepIds: the ids of the Background's steps; none for a feature without one", () => {
  const doc = parse('bridged-containers-with-an-exposed-port.feature')
  const ids = backgroundStepIds(doc)
  expect(ids.size).to.equal(3)
  const background = doc.feature!.children.find((c) => c.background)!.background!
  expect([...ids]).to.deep.equal(background.steps.map((s) => s.id))
  expect(backgroundStepIds(parse('add-containers-to-a-new-bridge-network.feature')).size).to.equal(0)
  expect(backgroundStepIds(undefined).size).to.equal(0)
})

test('holdsKey: the @exclusive:/@shared: tags, sorted; other tags do not count', () => {
  expect(holdsKey(['@id:a', '@shared:x', '@exclusive:host-port-80'])).to.equal('@exclusive:host-port-80 @shared:x')
  expect(holdsKey(['@id:a'])).to.equal('')
})

test('reusable: same feature, same holds, a Background that passed, and not @mutates', () => {
  const tags = ['@exclusive:host-port-5000', '@id:exposed-port.network-listed']
  const f = newFixture('20261201T000000Z-abcdef', 'features/x.feature', 'exposed-port.network-listed', tags)
  expect(f.id).to.equal('fixture:exposed-port.network-listed')
  expect(f.labels).to.deep.equal({
    'io.netconform.run': '20261201T000000Z-abcdef',
    'io.netconform.scenario': 'fixture:exposed-port.network-listed',
  })
  const next = ['@exclusive:host-port-5000', '@id:exposed-port.public-5000']
  expect(reusable(f, 'features/x.feature', next)).to.equal(true)
  expect(reusable(f, 'features/y.feature', next), 'another feature').to.equal(false)
  expect(reusable(f, 'features/x.feature', [...next, '@exclusive:host-port-80']), 'other holds').to.equal(false)
  expect(reusable(f, 'features/x.feature', [...next, '@mutates']), '@mutates').to.equal(false)
  expect(reusable({ ...f, ok: false }, 'features/x.feature', next), 'a Background that did not pass').to.equal(false)
  expect(reusable(undefined, 'features/x.feature', next)).to.equal(false)
})

test('the features say which scenarios change what their Background built (@mutates)', () => {
  const tagged = (file: string) => readFileSync(join(FEATURES, file), 'utf8')
  expect(tagged('deploy-a-container-with-a-static-ip-address.feature')).to.match(
    /^@exclusive:container-network-range @mutates\nFeature:/m,
  )
  expect(tagged('deploy-containers-on-multiple-bridge-networks.feature')).to.match(
    /@mutates\n\s+@id:multi-bridge\.connect-only-when-created/,
  )
})

test('Keeper: an idle worker gives back a fixture whose holds another needs, a busy one when its scenario ends, a colliding-with-nothing one never', async () => {
  const runId = `test-${process.pid}-${Date.now()}`
  const docker = new FakeDocker() as unknown as Docker
  const released: string[] = []
  const fixtureOf = (scenario: string) => ({
    ...newFixture(runId, 'features/x.feature', scenario, ['@exclusive:host-port-5000']),
    held: { waitedMs: 0, release: async () => void released.push(scenario) },
  })
  const a = new Keeper('0', 2)
  const b = new Keeper('1', 2)
  try {
    a.keep(runId, fixtureOf('s1'), docker)
    expect(
      await b.askOthers(runId, ['@shared:container-network-range']),
      'no collision: nothing asked of worker 0',
    ).to.deep.equal([])
    await a.ended()
    const shared = await b.askOthers(runId, ['@shared:host-port-5000'])
    expect(shared[0], "a shared hold collides with the fixture's exclusive one").to.match(
      /^worker 0: tore down fixture fixture:s1/,
    )
    a.keep(runId, fixtureOf('s2'), docker)
    let answered: string[] | undefined
    const asked = b.askOthers(runId, ['@exclusive:host-port-5000']).then((x) => (answered = x))
    await new Promise((r) => setTimeout(r, 50))
    expect(answered, 'worker 0 is in a scenario with its fixture: the answer waits').to.equal(undefined)
    expect(a.fixture?.id).to.equal('fixture:s2')
    await a.ended()
    await asked
    expect(answered).to.have.length(1)
    expect(answered![0]).to.match(/^worker 0: tore down fixture fixture:s2 \(built by s2\)/)
    expect(a.fixture).to.equal(undefined)
    a.keep(runId, fixtureOf('s3'), docker)
    await a.ended()
    const idle = await b.askOthers(runId, ['@exclusive:host-port-5000'])
    expect(idle[0], 'an idle worker answers at once').to.match(/^worker 0: tore down fixture fixture:s3/)
    expect(released).to.deep.equal(['s1', 's2', 's3'])
    expect(
      await new Keeper(undefined, 0).askOthers(runId, ['@exclusive:host-port-5000']),
      'a serial run asks nobody',
    ).to.deep.equal([])
  } finally {
    await a.close()
    await b.close()
  }
})
