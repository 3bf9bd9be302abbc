/**
 * The seed document and its sections. support/document/vic-container-networking.txt is a verbatim
 * copy of the seed document the suite transcribes (the plain-text rendering of the VIC engine's
 * documentation page "Container Networking with vSphere Integrated Containers Engine", as given to
 * the project in shared/seed/vic-container-networking.txt; sha256 below, checked by
 * test/unit/living-document.test.ts). It is never edited: its typos ("multliple", "server.,") are
 * the document's.
 *
 * Its sections are not listed here: each Feature of features/ is named exactly after a heading of
 * the document, and the headings are those names, in the order the document has them (the title,
 * its first line, always first). test/unit/features.test.ts checks that every Feature name is a
 * heading line of the document and that every heading-like line of the document has a Feature.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT } from '../project'
import { featureNames } from '../scenario-id'

export const DOCUMENT_FILE = join(PROJECT, 'support', 'document', 'vic-container-networking.txt')
export const DOCUMENT_SHA256 = 'fce3bcbb2b5cb59e91fbd873287ff72d75b5810597715ad125005063bffd73e6'

export function documentText(file = DOCUMENT_FILE): string {
  return readFileSync(file, 'utf8')
}

/** The document's lines, without line ends. */
function documentLines(text = documentText()): string[] {
  return text.replace(/\r\n/g, '\n').split('\n')
}

/** The document's title: its first line. */
export const DOC_TITLE = documentLines()[0]

/**
 * The headings among `names`, in the document's order: the title first, then each name that is a
 * line of the document, by where it stands. A name the document lacks is none (features.test.ts names it).
 */
function documentHeadings(names: readonly string[], lines = documentLines()): string[] {
  const at = (name: string) => lines.indexOf(name)
  const found = names.filter((n) => n !== lines[0] && at(n) > 0)
  return [lines[0], ...[...new Set(found)].sort((a, b) => at(a) - at(b))]
}

/**
 * The seed document's sections, in the document's order: its title (with the NOTE that precedes
 * the first section) and the headings the features are named after.
 */
export const DOC_SECTIONS: readonly string[] = documentHeadings(featureNames())

/** Orders doc headings as the document does; unknown headings sort last. */
export function docOrder(heading: string): number {
  const i = DOC_SECTIONS.indexOf(heading)
  return i === -1 ? DOC_SECTIONS.length : i
}
