/**
 * examples/github-actions/conformance.yml: a workflow linter (@action-validator/cli, GitHub's
 * workflow schema, offline) accepts it and rejects a broken copy; every `netconform …` its run:
 * blocks call names a command, options and arguments the CLI takes (parsed by the CLI's own
 * parser, from the table in support/cli/commands.ts), and every target it names is a profile in
 * targets/.
 */
import { test } from 'node:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { parse } from 'yaml'
import { COMMANDS, isCommandName, parseCommand } from '../../support/cli/commands'

const PROJECT = join(__dirname, '..', '..')
const WORKFLOW = join(PROJECT, 'examples', 'github-actions', 'conformance.yml')
const TEXT = readFileSync(WORKFLOW, 'utf8')

// ---------------------------------------------------------------------------------------------
// The linter

const VALIDATOR_PACKAGE = require.resolve('@action-validator/cli/package.json')
const VALIDATOR = join(
  dirname(VALIDATOR_PACKAGE),
  (require(VALIDATOR_PACKAGE) as { bin: Record<string, string> }).bin['action-validator'],
)

/** action-validator on a file: it exits 1 and prints its errors as JSON on stderr, 0 when valid. */
const lint = (file: string) => execa(process.execPath, [VALIDATOR, file], { reject: false, timeout: 20_000 })

test('action-validator accepts the workflow', async () => {
  const r = await lint(WORKFLOW)
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(0)
})

test('action-validator rejects a broken copy of it (runs-on misspelt, an unknown key)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-workflow-'))
  try {
    const broken = TEXT.replace(/^ {4}runs-on: /m, '    runs_on: ').replace(
      /^ {2}matrix:\n/m,
      '  matrix:\n    timeout: 15\n',
    )
    expect(broken).to.not.equal(TEXT)
    const file = join(dir, 'conformance.yml')
    writeFileSync(file, broken)
    const r = await lint(file)
    expect(r.exitCode).to.equal(1)
    const report = JSON.parse(String(r.stderr)) as { errors: { path: string }[] }
    expect(report.errors.map((e) => e.path)).to.include.members(['/jobs/endpoint', '/jobs/matrix'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// ---------------------------------------------------------------------------------------------
// The netconform calls in its run: blocks

interface Step {
  name?: string
  run?: string
  uses?: string
  if?: string
  with?: Record<string, unknown>
}
interface Job {
  needs?: string | string[]
  if?: string
  steps: Step[]
  strategy?: { matrix?: Record<string, unknown> }
}
const workflow = parse(TEXT) as { jobs: Record<string, Job> }

/** The job's matrix combinations (its axes' product, then its include entries); one empty one without a matrix. */
function combinations(job: Job): Record<string, unknown>[] {
  const matrix = job.strategy?.matrix ?? {}
  const axes = Object.entries(matrix).filter(([k]) => k !== 'include' && k !== 'exclude') as [string, unknown[]][]
  let combos: Record<string, unknown>[] = [{}]
  for (const [key, values] of axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })))
  const include = (matrix.include ?? []) as Record<string, unknown>[]
  return axes.length === 0 && include.length > 0 ? include : [...combos, ...include]
}

/** A run: block for one combination: ${{ matrix.X }} is its value, any other ${{ … }} a value not known here. */
function expand(script: string, combo: Record<string, unknown>): string {
  return script.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const m = /^matrix\.([\w-]+)$/.exec(expr)
    if (m && m[1] in combo) return String(combo[m[1]])
    return '$GITHUB_EXPRESSION'
  })
}

const OPERATOR = /^(;|&&?|\|\|?|[<>()]|\n)$/

/**
 * Shell words and operators, enough for these scripts: quotes, backslash-newline, comments;
 * `${VAR:+words}` counts as its words (as if VAR were set). A word keeps `$` where it was a
 * variable: such a word is a value known only when the job runs.
 */
function shellWords(script: string): string[] {
  const text = script.replace(/\\\n/g, ' ').replace(/\$\{\w+:\+([^}]*)\}/g, '$1')
  const words: string[] = []
  let word: string | undefined
  const end = () => {
    if (word !== undefined) words.push(word)
    word = undefined
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1)
      if (close < 0) throw new Error(`unclosed ${c} in: ${script}`)
      word = (word ?? '') + text.slice(i + 1, close)
      i = close
    } else if (c === '#' && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++
    } else if (c === ' ' || c === '\t') {
      end()
    } else if (OPERATOR.test(c) && !(c === '(' && word?.endsWith('$'))) {
      // 2>&1: the number is the redirection's
      if ((c === '>' || c === '<') && word !== undefined && /^\d+$/.test(word)) word = undefined
      end()
      const two = text.slice(i, i + 2)
      if (two === '&&' || two === '||') i++
      words.push(OPERATOR.test(two) ? two : c)
    } else {
      word = (word ?? '') + c
    }
  }
  end()
  return words
}

interface Call {
  job: string
  step: string
  combo: Record<string, unknown>
  args: string[]
  viaNpxNo: boolean
}

/**
 * Whether a step runs in a combination, as far as its if: compares matrix values (matrix.X == 'v',
 * joined by &&); the rest counts as true.
 */
function runsIn(step: Step, combo: Record<string, unknown>): boolean {
  return (step.if ?? '').split('&&').every((part) => {
    const m = /^matrix\.([\w-]+)\s*(==|!=)\s*'([^']*)'$/.exec(part.trim())
    return !m || !(m[1] in combo) || (String(combo[m[1]]) === m[3]) === (m[2] === '==')
  })
}

/** Every netconform call of every run: block, once per matrix combination of its job in which the step runs. */
function netconformCalls(): Call[] {
  const calls: Call[] = []
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    for (const combo of combinations(job)) {
      for (const step of job.steps) {
        const script = step.run
        if (typeof script !== 'string' || !runsIn(step, combo)) continue
        const words = shellWords(expand(script, combo))
        words.forEach((w, i) => {
          if (w !== 'netconform' && !w.endsWith('bin/netconform.cjs')) return
          let j = i + 1
          while (j < words.length && !OPERATOR.test(words[j])) j++
          calls.push({
            job: jobName,
            step: step.name ?? script.split('\n')[0],
            combo,
            args: words.slice(i + 1, j),
            viaNpxNo: words[i - 2] === 'npx' && words[i - 1] === '--no',
          })
        })
      }
    }
  }
  return calls
}

/** What is wrong with one call of netconform, as the CLI's own parser says; empty when nothing. */
function problemsOf(args: string[]): string[] {
  const [command, ...rest] = args
  if (!isCommandName(command))
    return [`"${command ?? ''}" is not a netconform command (${Object.keys(COMMANDS).join(', ')})`]
  try {
    parseCommand(command, rest)
  } catch (e) {
    return [(e as Error).message]
  }
  return []
}

/** The value each --NAME option has in a call (repeatable ones, each). */
function optionValues(args: string[], name: string): string[] {
  const values: string[] = []
  args.forEach((a, i) => {
    if (a === `--${name}` && i + 1 < args.length) values.push(args[i + 1])
    else if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3))
  })
  return values
}

const calls = netconformCalls()

test('the workflow runs lab up, run, matrix and compare, each through npx --no', () => {
  const commands = new Set(calls.map((c) => c.args.slice(0, c.args[0] === 'lab' ? 2 : 1).join(' ')))
  expect([...commands]).to.include.members(['lab up', 'run', 'matrix', 'compare'])
  for (const c of calls) expect(c.viaNpxNo, `${c.job} / ${c.step}: netconform ${c.args.join(' ')}`).to.equal(true)
})

test('every netconform call in the workflow is one the CLI takes', () => {
  const problems = calls.flatMap((c) =>
    problemsOf(c.args).map((p) => `${c.job} / ${c.step} ${JSON.stringify(c.combo)}: ${p}`),
  )
  expect(problems).to.deep.equal([])
})

test('every run: block is valid bash (bash -n)', () => {
  const problems: string[] = []
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps) {
      if (typeof step.run !== 'string') continue
      const r = spawnSync('bash', ['-n', '-c', expand(step.run, combinations(job)[0])], { encoding: 'utf8' })
      if (r.status !== 0) problems.push(`${jobName} / ${step.name ?? step.run.split('\n')[0]}: ${r.stderr.trim()}`)
    }
  }
  expect(problems).to.deep.equal([])
})

test('the check finds what is wrong in a call', () => {
  expect(problemsOf(['run', '--target', 'docker', '--parallel', '2'])).to.deep.equal([])
  expect(problemsOf(['run', '--targets', 'docker'])[0]).to.match(/^run: .*--targets/)
  expect(problemsOf(['run', '--target'])[0]).to.match(/^run: .*--target/)
  expect(problemsOf(['run', 'docker'])[0]).to.match(/^run: takes no arguments, not "docker"/)
  expect(problemsOf(['run', '--parallel', 'two'])[0]).to.match(/^run: --parallel takes a whole number/)
  expect(problemsOf(['matrix'])[0]).to.match(/^matrix: missing DIR…/)
  expect(problemsOf(['matrix', 'reports/*/latest', '--output', 'x'])[0]).to.match(/^matrix: .*--output/)
  expect(problemsOf(['compare', 'a'])[0]).to.match(/^compare: missing NEW/)
  expect(problemsOf(['lab', 'start'])[0]).to.match(/^lab: ACTION is up, down or status, not "start"/)
  expect(problemsOf(['compre', 'a', 'b'])[0]).to.match(/^"compre" is not a netconform command/)
  expect(runsIn({ if: "always() && matrix.kind == 'lab'" }, { kind: 'remote' })).to.equal(false)
  expect(runsIn({ if: "matrix.kind != 'lab'" }, { kind: 'remote' })).to.equal(true)
  expect(
    shellWords('npx --no netconform run --target "$T" ${P:+--public-address "$P"} | tee x # netconform help'),
  ).to.deep.equal(['npx', '--no', 'netconform', 'run', '--target', '$T', '--public-address', '$P', '|', 'tee', 'x'])
  expect(shellWords('netconform compare "$a" b >out 2>&1 || c=$?')).to.deep.equal([
    'netconform',
    'compare',
    '$a',
    'b',
    '>',
    'out',
    '>',
    '&',
    '1',
    '||',
    'c=$?',
  ])
})

test('every target the workflow names is a profile in targets/', () => {
  const names = new Set<string>()
  for (const c of calls) {
    for (const t of [
      ...optionValues(c.args, 'target'),
      ...optionValues(c.args, 'targets').flatMap((v) => v.split(',')),
    ]) {
      // a path or a variable is a profile the job writes (from one named below)
      if (!/[$/\\]|\.ya?ml$/.test(t)) names.add(t)
    }
  }
  for (const job of Object.values(workflow.jobs)) {
    for (const combo of combinations(job)) if (typeof combo.target === 'string') names.add(combo.target)
  }
  // a profile a step reads (targets/${{ matrix.target }}.yaml, expanded), or the comments name
  const scripts = Object.values(workflow.jobs).flatMap((j) =>
    combinations(j).flatMap((c) => j.steps.map((s) => expand(s.run ?? '', c))),
  )
  for (const text of [TEXT, ...scripts]) for (const m of text.matchAll(/targets\/([\w.-]+)\.yaml/g)) names.add(m[1])
  expect([...names]).to.include.members(['docker', 'podman', 'podman-netavark', 'podman-rootless', 'docker-rootless'])
  const missing = [...names].filter((n) => !existsSync(join(PROJECT, 'targets', `${n}.yaml`)))
  expect(missing, 'named in the workflow, no targets/<name>.yaml').to.deep.equal([])
})

test('each endpoint job uploads its report even when its run failed; the matrix job needs and downloads them', () => {
  const uploads = (job: Job) => job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'))
  const endpointJobs = Object.entries(workflow.jobs).filter(([, j]) =>
    j.steps.some((s) => /netconform run\b/.test(s.run ?? '')),
  )
  expect(endpointJobs).to.have.length.greaterThan(0)
  for (const [, job] of endpointJobs) {
    expect(uploads(job).map((s) => s.if)).to.include('always()')
    expect(job.steps.find((s) => s.name === 'Stage the report')?.if).to.equal('always()')
  }
  const [matrixName, matrixJob] = Object.entries(workflow.jobs).find(([, j]) =>
    j.steps.some((s) => /netconform matrix\b/.test(s.run ?? '')),
  )!
  const needs = [matrixJob.needs ?? []].flat()
  for (const [name] of endpointJobs) expect(needs, `${matrixName} needs ${name}`).to.include(name)
  expect(matrixJob.if).to.match(/!cancelled\(\)|always\(\)/)
  expect(matrixJob.steps.some((s) => s.uses?.startsWith('actions/download-artifact@'))).to.equal(true)
  expect(uploads(matrixJob)).to.have.length.greaterThan(0)
})
