/**
 * The parallel scheduler: which scenarios may run side by side (the @exclusive:/@shared: rule),
 * and, among those, that the longest remaining work is started first.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import { Scheduler, canStartBeside, conflicts, holds, planOf, type Planned } from '../../support/holds/scheduler'
import { scenarioIds } from '../../support/scenario-id'

const pickle = (id: string, ...tags: string[]) => ({ tags: [{ name: `@id:${id}` }, ...tags.map((name) => ({ name }))] })

test('holds: the names a scenario needs alone and the ones it shares', () => {
  const h = holds(pickle('a', '@exclusive:host-port-8080', '@shared:container-network-range'))
  expect([...h.exclusive]).to.deep.equal(['host-port-8080'])
  expect([...h.shared]).to.deep.equal(['container-network-range'])
})

test('conflicts: exclusive beside exclusive or shared of the same name; shared beside shared is fine', () => {
  const x = pickle('x', '@exclusive:container-network-range')
  const s1 = pickle('s1', '@shared:container-network-range')
  const s2 = pickle('s2', '@shared:container-network-range')
  const other = pickle('o', '@exclusive:host-port-8080')
  expect(conflicts(x, s1)).to.deep.equal(['container-network-range'])
  expect(conflicts(s1, x)).to.deep.equal(['container-network-range'])
  expect(conflicts(s1, s2)).to.deep.equal([])
  expect(conflicts(x, other)).to.deep.equal([])
  expect(canStartBeside(s2, [s1, other])).to.equal(true)
  expect(canStartBeside(x, [s1])).to.equal(false)
})

test('the longest work starts first: a scenario waits while a longer chain may start', () => {
  const plan: Planned[] = [
    { id: 'short', holds: holds(pickle('short')), steps: 2 },
    { id: 'long1', holds: holds(pickle('long1', '@exclusive:host-port-8080')), steps: 5 },
    { id: 'long2', holds: holds(pickle('long2', '@exclusive:host-port-8080')), steps: 5 },
    { id: 'busy', holds: holds(pickle('busy')), steps: 1 },
  ]
  const s = new Scheduler(plan)
  const running = [pickle('busy')]
  // short (2 steps) is offered first, but the 8080 chain (10 steps) may start: short waits.
  expect(s.canAssign(pickle('short'), running)).to.equal(false)
  expect(s.canAssign(pickle('long1', '@exclusive:host-port-8080'), running)).to.equal(true)
  // long2 collides with long1 whatever the order: the rule decides, not the preference.
  expect(
    s.canAssign(pickle('long2', '@exclusive:host-port-8080'), [pickle('long1', '@exclusive:host-port-8080')]),
  ).to.equal(false)
  // With nothing running, the first offered starts.
  expect(new Scheduler(plan).canAssign(pickle('short'), [])).to.equal(true)
})

test('planOf reads every scenario of features/ with what it holds', () => {
  const plan = planOf()
  expect(plan.map((p) => p.id)).to.have.members([...scenarioIds()])
  const publish = plan.find((p) => p.id.endsWith('publish.port-8080-on-public-interface'))
  expect(publish && [...publish.holds.exclusive]).to.deep.equal(['host-port-8080'])
  // A feature with a Background shares its set-up (one worker keeps it); one without may spread over the workers.
  expect(plan.find((p) => p.id === 'exposed-port.public-5000')?.feature).to.equal(
    'features/bridged-containers-with-an-exposed-port.feature',
  )
  expect(plan.find((p) => p.id === 'new-bridge.ping-by-name.client-to-server')?.feature).to.equal(undefined)
  expect(plan.find((p) => p.id === 'static-ip.connect-with-ip')?.mutates).to.equal(true)
})

test('a feature is work of its own: its next scenario goes to the worker that ran one; a second, other work', () => {
  const plan: Planned[] = [
    { id: 'f1a', holds: holds(pickle('f1a')), steps: 3, feature: 'features/f1.feature' },
    { id: 'f1b', holds: holds(pickle('f1b')), steps: 3, feature: 'features/f1.feature' },
    { id: 'f1m', holds: holds(pickle('f1m')), steps: 3, feature: 'features/f1.feature', mutates: true },
    { id: 'f2a', holds: holds(pickle('f2a')), steps: 4, feature: 'features/f2.feature' },
  ]
  const s = new Scheduler(plan)
  expect(s.canAssign(pickle('f1a'), [])).to.equal(true)
  // f1 runs on one worker: its next scenario would build the same Background again on a second one.
  expect(s.canAssign(pickle('f1b'), [pickle('f1a')]), 'f1b beside f1a').to.equal(false)
  // a @mutates scenario builds its own anyway, but f2 (4 steps, not started) is the longer work.
  expect(s.canAssign(pickle('f1m'), [pickle('f1a')]), 'f1m beside f1a').to.equal(false)
  expect(s.canAssign(pickle('f2a'), [pickle('f1a')])).to.equal(true)
  // f1a ended; its worker asks: f1 goes on there (it observes the fixture f1a built).
  expect(s.canAssign(pickle('f1b'), [pickle('f2a')]), 'f1b after f1a').to.equal(true)
  // Only f1's @mutates scenario is left: it may start beside f1b.
  expect(s.canAssign(pickle('f1m'), [pickle('f1b')])).to.equal(true)
  // With nothing else left, a feature's scenario starts on a second worker rather than none.
  const t = new Scheduler(plan.slice(0, 2))
  expect(t.canAssign(pickle('f1a'), [])).to.equal(true)
  expect(t.canAssign(pickle('f1b'), [pickle('f1a')])).to.equal(true)
})
