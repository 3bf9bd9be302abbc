import { test } from 'node:test'
import { setTimeout as pause } from 'node:timers/promises'
import { expect } from 'chai'
import { eventually, within, type Observation } from '../../support/poll'
import { rejectionOf } from './errors-of'

test('eventually returns the first ok observation at once, without waiting', { timeout: 1000 }, async () => {
  let calls = 0
  const started = Date.now()
  const seen = await eventually(
    'a reply',
    async () => {
      calls++
      return { ok: true, seen: 'reply', value: 42 }
    },
    { timeoutMs: 800, intervalMs: 500 },
  )
  expect(seen).to.deep.equal({ ok: true, seen: 'reply', value: 42 })
  expect(calls).to.equal(1)
  expect(Date.now() - started).to.be.below(300)
})

test('eventually retries until ok and returns that observation', { timeout: 1000 }, async () => {
  let calls = 0
  const seen = await eventually<number>(
    'the third try',
    async () => {
      calls++
      return { ok: calls === 3, seen: `try ${calls}`, value: calls }
    },
    { timeoutMs: 800, intervalMs: 10 },
  )
  expect(calls).to.equal(3)
  expect(seen).to.deep.equal({ ok: true, seen: 'try 3', value: 3 })
})

test('eventually waits intervalMs between observations', { timeout: 1000 }, async () => {
  const times: number[] = []
  await eventually(
    'two observations',
    async () => {
      times.push(Date.now())
      return { ok: times.length === 2, seen: '' }
    },
    { timeoutMs: 800, intervalMs: 100 },
  )
  expect(times[1] - times[0]).to.be.at.least(90)
})

test(
  'eventually fails at the deadline, saying what it awaited, for how long, and what it last saw',
  { timeout: 1000 },
  async () => {
    let calls = 0
    const started = Date.now()
    const error = await rejectionOf(
      eventually(
        'replies from server',
        async (): Promise<Observation<void>> => {
          calls++
          return { ok: false, seen: `100% packet loss (try ${calls})` }
        },
        { timeoutMs: 600, intervalMs: 50 },
      ),
    )
    const elapsed = Date.now() - started
    expect(error.message).to.equal(
      `awaited replies from server for 0.6 s (${calls} attempts); last seen: 100% packet loss (try ${calls})`,
    )
    expect(calls).to.be.at.least(2)
    expect(elapsed).to.be.at.least(500).and.below(900)
  },
)

test(
  'eventually: an observer that throws is recorded as "error: <first line>" and polling goes on',
  { timeout: 1000 },
  async () => {
    let calls = 0
    const error = await rejectionOf(
      eventually(
        'a connection',
        async () => {
          calls++
          throw new Error('connect ECONNREFUSED 127.0.0.1:9\n    at TCPConnectWrap.afterConnect')
        },
        { timeoutMs: 200, intervalMs: 20 },
      ),
    )
    expect(calls).to.be.at.least(2)
    expect(error.message).to.match(
      /^awaited a connection for [\d.]+ s \(\d+ attempts\); last seen: error: connect ECONNREFUSED 127\.0\.0\.1:9$/,
    )
  },
)

test('eventually: a thrown non-Error is recorded too', { timeout: 1000 }, async () => {
  const error = await rejectionOf(
    eventually(
      'x',
      async () => {
        throw 'plain string'
      },
      { timeoutMs: 50, intervalMs: 20 },
    ),
  )
  expect(error.message).to.match(/last seen: error: plain string$/)
})

test('eventually: an observer that throws and then succeeds is fine', { timeout: 1000 }, async () => {
  let calls = 0
  const seen = await eventually(
    'recovery',
    async () => {
      if (++calls < 3) throw new Error('not yet')
      return { ok: true, seen: 'up' }
    },
    { timeoutMs: 800, intervalMs: 10 },
  )
  expect(seen.seen).to.equal('up')
  expect(calls).to.equal(3)
})

test('eventually: with a deadline shorter than the interval it observes once', { timeout: 1000 }, async () => {
  let calls = 0
  const error = await rejectionOf(
    eventually(
      'once',
      async () => {
        calls++
        return { ok: false, seen: 'no' }
      },
      { timeoutMs: 10, intervalMs: 500 },
    ),
  )
  expect(calls).to.equal(1)
  expect(error.message).to.include('(1 attempts); last seen: no')
})

test('within resolves with the value when the promise settles in time', { timeout: 1000 }, async () => {
  expect(await within(Promise.resolve('done'), 500, 'a quick thing')).to.equal('done')
  expect(
    await within(
      pause(20).then(() => 7),
      500,
      'a short wait',
    ),
  ).to.equal(7)
})

test('within passes on the promise’s own rejection', { timeout: 1000 }, async () => {
  const error = await rejectionOf(within(Promise.reject(new Error('refused')), 500, 'a call'))
  expect(error.message).to.equal('refused')
})

test('within rejects with the message after the deadline', { timeout: 1000 }, async () => {
  const started = Date.now()
  const error = await rejectionOf(within(new Promise(() => {}), 600, 'exec of "ping -c 3 server" in client'))
  expect(error.message).to.equal('exec of "ping -c 3 server" in client (no answer within 0.6 s)')
  expect(Date.now() - started)
    .to.be.at.least(550)
    .and.below(900)
})

test('within does not keep the process waiting once the promise has settled', { timeout: 1000 }, async () => {
  // the deadline timer is cleared: a settled within() leaves no pending timer behind
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
  await within(Promise.resolve(1), 60_000, 'x')
  const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
  expect(after).to.be.at.most(before)
})
