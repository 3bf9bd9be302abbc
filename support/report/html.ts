/** The pages netconform writes (matrix, living document): self-contained HTML that may load nothing. */
import type { Verdict } from '../types'

/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** What each verdict (and a scenario missing from a run) means, as the pages' legends say it. */
export const VERDICT_MEANING: Record<Verdict | 'not-run', string> = {
  conforms: 'behaves as the document says',
  deviates: 'differs from the document, in a known, stated way',
  fails: 'does not behave as the document says',
  'not-applicable': 'the endpoint lacks what the scenario needs',
  'not-run': "not in that endpoint's run",
}

/** The verdicts' colours (background, ink, edge) and the page's base, shared by every page netconform writes. */
const BASE_CSS = `
:root {
  --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --paper: #ffffff; --head: #f6f8fa; --code: #f6f8fa;
  --conforms-bg: #dafbe1; --conforms-ink: #116329; --conforms-edge: #1a7f37;
  --deviates-bg: #fff1c2; --deviates-ink: #7a4d00; --deviates-edge: #bf8700;
  --fails-bg: #ffebe9; --fails-ink: #a40e26; --fails-edge: #cf222e;
  --na-bg: #eef1f4; --na-ink: #4b535d; --na-edge: #8c959f;
}
* { box-sizing: border-box; }
html { background: var(--paper); color: var(--ink); }`

/** A whole page: its title, inline CSS, and body; a Content-Security-Policy forbids any load from the network. */
export function htmlPage(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${BASE_CSS}${css}</style>
</head>
<body>
${body}
</body>
</html>
`
}
