/**
 * Every netconform command, its arguments and its options, in one table: main.ts parses each
 * command's arguments with it (options.ts parseWith: node:util parseArgs, strict) and prints
 * each command's help from it, so an option is added here or nowhere. Loads nothing but
 * node:fs (the help must answer before any command's modules load).
 */
import { readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { PROJECT } from '../project'
import {
  type CommandSpec,
  type Parsed,
  columns,
  commaList,
  duration,
  fraction,
  helpText,
  oneOf,
  parseWith,
  usageError,
  wholeNumber,
  wrapped,
} from './options'
import { PROFILE_SPEC } from './commands/profile'
import { DECLARE_SPEC } from './commands/declare'

/** Which endpoint a command talks to: a profile, and what overrides it. */
const TARGET = {
  target: {
    value: 'NAME|FILE',
    description: 'a profile in targets/ (listed below) or a path to one',
    defaultText: 'as the docker CLI: DOCKER_HOST, DOCKER_CONTEXT, the current context, unix:///var/run/docker.sock',
  },
  endpoint: {
    value: 'URL',
    description: "Docker API endpoint (unix:///…, tcp://…, ssh://…); overrides the profile's",
  },
  context: {
    value: 'NAME',
    description: "a docker context (docker context ls): its endpoint and TLS files; overrides the profile's",
  },
  'public-address': { value: 'ADDR', description: "where published ports answer; overrides the profile's" },
} as const

/** The endpoint of clean (it publishes nothing: no --public-address). */
const ENDPOINT_ONLY = { target: TARGET.target, endpoint: TARGET.endpoint, context: TARGET.context } as const

const PARALLEL = {
  value: 'N',
  read: wholeNumber(0),
  default: '0',
  description: 'run scenarios in N worker processes; 0 runs them in this one',
} as const

const WHERE_REPORTS = 'reports/ in the folder netconform is run from'

const TAGS = {
  value: 'EXPR',
  description: "cucumber tag expression, e.g. '@id:new-bridge.ping-by-name.client-to-server'",
  defaultText: 'every scenario',
} as const

const REPORTS = {
  value: 'DIR',
  description: 'where the report folders go: DIR/<target>/<run id>, DIR/<target>/latest',
  defaultText: WHERE_REPORTS,
} as const

export const COMMANDS = {
  run: {
    summary: 'run the suite against one endpoint: reports/<target>/<run id>/ and one line of totals',
    options: {
      ...TARGET,
      tags: TAGS,
      parallel: PARALLEL,
      repeat: {
        value: 'N',
        read: wholeNumber(1),
        default: '1',
        description: 'run the selection N times and report every scenario whose verdict changed',
      },
      'remove-images': { flag: true, description: 'then remove the probe images the suite imported' },
      format: {
        value: 'FORMAT',
        multiple: true,
        description: 'a cucumber format instead of the verdict console, e.g. progress, pretty',
      },
      reports: REPORTS,
      'share-setup': {
        flag: true,
        description:
          "(the default) build each feature's Background once per worker; @mutates scenarios build their own",
      },
      'setup-per-scenario': { flag: true, description: 'every scenario builds its own Background' },
    },
    examples: [
      'run --target docker',
      "run --target ./my-vch.yaml --tags '@id:new-bridge.ping-by-name.client-to-server'",
    ],
    exit:
      '0 no scenario fails; 1 a scenario fails or was not run (--repeat: or changed verdict); 2 usage, profile ' +
      'or endpoint error; 130/143 interrupted by SIGINT/SIGTERM (the partial report is written)',
  },
  conformance: {
    summary: 'one run per endpoint (every lab endpoint by default), then one line of totals each',
    options: {
      targets: {
        value: 'NAME,NAME…',
        read: commaList('target names'),
        description: 'the profiles to run, each in a process of its own',
        defaultText: 'every lab endpoint',
      },
      jobs: {
        value: 'N',
        read: wholeNumber(1),
        default: '1',
        description: "endpoints run at once (each run's output is printed whole when it ends)",
      },
      parallel: { ...PARALLEL, description: 'each run runs its scenarios in N worker processes (run --parallel)' },
      tags: { ...TAGS, description: 'each run runs the scenarios of this cucumber tag expression (run --tags)' },
      reports: REPORTS,
    },
    examples: [
      'conformance --jobs 3',
      'conformance --targets docker,podman',
      "conformance --jobs 3 --tags 'not @exclusive:endpoint'",
    ],
    exit: "the worst run's (see netconform help run); 130 when interrupted before every endpoint ran",
  },
  profile: PROFILE_SPEC,
  declare: DECLARE_SPEC,
  clean: {
    summary: 'remove what runs that are no longer alive left on an endpoint (by label only)',
    options: {
      ...ENDPOINT_ONLY,
      'older-than': {
        value: 'AGE',
        read: duration,
        default: '0s',
        description: 'only runs whose resources are older than AGE, e.g. 90s, 30m, 2h, 1d',
      },
      run: { value: 'RUN-ID', multiple: true, description: 'only this run (a live run is never removed)' },
      'remove-images': { flag: true, description: 'also remove the probe images the suite imported' },
    },
    examples: [
      'clean --target docker --older-than 30m',
      'clean --target docker --run 20261127T224745Z-18dc41 --remove-images',
    ],
    exit: '0 removed; 1 something could not be removed (named); 2 usage, profile or endpoint error',
  },
  matrix: {
    summary: "every endpoint's verdicts side by side: matrix.html and matrix.md",
    args: [
      { name: 'DIR', repeat: true, description: "a run's report folder (e.g. reports/docker/latest) or a record" },
    ],
    options: {
      out: { value: 'DIR', description: 'where matrix.html and matrix.md go', defaultText: WHERE_REPORTS },
    },
    examples: ['matrix reports/*/latest'],
  },
  document: {
    summary: "the VIC document with each endpoint's verdicts inline: document.html",
    args: [{ name: 'DIR', repeat: true, description: "a run's report folder, e.g. reports/docker/latest" }],
    options: { out: { value: 'DIR', description: 'where document.html goes', defaultText: WHERE_REPORTS } },
    examples: ['document reports/*/latest'],
  },
  compare: {
    summary: "what changed between two runs' verdicts: regressions, fixes, other changes, changed reasons",
    args: [
      { name: 'BASE', description: 'the earlier run: a report folder, a summary.json or a record' },
      { name: 'NEW', description: 'the later run, the same way' },
    ],
    options: {
      format: {
        value: 'FORMAT',
        read: oneOf('text', 'markdown'),
        default: 'text',
        description: 'text, or markdown: one table row per changed scenario',
      },
    },
    examples: ['compare reports/docker/<old run> reports/docker/latest --format markdown'],
    exit: '0 no regression; 1 a regression; 2 usage error or no report there',
  },
  record: {
    summary: "a run's evidence in one file: netconform-record-<target>-<engine>-<run>.tar.gz",
    args: [{ name: 'RUN_DIR', description: "a run's report folder, e.g. reports/docker/latest" }],
    options: { out: { value: 'DIR', default: '.', description: 'where the record goes' } },
    examples: ['record reports/docker/latest --out records'],
  },
  verify: {
    summary: "check a record's hashes, features and verdicts",
    args: [{ name: 'RECORD', description: 'a netconform-record-….tar.gz' }],
    options: {},
    examples: ['verify netconform-record-docker-docker-engine-20.10.24-dfsg1-<run>.tar.gz'],
    exit: '0 verified; 1 the first mismatch (named); 2 not a record',
  },
  sensitivity: {
    summary: 'the suite through a fault-injecting proxy, once per fault, or under slow and failing conditions',
    options: {
      ...TARGET,
      faults: { value: 'ID,ID…', read: commaList('fault ids'), description: 'only these faults', defaultText: 'all' },
      parallel: { ...PARALLEL, description: "run each fault's (or condition's) scenarios in N worker processes" },
      conditions: {
        flag: true,
        description: 'conditions instead of faults: latency, API errors and a restart, each at its default',
      },
      latency: {
        value: 'MS',
        read: wholeNumber(0, 'milliseconds (a whole number)'),
        description: 'a condition: every API call delayed MS ms',
        defaultText: '200 with --conditions',
      },
      'api-errors': {
        value: 'RATE',
        read: fraction,
        description: 'a condition: a seeded fraction of API calls answered 500 or reset',
        defaultText: '0.05 with --conditions',
      },
      seed: { value: 'N', read: wholeNumber(), description: 'which calls --api-errors fails', defaultText: '1' },
      'restart-at': {
        value: 'N',
        read: wholeNumber(1, 'a request count from 1'),
        description: 'a condition: at the N-th request the endpoint restarts (down 5 s)',
        defaultText: "half the first condition's requests with --conditions",
      },
    },
    examples: [
      'sensitivity --target podman --faults ignore-publish,connect-all',
      'sensitivity --target docker --conditions',
      'sensitivity --target podman --latency 200 --api-errors 0.05 --seed 1',
    ],
    exit:
      '0 every applicable fault caught (conditions: every verdict kept or not run), transparent mode matched and ' +
      'nothing labelled left; 1 otherwise; 2 usage, profile or endpoint error',
  },
  lab: {
    summary: 'the local lab of endpoints (root, Debian): up installs and starts them, down stops them',
    args: [
      {
        name: 'ACTION',
        choices: ['up', 'down', 'status'],
        description: 'up: install what is missing and start every lab endpoint; down: stop them; status: which answer',
      },
    ],
    options: {},
    examples: ['lab up', 'lab status'],
  },
  help: {
    summary: "the commands, or one command's usage, options and examples",
    args: [{ name: 'COMMAND', optional: true, description: 'a command, e.g. run' }],
    options: {},
    examples: ['help', 'help sensitivity'],
  },
  version: { summary: "netconform's version", options: {}, examples: ['version'] },
} as const satisfies Record<string, CommandSpec>

export type CommandName = keyof typeof COMMANDS
export type ParsedCommand<N extends CommandName> = Parsed<(typeof COMMANDS)[N]>
/** The options of command N as it gets them: read, defaults applied. */
export type OptionsOf<N extends CommandName> = ParsedCommand<N>['values']

export const isCommandName = (name: string | undefined): name is CommandName =>
  name !== undefined && Object.hasOwn(COMMANDS, name)

/** Command N's arguments (after its name), as its entry in COMMANDS says. */
export function parseCommand<N extends CommandName>(name: N, argv: readonly string[]): ParsedCommand<N> {
  return parseWith(name, COMMANDS[name], argv)
}

/** A mistake in command N's arguments that only the command sees (two options that contradict). */
export const commandUsageError = (name: CommandName, message: string) => usageError(name, message)

/** The profiles in the package's targets/ (as profile/targets.ts knownTargets, without loading it). */
function knownTargetNames(): string[] {
  return readdirSync(resolve(PROJECT, 'targets'))
    .filter((f) => f.endsWith('.yaml') && !f.includes('.example.'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort()
}

const targetsNote = () =>
  ['targets: ', `${knownTargetNames().join(', ')} (targets/*.yaml), or a path to a profile`] as const

/** `netconform help COMMAND`. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name]
  const namesTargets = 'target' in spec.options || 'targets' in spec.options
  return helpText(name, spec, namesTargets ? [targetsNote()] : [])
}

/** `netconform --help`: every command and what it does. */
export function overview(): string {
  const rows = Object.entries(COMMANDS).map(([name, spec]) => [name, spec.summary] as const)
  return [
    'usage: netconform COMMAND [ARGUMENT…] [OPTION…]',
    '',
    'commands:',
    ...columns(rows),
    '',
    'netconform help COMMAND (or netconform COMMAND --help): its arguments, options, defaults and examples.',
    ...wrapped(...targetsNote()),
    ...wrapped(
      'exit codes: ',
      '0 no scenario fails (each conforms, deviates as its profile declares, or is not applicable); 1 a scenario ' +
        'fails (compare: a regression); 2 usage, profile or endpoint error; 130/143 interrupted by SIGINT/SIGTERM',
    ),
  ].join('\n')
}
