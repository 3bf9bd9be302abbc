/** The endpoint's failed calls, and the refusals a step judges itself (support/engine/api-calls.ts). */
import { test } from 'node:test'
import { expect } from 'chai'
import { apiFailures } from '../../support/engine/api-calls'

test('judgedRefusals takes back only CALL answered with a status and a message, since the mark', () => {
  apiFailures.record({ call: 'POST /networks/create', status: 500, message: 'before the mark', by: 'cli' })
  const mark = apiFailures.mark()
  apiFailures.record({
    call: 'POST /networks/create',
    status: 500,
    message: 'already using parent interface',
    by: 'cli',
  })
  apiFailures.record({ call: 'POST /networks/create', status: 'reset', message: 'socket hang up', by: 'cli' })
  apiFailures.record({ call: 'POST /containers/create', status: 500, message: 'another call', by: 'api' })
  const judged = apiFailures.judgedRefusals(mark, 'POST /networks/create')
  expect(judged.map((f) => f.message)).to.deep.equal(['already using parent interface'])
  expect(
    apiFailures.since(mark).map((f) => f.message),
    'a reset and another call stay failures',
  ).to.deep.equal(['socket hang up', 'another call'])
  expect(apiFailures.since(mark - 1)[0].message, 'before the mark: untouched').to.equal('before the mark')
})
