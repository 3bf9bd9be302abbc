/**
 * A scenario's stable id: its `@id:` tag (on the Scenario, or on a Scenario Outline's Examples).
 * The one place that reads it, from a pickle's tags (hooks, reports, the parallel scheduler) and
 * from the feature files (the ids a target profile's deviations may name), with the name of its
 * Feature (the document's section: doc.ts orders the names, anchors.ts gives each id its section).
 *
 * The feature files are read with cucumber's own Gherkin parser (@cucumber/gherkin, declared in
 * package.json at the version @cucumber/cucumber uses), so an `@id:` in a comment or a
 * description is no id, and an outline's rows have the ids of their Examples, as cucumber runs them.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin'
import { IdGenerator } from '@cucumber/messages'
import { UsageError } from './errors'
import { oneLine } from './text'
import { PROJECT } from './project'

const ID_TAG = '@id:'
export const FEATURES_DIR = join(PROJECT, 'features')

/** A scenario as cucumber compiles it (gherkin's own @cucumber/messages version of Pickle). */
export type FeaturePickle = ReturnType<typeof compile>[number]

/** A tag as a pickle has it, or as a plain string. */
export type TagLike = { readonly name: string } | string

/** The id the `@id:` tag gives, or undefined when there is none (or it is empty). */
export function scenarioId(tags: readonly TagLike[]): string | undefined {
  for (const tag of tags) {
    const name = typeof tag === 'string' ? tag : tag.name
    if (name.startsWith(ID_TAG) && name.length > ID_TAG.length) return name.slice(ID_TAG.length)
  }
  return undefined
}

/**
 * The scenarios of the .feature files in `dir`, as cucumber compiles them (one pickle per
 * Scenario, one per row of an outline's Examples), files in name order. A file that is not
 * valid Gherkin is a UsageError naming it.
 */
export function featurePickles(dir = FEATURES_DIR): FeaturePickle[] {
  return featureScenarios(dir).map(({ pickle }) => pickle)
}

/** A scenario of the features: its pickle, its Feature's name, and whether that feature has a Background. */
export interface FeatureScenario {
  pickle: FeaturePickle
  /** The Feature's name: the document's section heading it transcribes (support/document/doc.ts). */
  feature: string
  /** Whether its feature has a Background its scenarios may share (holds/fixtures.ts). */
  background: boolean
  /** The Feature's description: the document's words its scenarios check, as it quotes them. */
  description: string
}

/** featurePickles, each with its Feature's name and whether its feature has a Background. */
export function featureScenarios(dir = FEATURES_DIR): FeatureScenario[] {
  const newId = IdGenerator.incrementing()
  return featureDocuments(dir, newId).flatMap(({ uri, doc }) => {
    const background = doc.feature?.children.some((c) => c.background) ?? false
    const feature = doc.feature?.name ?? ''
    const description = doc.feature?.description ?? ''
    return compile(doc, uri, newId).map((pickle) => ({ pickle, feature, background, description }))
  })
}

/** The Feature names of the .feature files in `dir`, each once, files in name order (one without scenarios too). */
export function featureNames(dir = FEATURES_DIR): string[] {
  const names = featureDocuments(dir, IdGenerator.incrementing()).map(({ doc }) => doc.feature?.name ?? '')
  return [...new Set(names)]
}

/** Each scenario id of the features in `dir` with its Feature's name (the section it transcribes). */
export function scenarioSections(dir = FEATURES_DIR): Map<string, string> {
  const sections = new Map<string, string>()
  for (const { pickle, feature } of featureScenarios(dir)) {
    const id = scenarioId(pickle.tags)
    if (id) sections.set(id, feature)
  }
  return sections
}

/**
 * The .feature files in `dir`, parsed, with the uri cucumber gives each; one that is not valid
 * Gherkin is a UsageError naming it.
 */
function featureDocuments(
  dir: string,
  newId: () => string,
): { uri: string; doc: ReturnType<Parser<unknown>['parse']> }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.feature'))
    .sort()
    .map((file) => {
      const path = join(dir, file)
      const inProject = relative(PROJECT, path)
      const uri = inProject && !inProject.startsWith('..') ? inProject : path
      try {
        const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher())
        return { uri, doc: parser.parse(readFileSync(path, 'utf8')) }
      } catch (e) {
        throw new UsageError(`${uri}: not a valid feature file: ${parseProblem(e)}`)
      }
    })
}

/** The stable ids of all scenarios of the features in `dir`. */
export function scenarioIds(dir = FEATURES_DIR): Set<string> {
  const ids = new Set<string>()
  for (const pickle of featurePickles(dir)) {
    const id = scenarioId(pickle.tags)
    if (id) ids.add(id)
  }
  return ids
}

/** Gherkin's first complaint, `(line:column): what`, and how many more there are. */
function parseProblem(e: unknown): string {
  const lines = (e instanceof Error ? e.message : String(e))
    .split('\n')
    .map((l) => oneLine(l))
    .filter((l) => l !== '' && l !== 'Parser errors:')
  if (lines.length === 0) return 'unreadable'
  return lines.length === 1 ? lines[0] : `${lines[0]} (and ${lines.length - 1} more)`
}
