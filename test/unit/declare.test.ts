/**
 * `netconform declare` and what it rests on: an `observed` pattern made from a failure's message
 * through the masks `compare` uses (report/masks.ts), drafts checked against the run's failures
 * (report/drafts.ts), a profile with a draft nobody gave a reason refused in one line
 * (profile/targets.ts), and a declaration that matches another failure of its scenario named
 * (report/overlaps.ts). The CLI runs for real on a report folder written here.
 */
import { test } from 'node:test'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { maskReason, observedPattern } from '../../support/report/masks'
import { checkDeclared, draftDeviations } from '../../support/report/drafts'
import { widerDeclarations } from '../../support/report/overlaps'
import { parseTarget } from '../../support/profile/targets'
import { UsageError } from '../../support/errors'
import type { ScenarioResult, Summary } from '../../support/types'

const PROJECT = join(__dirname, '..', '..')
const CLI = join(PROJECT, 'bin', 'netconform.cjs')

const RUN_FORWARD =
  "this host's connection to 198.51.100.11:80 got no answer, but it reached nc-7fcf2a-08c0-tomcat: a SYN-RECV " +
  'connection at 172.16.0.2:8080 from 198.51.100.1:55640; Tcp.InSegs 0 → 3 (packets of any kind received ' +
  'meanwhile, not judged: eth1 7 → 16, eth0 0 → 2); 172.16.0.2 is on eth1 (bridge); its answers to 198.51.100.1 ' +
  'leave by eth0 (netconform-external) from 198.51.100.16; where the document shows nothing gets through'

test('an observed pattern masks what a run measures anew, and keeps what tells outcomes apart', () => {
  const pattern = new RegExp(observedPattern(RUN_FORWARD))
  expect(pattern.test(RUN_FORWARD)).to.equal(true)
  const again = RUN_FORWARD.replace('7fcf2a-08c0', 'b986b6-1090')
    .replace('55640', '51736')
    .replace('0 → 3', '0 → 5')
    .replace('eth1 7 → 16, eth0 0 → 2', 'eth0 0 → 10, eth1 19 → 32')
    .replace(/172\.16\.0\.2/g, '172.16.0.3')
  expect(pattern.test(again)).to.equal(true)
  expect(maskReason(again), 'compare reads the two alike').to.equal(maskReason(RUN_FORWARD))
  expect(pattern.test(RUN_FORWARD.replace('(bridge)', '(podman)'))).to.equal(false)
  expect(pattern.test(RUN_FORWARD.replace('got no answer', 'got "Hello world!"'))).to.equal(false)
  const accepted = '`docker run --net a --net b web` was accepted (exit 0, printed ' + 'ab12'.repeat(16) + ')'
  expect(new RegExp(observedPattern(accepted)).test(accepted.replace('ab12'.repeat(16), 'cd34'.repeat(16)))).to.equal(
    true,
  )
  expect(new RegExp(observedPattern('a (3 ms)\nexit 1')).test('a (12 ms)\nexit 1')).to.equal(true)
})

const scenario = (id: string, verdict: ScenarioResult['verdict'], step?: string, message?: string): ScenarioResult => ({
  id,
  doc: 'Doc',
  feature: 'features/x.feature',
  name: id,
  verdict,
  reason: message ?? '',
  durationMs: 1,
  ...(step && message ? { failure: { step, message } } : {}),
})

const REFUSED = 'it is refused, while the same command with only its first --net is accepted'
const PING = 'in client, `ping -c 3 server` gets replies from server on my-bridge-network'
const pinged = (tag: string) =>
  `awaited replies from 10.89.0.2 to "ping -c 3 nc-b986b6-${tag}-server" in nc-b986b6-${tag}-client; ping: ` +
  'permission denied (are you root?) | exit 1 (160 ms)'

function summaryOf(scenarios: ScenarioResult[], runId = '20261208T033119Z-7fcf2a', name = 'mine'): Summary {
  const totals = { conforms: 0, deviates: 0, fails: 0, 'not-applicable': 0 }
  for (const s of scenarios) totals[s.verdict]++
  return {
    target: {
      name,
      endpoint: 'unix:///x.sock',
      engine: { name: 'Docker Engine', version: '28.5', apiVersion: '1.51', os: 'linux/amd64', kernel: '6' },
    },
    runId,
    startedAt: '2026-12-08T03:31:19.000Z',
    durationMs: 1,
    scenarios,
    totals,
  }
}

const RUN = summaryOf([
  scenario('multi-bridge.multiple-net-refused', 'fails', REFUSED, '`docker run -d --name web` was accepted (exit 0)'),
  scenario('multi-bridge.multiple-net-refused-create', 'fails', REFUSED, '`docker create --name web` was accepted'),
  scenario('new-bridge.ping-by-name.client-to-server', 'fails', PING, pinged('1f30')),
  scenario('exposed-port.ping-by-name.client-to-server', 'fails', PING, pinged('5a80')),
  scenario('subnet.default-mask-16', 'conforms'),
])

test('one draft per failing scenario, matching its own failure; the same evidence elsewhere is said, not refused', () => {
  const drafts = draftDeviations(RUN)
  expect(drafts.map((d) => d.id)).to.deep.equal([
    'multi-bridge.multiple-net-refused',
    'multi-bridge.multiple-net-refused-create',
    'new-bridge.ping-by-name.client-to-server',
    'exposed-port.ping-by-name.client-to-server',
  ])
  expect(drafts[0].step).to.equal(REFUSED)
  expect(drafts[0].sameAs).to.deep.equal([])
  expect(drafts[2].sameAs).to.deep.equal(['exposed-port.ping-by-name.client-to-server'])
})

test("a declaration that matches another scenario's different failure is refused, naming it", () => {
  const broad = { reason: 'r', step: REFUSED, observed: 'was accepted' }
  expect(() => checkDeclared({ 'multi-bridge.multiple-net-refused': broad }, RUN))
    .to.throw(UsageError)
    .with.property('message')
    .that.matches(
      /^the declared deviation of multi-bridge\.multiple-net-refused also matches the failure of multi-bridge\.multiple-net-refused-create \(/,
    )
  const narrow = { reason: 'r', step: REFUSED, observed: '^`docker run ' }
  expect(() => checkDeclared({ 'multi-bridge.multiple-net-refused': narrow }, RUN)).to.not.throw()
})

test('a profile with a draft whose reason is unset is refused in one line naming the scenarios', () => {
  const text = [
    'name: mine',
    'endpoint: unix:///x.sock',
    'publicAddress: 127.0.0.1',
    'probeImage: netconform-probe:1',
    'deviations:',
    '  multi-bridge.multiple-net-refused:',
    '    reason: null',
    `    step: '${REFUSED}'`,
    "    observed: 'was accepted'",
    '  subnet.default-mask-16:',
    "    step: 'x'",
    "    observed: 'y'",
  ].join('\n')
  expect(() => parseTarget(text, 'mine.yaml'))
    .to.throw(UsageError)
    .with.property('message')
    .that.equals(
      'mine.yaml: 2 draft deviation(s) without a reason (write why the endpoint does this, or remove the draft): ' +
        'multi-bridge.multiple-net-refused, subnet.default-mask-16',
    )
})

test('a declaration that also matches a different failure of its scenario, recorded in another run, is named', () => {
  const declared = { reason: 'r', step: REFUSED, observed: 'was accepted' }
  const other = summaryOf(
    [
      scenario(
        'multi-bridge.multiple-net-refused',
        'fails',
        REFUSED,
        '`docker run -d --name web --net a` was accepted',
      ),
    ],
    '20261208T010000Z-aaaaaa',
    'other',
  )
  const same = summaryOf(
    [
      scenario(
        'multi-bridge.multiple-net-refused',
        'fails',
        REFUSED,
        '`docker run -d --name web` was accepted (exit 0)',
      ),
    ],
    '20261208T020000Z-bbbbbb',
  )
  const wider = widerDeclarations({ 'multi-bridge.multiple-net-refused': declared }, RUN, [other, same])
  expect(wider).to.deep.equal([
    {
      id: 'multi-bridge.multiple-net-refused',
      also: [`other 20261208T010000Z-aaaaaa: ${REFUSED}: \`docker run -d --name web --net a\` was accepted`],
    },
  ])
  expect(widerDeclarations({ 'multi-bridge.multiple-net-refused': declared }, RUN, [same])).to.deep.equal([])
})

test('declare REPORT writes the drafts into the run profile; a run refuses them until reasons are written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-declare-'))
  const report = join(dir, 'report')
  mkdirSync(report)
  writeFileSync(join(report, 'summary.json'), JSON.stringify(RUN))
  const profile = ['# mine', 'name: mine', 'endpoint: unix:///x.sock', 'publicAddress: 127.0.0.1']
  writeFileSync(join(report, 'profile.yaml'), [...profile, 'probeImage: netconform-probe:1', ''].join('\n'))
  const out = join(dir, 'mine.yaml')
  const declared = await execa('node', [CLI, 'declare', report, '-o', out], { reject: false })
  expect(declared.exitCode, declared.stderr).to.equal(0)
  expect(declared.stdout).to.match(/^netconform: 4 draft deviation\(s\) in .*mine\.yaml/)
  const text = readFileSync(out, 'utf8')
  expect(text).to.match(/^# mine\n/)
  expect(text).to.include('# DRAFT from run 20261208T033119Z-7fcf2a: multi-bridge.multiple-net-refused failed')
  const refused = await execa('node', [CLI, 'run', '--target', out], { reject: false })
  expect(refused.exitCode).to.equal(2)
  expect(refused.stderr.trim().split('\n')).to.have.length(1)
  expect(refused.stderr).to.match(/4 draft deviation\(s\) without a reason .*: multi-bridge\.multiple-net-refused,/)

  const broad = join(dir, 'broad.yaml')
  writeFileSync(
    broad,
    [
      ...profile,
      'probeImage: p:1',
      'deviations:',
      '  subnet.default-mask-16:',
      '    reason: r',
      `    step: '${REFUSED}'`,
      "    observed: 'was accepted'",
      '',
    ].join('\n'),
  )
  const overreach = await execa('node', [CLI, 'declare', report, '--profile', broad], { reject: false })
  expect(overreach.exitCode).to.equal(2)
  expect(overreach.stderr.trim().split('\n')).to.have.length(1)
  expect(overreach.stderr).to.include(
    'the declared deviation of subnet.default-mask-16 also matches the failure of multi-bridge.multiple-net-refused (',
  )
})
