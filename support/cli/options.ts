/** Options that several netconform commands take, parsed one way. */
import { UsageError } from '../errors'

/** Which endpoint a command talks to: a profile, and what overrides it. */
export const TARGET_OPTIONS = {
  target: { type: 'string' },
  endpoint: { type: 'string' },
  'public-address': { type: 'string' },
} as const

/** --parallel N: worker processes (0: none). */
export function parallelOf(text: string | undefined): number {
  const parallel = text === undefined ? 0 : Number(text)
  if (!Number.isInteger(parallel) || parallel < 0) throw new UsageError(`--parallel takes a whole number, not "${text}"`)
  return parallel
}
