/**
 * No file in support/ over 400 lines without a stated reason: a longer file says why in its
 * first comment ("Longer than 400 lines: …"), so a room that grows past it is split or explained.
 */
import { test } from 'node:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { PROJECT } from '../../support/project'

const LIMIT = 400

function sources(dir: string): string[] {
  return readdirSync(join(PROJECT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(`${dir}/${e.name}`) : /\.(ts|cjs)$/.test(e.name) ? [`${dir}/${e.name}`] : [],
  )
}

test(`every file of support/ over ${LIMIT} lines says why in its first comment`, () => {
  const unexplained = sources('support').flatMap((file) => {
    const text = readFileSync(join(PROJECT, file), 'utf8')
    const lines = text.split('\n').length
    const first = /^\/\*\*[\s\S]*?\*\//.exec(text)?.[0] ?? ''
    return lines > LIMIT && !/Longer than \d+ lines: \S/.test(first) ? [`${file} (${lines} lines)`] : []
  })
  expect(unexplained).to.deep.equal([])
})
