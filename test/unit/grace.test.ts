/** engine/grace.ts: one outage, one grace; later waits in the same outage ask once. */
import { test } from 'node:test'
import { expect } from 'chai'
import { answersWithin } from '../../support/engine/grace'

test('the first wait gets the whole grace; once it ran out, later waits ask once, until an answer', async () => {
  let asked = 0
  const silent = async () => (asked++, false)
  const started = Date.now()
  expect(await answersWithin(silent, 1200)).to.equal(false)
  expect(Date.now() - started).to.be.at.least(1000)
  expect(asked).to.be.at.least(2)
  asked = 0
  const again = Date.now()
  expect(await answersWithin(silent, 1200)).to.equal(false)
  expect(asked).to.equal(1)
  expect(Date.now() - again).to.be.below(1000)
  // The endpoint answers again: the outage is over, and the next one gets a whole grace.
  expect(await answersWithin(async () => true, 1200)).to.equal(true)
  asked = 0
  expect(await answersWithin(silent, 600)).to.equal(false)
  expect(asked).to.be.at.least(2)
})
