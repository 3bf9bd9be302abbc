/** Conditions: the proxy's slow and flaky modes, API failures as `not run`, and how a condition's run is judged. */
import { test } from 'node:test'
import { request } from 'node:http'
import { createServer } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { endpointFailureOf } from '../../support/engine/api-calls'
import { failedCallOf, noVerdictOf } from '../../support/report/not-run'
import { conditionOutcomeOf } from '../../support/sensitivity/conditions'
import { startProxy } from '../../support/sensitivity/proxy'
import { seededRandom } from '../../support/sensitivity/endpoint-conditions'
import type { NetconformRecord } from '../../support/records'

test('endpointFailureOf: a 5xx, a cut or a refused connection is the endpoint failing a call; a 4xx is an answer', () => {
  expect(endpointFailureOf({ status: 500 })).to.equal(500)
  expect(endpointFailureOf({ status: 503 })).to.equal(503)
  expect(endpointFailureOf({ status: 404 })).to.equal(undefined)
  expect(endpointFailureOf({ status: 409 })).to.equal(undefined)
  expect(endpointFailureOf({ code: 'ECONNRESET' })).to.equal('reset')
  expect(endpointFailureOf({ code: 'ENOENT' })).to.equal('refused')
  expect(endpointFailureOf({ code: 'ETIMEDOUT' })).to.equal(undefined)
})

test('failedCallOf: only a failing scenario with a failed call is not run, naming the first call', () => {
  const records: NetconformRecord[] = [
    { kind: 'api-failure', call: 'POST /networks/create', status: 500, message: 'HTTP 500', by: 'cli' },
    { kind: 'api-failure', call: 'GET /containers/x/json', status: 'reset', message: 'socket hang up', by: 'api' },
  ]
  expect(failedCallOf('fails', records)).to.deep.equal({
    kind: 'not-run',
    reason: 'the endpoint failed a call of the suite: POST /networks/create answered 500 (and 1 other call)',
    call: 'POST /networks/create',
  })
  expect(failedCallOf('fails', [])).to.equal(undefined)
  // A behaviour observed (or a declared deviation matched) despite a failed call that a poll survived stands.
  expect(failedCallOf('conforms', records)).to.equal(undefined)
  expect(failedCallOf('deviates', records)).to.equal(undefined)
  expect(failedCallOf('not-applicable', records)).to.equal(undefined)
})

test('conditionOutcomeOf: a condition keeps a verdict, or leaves the scenario not run; anything else is a change', () => {
  const s = (verdict: 'conforms' | 'fails') => ({
    id: 'a',
    doc: '',
    feature: '',
    name: '',
    verdict,
    reason: 'r',
    durationMs: 1,
  })
  expect(conditionOutcomeOf('conforms', s('conforms'), undefined).outcome).to.equal('kept')
  expect(conditionOutcomeOf('conforms', s('fails'), undefined).outcome).to.equal('CHANGED')
  expect(
    conditionOutcomeOf('conforms', undefined, {
      id: 'a',
      doc: '',
      name: '',
      reason: 'the endpoint failed a call of the suite: X',
    }),
  ).to.deep.equal({ under: 'not run', outcome: 'not run', reason: 'the endpoint failed a call of the suite: X' })
  expect(conditionOutcomeOf('conforms', undefined, undefined).outcome).to.equal('CHANGED')
})

test('seededRandom: the same seed, the same sequence', () => {
  const a = seededRandom(7)
  const b = seededRandom(7)
  const xs = Array.from({ length: 5 }, () => a())
  expect(xs).to.deep.equal(Array.from({ length: 5 }, () => b()))
  expect(xs.every((x) => x >= 0 && x < 1)).to.equal(true)
})

/** A GET through the proxy's socket: the status, or the error code. */
function get(socketPath: string, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
    req.end()
  })
}

test('proxy conditions: latency delays, api-errors fail a seeded share with 500 or reset, a restart drops the listener for a while', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nc-cond-'))
  const upstreamPath = join(dir, 'up.sock')
  const upstream = createServer((_, res) => res.end('{}'))
  await new Promise<void>((r) => upstream.listen(upstreamPath, r))
  const answers: string[] = []
  const proxy = await startProxy({
    upstream: `unix://${upstreamPath}`,
    onAnswer: (call, o) => void answers.push(`${call} ${'status' in o ? o.status : o.error}`),
  })
  try {
    expect(await get(proxy.socketPath, '/v1.41/_ping')).to.equal(200)
    expect(answers).to.deep.equal(['GET /_ping 200'])
    proxy.setConditions({ latencyMs: 150 })
    const t0 = Date.now()
    expect(await get(proxy.socketPath, '/_ping')).to.equal(200)
    expect(Date.now() - t0).to.be.at.least(140)
    proxy.setConditions({ apiErrors: { rate: 0.5, seed: 3 } })
    const outcomes = []
    for (let i = 0; i < 40; i++) outcomes.push(await get(proxy.socketPath, '/_ping'))
    const failed = outcomes.filter((o) => o !== 200)
    expect(failed.length).to.be.within(8, 32)
    expect(new Set(failed)).to.deep.equal(new Set([500, 'ECONNRESET']))
    expect(proxy.injected.length).to.equal(failed.length)
    proxy.setConditions({ restartAt: { call: 2, downMs: 400 } })
    expect(await get(proxy.socketPath, '/_ping')).to.equal(200)
    expect(await get(proxy.socketPath, '/_ping'), 'the restart: the request that starts it is dropped').to.equal(
      'ECONNRESET',
    )
    expect(['ENOENT', 'ECONNREFUSED']).to.include(await get(proxy.socketPath, '/_ping'))
    await new Promise((r) => setTimeout(r, 600))
    expect(await get(proxy.socketPath, '/_ping'), 'listening again').to.equal(200)
  } finally {
    await proxy.close()
    upstream.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('noVerdictOf: a scenario that failed and after which the endpoint stopped answering is not run, saying so (its failure may be the loss)', () => {
  const lost = { kind: 'endpoint-lost' as const, reason: 'endpoint unix:///x.sock stopped answering after 410 s' }
  expect(noVerdictOf('fails', [lost])).to.deep.equal({ kind: 'not-run', reason: lost.reason, lost: true })
  // a failed call is named first
  const call = {
    kind: 'api-failure' as const,
    call: 'GET /_ping',
    status: 'refused' as const,
    message: 'm',
    by: 'api' as const,
  }
  expect(noVerdictOf('fails', [lost, call])?.reason).to.equal(
    'the endpoint failed a call of the suite: GET /_ping was refused',
  )
  expect(noVerdictOf('fails', [])).to.equal(undefined)
  expect(noVerdictOf('conforms', [lost])).to.equal(undefined)
})
