/**
 * CONTRIBUTING's walkthroughs, kept true: the number of files each says a new endpoint kind or a new
 * documented section touches is the number of places it lists, each place exists, and every lab
 * endpoint is in each place of its walkthrough (an endpoint kind that missed one is named). The
 * endpoint kinds added last through that walkthrough (no control plane, no extras) are named in no
 * other file but comments, tests and the benches' measurements.
 */
import { test } from 'node:test'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { PROJECT } from '../../support/project'
import { LAB_MORE_TARGETS } from '../../support/run/lab'

const CONTRIBUTING = readFileSync(join(PROJECT, 'CONTRIBUTING.md'), 'utf8')

/** A `## HEADING` section of CONTRIBUTING: the count it states in bold and the places it numbers. */
export function walkthrough(text: string, heading: string): { stated: number; places: string[] } {
  const start = text.indexOf(`## ${heading}\n`)
  if (start < 0) throw new Error(`CONTRIBUTING.md has no section "${heading}"`)
  const end = text.indexOf('\n## ', start + 1)
  const section = text.slice(start, end < 0 ? undefined : end)
  const stated = Number(/\*\*(\d+) files\*\*/.exec(section)?.[1] ?? NaN)
  const places = [...section.matchAll(/^\d+\. \*\*`([^`]+)`\*\*/gm)].map((m) => m[1])
  return { stated, places }
}

/** Whether FILE names NAME as a word outside its comments (# in scripts and YAML, // and * in code). */
function names(file: string, name: string): boolean {
  const word = new RegExp(`(^|[^\\w-])${name.replace(/[-.]/g, '\\$&')}($|[^\\w-])`)
  return readFileSync(join(PROJECT, file), 'utf8')
    .split('\n')
    .filter((l) => !/^\s*(#|\/\/|\*|\/\*\*)/.test(l))
    .some((l) => word.test(l))
}

test("an endpoint kind: CONTRIBUTING's count is its places, and every lab endpoint is in each of them", () => {
  const { stated, places } = walkthrough(CONTRIBUTING, 'Adding an endpoint kind to the lab')
  expect(places.length, `places listed: ${places.join(', ')}`).to.equal(stated)
  const missed = LAB_MORE_TARGETS.flatMap((name) =>
    places
      .map((p) => p.replace('NAME', name))
      .filter((file) => !existsSync(join(PROJECT, file)) || !names(file, name))
      .map((file) => `${name}: ${file}`),
  )
  expect(missed).to.deep.equal([])
})

/** The project's own files, from its root: what git tracks, without git (reports, builds and dependencies aside). */
function projectFiles(dir = ''): string[] {
  return readdirSync(join(PROJECT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir ? `${dir}/${e.name}` : e.name
    if (e.name === '.git') return []
    if (e.isDirectory()) return /^(node_modules|reports|dist)$/.test(e.name) ? [] : projectFiles(path)
    return e.isFile() ? [path] : []
  })
}

test('the endpoint kinds added last are named nowhere else (comments, tests and measurements aside)', () => {
  const { places } = walkthrough(CONTRIBUTING, 'Adding an endpoint kind to the lab')
  for (const name of ['docker-28-rootless', 'podman-5-rootless']) {
    const files = projectFiles()
      // bench/*.json are measurements of every lab endpoint, written by the benches
      .filter((f) => !f.startsWith('test/') && f !== 'CONTRIBUTING.md' && !/^bench\/.*\.json$/.test(f))
      .filter((f) => !/\.(png|gz|tgz|lock)$/.test(f) && f !== 'package-lock.json' && names(f, name))
    expect(files.sort(), name).to.deep.equal(places.map((p) => p.replace('NAME', name)).sort())
  }
})

test("a documented section: CONTRIBUTING's count is its places, and each place is there", () => {
  const { stated, places } = walkthrough(CONTRIBUTING, 'Adding a documented section')
  expect(places.length, `places listed: ${places.join(', ')}`).to.equal(stated)
  const missing = places.filter((p) => !p.includes('HEADING') && !existsSync(join(PROJECT, p)))
  expect(missing).to.deep.equal([])
})
