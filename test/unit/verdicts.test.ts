/**
 * Verdicts with declared deviations: a deviation names the failure it expects (the step, and a
 * regular expression of its message); only that failure deviates, any other fails, a pass is
 * flagged.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import {
  classify,
  DOES_NOT_MATCH,
  matchesDeviation,
  NO_LONGER_NEEDED,
  stepRegExp,
} from '../../support/profile/verdicts'
import type { Deviation, Failure, ScenarioResult } from '../../support/types'

const REFUSED = 'it is refused'
const ACCEPTED: Failure = {
  step: REFUSED,
  message: '`docker network connect bridge-web db` was accepted (exit 0); the document says it is refused',
}

const scenario = (
  verdict: ScenarioResult['verdict'],
  failure?: Failure,
  reason = failure ? `${failure.step}: ${failure.message.split('\n')[0]}` : '',
): ScenarioResult => ({
  id: 'multi-bridge.connect-only-when-created',
  doc: 'Deploy Containers on Multiple Bridge Networks',
  feature: 'f',
  name: 'n',
  verdict,
  reason,
  durationMs: 1,
  ...(failure ? { failure } : {}),
})
const declared: Deviation = {
  reason: 'Docker connects a running container.',
  link: 'https://docs.docker.com/engine/network/',
  step: REFUSED,
  observed: '^`docker network connect bridge-web db` was accepted',
}

test('a failure at the declared step with a matching message deviates: the declared reason first, then the evidence', () => {
  const r = classify(scenario('fails', ACCEPTED), declared)
  expect(r.verdict).to.equal('deviates')
  expect(r.reason).to.equal(`Docker connects a running container. (observed: it is refused: ${ACCEPTED.message})`)
  expect(r.deviation).to.deep.equal(declared)
  expect(r.failure).to.deep.equal(ACCEPTED)
})

test('a failure at another step fails, saying what was declared and what was seen', () => {
  const failure = {
    step: 'I run `docker network create bridge-web`',
    message: 'Error response from daemon: network with name bridge-web already exists\nmore',
  }
  const r = classify(scenario('fails', failure), declared)
  expect(r.verdict).to.equal('fails')
  expect(r.reason).to.equal(
    `${DOES_NOT_MATCH}: declared it is refused / /^\`docker network connect bridge-web db\` was accepted/, ` +
      'observed I run `docker network create bridge-web`: Error response from daemon: network with name bridge-web already exists',
  )
  expect(r.deviation).to.deep.equal({ ...declared, mismatch: true })
})

test('a failure at the declared step with another message fails, with the "does not match" reason', () => {
  const failure = { step: REFUSED, message: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock' }
  const r = classify(scenario('fails', failure), declared)
  expect(r.verdict).to.equal('fails')
  expect(r.reason).to.match(
    new RegExp(
      `^${DOES_NOT_MATCH}: declared it is refused / .*, observed it is refused: Cannot connect to the Docker daemon`,
    ),
  )
  expect(r.deviation?.mismatch).to.equal(true)
})

test('a failure with no failing step (did not finish) does not match a declared deviation', () => {
  const r = classify(scenario('fails', undefined, 'did not finish'), declared)
  expect(r.verdict).to.equal('fails')
  expect(r.reason).to.match(/, observed did not finish$/)
})

test('observed is matched against the whole message, not only its first line', () => {
  const failure = {
    step: REFUSED,
    message: 'first line\n[in client] $ ping -c 3 server | ping: permission denied (are you root?)',
  }
  expect(
    matchesDeviation(failure, { step: REFUSED, observed: 'ping: permission denied \\(are you root\\?\\)' }),
  ).to.equal(true)
  const r = classify(scenario('fails', failure), { ...declared, observed: 'permission denied' })
  expect(r.verdict).to.equal('deviates')
  expect(r.reason).to.equal('Docker connects a running container. (observed: it is refused: first line)')
})

test('a step written /like this/ is a regular expression; otherwise the text must be equal', () => {
  expect(stepRegExp(REFUSED)).to.equal(undefined)
  expect(stepRegExp('/^it is refused( with .*)?$/')?.source).to.equal('^it is refused( with .*)?$')
  const withText = { step: 'it is refused with "unable to wait for process launch status"', message: 'accepted' }
  expect(matchesDeviation(withText, { step: '/^it is refused/', observed: 'accepted' })).to.equal(true)
  expect(matchesDeviation(withText, { step: REFUSED, observed: 'accepted' }), 'a prefix is not the step').to.equal(
    false,
  )
  expect(matchesDeviation(undefined, { step: REFUSED, observed: '' })).to.equal(false)
})

test('a failure nobody declared stays a failure', () => {
  const r = classify(scenario('fails', ACCEPTED, 'boom'), undefined)
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
  const r = classify(
    {
      ...scenario('not-applicable', undefined, 'target offers no DHCP network'),
      notApplicableField: 'offers.dhcpNetwork',
    },
    declared,
  )
  expect(r.verdict).to.equal('not-applicable')
  expect(r.reason).to.equal('target offers no DHCP network')
  expect(r.notApplicableField).to.equal('offers.dhcpNetwork')
})
