/**
 * Every shipped profile, the example included, passes its schema and names only real scenario
 * ids; each declared deviation names a step its scenario's feature has.
 */
import { test } from 'node:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { loadTarget, TARGETS_DIR } from '../../support/profile/targets'
import { PROJECT } from '../../support/project'
import { stepRegExp } from '../../support/profile/verdicts'

const FEATURES = join(PROJECT, 'features')
const featureTexts = readdirSync(FEATURES)
  .filter((f) => f.endsWith('.feature'))
  .map((f) => readFileSync(join(FEATURES, f), 'utf8'))

/** The step texts (without their keyword) of the feature that has the scenario id, Background included. */
function stepsOfFeatureWith(id: string): string[] {
  const text = featureTexts.find((t) => new RegExp(`@id:${id.replace(/\./g, '\\.')}(\\s|$)`).test(t))
  if (!text) return []
  return [...text.matchAll(/^\s*(?:Given|When|Then|And|But|\*) (.*?)\s*$/gm)].map((m) => m[1])
}

/** A step of a Scenario Outline as a pattern: each <name> stands for any text. */
function outlineStep(step: string): RegExp {
  return new RegExp(
    `^${step
      .split(/<[^>]+>/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  )
}

for (const file of readdirSync(TARGETS_DIR).filter((f) => f.endsWith('.yaml'))) {
  test(`targets/${file} is a valid profile`, () => {
    const t = loadTarget(join(TARGETS_DIR, file))
    expect(t.endpoint).to.match(/^(unix|tcp|ssh):\/\//)
    expect(t.publicAddress).to.not.equal('')
    for (const [id, d] of Object.entries(t.deviations)) {
      expect(d.reason.length, 'a deviation says why').to.be.above(20)
      const steps = stepsOfFeatureWith(id)
      const pattern = stepRegExp(d.step)
      // An outline's step has <placeholders>: it holds the declared step when each stands for some text.
      const holds = (s: string) => (pattern ? pattern.test(s) : s === d.step || outlineStep(s).test(d.step))
      expect(steps.some(holds), `${id}: the step "${d.step}" is in its feature`).to.equal(true)
    }
  })
}
