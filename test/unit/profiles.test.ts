/** Every shipped profile, the example included, passes its schema and names only real scenario ids. */
import { test } from 'node:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { loadTarget, TARGETS_DIR } from '../../support/targets'

for (const file of readdirSync(TARGETS_DIR).filter((f) => f.endsWith('.yaml'))) {
  test(`targets/${file} is a valid profile`, () => {
    const t = loadTarget(join(TARGETS_DIR, file))
    expect(t.endpoint).to.match(/^(unix|tcp|ssh):\/\//)
    expect(t.publicAddress).to.not.equal('')
    for (const d of Object.values(t.deviations)) expect(d.reason.length, 'a deviation says why').to.be.above(20)
  })
}
