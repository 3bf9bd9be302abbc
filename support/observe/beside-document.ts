/** The document's output and an endpoint's, set one above the other for a reader. */

/** The document's output and the endpoint's, one above the other, for a reader to compare. */
export function besideDocument(documented: string, observed: string): string {
  return [
    'as the document shows it:',
    indent(documented),
    '',
    'as this endpoint shows it:',
    indent(observed.trimEnd() || '(nothing)'),
  ].join('\n')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')
}
