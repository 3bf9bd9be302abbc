/**
 * Text put on one line: a reason in summary.md's table, the matrix, compare's listing, the
 * live console, an observed answer quoted in an error message. The one definition of it, in
 * support/'s base layer so that every layer may use it.
 */

/**
 * Whitespace runs, line breaks included, as one space, trimmed. With `max`, at most `max`
 * characters (code points), a cut line ending with an ellipsis.
 */
export function oneLine(text: string, max = Infinity): string {
  const line = String(text).replace(/\s+/g, ' ').trim()
  if (!Number.isFinite(max)) return line
  const chars = Array.from(line)
  return chars.length <= max
    ? line
    : `${chars
        .slice(0, Math.max(0, max - 1))
        .join('')
        .trimEnd()}…`
}
