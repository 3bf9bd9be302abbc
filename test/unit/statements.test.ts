/*
 * The catalogue of the document's statements (support/document/statements.ts): every sentence of
 * the document is in it, each statement names the scenario ids that check it or why it is not
 * observable here, and every id is a scenario of features/.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import { STATEMENTS, type SectionStatements } from '../../support/document/statements'
import { catalogueProblems } from '../../support/document/catalogue-check'
import { documentSections } from '../../support/document/text'
import { scenarioIds } from '../../support/scenario-id'

const problemsOf = (catalogue: readonly SectionStatements[]) =>
  catalogueProblems(catalogue, documentSections(), scenarioIds())

/** The catalogue without the statement quoting `quote`. */
function without(quote: string): SectionStatements[] {
  return STATEMENTS.map((c) => ({ ...c, statements: c.statements.filter((s) => s.quote !== quote) }))
}

test('the catalogue: every sentence of the document, each statement checked by scenario ids or said why not', () => {
  const problems = problemsOf(STATEMENTS)
  expect(problems, problems.join('\n')).to.deep.equal([])
})

test('the catalogue check names a sentence left out, an unchecked statement, an unknown id and an unlisted scenario', () => {
  const removed = "They can't be added while the container is running."
  expect(problemsOf(without(removed))).to.deep.equal([
    `"Deploy Containers on Multiple Bridge Networks": not in the catalogue: "${removed}"`,
  ])
  const bare = STATEMENTS.map((c) => ({
    ...c,
    statements: c.statements.map((s) =>
      s.quote === removed ? { quote: s.quote, states: 'behaviour' as const, checkedBy: [] } : s,
    ),
  }))
  expect(problemsOf(bare)).to.deep.equal([
    `"${removed}": states a behaviour but names no scenario id and no reason it is not observable`,
  ])
  const unknown = STATEMENTS.map((c) => ({
    ...c,
    statements: c.statements.map((s) =>
      s.quote === removed ? { ...s, checkedBy: ['multi-bridge.connect-only-when-created', 'future.result'] } : s,
    ),
  }))
  expect(problemsOf(unknown)).to.deep.equal(['future.result: in the catalogue, in no feature'])
  // a scenario no statement names: the ids of the whole-line statement dropped from a catalogue that keeps its words
  const unnamed = STATEMENTS.map((c) => ({
    ...c,
    statements: c.statements.map((s) =>
      s.quote === 'Result: You can access Port 80 on test1 from the public network interface on the VCH at port 8080.'
        ? { quote: s.quote, states: 'behaviour' as const, notObservable: 'for the test' }
        : s,
    ),
  }))
  expect(problemsOf(unnamed)).to.deep.equal([
    'publish.port-8080-on-public-interface: a scenario of features/ that checks no statement',
  ])
  const misquoted = STATEMENTS.map((c) => ({
    ...c,
    statements: c.statements.map((s) => (s.quote === removed ? { ...s, quote: `${removed} (not so)` } : s)),
  }))
  expect(problemsOf(misquoted)).to.include(
    `"${removed} (not so)" occurs 0 times in "Deploy Containers on Multiple Bridge Networks" ` +
      '(needs exactly once, within a line)',
  )
})
