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
  if (!Number.isInteger(parallel) || parallel < 0)
    throw new UsageError(`--parallel takes a whole number, not "${text}"`)
  return parallel
}

/** `netconform run`'s options (support/cli/main.ts parses with these). */
export const RUN_OPTIONS = {
  ...TARGET_OPTIONS,
  tags: { type: 'string' },
  parallel: { type: 'string' },
  repeat: { type: 'string' },
  'remove-images': { type: 'boolean' },
  format: { type: 'string', multiple: true },
  reports: { type: 'string' },
  'share-setup': { type: 'boolean' },
  'setup-per-scenario': { type: 'boolean' },
} as const

/** `netconform clean`'s options (support/cli/main.ts parses with these; --public-address is not one). */
export const CLEAN_OPTIONS = {
  target: { type: 'string' },
  endpoint: { type: 'string' },
  'older-than': { type: 'string' },
  run: { type: 'string', multiple: true },
  'remove-images': { type: 'boolean' },
} as const

/** `netconform lab ACTION` (the actions main.ts's lab() dispatches). */
export const LAB_ACTIONS = ['up', 'down', 'status'] as const

/** What may follow one command's name: its options (as node:util parseArgs takes them) and its positional arguments. */
export interface CommandSyntax {
  options: Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly multiple?: boolean }>>
  /** How many positional arguments it takes (0 when absent); for lab, one of `actions`. */
  positionals?: { min: number; max?: number }
  actions?: readonly string[]
  /** Where its parser is, when not here (test/unit/workflow.test.ts checks that parser accepts these options). */
  parsedIn?: string
}

/**
 * Every netconform command and its syntax, for checking calls made elsewhere (the CI example in
 * examples/ is checked against it by test/unit/workflow.test.ts). run and clean parse with the
 * constants above, lab dispatches LAB_ACTIONS; the others parse where `parsedIn` says, and that
 * test checks each of those parsers accepts the options given here and refuses others.
 */
export const COMMANDS: Readonly<Record<string, CommandSyntax>> = {
  run: { options: RUN_OPTIONS },
  conformance: {
    options: { targets: { type: 'string' }, jobs: { type: 'string' }, parallel: { type: 'string' } },
    parsedIn: 'support/cli/conformance.ts',
  },
  clean: { options: CLEAN_OPTIONS },
  matrix: { options: { out: { type: 'string' } }, positionals: { min: 1 }, parsedIn: 'support/report/matrix.ts' },
  document: {
    options: { out: { type: 'string' } },
    positionals: { min: 1 },
    parsedIn: 'support/report/living-document.ts',
  },
  compare: {
    options: { format: { type: 'string' } },
    positionals: { min: 2, max: 2 },
    parsedIn: 'support/report/compare.ts',
  },
  record: {
    options: { out: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    parsedIn: 'support/report/record.ts',
  },
  verify: { options: {}, positionals: { min: 1, max: 1 }, parsedIn: 'support/report/record.ts' },
  sensitivity: {
    options: {
      ...TARGET_OPTIONS,
      faults: { type: 'string' },
      parallel: { type: 'string' },
      conditions: { type: 'boolean' },
      latency: { type: 'string' },
      'api-errors': { type: 'string' },
      'restart-at': { type: 'string' },
      seed: { type: 'string' },
    },
    parsedIn: 'support/cli/sensitivity.ts',
  },
  lab: { options: {}, actions: LAB_ACTIONS },
  help: { options: {} },
}
