/**
 * The parallel scheduler: which scenarios may run side by side (the @exclusive:/@shared: rule),
 * and, among those, that the longest remaining work is started first.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import { Scheduler, canStartBeside, conflicts, holds, planOf, type Planned } from '../../support/cli/scheduler'

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
  expect(s.canAssign(pickle('long2', '@exclusive:host-port-8080'), [pickle('long1', '@exclusive:host-port-8080')])).to.equal(false)
  // With nothing running, the first offered starts.
  expect(new Scheduler(plan).canAssign(pickle('short'), [])).to.equal(true)
})

test('planOf reads every scenario of features/ with what it holds', () => {
  const plan = planOf()
  expect(plan.length).to.equal(41)
  const publish = plan.find((p) => p.id.endsWith('publish.port-8080-on-public-interface'))
  expect(publish && [...publish.holds.exclusive]).to.deep.equal(['host-port-8080'])
})
