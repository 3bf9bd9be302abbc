/**
 * Verdicts do not depend on an assertion library's wording. Every module under support/ (the
 * cucumber glue aside, which only loads inside a run) is loaded with `chai` replaced by a stand-in
 * whose messages are reworded: none of them asks for it. Then a real run's verdicts (podman-netavark,
 * 16 conforms, 23 declared deviations matched on their evidence, 2 not applicable) are rebuilt from
 * its message stream and its profile while the stand-in is in place: all 41 are what the run said.
 */
import { test } from 'node:test'
import Module from 'node:module'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join } from 'node:path'
import { deepStrictEqual } from 'node:assert/strict'
import { PROJECT } from '../../support/project'

const FIXTURE = join(PROJECT, 'test', 'fixtures', 'chai-wording')

function sources(dir: string): string[] {
  return readdirSync(join(PROJECT, dir)).flatMap((name) => {
    const path = join(dir, name)
    return statSync(join(PROJECT, path)).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : []
  })
}

/** A chai whose every failure says something else. */
class RewordedAssertion extends Error {
  constructor() {
    super('REWORDED: the assertion library changed its wording')
  }
}
const rewordedChai = {
  expect: () => {
    throw new RewordedAssertion()
  },
  assert: () => {
    throw new RewordedAssertion()
  },
  AssertionError: RewordedAssertion,
}

type Load = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown
const loader = Module as unknown as { _load: Load }

test('with chai reworded, no support module asks for it and a real run rebuilds to the same 41 verdicts', () => {
  const askedBy: string[] = []
  const original = loader._load
  loader._load = function (request, parent, isMain) {
    if (request === 'chai' || request.startsWith('chai/')) {
      askedBy.push(parent?.filename ?? '?')
      return rewordedChai
    }
    return original.call(this, request, parent, isMain)
  }
  try {
    const files = sources('support').filter((f) => !f.startsWith('support/cucumber/'))
    for (const f of files) delete require.cache[require.resolve(join(PROJECT, f))]
    for (const f of files) require(join(PROJECT, f))
    deepStrictEqual(
      askedBy.filter((f) => f.startsWith(join(PROJECT, 'support'))),
      [],
    )

    const { buildSummary } = require(
      join(PROJECT, 'support/report/build-summary'),
    ) as typeof import('../../support/report/build-summary')
    const { parseTarget } = require(
      join(PROJECT, 'support/profile/targets'),
    ) as typeof import('../../support/profile/targets')
    const recorded = JSON.parse(
      readFileSync(join(FIXTURE, 'summary.json'), 'utf8'),
    ) as import('../../support/types').Summary
    const profile = parseTarget(readFileSync(join(FIXTURE, 'profile.yaml'), 'utf8'), 'profile.yaml')
    const rebuilt = buildSummary(gunzipSync(readFileSync(join(FIXTURE, 'messages.ndjson.gz'))).toString('utf8'), {
      target: recorded.target,
      runId: recorded.runId,
      startedAt: recorded.startedAt,
      durationMs: recorded.durationMs,
      deviations: profile.deviations,
    })
    const verdicts = (s: typeof recorded) => Object.fromEntries(s.scenarios.map((x) => [x.id, x.verdict]))
    deepStrictEqual(verdicts(rebuilt), verdicts(recorded))
    deepStrictEqual(rebuilt.totals, { conforms: 16, deviates: 23, fails: 0, 'not-applicable': 2 })
  } finally {
    loader._load = original
  }
})
