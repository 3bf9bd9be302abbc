/**
 * What a check saw when what the endpoint shows is not what the document shows: a kind, the fields
 * that show it, and a sentence in the suite's own words. Profiles' `observed` patterns match that
 * sentence; no assertion library's wording ever reaches a verdict. And where a check puts what it
 * saw either way: the scenario's transcript.
 */
import type { Transcript } from '../records'

/** Where checks put their evidence: the scenario's transcript (text for people, with a record for tools). */
export type Attach = (what: string | Transcript) => void
export class Evidence extends Error {
  constructor(
    readonly kind: string,
    readonly fields: Readonly<Record<string, unknown>>,
    message: string,
  ) {
    super(message)
    this.name = 'Evidence'
  }
}

/** What a judged check compares: its kind, what was looked at, what was seen and what the document shows. */
interface Judged {
  kind: string
  what: string
  seen: string
  documented: string
  /** More fields for the Evidence, beside what, seen and documented. */
  fields?: Record<string, unknown>
}

/** Throws Evidence of KIND unless OK: "WHAT: SEEN, where the document shows DOCUMENTED". */
export function judge(ok: boolean, { kind, what, seen, documented, fields = {} }: Judged): void {
  if (!ok)
    throw new Evidence(
      kind,
      { what, seen, documented, ...fields },
      `${what}: ${seen}, where the document shows ${documented}`,
    )
}
