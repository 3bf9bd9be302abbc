/**
 * The judgements behind the observations, each shown failing on the broken endpoint it exists
 * to catch: who answered, what counts as "no answer", a CIDR hit, a refusal of the documented kind.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import type Docker from 'dockerode'
import { addressInCidr } from '../../support/observe/addresses'
import { connectedAddressOf, lookedUpAddresses, parseNeighbours, telnetLike } from '../../support/observe/busybox'
import { nameNotRegistered, resolvedElsewhere } from '../../support/observe/finality'
import { boundByControl, connectionOutcome, expectNoAnswer } from '../../support/observe/negative'
import { judgeAnswer } from '../../support/observe/positive'
import { judgeSilence, type Silence } from '../../support/observe/silence'
import { expectRefused, type CommandResult } from '../../support/engine/docker-cli'

test('judgeAnswer: the greeting from the intended container only; another container answering is named', () => {
  expect(judgeAnswer('Hello world! from nc-1-a-db', 'Hello world!', 'nc-1-a-db').ok).to.equal(true)
  // A name that resolves to the asking container itself: its own service answers.
  expect(judgeAnswer('Hello world! from nc-1-a-model', 'Hello world!', 'nc-1-a-db')).to.deep.equal({
    ok: false,
    why: 'answered by nc-1-a-model, not by nc-1-a-db',
  })
  expect(judgeAnswer('Hello world!', 'Hello world!', 'nc-1-a-db').ok, 'an anonymous greeting proves nothing').to.equal(
    false,
  )
  expect(judgeAnswer('', 'Hello world!', 'nc-1-a-db')).to.deep.equal({ ok: false })
})

test('connectionOutcome: only refused, timed out, unreachable and no route are "no answer"', () => {
  expect(connectionOutcome('', "nc: can't connect to remote host (10.89.2.2): Connection refused", 1)).to.deep.equal({
    kind: 'no answer',
    how: 'connection refused',
  })
  expect(connectionOutcome('', 'nc: timed out', 1)).to.deep.equal({ kind: 'no answer', how: 'timed out' })
  expect(connectionOutcome('', '', 143)).to.deep.equal({ kind: 'no answer', how: 'timed out' })
  // busybox sh's notice when timeout kills nc before nc's own -w (seen in CI on a loaded machine)
  expect(connectionOutcome('', 'Terminated\n', 143)).to.deep.equal({ kind: 'no answer', how: 'timed out' })
  expect(connectionOutcome('', 'Terminated\nnc: bad address', 143).kind).to.equal('other')
  expect(connectionOutcome('', 'Terminated', 1).kind).to.equal('other')
  expect(connectionOutcome('', 'nc: connect: Network is unreachable', 1)).to.deep.equal({
    kind: 'no answer',
    how: 'network unreachable',
  })
  expect(connectionOutcome('', 'connect EHOSTUNREACH 198.51.100.9:80', undefined)).to.deep.equal({
    kind: 'no answer',
    how: 'no route to host',
  })
  // A broken probe is not silence: a missing applet, a missing namespace, a connection that said nothing.
  expect(connectionOutcome('', 'sh: nc: not found', 127).kind).to.equal('other')
  expect(
    connectionOutcome('', 'Cannot open network namespace "extclient": No such file or directory', 1).kind,
  ).to.equal('other')
  expect(connectionOutcome('', '', 0).kind).to.equal('other')
  // Something answered, even if it is not one of ours (a proxy beyond this machine answers HTTP).
  expect(connectionOutcome('HTTP/1.1 400 Bad Request', '', 0)).to.deep.equal({
    kind: 'answered',
    text: 'HTTP/1.1 400 Bad Request',
  })
})

test('expectNoAnswer: an answer or an unrecognised ending fails, saying what was seen', () => {
  const db = { who: 'db', address: '198.51.100.5', port: 80 }
  expect(expectNoAnswer({ ...db, outcome: { kind: 'no answer', how: 'timed out' } })).to.equal('timed out')
  expect(() => expectNoAnswer({ ...db, outcome: { kind: 'answered', text: 'Hello world! from x' } })).to.throw(
    'db reached 198.51.100.5:80 and got "Hello world! from x"',
  )
  expect(() => expectNoAnswer({ ...db, outcome: { kind: 'other', text: 'exit 127: sh: nc: not found' } })).to.throw(
    /neither in an answer nor in a recognised "no answer".*not found/,
  )
  expect(() =>
    expectNoAnswer({
      outcome: { kind: 'no answer', how: 'timed out' },
      who: 'this host',
      address: '198.51.100.1',
      port: 80,
      allowed: ['connection refused'],
    }),
  ).to.throw(/timed out/)
})

test('boundByControl: ten round trips of the control, at least a second', () => {
  expect(boundByControl(40).seconds).to.equal(1)
  expect(boundByControl(250).seconds).to.equal(3)
  expect(boundByControl(250).why).to.contain("10 × the control's 250 ms round trip")
})

test('addressInCidr: a hit must exist before its mask is checked', () => {
  const shown = [{ iface: 'eth0', address: '172.18.0.2', prefix: 24 }]
  // The old check passed here: no address in 203.0.113.0/24, but one with the same mask length.
  expect(() => addressInCidr(shown, '203.0.113.0/24', 'client')).to.throw(
    'shows no address in 203.0.113.0/24; it shows 172.18.0.2/24 on eth0',
  )
  expect(() =>
    addressInCidr([{ iface: 'eth0', address: '203.0.113.2', prefix: 16 }], '203.0.113.0/24', 'client'),
  ).to.throw(/with mask \/16, not \/24/)
  expect(
    addressInCidr([{ iface: 'eth0', address: '203.0.113.2', prefix: 24 }], '203.0.113.0/24', 'client').address,
  ).to.equal('203.0.113.2')
})

const tried = (over: Partial<CommandResult>): CommandResult => ({
  documented: 'docker network connect --ip outside_address container-net container1',
  argv: ['network', 'connect', '--ip=198.51.100.20', 'netconform-external', 'nc-1-a-container1'],
  notes: [],
  stdout: '',
  stderr: '',
  exitCode: 1,
  durationMs: 5,
  timedOut: false,
  deadlineMs: 60_000,
  ...over,
})

test('expectRefused: a refusal names what it refuses; a timeout or an unrelated error is no refusal', () => {
  expect(() =>
    expectRefused(tried({ stderr: 'Error response from daemon: invalid address 198.51.100.20: not in range' }), {
      about: 'the address or the range',
    }),
  ).to.not.throw()
  expect(() => expectRefused(tried({ exitCode: 0 }), { about: 'the address or the range' })).to.throw(/was accepted/)
  expect(() =>
    expectRefused(tried({ exitCode: undefined, timedOut: true }), { about: 'the address or the range' }),
  ).to.throw(/no answer within 60 s: a timeout is not a refusal/)
  // the deadline a step gave (deployment.dhcpErrorWithinSeconds) is the one the message names
  expect(() => expectRefused(tried({ exitCode: undefined, timedOut: true, deadlineMs: 180_000 }))).to.throw(
    /no answer within 180 s: a timeout is not a refusal/,
  )
  expect(() =>
    expectRefused(tried({ stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock' }), {
      about: 'the address or the range',
    }),
  ).to.throw(/does not name the address 198.51.100.20 or the range/)
  expect(() =>
    expectRefused(tried({ stderr: 'Error: container is running' }), { about: 'the running state' }),
  ).to.not.throw()
  expect(() => expectRefused(tried({ stderr: 'unknown flag: --ip' }), { about: 'the running state' })).to.throw(
    /does not name the container's running state/,
  )
  expect(() => expectRefused(tried({ stderr: '' }), { about: 'the address' })).to.throw(/without saying why/)
})

test("resolvedElsewhere: a name that ping resolves to another address than the peer's is final", () => {
  expect(resolvedElsewhere('PING nc-1-a-server (127.0.0.1): 56 data bytes\n', '172.18.0.2')).to.match(
    /^nc-1-a-server resolves to 127.0.0.1, not to 172.18.0.2/,
  )
  expect(
    resolvedElsewhere(
      'PING nc-1-a-server (172.18.0.2): 56 data bytes\nping: permission denied (are you root?)',
      '172.18.0.2',
    ),
  ).to.equal(undefined)
  expect(resolvedElsewhere("ping: bad address 'nc-1-a-server'", '172.18.0.2')).to.equal(undefined)
})

test("nameNotRegistered: a running container's name still unknown 10 s after its start (the engine's clock) is final; sooner, or not knowable, waiting goes on", async () => {
  const engine = (startedAt: string, systemTime: string, running = true) =>
    ({
      getContainer: (name: string) => ({
        inspect: async () => {
          if (name !== 'nc-1-a-db') throw new Error('no such container')
          return { State: { Running: running, StartedAt: startedAt } }
        },
      }),
      info: async () => ({ SystemTime: systemTime }),
    }) as unknown as Docker
  const notes: unknown[] = []
  const attach = (x: unknown) => void notes.push(x)
  const why = await nameNotRegistered(
    engine('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:25.000Z'),
    attach,
    'nc-1-a-view',
    'nc-1-a-db',
  )
  expect(why).to.match(
    /^nc-1-a-db does not resolve in nc-1-a-view, whose nameservers it can reach, although nc-1-a-db has run for 25 s .*waiting cannot change that$/,
  )
  expect(notes, 'the evidence is attached').to.have.length(1)
  // Just started: the engine may still be registering it.
  expect(
    await nameNotRegistered(
      engine('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:04.000Z'),
      attach,
      'nc-1-a-view',
      'nc-1-a-db',
    ),
  ).to.equal(undefined)
  // The engine's clock, not this machine's (hours later than both): a skewed remote endpoint is judged by its own time.
  expect(
    await nameNotRegistered(
      engine('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:03.000Z'),
      attach,
      'nc-1-a-view',
      'nc-1-a-db',
    ),
  ).to.equal(undefined)
  expect(
    await nameNotRegistered(
      engine('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:25.000Z', false),
      attach,
      'nc-1-a-view',
      'nc-1-a-db',
    ),
    'not running',
  ).to.equal(undefined)
  expect(
    await nameNotRegistered(engine('2026-12-01T10:00:00.000Z', ''), attach, 'nc-1-a-view', 'nc-1-a-db'),
    'no engine clock',
  ).to.equal(undefined)
  expect(
    await nameNotRegistered(
      engine('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:25.000Z'),
      attach,
      'nc-1-a-view',
      'elsewhere',
    ),
    'not a container',
  ).to.equal(undefined)
  expect(
    await nameNotRegistered(
      engine('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:25.000Z'),
      attach,
      'nc-1-a-view',
      '10.0.0.2',
    ),
    'an address',
  ).to.equal(undefined)
})

test("connectedAddressOf: the address a name resolved to, from nc's refusal or timeout; none without it", () => {
  expect(connectedAddressOf("nc: can't connect to remote host (127.0.0.1): Connection refused")).to.equal('127.0.0.1')
  expect(connectedAddressOf("nc: can't connect to remote host (10.88.0.7): Connection timed out")).to.equal('10.88.0.7')
  expect(connectedAddressOf("nc: bad address 'nc-1-a-db'")).to.equal(undefined)
  expect(connectedAddressOf('')).to.equal(undefined)
})

test('parseNeighbours and lookedUpAddresses: busybox ip neigh and nslookup, as they print', () => {
  const neigh =
    '10.91.3.3 dev eth0 lladdr 4a:7e:11:22:33:44 used 0/0/0 probes 1 STALE\n10.91.3.9 dev eth0  used 0/0/0 probes 3 FAILED\n'
  expect(parseNeighbours(neigh)).to.deep.equal([
    { address: '10.91.3.3', lladdr: '4a:7e:11:22:33:44', state: 'STALE' },
    { address: '10.91.3.9', state: 'FAILED' },
  ])
  const looked =
    'Server:\t\t10.91.3.1\nAddress:\t10.91.3.1:53\n\nNon-authoritative answer:\nName:\tnc-1-a-db.dns.podman\nAddress: 10.91.3.3\n'
  expect(lookedUpAddresses(looked), "the server's own address is not the answer").to.deep.equal(['10.91.3.3'])
  expect(
    lookedUpAddresses("Server:\t10.91.3.1\nAddress:\t10.91.3.1:53\n\n** server can't find nc-1-a-db: NXDOMAIN\n"),
  ).to.deep.equal([])
  // One output per nameserver: the network whose DNS does not know the name says so, the other answers.
  expect(
    lookedUpAddresses(
      `Server:\t10.91.4.1\nAddress:\t10.91.4.1:53\n\n** server can't find nc-1-a-db: NXDOMAIN\n\n${looked}`,
    ),
  ).to.deep.equal(['10.91.3.3'])
})

test('telnetLike: a connect wait makes a silent connect end with "nc: timed out"; without one, as before', () => {
  expect(telnetLike('10.0.0.2', 80, 'GET /', 2)).to.equal("printf '%s\\r\\n' 'GET /' | timeout 10 nc -w 2 10.0.0.2 80")
  expect(telnetLike('10.0.0.2', 80, 'GET /')).to.equal("printf '%s\\r\\n' 'GET /' | timeout 10 nc 10.0.0.2 80")
})

test("judgeSilence: dropped on the path only when the service is up and the asker has the peer's MAC for the address asked", () => {
  const dropped: Silence = {
    from: 'nc-1-a-db',
    target: 'nc-1-a-model',
    port: 80,
    answerer: 'nc-1-a-model',
    resolved: ['10.91.3.3'],
    peer: [
      { address: '10.91.4.2', mac: 'aa:aa:aa:aa:aa:aa' },
      { address: '10.91.3.3', mac: '4A:7E:11:22:33:44' },
    ],
    neighbours: [{ address: '10.91.3.3', lladdr: '4a:7e:11:22:33:44', state: 'REACHABLE' }],
    serviceAnswers: true,
  }
  expect(judgeSilence(dropped)).to.match(
    /^dropped on the path: nc-1-a-db's connection to nc-1-a-model \(10\.91\.3\.3\):80 got no answer at all within 2 s .*nc-1-a-model's service answers inside it on port 80 .*\(4a:7e:11:22:33:44, REACHABLE, the MAC the endpoint reports\).*waiting cannot change that$/,
  )
  expect(judgeSilence({ ...dropped, target: '10.91.3.3' })).to.match(/connection to 10\.91\.3\.3:80 got no answer/)
  // A service still starting: the same silence, but its own loopback does not answer yet: the poll goes on.
  expect(judgeSilence({ ...dropped, serviceAnswers: false }), 'service still starting').to.equal(undefined)
  // ARP not answered (yet): nothing says the peer is on the asker's link.
  expect(
    judgeSilence({ ...dropped, neighbours: [{ address: '10.91.3.3', state: 'INCOMPLETE' }] }),
    'no lladdr',
  ).to.equal(undefined)
  expect(
    judgeSilence({ ...dropped, neighbours: [{ address: '10.91.3.3', lladdr: '4a:7e:11:22:33:44', state: 'FAILED' }] }),
    'failed',
  ).to.equal(undefined)
  expect(judgeSilence({ ...dropped, neighbours: [] }), 'no entry').to.equal(undefined)
  // Another machine answers ARP for that address: not the peer's link-layer address.
  expect(
    judgeSilence({ ...dropped, neighbours: [{ address: '10.91.3.3', lladdr: '02:00:00:00:00:01', state: 'STALE' }] }),
    'other MAC',
  ).to.equal(undefined)
  // The name leads elsewhere (or did not resolve): the peer's MAC says nothing of where the SYNs went.
  expect(judgeSilence({ ...dropped, resolved: ['10.91.9.9'] }), 'resolved elsewhere').to.equal(undefined)
  expect(judgeSilence({ ...dropped, resolved: [] }), 'lookup said nothing').to.equal(undefined)
})
