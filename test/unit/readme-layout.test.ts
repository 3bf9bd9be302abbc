/**
 * README's Layout table, kept true: each support/ folder's row names every module of that folder
 * (by its name without extension, `record/format` for a subfolder's), and names none that is
 * not there; the lab row names every endpoint script and the targets row every profile.
 */
import { test } from 'node:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { PROJECT } from '../../support/project'

const README = readFileSync(join(PROJECT, 'README.md'), 'utf8')

/** The Layout table's rows: folder → the row's text. */
function layoutRows(text: string): Map<string, string> {
  const start = text.indexOf('## Layout\n')
  const end = text.indexOf('\n## ', start + 1)
  const rows = text
    .slice(start, end)
    .split('\n')
    .filter((l) => /^\| `[^`]+\/` \|/.test(l))
  return new Map(rows.map((l) => [/^\| `([^`]+\/)`/.exec(l)![1], l]))
}

/** The modules of a support/ folder, subfolders' as `sub/name`. */
function modules(dir: string, prefix = ''): string[] {
  return readdirSync(join(PROJECT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? modules(`${dir}/${e.name}`, `${prefix}${e.name}/`)
      : /\.(ts|cjs)$/.test(e.name)
        ? [`${prefix}${e.name.replace(/\.ts$/, '')}`]
        : [],
  )
}

const named = (row: string) => new Set([...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]))

test("README's Layout: every support/ folder has a row naming each of its modules, and no module that is gone", () => {
  const rows = layoutRows(README)
  const problems: string[] = []
  const folders = readdirSync(join(PROJECT, 'support'), { withFileTypes: true }).filter((e) => e.isDirectory())
  for (const f of folders) {
    const folder = `support/${f.name}/`
    const row = rows.get(folder)
    if (!row) {
      problems.push(`${folder}: no row`)
      continue
    }
    const mods = modules(`support/${f.name}`)
    const words = named(row)
    for (const m of mods) if (!words.has(m)) problems.push(`${folder}: ${m} not named`)
    for (const w of words)
      if (/^[a-z][a-z-]*(\/[a-z-]+)?$/.test(w) && !mods.includes(w) && !ALLOWED_WORDS.has(w))
        problems.push(`${folder}: names \`${w}\`, not a module there`)
  }
  expect(problems).to.deep.equal([])
})

/** Words in backticks in the rows that are not module names (commands, options). */
const ALLOWED_WORDS = new Set(['matrix', 'document', 'compare', 'record', 'verify', 'run', 'clean', 'lab'])

test("README's Layout: the lab row names every endpoint script, the targets row every profile", () => {
  const rows = layoutRows(README)
  const lab = named(rows.get('lab/') ?? '')
  const scripts = readdirSync(join(PROJECT, 'lab', 'endpoints')).map((f) => f.replace(/\.sh$/, ''))
  expect(scripts.filter((s) => !lab.has(s))).to.deep.equal([])
  const targets = named(rows.get('targets/') ?? '')
  const profiles = readdirSync(join(PROJECT, 'targets'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
  expect(profiles.filter((p) => !targets.has(p))).to.deep.equal([])
})
