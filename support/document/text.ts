/**
 * The document itself, as the project ships it: support/document/vic-container-networking.txt is
 * a verbatim copy of the seed document the suite transcribes (the plain-text rendering of the VIC
 * engine's documentation page "Container Networking with vSphere Integrated Containers Engine";
 * DOCUMENT_SHA256 below, checked by test/unit/living-document.test.ts). It is never edited: its
 * typos ("multliple", "server.,") are the document's.
 *
 * `documentSections()` reads it into its title and sections (the headings of doc.ts), each a
 * list of blocks in order: prose paragraphs, bullet lists and command blocks (a command with its
 * output, as the document prints it).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DOC_SECTIONS, DOC_TITLE } from './doc'
import { PROJECT } from '../project'

export const DOCUMENT_FILE = join(PROJECT, 'support', 'document', 'vic-container-networking.txt')
export const DOCUMENT_SHA256 = 'fce3bcbb2b5cb59e91fbd873287ff72d75b5810597715ad125005063bffd73e6'

export type Block =
  /** Prose: one line of the document (the document keeps each paragraph on one line). */
  | { kind: 'prose'; lines: string[] }
  /** A bullet list: each line one item, without its bullet. */
  | { kind: 'bullets'; lines: string[] }
  /** Commands and their output, line by line, as printed. */
  | { kind: 'commands'; lines: string[] }

export interface DocumentSection {
  /** One of DOC_SECTIONS; the first is the document's title (with the text before the first section). */
  heading: string
  blocks: Block[]
}

const BULLET = /^\s*•\s+/
/**
 * A command block starts with a command, prompted (`$ `) or not
 * (`docker …`), or with the docker CLI's error output (`docker: …`).
 */
const COMMAND_START = /^(\$ |docker[ :])/

export function documentText(file = DOCUMENT_FILE): string {
  return readFileSync(file, 'utf8')
}

/** The document's title and sections, each with its blocks, in the document's order. */
export function documentSections(text = documentText()): DocumentSection[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const sections: DocumentSection[] = []
  let current: DocumentSection | undefined
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    if (line.trim() === '') {
      i += 1
      continue
    }
    const heading =
      sections.length === 0 ? (line === DOC_TITLE ? line : undefined) : DOC_SECTIONS.slice(1).find((h) => h === line)
    if (heading !== undefined) {
      current = { heading, blocks: [] }
      sections.push(current)
      i += 1
      continue
    }
    if (!current)
      throw new Error(`the document does not start with its title "${DOC_TITLE}" (line ${i + 1}: "${line}")`)
    const block: string[] = []
    if (COMMAND_START.test(line)) {
      // Up to a blank line; a blank line right after an HTTP request line (`GET /`) ends the
      // request, and the answer that follows is still this block's output.
      while (
        i < lines.length &&
        (lines[i].trim() !== '' || (lines[i - 1]?.trim() === 'GET /' && lines[i + 1]?.trim()))
      ) {
        block.push(lines[i])
        i += 1
      }
      current.blocks.push({ kind: 'commands', lines: block })
      continue
    }
    while (i < lines.length && lines[i].trim() !== '') {
      block.push(lines[i])
      i += 1
    }
    if (block.every((l) => BULLET.test(l)))
      current.blocks.push({ kind: 'bullets', lines: block.map((l) => l.replace(BULLET, '')) })
    else current.blocks.push({ kind: 'prose', lines: block })
  }
  return sections
}
