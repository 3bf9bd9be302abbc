/**
 * Lines of at most 120 characters in the code under support/, steps/, bin/ and bench/, comments and
 * strings included. ESLint's max-len holds the TypeScript and JavaScript to it; this
 * test holds the shell scripts too, and names every long line as file:line.
 */
import { test } from 'node:test'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { PROJECT } from '../../support/project'

const MAX = 120
const FOLDERS = ['support', 'steps', 'bin', 'bench']
const CODE = /\.(ts|cjs|mjs|js|sh)$/

/** Files left out of the rule (the same list is in eslint.config.mjs): none. */
const NOT_YET_WRAPPED: readonly string[] = []

/** The code files under `dir` (relative to `root`), in name order. */
function codeFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir))
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(join(root, path)).isDirectory()) return codeFiles(root, path)
      return CODE.test(name) ? [path] : []
    })
}

/** Every line longer than `max` characters (code points, as ESLint counts) in the folders: `file:line (N)`. */
function longLines(root: string, folders: readonly string[], max = MAX, skip: readonly string[] = []): string[] {
  return folders
    .flatMap((dir) => codeFiles(root, dir))
    .filter((file) => !skip.some((s) => (s.endsWith('/') ? file.startsWith(s) : file === s)))
    .flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .map((line, i) => ({ line: i + 1, length: [...line].length }))
        .filter(({ length }) => length > max)
        .map(({ line, length }) => `${file}:${line} (${length})`),
    )
}

/** Fails naming every long line, one per line of the message. */
function expectNoLongLines(root: string, skip: readonly string[] = []): void {
  const long = longLines(root, FOLDERS, MAX, skip)
  expect(long, `lines over ${MAX} characters:\n${long.join('\n')}\n`).to.deep.equal([])
}

test('no line under support/, steps/, bin/ or bench/ is longer than 120 characters', () => {
  expectNoLongLines(PROJECT, NOT_YET_WRAPPED)
})

test('a line of 121 characters fails, named by file and line; one of 120, wide characters included, passes', () => {
  const root = mkdtempSync(join(tmpdir(), 'netconform-line-length-'))
  try {
    for (const dir of FOLDERS) mkdirSync(join(root, dir))
    mkdirSync(join(root, 'support/deep'))
    writeFileSync(join(root, 'support/deep/a.ts'), `const a = 1\n// ${'x'.repeat(117)}\n// ${'→'.repeat(117)}\n`)
    writeFileSync(join(root, 'bench/notes.txt'), `${'z'.repeat(200)}\n`)
    expectNoLongLines(root)

    writeFileSync(join(root, 'bench/b.sh'), `#!/bin/sh\necho ok\necho ${'y'.repeat(116)}\n`)
    writeFileSync(join(root, 'support/deep/a.ts'), `// ${'x'.repeat(119)}\n`)
    expect(longLines(root, FOLDERS)).to.deep.equal(['support/deep/a.ts:1 (122)', 'bench/b.sh:3 (121)'])
    expect(() => expectNoLongLines(root)).to.throw(
      /^lines over 120 characters:\nsupport\/deep\/a\.ts:1 \(122\)\nbench\/b\.sh:3 \(121\)\n/,
    )
    expectNoLongLines(root, ['bench/b.sh', 'support/deep/'])
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
