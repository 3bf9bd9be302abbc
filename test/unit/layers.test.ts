/**
 * The layers of support/: what a scenario runs (steps, observe, document, endpoint, cleanup)
 * never reaches into the product's tooling (report, cli, sensitivity). Each rule names the
 * folders it watches and the ones they may not import; an import is resolved as Node would.
 */
import { test } from 'node:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { expect } from 'chai'
import { PROJECT } from '../../support/project'

const RULES: { from: string[]; never: string[] }[] = [
  { from: ['steps', 'support/observe'], never: ['support/report', 'support/cli', 'support/sensitivity'] },
  { from: ['support/document', 'support/endpoint', 'support/cleanup'], never: ['support/cli', 'support/sensitivity'] },
]

function sources(dir: string): string[] {
  return readdirSync(join(PROJECT, dir)).flatMap((name) => {
    const path = join(dir, name)
    return statSync(join(PROJECT, path)).isDirectory() ? sources(path) : /\.(ts|cjs)$/.test(name) ? [path] : []
  })
}

/** Where each relative import of a source file leads, as a path from the project root. */
export function importsOf(file: string, text = readFileSync(join(PROJECT, file), 'utf8')): string[] {
  return [...text.matchAll(/(?:from|require\(|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
    relative(PROJECT, resolve(PROJECT, dirname(file), m[1])),
  )
}

/** The imports of the watched folders that break a rule, as "file → import". */
export function violations(files: (folder: string) => string[] = sources, read?: (file: string) => string): string[] {
  return RULES.flatMap((rule) =>
    rule.from.flatMap(files).flatMap((file) =>
      importsOf(file, read?.(file))
        .filter((to) => rule.never.some((n) => to === n || to.startsWith(`${n}/`)))
        .map((to) => `${file} → ${to}`),
    ),
  )
}

test('steps/ and support/observe never import report/, cli/ or sensitivity/; document, endpoint and cleanup never import cli/ or sensitivity/', () => {
  expect(violations()).to.deep.equal([])
})

test('the layer rule fails when a forbidden import is added', () => {
  const files = (folder: string) => (folder === 'support/observe' ? ['support/observe/checks.ts'] : [])
  const text = "import { classify } from '../report/verdicts'\nimport { eventually } from './poll'\n"
  expect(violations(files, () => text)).to.deep.equal(['support/observe/checks.ts → support/report/verdicts'])
})

/** The files under steps/ and support/ that import an assertion library (chai, node:assert). */
export function assertionImports(
  read: (file: string) => string = (f) => readFileSync(join(PROJECT, f), 'utf8'),
): string[] {
  return ['steps', 'support']
    .flatMap(sources)
    .filter((file) => /(?:from|require\()\s*['"](?:chai|(?:node:)?assert(?:\/strict)?)['"]/.test(read(file)))
}

test('no check judges with an assertion library: steps/ and support/ import neither chai nor node:assert, so a verdict never depends on its wording', () => {
  expect(assertionImports()).to.deep.equal([])
})

test('the assertion-library rule fails when a check imports chai', () => {
  const read = (file: string) => (file === 'support/observe/scenario.ts' ? "import { expect } from 'chai'\n" : '')
  expect(assertionImports(read)).to.deep.equal(['support/observe/scenario.ts'])
})
