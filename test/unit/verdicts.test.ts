/** Verdicts with declared deviations: deviates, fails, and a deviation no longer needed. */
import { test } from 'node:test'
import { expect } from 'chai'
import { classify, NO_LONGER_NEEDED } from '../../support/verdicts'
import type { ScenarioResult } from '../../support/types'

const scenario = (verdict: ScenarioResult['verdict'], reason = ''): ScenarioResult =>
  ({ id: 'multi-bridge.connect-only-when-created', doc: 'Deploy Containers on Multiple Bridge Networks', feature: 'f', name: 'n', verdict, reason, durationMs: 1 })
const declared = { reason: 'Docker connects a running container.', link: 'https://docs.docker.com/engine/network/' }

test('a failure the profile declares deviates, with the declared reason first and the observed evidence after', () => {
  const r = classify(scenario('fails', '`docker network connect bridge-web db` was accepted'), declared)
  expect(r.verdict).to.equal('deviates')
  expect(r.reason).to.equal('Docker connects a running container. (observed: `docker network connect bridge-web db` was accepted)')
  expect(r.deviation).to.deep.equal(declared)
})

test('a failure nobody declared stays a failure', () => {
  const r = classify(scenario('fails', 'boom'), undefined)
  expect(r.verdict).to.equal('fails')
  expect(r.reason).to.equal('boom')
  expect(r.deviation).to.equal(undefined)
})

test('a declared deviation whose scenario now conforms is flagged as no longer needed, and conforms', () => {
  const r = classify(scenario('conforms'), declared)
  expect(r.verdict).to.equal('conforms')
  expect(r.reason).to.equal(`${NO_LONGER_NEEDED}: ${declared.reason}`)
  expect(r.deviation?.noLongerNeeded).to.equal(true)
})

test('a declared deviation does not turn not-applicable into anything else', () => {
  const r = classify(scenario('not-applicable', 'target offers no DHCP network'), declared)
  expect(r.verdict).to.equal('not-applicable')
  expect(r.reason).to.equal('target offers no DHCP network')
})
