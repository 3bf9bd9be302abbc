/**
 * The layers of support/, lowest first: a file imports only from its own folder or from a lower
 * layer, so a change low in the house never needs a change above it, and the import graph has no
 * circle. Every file under support/ has a layer (the root files are the base); steps/ sit on the
 * scenario code. The tools (report, run, sensitivity, cli) read records and profiles: they never
 * import the scenario code, the cucumber glue or the steps. An import is resolved as Node would.
 */
import { test } from 'node:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { deepStrictEqual } from 'node:assert/strict'
import { expect } from 'chai'
import { PROJECT } from '../../support/project'

/** Lowest first; 'support' is its root files only. */
export const LAYERS: readonly string[] = [
  'support', // base: errors, text, types, records, the scenario ids, polling, IPv4 arithmetic
  'support/document', // the document: its text, sections, commands, names, tables
  'support/cleanup', // labels, removal by label, the run lock, signals
  'support/engine', // talking to an endpoint: connection, image, docker CLI, probes, outside client, relay, engine kinds
  'support/observe', // the checks and their evidence
  'support/holds', // endpoint and host locks, the scheduler's conflicts, fixtures
  'support/profile', // endpoint profiles (targets/*.yaml) and the verdict rules
  'support/scenario', // what the steps call: the World and the code that takes it
  'support/cucumber', // the cucumber glue: hooks, parameter types, the parallel rule
  'steps',
  'support/report', // reports read from records
  'support/run', // one run of cucumber against one endpoint, the lab
  'support/sensitivity',
  'support/cli',
]
const TOOLS = ['support/report', 'support/run', 'support/sensitivity', 'support/cli']
const SCENARIO_SIDE = ['support/scenario', 'support/cucumber', 'steps']

function sources(dir: string): string[] {
  return readdirSync(join(PROJECT, dir)).flatMap((name) => {
    const path = join(dir, name)
    return statSync(join(PROJECT, path)).isDirectory() ? sources(path) : /\.(ts|cjs)$/.test(name) ? [path] : []
  })
}

/** The layer of a file: the longest LAYERS entry that is its folder ('support' for a root file). */
export function layerOf(file: string): string | undefined {
  const folder = dirname(file)
  return LAYERS.find((l) => l === folder) ?? LAYERS.find((l) => l !== 'support' && folder.startsWith(`${l}/`))
}

/** Where each relative import of a source file leads, as a path from the project root. */
export function importsOf(file: string, text = readFileSync(join(PROJECT, file), 'utf8')): string[] {
  return [...text.matchAll(/(?:from|require\(|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
    relative(PROJECT, resolve(PROJECT, dirname(file), m[1])),
  )
}

const ALL = (): string[] => ['support', 'steps'].flatMap(sources)

/** The imports that break the layering, as "file → import (why)". */
export function violations(files: () => string[] = ALL, read?: (file: string) => string): string[] {
  return files().flatMap((file) => {
    const from = layerOf(file)
    if (!from) return [`${file}: in no layer (add its folder to LAYERS)`]
    return importsOf(file, read?.(file)).flatMap((to) => {
      if (!to.startsWith('support/') && !to.startsWith('steps/')) return []
      const layer = layerOf(`${to}.ts`) ?? layerOf(to)
      if (!layer || layer === from) return []
      if (TOOLS.includes(from) && SCENARIO_SIDE.includes(layer))
        return [`${file} → ${to} (a tool reads records, not scenario code)`]
      return LAYERS.indexOf(layer) > LAYERS.indexOf(from) ? [`${file} → ${to} (${layer} is above ${from})`] : []
    })
  })
}

/** The circles in the import graph of FILES, each as "a → b → … → a". */
export function circles(files: () => string[] = ALL, read?: (file: string) => string): string[] {
  const strip = (f: string) => f.replace(/\.(ts|cjs)$/, '')
  const graph = new Map(files().map((f) => [strip(f), importsOf(f, read?.(f)).map(strip)]))
  const found = new Set<string>()
  const walk = (node: string, path: string[]): void => {
    const at = path.indexOf(node)
    if (at >= 0) {
      const loop = path.slice(at)
      const first = loop.indexOf([...loop].sort()[0])
      found.add([...loop.slice(first), ...loop.slice(0, first), loop[first]].join(' → '))
      return
    }
    for (const next of graph.get(node) ?? []) if (graph.has(next)) walk(next, [...path, node])
  }
  for (const node of graph.keys()) walk(node, [])
  return [...found]
}

test('every file under support/ and steps/ imports only from its own layer or a lower one', () => {
  deepStrictEqual(violations(), [])
})

test('the import graph of support/ and steps/ has no circle', () => {
  deepStrictEqual(circles(), [])
})

test('the layer rule fails when a lower layer imports a higher one, a root file included', () => {
  const files = () => ['support/observe/negative.ts', 'support/types.ts', 'support/report/matrix.ts']
  const read = (file: string) =>
    ({
      'support/observe/negative.ts':
        "import { classify } from '../profile/verdicts'\nimport { judge } from './evidence'\n",
      'support/types.ts': "export type { Summary } from './report/summary'\n",
      'support/report/matrix.ts': "import { NetconformWorld } from '../scenario/world'\n",
    })[file] ?? ''
  expect(violations(files, read)).to.deep.equal([
    'support/observe/negative.ts → support/profile/verdicts (support/profile is above support/observe)',
    'support/types.ts → support/report/summary (support/report is above support)',
    'support/report/matrix.ts → support/scenario/world (a tool reads records, not scenario code)',
  ])
})

test('the circle rule finds a circle', () => {
  const files = () => ['support/types.ts', 'support/report/summary.ts']
  const read = (file: string) =>
    file === 'support/types.ts'
      ? "export type { Summary } from './report/summary'\n"
      : "import { VERDICTS } from '../types'\n"
  expect(circles(files, read)).to.deep.equal(['support/report/summary → support/types → support/report/summary'])
})

test('a file in a folder no layer names is reported', () => {
  expect(
    violations(
      () => ['support/misc/new.ts'],
      () => '',
    ),
  ).to.deep.equal(['support/misc/new.ts: in no layer (add its folder to LAYERS)'])
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
  const read = (file: string) => (file === 'support/scenario/scenario.ts' ? "import { expect } from 'chai'\n" : '')
  expect(assertionImports(read)).to.deep.equal(['support/scenario/scenario.ts'])
})

/**
 * Sensitivity's one road to the engine: its runs (run/run.ts's conformanceRun, which also sweeps at
 * the endpoint itself) and its proxy. It opens no client of its own (dockerode, dockerFor) and
 * sweeps nothing itself; it only asks the endpoint whether it answers (probeEndpoint), once, to
 * say so before the proxy starts.
 */
function ownRoadsToEngine(read = (file: string) => readFileSync(join(PROJECT, file), 'utf8')): string[] {
  return sources('support/sensitivity').flatMap((file) => {
    const text = read(file)
    return [
      ...(/(?:from|require\()\s*['"]dockerode['"]/.test(text) ? [`${file}: imports dockerode`] : []),
      ...[...text.matchAll(/\b(dockerFor|removeLabelled|sweepRunAt|sweepAbandoned)\(/g)].map(
        (m) => `${file}: ${m[1]}()`,
      ),
    ]
  })
}

test('sensitivity reaches the engine by one road: its runs (which sweep at the endpoint too) and its proxy', () => {
  expect(ownRoadsToEngine()).to.deep.equal([])
  const read = (file: string) =>
    file === 'support/sensitivity/conditions.ts' ? 'await removeLabelled(dockerFor(target), labels)\n' : ''
  expect(ownRoadsToEngine(read)).to.deep.equal([
    'support/sensitivity/conditions.ts: removeLabelled()',
    'support/sensitivity/conditions.ts: dockerFor()',
  ])
})
