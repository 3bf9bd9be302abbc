/**
 * VIC's own answers, fed to the checks that judge them, so the VIC path stays right without a VCH.
 * Each message is quoted from vmware/vic (github.com/vmware/vic, commit 9489f63e, 2022-06-10) at
 * the file and line given; the engine wraps a portlayer error as a 500 "Server error from
 * portlayer: MSG" (lib/apiservers/engine/errors/errors.go 114), and the docker CLI prints a 500 as
 * "Error response from daemon: MSG" ("docker: " first for docker run).
 */
import { test } from 'node:test'
import { expect } from 'chai'
import { expectRefused, type CommandResult } from '../../support/engine/docker-cli'
import { judgeRefusedInTurn, type HeldAddress } from '../../support/observe/refusal'
import { withFirstNetOnly } from '../../support/scenario/commands'
import { failedCallOf } from '../../support/report/not-run'
import { inboundOutcome } from '../../support/profile/deployment'
import type { NetconformRecord } from '../../support/records'

const OUTSIDE = '198.51.100.20'
const TAKEN = '198.51.100.150'

const command = (documented: string, argv: string[], over: Partial<CommandResult> = {}): CommandResult => ({
  documented,
  argv,
  notes: [],
  stdout: '',
  stderr: '',
  exitCode: 0,
  durationMs: 80,
  timedOut: false,
  deadlineMs: 60_000,
  ...over,
})

const connect = (ip: string, container: string, over: Partial<CommandResult> = {}) =>
  command(
    `docker network connect --ip ${ip === OUTSIDE ? 'outside_address' : 'ip_address'} container-net ${container}`,
    ['network', 'connect', `--ip=${ip}`, 'ExternalNetwork', `nc-1-a-${container}`],
    over,
  )
const start = (container: string, over: Partial<CommandResult> = {}) =>
  command(`docker start ${container}`, ['start', `nc-1-a-${container}`], over)
const refusedWith = (message: string): Partial<CommandResult> => ({
  exitCode: 1,
  stderr: `Error response from daemon: ${message}\nError: failed to start containers: nc-1-a-container1`,
})

const created = (container: string): HeldAddress => ({
  container: `nc-1-a-${container}`,
  status: 'created',
  running: false,
  inspectedOn: [],
})
const runningWith = (container: string, ip: string): HeldAddress => ({
  container: `nc-1-a-${container}`,
  status: 'running',
  running: true,
  inspectedOn: ['ExternalNetwork'],
  shown: [{ iface: 'eth1', address: ip, prefix: 24 }],
})

// lib/portlayer/network/ipam.go 310: the start binds the container (context.go bindContainer 671, scope.go
// reserveEndpointIP 145-154, ipam.go ReserveIP4 349-350), and an address outside the pool cannot be reserved.
const NOT_IN_POOL =
  `Server error from portlayer: Cannot reserve IP range ${OUTSIDE} - ${OUTSIDE}.  ` +
  "Not within pool's range 198.51.100.128 - 198.51.100.191"
// lib/portlayer/network/ipam.go 308: an address of the pool another container holds.
const IN_USE = `Server error from portlayer: Cannot reserve IP range ${TAKEN} - ${TAKEN}.  Already in use`

test('static-ip.outside-range-refused: VIC accepts the connect and refuses at start (ipam.go 310): conforms', () => {
  const line = judgeRefusedInTurn(
    [connect(OUTSIDE, 'container1'), start('container1', refusedWith(NOT_IN_POOL))],
    created('container1'),
    { about: 'the address or the range', address: OUTSIDE },
  )
  expect(line).to.equal(
    `refused at \`docker start container1\`: Error response from daemon: ${NOT_IN_POOL}; ` +
      'nc-1-a-container1 is not running (created)',
  )
})

test('static-ip.taken-address-refused: VIC accepts the connect and refuses at start (ipam.go 308): conforms', () => {
  expect(
    judgeRefusedInTurn(
      [connect(TAKEN, 'container2'), start('container2', refusedWith(IN_USE))],
      created('container2'),
      {
        about: 'the address',
        address: TAKEN,
      },
    ),
  ).to.match(/^refused at `docker start container2`: .*Already in use; nc-1-a-container2 is not running \(created\)$/)
})

test('static-ip refusals: at the connect (Docker, Podman) conforms as well; the start is then never tried', () => {
  expect(
    judgeRefusedInTurn(
      [connect(OUTSIDE, 'container1', refusedWith(`invalid address ${OUTSIDE}: not in the network's range`))],
      created('container1'),
      { about: 'the address or the range', address: OUTSIDE },
    ),
  ).to.match(/^refused at `docker network connect --ip outside_address container-net container1`/)
})

test('static-ip refusals fail where VIC would be wrong: both accepted, the address held, or a refusal naming nothing', () => {
  // Both accepted and the container runs with the address: what docker-28 does outside the range.
  expect(() =>
    judgeRefusedInTurn([connect(OUTSIDE, 'container1'), start('container1')], runningWith('container1', OUTSIDE), {
      about: 'the address or the range',
      address: OUTSIDE,
    }),
  ).to.throw(
    '`docker network connect --ip outside_address container-net container1` and `docker start container1` were ' +
      `both accepted: nc-1-a-container1 runs with ${OUTSIDE} (inspect shows it on ExternalNetwork; ip addr in it ` +
      'shows it); the document says the address is refused',
  )
  // Both accepted, the address silently dropped: still no refusal.
  expect(() =>
    judgeRefusedInTurn(
      [connect(OUTSIDE, 'container1'), start('container1')],
      { ...runningWith('container1', '198.51.100.140'), inspectedOn: [] },
      { about: 'the address or the range', address: OUTSIDE },
    ),
  ).to.throw(/were both accepted: nc-1-a-container1 runs without 198\.51\.100\.20/)
  // A start refused for another reason than the address (a portlayer failure of its own).
  expect(() =>
    judgeRefusedInTurn(
      [
        connect(OUTSIDE, 'container1'),
        start('container1', refusedWith('Server error from portlayer: context canceled')),
      ],
      created('container1'),
      { about: 'the address or the range', address: OUTSIDE },
    ),
  ).to.throw(/does not name the address 198\.51\.100\.20 or the range/)
  // Refused, and yet the container runs with the address.
  expect(() =>
    judgeRefusedInTurn(
      [connect(TAKEN, 'container2'), start('container2', refusedWith(IN_USE))],
      runningWith('container2', TAKEN),
      {
        about: 'the address',
        address: TAKEN,
      },
    ),
  ).to.throw(`\`docker start container2\` was refused, yet nc-1-a-container2 runs with ${TAKEN} (inspect shows it`)
  expect(() => judgeRefusedInTurn([], created('container1'), { about: 'the address', address: TAKEN })).to.throw(
    /no command was tried/,
  )
})

test('static-ip.rangeless-network-refuses-ip: VIC refuses the connect without a gateway (context.go 1124)', () => {
  const r = command(
    'docker network connect --ip rangeless_address rangeless-net container1',
    ['network', 'connect', '--ip=192.0.2.9', 'rangeless-net', 'nc-1-a-container1'],
    refusedWith('Cannot set static IP (192.0.2.9) when default gateway is not set for network rangeless-net'),
  )
  expect(() => expectRefused(r, { about: 'the address or the range' })).to.not.throw()
})

// lib/apiservers/engine/backends/container.go 2017, on container create (docker run creates first).
const ONE_ENDPOINT = 'NetworkMode error: Container can be connected to one vicnetwork endpoint only'

test('multi-bridge.multiple-net-refused(-create): VIC refuses run and create (container.go 2017): conforms', () => {
  const run = command(
    'docker run -d --name web --net bridge-db --net bridge-web myrepo/web-view',
    ['run', '-d', '--name=nc-1-a-web', '--net', 'nc-1-a-bridge-db', '--net', 'nc-1-a-bridge-web', 'netconform-probe:1'],
    {
      exitCode: 125,
      stderr: `docker: Error response from daemon: ${ONE_ENDPOINT}\n\nRun 'docker run --help' for more information`,
    },
  )
  const create = command(
    'docker create --name web --net bridge-db --net bridge-web myrepo/web-view',
    ['create', '--name=nc-1-a-web', '--net', 'nc-1-a-bridge-db', '--net', 'nc-1-a-bridge-web', 'netconform-probe:1'],
    { exitCode: 1, stderr: `Error response from daemon: ${ONE_ENDPOINT}` },
  )
  // "it is refused": the message is not required to name the networks (VIC's does not).
  expect(() => expectRefused(run)).to.not.throw()
  expect(() => expectRefused(create)).to.not.throw()
  // The control the step runs after the refusal: the same command with its first --net only.
  expect(withFirstNetOnly(run.documented)).to.equal('docker run -d --name web --net bridge-db myrepo/web-view')
  expect(withFirstNetOnly(create.documented)).to.equal('docker create --name web --net bridge-db myrepo/web-view')
  expect(withFirstNetOnly('docker run --net=a --network b --net=c x')).to.equal('docker run --net=a x')
  // Accepted (Docker 28, Podman): fails.
  expect(() => expectRefused({ ...create, exitCode: 0, stderr: '', stdout: 'ec5b710c\n' })).to.throw(
    /^`docker create --name web --net bridge-db --net bridge-web myrepo\/web-view` was accepted/,
  )
})

test('VIC answers its refusals with a 500: a scenario that conforms on one keeps its verdict', () => {
  const records: NetconformRecord[] = [
    { kind: 'api-failure', call: 'POST /containers/create', status: 500, message: 'HTTP 500', by: 'cli' },
  ]
  expect(failedCallOf('conforms', records)).to.equal(undefined)
  // A failure beside such a call is not judged (it may be the endpoint's failure): not run, naming the call.
  expect(failedCallOf('fails', records)?.reason).to.match(/^the endpoint failed a call of the suite: POST/)
})

// lib/portlayer/exec/container.go 418: the start waits up to constants.PropertyCollectorTimeout (3 minutes,
// lib/constants/constants.go 52) for the launch; lib/portlayer/exec/base.go 518 words the failure.
const LAUNCH =
  'docker: Error response from daemon: Server error from portlayer: unable to wait for process launch status'

test("dhcp.without-dns-times-out: VIC's error after 3 minutes conforms when the profile gives it that long", () => {
  const tried = command(
    'docker run -it --net=DhcpNetwork --name container1 busybox',
    ['run', '-d', '--net=DhcpNetwork', '--name=nc-1-a-container1', 'netconform-probe:1'],
    {
      exitCode: 125,
      stderr: `${LAUNCH}: context deadline exceeded\n\nRun 'docker run --help' for more information`,
      durationMs: 180_400,
      deadlineMs: 240_000,
    },
  )
  expect(() => expectRefused(tried, { line: LAUNCH })).to.not.throw()
  // With the profile's default 60 s, the CLI is stopped before VIC answers: no refusal was seen.
  expect(() =>
    expectRefused({ ...tried, exitCode: undefined, stderr: '', timedOut: true, deadlineMs: 60_000 }, { line: LAUNCH }),
  ).to.throw(/got no answer within 60 s: a timeout is not a refusal/)
})

test("dhcp.without-dns-times-out: the document's whole line, not words of it inside another", () => {
  const refused = (stderr: string) =>
    command('docker run -it --net=DhcpNetwork --name container1 busybox', ['run', '-d', 'netconform-probe:1'], {
      exitCode: 125,
      stderr,
      durationMs: 1_000,
      deadlineMs: 60_000,
    })
  // the document's line as it stands, and with VIC's detail after ': '
  expect(() => expectRefused(refused(`${LAUNCH}\n`), { line: LAUNCH })).to.not.throw()
  expect(() => expectRefused(refused(`${LAUNCH}: context deadline exceeded`), { line: LAUNCH })).to.not.throw()
  // the words inside another line, or the line with more words after it: not the documented line
  const inside = `Error: OCI runtime error: ${LAUNCH.replace('docker: ', '')}`
  expect(() => expectRefused(refused(inside), { line: LAUNCH })).to.throw(/but no line of its error is "docker: Error/)
  expect(() => expectRefused(refused(`${LAUNCH}es of 3 containers`), { line: LAUNCH })).to.throw(/no line of its error/)
})

test('trust levels closed and outbound: VIC refuses -p there (context.go 1131-1133); the trust scenarios are not applicable', () => {
  // 'ports cannot be published via container network NAME (firewall configured as either "closed" or "outbound")'
  // reaches no check: at these levels nothing comes in, so no control from the outside can answer.
  expect(inboundOutcome('closed', true)).to.equal('nothing in')
  expect(inboundOutcome('outbound', true)).to.equal('nothing in')
})
