/**
 * Every error a user can cause ends in one line on stderr and exit 2, never a stack trace.
 * These run the real CLI; endpoints are fakes this test serves on 127.0.0.1, or sockets that
 * do not exist. Then the table of commands (support/cli/commands.ts): the help made from it
 * names every option, and its parser reads each the way the commands did.
 */
import { test, after } from 'node:test'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { listenOnLoopback } from './loopback'
import { COMMANDS, type CommandName, commandHelp, overview, parseCommand } from '../../support/cli/commands'
import type { CommandSpec, OptionSpec } from '../../support/cli/options'
import { UsageError } from '../../support/errors'
import { DEFAULT_CONDITIONS } from '../../support/sensitivity/conditions'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')
const dir = mkdtempSync(join(tmpdir(), 'netconform-cli-'))
const servers: Server[] = []
after(() => servers.forEach((s) => s.close()))

async function netconform(args: string[], env: NodeJS.ProcessEnv = {}) {
  return execa('node', [CLI, ...args], {
    cwd: PROJECT,
    reject: false,
    env: { ...process.env, ...env },
    timeout: 30_000,
  })
}

/** Exit 2, nothing on stdout but what precedes the error, one line on stderr matching `message`. */
async function expectUsageError(args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}) {
  const r = await netconform(args, env)
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(2)
  const lines = String(r.stderr).trim().split('\n')
  expect(lines, 'stderr lines').to.have.length(1)
  expect(lines[0])
    .to.match(/^netconform: /)
    .and.match(message)
  expect(String(r.stderr)).to.not.match(/\n\s+at /)
}

/** A fake endpoint on 127.0.0.1: `routes` maps "METHOD path" prefixes to [status, body]. */
async function fakeEndpoint(routes: Record<string, [number, unknown]>): Promise<string> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]
    const hit = Object.entries(routes).find(([k]) => `${req.method} ${path}`.startsWith(k))
    const [status, body] = hit ? hit[1] : [404, { message: 'page not found' }]
    res
      .writeHead(status, { 'Content-Type': 'application/json' })
      .end(typeof body === 'string' ? body : JSON.stringify(body))
  })
  servers.push(server)
  return `tcp://127.0.0.1:${await listenOnLoopback(server)}`
}

function profile(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const DOCKER_YAML = readFileSync(join(PROJECT, 'targets', 'docker.yaml'), 'utf8')

test('an unknown command', () => expectUsageError(['frobnicate'], /unknown command "frobnicate"/))
test('an unknown option', () => expectUsageError(['run', '--bogus'], /bogus/))
test('--share-setup with --setup-per-scenario: one line, before anything runs', async () => {
  await expectUsageError(['run', '--share-setup', '--setup-per-scenario'], /contradict each other/)
})
test('an unknown target names the known ones', () =>
  expectUsageError(['run', '--target', 'nope'], /unknown target "nope".*known targets: .*docker.*podman/))
test('a profile without an endpoint names the file and the field', () =>
  expectUsageError(
    ['run', '--target', profile('no-endpoint.yaml', DOCKER_YAML.replace(/^endpoint:.*$/m, ''))],
    /no-endpoint\.yaml: missing field "endpoint"/,
  ))
test('a misspelt key names the file and the key', () =>
  expectUsageError(
    ['run', '--target', profile('typo.yaml', DOCKER_YAML.replace('publicAddress:', 'publicAdress:'))],
    /typo\.yaml: .*unknown field "publicAdress"/,
  ))
test('a deviation for an unknown scenario id names the file and the field', () =>
  expectUsageError(
    [
      'run',
      '--target',
      profile(
        'bad-id.yaml',
        `${DOCKER_YAML}\n  no.such-scenario:\n    reason: x\n    step: it is refused\n    observed: accepted\n`,
      ),
    ],
    /bad-id\.yaml: field "deviations\.no\.such-scenario": no scenario has the id/,
  ))
test('a deviation whose observed is not a regular expression names the file and the field', () =>
  expectUsageError(
    [
      'run',
      '--target',
      profile('bad-regex.yaml', DOCKER_YAML.replace("observed: 'the outside client", "observed: '(the outside client")),
    ],
    /bad-regex\.yaml: field "deviations\.trust\.unpublished-port-closed\.observed": not a valid regular expression: /,
  ))
test('a profile that is not YAML', () =>
  expectUsageError(['run', '--target', profile('broken.yaml', 'name: [unclosed\n')], /broken\.yaml: not valid YAML/))
test('an unreadable profile path', () =>
  expectUsageError(['run', '--target', join(dir, 'missing.yaml')], /unknown target .*missing\.yaml/))
test('a tag expression that does not parse', () =>
  expectUsageError(['run', '--tags', '@a and'], /invalid tag expression "@a and"/))
test('a tag expression that selects nothing', () =>
  expectUsageError(['run', '--tags', '@id:no.such'], /no scenario matches the tags "@id:no\.such"/))
test('--endpoint with an unsupported scheme', () =>
  expectUsageError(['run', '--endpoint', 'ftp://127.0.0.1:21'], /unsupported scheme "ftp"/))
test('an unreachable endpoint is named, within 10 s', async () => {
  const started = Date.now()
  await expectUsageError(['run'], /cannot reach the Docker endpoint unix:\/\/\/nonexistent\.sock/, {
    DOCKER_HOST: 'unix:///nonexistent.sock',
  })
  expect(Date.now() - started).to.be.below(10_000)
})
test('an HTTP server that is not a Docker API', async () => {
  const endpoint = await fakeEndpoint({})
  await expectUsageError(['run', '--endpoint', endpoint], /is not a Docker API: GET \/_ping answered 404/)
})
test('a missing probe image, with no busybox to build it from', async () => {
  const endpoint = await fakeEndpoint({
    'GET /_ping': [200, 'OK'],
    'GET /version': [200, { Version: '20.10.24', ApiVersion: '1.41', Os: 'linux', Arch: 'amd64', KernelVersion: '6' }],
    'GET /images/': [404, { message: 'No such image: netconform-probe:1' }],
  })
  await expectUsageError(
    ['run', '--endpoint', endpoint],
    /cannot build the probe image: \/nonexistent\/busybox is missing/,
    { NETCONFORM_BUSYBOX: '/nonexistent/busybox' },
  )
})
test('--repeat and --parallel take whole numbers', async () => {
  await expectUsageError(['run', '--repeat', 'x'], /--repeat takes a whole number/)
  await expectUsageError(['run', '--parallel', 'two'], /--parallel takes a whole number/)
})
test('clean --older-than takes a duration', () =>
  expectUsageError(['clean', '--older-than', 'soon'], /--older-than takes a duration/))

// ---------------------------------------------------------------------------------------------
// One parser, one help: both from the table in support/cli/commands.ts

/** Every option of command N in the table, as [name, spec]. */
const optionsOf = (name: CommandName) => Object.entries(COMMANDS[name].options as Record<string, OptionSpec>)
const NAMES = Object.keys(COMMANDS) as CommandName[]

/** A help text with its wrapped lines joined again. */
const unwrapped = (text: string) => text.replace(/\n {3,}/g, ' ')

/** What parseCommand threw (a UsageError expected). */
function refusal(name: CommandName, argv: string[]): Error {
  try {
    parseCommand(name, argv)
  } catch (e) {
    return e as Error
  }
  throw new Error(`${name} ${argv.join(' ')}: accepted`)
}

test('every command main.ts offers is in the table, with a summary and an example of itself', () => {
  expect(NAMES).to.have.members([
    'run',
    'conformance',
    'profile',
    'declare',
    'clean',
    'matrix',
    'document',
    'compare',
    'record',
    'verify',
    'sensitivity',
    'lab',
    'help',
    'version',
  ])
  for (const name of NAMES) {
    const spec: CommandSpec = COMMANDS[name]
    expect(spec.summary, name).to.match(/^\S.{10,}$/)
    expect(spec.examples.length, name).to.be.greaterThan(0)
    for (const e of spec.examples) expect(e.split(' ')[0], `${name} example ${e}`).to.equal(name)
  }
})

test("each command's help names every option of the table, its value and default, each argument, an example", () => {
  for (const name of NAMES) {
    const help = commandHelp(name)
    const spec: CommandSpec = COMMANDS[name]
    expect(help, name).to.include(`usage: netconform ${name}`)
    for (const [option, o] of optionsOf(name)) {
      // an option with a one-letter alias is listed as `  -o, --out FILE`
      const line = help
        .split('\n')
        .map((l) => l.replace(/^ {2}-\w, /, '  '))
        .find((l) => l.startsWith(`  --${option} `) || l === `  --${option}`)
      expect(line, `${name} --${option}`).to.not.equal(undefined)
      if ('value' in o) {
        expect(line, `${name} --${option}`).to.include(`--${option} ${o.value}`)
        const fallback = o.defaultText ?? o.default
        if (fallback !== undefined) expect(unwrapped(help), `${name} --${option}`).to.include(`(default: ${fallback})`)
      }
    }
    for (const a of spec.args ?? []) expect(help, `${name} ${a.name}`).to.include(`  ${a.name}  `)
    expect(help, name).to.include(`  netconform ${spec.examples[0]}`)
    for (const line of help.split('\n')) expect(line.length, `${name}: ${line}`).to.be.at.most(120)
  }
  for (const line of overview().split('\n')) expect(line.length, line).to.be.at.most(120)
  const listed = unwrapped(overview())
    .split('\n')
    .map((l) => l.trim().replace(/^(\S+) +/, '$1 '))
  for (const name of NAMES) expect(listed, name).to.include(`${name} ${COMMANDS[name].summary}`)
})

test('netconform --help lists the commands; help CMD and CMD --help print its help; exit 0', async () => {
  const all = await netconform(['--help'])
  expect(all.exitCode).to.equal(0)
  expect(all.stdout).to.equal(overview())
  const none = await netconform([])
  expect(none.exitCode, 'no command at all').to.equal(2)
  for (const args of [
    ['help', 'compare'],
    ['compare', '--help'],
    ['compare', 'a', '-h'],
  ]) {
    const r = await netconform(args)
    expect(r.exitCode, args.join(' ')).to.equal(0)
    expect(r.stdout, args.join(' ')).to.equal(commandHelp('compare'))
  }
})

test('sensitivity --help lists --latency, --api-errors, --seed, --restart-at, --conditions', async () => {
  const r = await netconform(['sensitivity', '--help'])
  expect(r.exitCode).to.equal(0)
  const text = unwrapped(r.stdout)
  for (const option of ['--latency MS', '--api-errors RATE', '--seed N', '--restart-at N', '--conditions', '--faults'])
    expect(r.stdout).to.match(new RegExp(`^  ${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'))
  // the defaults it shows are the ones conditions.ts applies
  expect(text).to.include(`(default: ${DEFAULT_CONDITIONS.latencyMs} with --conditions)`)
  expect(text).to.include(`(default: ${DEFAULT_CONDITIONS.apiErrors} with --conditions)`)
  expect(text).to.match(new RegExp(`--seed N .*\\(default: ${DEFAULT_CONDITIONS.seed}\\)`))
})

test('bad values: one line naming the command and the option, exit 2', async () => {
  await expectUsageError(['sensitivity', '--latency', 'abc'], /^netconform: sensitivity: --latency takes .*"abc"/)
  await expectUsageError(['sensitivity', '--api-errors', '2'], /^netconform: sensitivity: --api-errors takes .*"2"/)
  await expectUsageError(['sensitivity', '--restart-at', '0'], /^netconform: sensitivity: --restart-at takes /)
  await expectUsageError(['sensitivity', '--seed'], /^netconform: sensitivity: --seed needs a value/)
  await expectUsageError(
    ['sensitivity', '--fault', 'x'],
    /^netconform: sensitivity: unknown option --fault\b.*--faults/,
  )
  await expectUsageError(['conformance', '--jobs', '0'], /^netconform: conformance: --jobs takes a whole number from 1/)
  await expectUsageError(['compare', 'a', 'b', '--format', 'html'], /^netconform: compare: --format takes text or/)
  await expectUsageError(['compare', 'a'], /^netconform: compare: missing NEW/)
  await expectUsageError(['lab', 'start'], /^netconform: lab: ACTION is up, down or status, not "start"/)
  await expectUsageError(['help', 'nope'], /^netconform: help: unknown command "nope"/)
})

test('every command refuses an unknown option, an option without its value and one with a bad value', () => {
  for (const name of NAMES) {
    expect(refusal(name, ['--netconform-no-such-option']), name)
      .to.be.instanceOf(UsageError)
      .with.property('message')
      .that.matches(new RegExp(`^${name}: unknown option --netconform-no-such-option `))
    for (const [option, o] of optionsOf(name)) {
      if ('flag' in o) {
        expect(refusal(name, [`--${option}=yes`]).message).to.match(new RegExp(`^${name}: --${option} takes no value`))
        continue
      }
      expect(refusal(name, [`--${option}`]).message, `${name} --${option}`).to.match(
        new RegExp(`^${name}: --${option} needs a value`),
      )
      if (o.read) {
        // a word none reads, but a list: one without an item
        const bad = o.read.read('netconform-bad-value') === undefined ? 'netconform-bad-value' : ','
        expect(refusal(name, [`--${option}`, bad]).message, `${name} --${option} ${bad}`).to.match(
          new RegExp(`^${name}: --${option} takes .*, not "${bad}" \\(netconform help ${name}\\)$`),
        )
      }
    }
  }
})

/** Command N's parsed options, with those left undefined dropped (as the commands read them). */
function parsedValues(name: CommandName, argv: string[]): Record<string, unknown> {
  const { values } = parseCommand(name, argv)
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined))
}

test("each command's options parse to what the command took before (values read, defaults applied)", () => {
  // run: --parallel 0 and --repeat 1 unless given; --format repeatable
  expect(parsedValues('run', [])).to.deep.equal({ parallel: 0, repeat: 1 })
  expect(
    parsedValues('run', [
      '--target',
      'docker',
      '--endpoint',
      'tcp://10.0.0.5:2375',
      '--public-address',
      '10.0.0.5',
      '--tags',
      '@id:a',
      '--parallel',
      '2',
      '--repeat',
      '3',
      '--remove-images',
      '--format',
      'progress',
      '--format',
      'pretty',
      '--reports',
      'out',
      '--setup-per-scenario',
    ]),
  ).to.deep.equal({
    target: 'docker',
    endpoint: 'tcp://10.0.0.5:2375',
    'public-address': '10.0.0.5',
    tags: '@id:a',
    parallel: 2,
    repeat: 3,
    'remove-images': true,
    format: ['progress', 'pretty'],
    reports: 'out',
    'setup-per-scenario': true,
  })
  expect(parsedValues('run', ['--share-setup'])).to.deep.equal({ parallel: 0, repeat: 1, 'share-setup': true })
  // conformance: --targets split on commas (blanks dropped), --jobs 1 and --parallel 0 unless given
  expect(parsedValues('conformance', [])).to.deep.equal({ jobs: 1, parallel: 0 })
  expect(parsedValues('conformance', ['--targets', 'docker, podman,', '--jobs', '3', '--parallel', '2'])).to.deep.equal(
    { targets: ['docker', 'podman'], jobs: 3, parallel: 2 },
  )
  // clean: --older-than in ms (0 unless given), --run repeatable
  expect(parsedValues('clean', [])).to.deep.equal({ 'older-than': 0 })
  expect(
    parsedValues('clean', [
      '--target',
      'docker',
      '--older-than',
      '30m',
      '--run',
      'r1',
      '--run',
      'r2',
      '--remove-images',
    ]),
  ).to.deep.equal({ target: 'docker', 'older-than': 1_800_000, run: ['r1', 'r2'], 'remove-images': true })
  expect(parsedValues('clean', ['--older-than', '90s'])['older-than']).to.equal(90_000)
  expect(parsedValues('clean', ['--older-than', '1d'])['older-than']).to.equal(86_400_000)
  // the report commands
  expect(parseCommand('matrix', ['a', '--out', 'o', 'b'])).to.deep.equal({
    values: { out: 'o' },
    positionals: ['a', 'b'],
  })
  expect(parseCommand('document', ['a'])).to.deep.equal({ values: { out: undefined }, positionals: ['a'] })
  expect(parseCommand('compare', ['a', 'b'])).to.deep.equal({ values: { format: 'text' }, positionals: ['a', 'b'] })
  expect(parseCommand('compare', ['a', 'b', '--format', 'markdown']).values.format).to.equal('markdown')
  expect(parseCommand('record', ['run'])).to.deep.equal({ values: { out: '.' }, positionals: ['run'] })
  expect(parseCommand('verify', ['r.tar.gz'])).to.deep.equal({ values: {}, positionals: ['r.tar.gz'] })
  expect(parseCommand('lab', ['up']).positionals).to.deep.equal(['up'])
  // sensitivity: the faults split on commas; the conditions read as numbers, no default unless the command applies one
  expect(parsedValues('sensitivity', [])).to.deep.equal({ parallel: 0 })
  expect(parsedValues('sensitivity', ['--target', 'podman', '--faults', 'ignore-publish,connect-all'])).to.deep.equal({
    target: 'podman',
    faults: ['ignore-publish', 'connect-all'],
    parallel: 0,
  })
  expect(
    parsedValues('sensitivity', [
      '--conditions',
      '--latency',
      '200',
      '--api-errors',
      '0.05',
      '--seed=-3',
      '--restart-at',
      '250',
      '--parallel',
      '2',
    ]),
  ).to.deep.equal({ conditions: true, latency: 200, 'api-errors': 0.05, seed: -3, 'restart-at': 250, parallel: 2 })
  expect(parsedValues('sensitivity', ['--latency', '0']).latency).to.equal(0)
  // what the commands refused before, they refuse
  for (const [name, argv] of [
    ['run', ['--repeat', '0']],
    ['run', ['--parallel', '-1']],
    ['run', ['--parallel', '1.5']],
    ['run', ['docker']],
    ['conformance', ['--targets', ' , ']],
    ['clean', ['--older-than', '30']],
    ['clean', ['--public-address', 'x']],
    ['matrix', []],
    ['document', []],
    ['compare', ['a', 'b', 'c']],
    ['record', []],
    ['record', ['a', 'b']],
    ['verify', []],
    ['sensitivity', ['--latency', '-1']],
    ['sensitivity', ['--latency', '1.5']],
    ['sensitivity', ['--api-errors', '0']],
    ['sensitivity', ['--api-errors', '1']],
    ['sensitivity', ['--seed', '1.5']],
    ['sensitivity', ['--faults', ',']],
    ['lab', []],
    ['lab', ['up', 'down']],
    ['help', ['run', 'clean']],
  ] as [CommandName, string[]][]) {
    expect(refusal(name, argv), `${name} ${argv.join(' ')}`)
      .to.be.instanceOf(UsageError)
      .with.property('message')
      .that.matches(new RegExp(`^${name}: .*\\(netconform help( ${name})?\\)$`))
  }
})

test('one parser: under support/, only support/cli/options.ts calls parseArgs, and nothing reads process.argv', () => {
  const sources = (dir: string): string[] =>
    readdirSync(join(PROJECT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|cjs)$/.test(e.name) ? [join(dir, e.name)] : [],
    )
  const files = sources('support')
  expect(files).to.include(join('support', 'cli', 'options.ts'))
  const parsing = files.filter((f) => /\bparseArgs\(/.test(readFileSync(join(PROJECT, f), 'utf8')))
  expect(parsing).to.deep.equal([join('support', 'cli', 'options.ts')])
  const argv = files.filter((f) => /process\.argv/.test(readFileSync(join(PROJECT, f), 'utf8')))
  expect(argv).to.deep.equal([])
})
