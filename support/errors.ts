/**
 * An error the user can cause and fix (bad profile, unreachable endpoint, unknown tag…).
 * The CLI prints its message on one line and exits 2; it never shows a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The HTTP status dockerode gives a thrown answer (`statusCode`), if any. */
export function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number } | undefined)?.statusCode
}

/** The first line of any thrown value's message. */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? text
  )
}
