/*
 * The catalogue of the document's statements (support/document/statements.ts), checked against
 * the document, the features and the map of the words each scenario verifies (anchors.ts). The
 * rules (support/document/catalogue-check.ts):
 * - Every line of the document is covered: each line of prose and bullets by the catalogue's
 *   quotes; in a command block, each command is run as written (prompt taken off, `\` lines
 *   joined) by a step of its section, in backticks, or a statement quotes it and says why not;
 *   every line of output (the docker network ls rows, docker ps's PORTS, the DHCP error, the
 *   transcripts) is quoted by a statement. What is left of a line once its quotes are taken out
 *   may only be spaces and punctuation (`...`).
 * - Each quote occurs once in its section (a whole line of output: once as a whole line).
 * - A statement that states something names scenario ids, or says why it is not observable.
 * - An id a statement names checks it: it is a scenario of the statement's section, and its name or
 *   the steps it runs (the Background's, its own, their docstrings) hold the statement whole (an
 *   output line in a docstring, a command or an error in a step: for an output or an error text,
 *   the only way); or, for a sentence of prose, the words the scenario verifies (anchors.ts) are in
 *   the statement or in its paragraph or list, its Feature's description quotes the statement, or
 *   its name and steps hold at least half of the statement's key words (keyWords: words of three
 *   letters or more, common ones left out, cut to six letters).
 * - The words each scenario verifies (its anchor) lie in a statement of its section that names it:
 *   that statement cannot be relabelled context or not observable, removed, or pointed at other ids.
 * - A statement that a scenario of its section shows as the document has it (in a step's text, or
 *   as a whole line of a docstring), or that its Feature's description quotes (the description
 *   holds the document's sentences its scenarios check, never an instruction), is not context
 *   and not "not observable".
 * - Every id named is a scenario of features/, and every scenario of features/ is named.
 * What the rules cannot see: a sentence of prose pointed at another scenario of its section whose
 * Feature's description quotes it, or whose name and steps hold half its key words, while the
 * statement holding that scenario's own words still names it. The tests below mutate copies of
 * the catalogue and expect each problem named.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import { STATEMENTS, checkedBy, type SectionStatements, type Statement } from '../../support/document/statements'
import { catalogueProblems, checkingScenarios } from '../../support/document/catalogue-check'
import { documentSections } from '../../support/document/text'
import { ANCHORS } from '../../support/document/anchors'

const SCENARIOS = checkingScenarios()
const SECTIONS = documentSections()
const problemsOf = (catalogue: readonly SectionStatements[]) =>
  catalogueProblems(catalogue, SECTIONS, SCENARIOS, ANCHORS)

const COMBINE = 'Deploy Containers That Combine Bridge Networks with a Container Network'
const DHCP = 'Deploy a Network Container that supports DHCP'
const DHCP_ERROR =
  'docker: Error response from daemon: Server error from portlayer: unable to wait for process launch status'

/** The catalogue with each statement quoting `quote` replaced by what `change` makes of it (undefined: removed). */
function changed(quote: string, change: (s: Statement) => Statement | undefined): SectionStatements[] {
  let found = 0
  const copy = STATEMENTS.map((c) => ({
    ...c,
    statements: c.statements.flatMap((s) => {
      if (s.quote !== quote) return [s]
      found += 1
      const t = change(s)
      return t ? [t] : []
    }),
  }))
  if (found === 0) throw new Error(`no statement quotes "${quote}"`)
  return copy
}

const without = (quote: string) => changed(quote, () => undefined)
const asContext = (quote: string) => changed(quote, (s) => ({ quote: s.quote, context: 'for the test' }))
const pointedAt = (quote: string, ids: string[]) =>
  changed(quote, (s) => ({ quote: s.quote, states: 'behaviour', checkedBy: ids }))

test('the catalogue: every line of the document, each statement checked by the scenarios it names or said why not', () => {
  const problems = problemsOf(STATEMENTS)
  expect(problems, problems.join('\n')).to.deep.equal([])
})

test("removed: docker ps's PORTS entry, the DHCP error and each docker network ls row are named", () => {
  expect(problemsOf(without(':80->8080/tcp'))).to.deep.equal([
    `"${COMBINE}": an output line not in the catalogue: ":80->8080/tcp"`,
  ])
  expect(problemsOf(without(DHCP_ERROR))).to.deep.equal([
    `"${DHCP}": an output line not in the catalogue: "${DHCP_ERROR}"`,
  ])
  expect(problemsOf(without('fc41d9a86514        bridge              bridge'))).to.deep.equal([
    `"${COMBINE}": an output line not in the catalogue: "fc41d9a86514 … bridge … bridge"`,
    'combine.default-bridge-listed: the words it verifies, "fc41d9a86514        bridge              bridge", ' +
      'are in no statement of the catalogue',
  ])
  expect(problemsOf(without('baf6919f5721        ExternalNetwork     external'))).to.include(
    `"${COMBINE}": an output line not in the catalogue: "baf6919f5721 … ExternalNetwork … external"`,
  )
  // the same row in two sections: each section's own statement
  expect(problemsOf(without('615d565d498c        my-bridge-network   bridge'))).to.include.members([
    '"Add Containers to a New Bridge Network": an output line not in the catalogue: ' +
      '"615d565d498c … my-bridge-network … bridge"',
    '"Bridged Containers with an Exposed Port": an output line not in the catalogue: ' +
      '"615d565d498c … my-bridge-network … bridge"',
  ])
  // a command no step runs as written, its statement removed
  expect(problemsOf(without('$ docker network create --subnet value'))).to.deep.equal([
    '"Create a Bridge Network with Non-Default Subnet Mask": a command no step runs as written, not in the ' +
      'catalogue: "docker network create --subnet value"',
  ])
})

test('removed: every statement of the catalogue, taken out alone, is missed', () => {
  const unnoticed = STATEMENTS.flatMap((c) => c.statements)
    .filter((s) => problemsOf(without(s.quote)).length === 0)
    .map((s) => s.quote)
  expect(unnoticed).to.deep.equal([])
})

test('relabelled: a behaviour called context, or not observable, is named by the scenarios whose words it holds', () => {
  const isolated = 'db and web-view cannot communicate with each other'
  const ids = ['multi-bridge.db-and-view-isolated.db-to-view', 'multi-bridge.db-and-view-isolated.view-to-db']
  expect(problemsOf(asContext(isolated))).to.deep.equal(
    ids.map((id) => `${id}: the words it verifies, "${isolated}", are catalogued as context`),
  )
  const ports = changed(':80->8080/tcp', (s) => ({ quote: s.quote, states: 'output format', notObservable: 'test' }))
  expect(problemsOf(ports)).to.deep.equal([
    '":80->8080/tcp": catalogued as not observable, but ' +
      'combine.mapping-on-create-network-only.applies-to-create-network shows it, as the document has it',
  ])
  expect(problemsOf(asContext(DHCP_ERROR))).to.deep.equal([
    `"${DHCP_ERROR}": catalogued as context, but dhcp.without-dns-times-out shows it, as the document has it`,
  ])
  const bridgeRow = 'fc41d9a86514        bridge              bridge'
  expect(problemsOf(asContext(bridgeRow))).to.deep.equal([
    `"${bridgeRow}": catalogued as context, but combine.container-network-listed shows it, as the document has it`,
    `combine.default-bridge-listed: the words it verifies, "${bridgeRow}", are catalogued as context`,
  ])
  // a sentence a Feature's description quotes as what its scenarios check
  const combined = 'This can be combined with one or more private bridge networks for intra-container traffic.'
  expect(problemsOf(asContext(combined))).to.deep.equal([
    `"${combined}": catalogued as context, but the Feature of combine.container-network-listed quotes it as what ` +
      'its scenarios check',
  ])
})

test('relabelled: every checked statement, called context or not observable, is named', () => {
  const checked = STATEMENTS.flatMap((c) => c.statements.filter((s) => checkedBy(s).length > 0))
  expect(checked.length).to.be.above(50)
  const relabelled = (quote: string) => [
    asContext(quote),
    changed(quote, (s) => ({ quote: s.quote, states: 'behaviour', notObservable: 'for the test' })),
  ]
  const unnoticed = checked
    .filter((s) => relabelled(s.quote).some((copy) => problemsOf(copy).length === 0))
    .map((s) => s.quote)
  expect(unnoticed).to.deep.equal([])
})

test('pointed at a wrong id while another statement names the right one: named', () => {
  // the anchored statement pointed at its neighbour's ids, which "In order for this to work" names too
  const isolated = 'db and web-view cannot communicate with each other'
  const reaches = ['multi-bridge.model-reaches-both.model-to-db', 'multi-bridge.model-reaches-both.model-to-view']
  expect(problemsOf(pointedAt(isolated, reaches))).to.deep.equal(
    ['multi-bridge.db-and-view-isolated.db-to-view', 'multi-bridge.db-and-view-isolated.view-to-db'].map(
      (id) => `${id}: the words it verifies, "${isolated}", are in a statement that does not name it`,
    ),
  )
  // a statement whose ids are anchored elsewhere, pointed at a scenario its sentence is not about
  const zero =
    'This allows the VCH to be powered down or upgraded with zero impact on the network connectivity of the ' +
    'deployed container.'
  const [problem, ...more] = problemsOf(pointedAt(zero, ['combine.container-network-listed']))
  expect(more).to.deep.equal([])
  expect(problem).to.equal(
    `"${zero}" names combine.container-network-listed, which does not check it: the words it verifies are not ` +
      'near, its feature does not quote it, and its name and steps hold 3 of its 11 key words',
  )
  // an output line pointed at a scenario whose docstring is another
  const ports = changed(':80->8080/tcp', (s) => ({ ...s, checkedBy: ['combine.container-network-listed'] }))
  expect(problemsOf(ports)).to.deep.equal([
    '":80->8080/tcp" names combine.container-network-listed, which does not check it: its name, steps and ' +
      'docstrings do not hold it',
  ])
  // a scenario of another section
  expect(problemsOf(pointedAt(DHCP_ERROR, ['static-ip.connect-with-ip', 'dhcp.without-dns-times-out']))).to.deep.equal([
    `"${DHCP_ERROR}" names static-ip.connect-with-ip, a scenario of "Deploy a Container with a Static IP Address", not of its section`,
  ])
})

test("pointed elsewhere: every statement holding a scenario's words, pointed at any other id of its section, is named", () => {
  const unnoticed: string[] = []
  for (const c of STATEMENTS)
    for (const s of c.statements) {
      const own = ANCHORS.filter((a) => a.section === c.section && s.quote.includes(a.quote)).map((a) => a.id)
      if (own.length === 0) continue
      for (const other of SCENARIOS.filter((x) => x.section === c.section && !checkedBy(s).includes(x.id)))
        if (problemsOf(pointedAt(s.quote, [other.id])).length === 0) unnoticed.push(`${s.quote} → ${other.id}`)
    }
  expect(unnoticed).to.deep.equal([])
})

test('the older checks: a sentence left out, an unchecked statement, an unknown id, an unlisted scenario, a misquote', () => {
  const removed = "They can't be added while the container is running."
  expect(problemsOf(without(removed))).to.include(
    `"Deploy Containers on Multiple Bridge Networks": not in the catalogue: "${removed}"`,
  )
  expect(problemsOf(pointedAt(removed, []))).to.include(
    `"${removed}": states a behaviour but names no scenario id and no reason it is not observable`,
  )
  expect(problemsOf(pointedAt(removed, ['multi-bridge.connect-only-when-created', 'future.result']))).to.deep.equal([
    'future.result: in the catalogue, in no feature',
  ])
  // a scenario no statement names: the statement holding its words said not observable
  const unnamed = changed(
    'Result: You can access Port 80 on test1 from the public network interface on the VCH at port 8080.',
    (s) => ({ quote: s.quote, states: 'behaviour', notObservable: 'for the test' }),
  )
  expect(problemsOf(unnamed)).to.include(
    'publish.port-8080-on-public-interface: a scenario of features/ that checks no statement',
  )
  const misquoted = changed(removed, (s) => ({ ...s, quote: `${removed} (not so)` }))
  expect(problemsOf(misquoted)).to.include(
    `"${removed} (not so)" occurs 0 times in "Deploy Containers on Multiple Bridge Networks" ` +
      '(needs exactly once, within a line)',
  )
})
