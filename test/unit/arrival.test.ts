/**
 * The receiver's evidence behind every negative: what its socket table and its own counters show
 * arrived during a probe, each judgement shown failing on the broken endpoint it exists to catch
 * (a path that lets the probe in and loses the answer) and passing on a true one.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import {
  arrivalBetween,
  arrived,
  describeArrival,
  parseConnections,
  parseCounters,
  parseReceiverState,
  type ReceiverState,
} from '../../support/observe/arrival'
import { judgeControlArrived, judgeNothingArrived, type Receiver } from '../../support/observe/receiver'
import { Evidence } from '../../support/observe/evidence'
import { echoOutcome } from '../../support/observe/busybox'

// Read on docker-28 (2026-12-08): container 50 listening on 8080 (::), a SYN from 198.51.100.1
// held half-open after the VCH forwarded port 80 to it, and a TIME-WAIT of an answered control.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0B00007F:9F8F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23472 1 0000 100 0 0 10 0
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23546 2 0000 100 0 0 10 0
   1: 0000000000000000FFFF0000020010AC:1F90 0000000000000000FFFF0000016433C6:AB92 03 00000000:00000000 01:00000058 00000001     0        0 0 0 0000
`
const SNMP = `Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 0 0 0 0 0 3 4 3 0 0 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 0 7 0 0 0 0 0 0 0
`
const DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth1:    1476      16    0    0    0     0          0         0      886       9    0    0    0     0       0          0
`

test('parseConnections: IPv4, v4-mapped IPv6 and states, as the kernel writes them', () => {
  const c = parseConnections(TCP)
  expect(c).to.deep.include({
    local: '127.0.0.11',
    localPort: 40847,
    remote: '0.0.0.0',
    remotePort: 0,
    state: 'LISTEN',
  })
  expect(c).to.deep.include({
    local: '172.16.0.2',
    localPort: 8080,
    remote: '198.51.100.1',
    remotePort: 43922,
    state: 'SYN-RECV',
  })
  expect(c.filter((x) => x.state === 'LISTEN').map((x) => x.localPort)).to.deep.equal([40847, 8080])
})

test('parseCounters: each protocol line pair, by name', () => {
  const n = parseCounters(SNMP)
  expect(n['Tcp.InSegs']).to.equal(3)
  expect(n['Tcp.PassiveOpens']).to.equal(0)
  expect(n['Udp.NoPorts']).to.equal(7)
})

const state = (tcp: string, snmp: string): ReceiverState =>
  parseReceiverState(`${tcp}--- snmp\n${snmp}--- dev\n${DEV}`, true)
const LISTENING = TCP.split('\n').slice(0, 4).join('\n') + '\n'

test('arrivalBetween: a half-open connection that appeared at a listening port is an arrival (the asymmetric path)', () => {
  const before = state(LISTENING, SNMP)
  const after = state(TCP, SNMP.replace('0 3 4 3 0 0 0', '0 6 4 3 0 0 0'))
  const a = arrivalBetween(before, after, 'tcp')
  expect(arrived(a)).to.equal(true)
  expect(a.connections.map((c) => c.state)).to.deep.equal(['SYN-RECV'])
  expect(describeArrival(a)).to.match(
    /^a SYN-RECV connection at 172\.16\.0\.2:8080 from 198\.51\.100\.1:43922; Tcp\.InSegs 3 → 6/,
  )
})

test('arrivalBetween: a connection already there before the probe, or at a port nothing listens on, is not the probe', () => {
  expect(arrived(arrivalBetween(state(TCP, SNMP), state(TCP, SNMP), 'tcp'))).to.equal(false)
  const other = TCP.replace(':1F90 0000000000000000FFFF0000016433C6', ':1F91 0000000000000000FFFF0000016433C6')
  expect(arrivalBetween(state(LISTENING, SNMP), state(other, SNMP), 'tcp').connections).to.deep.equal([])
  const nothing = arrivalBetween(state(LISTENING, SNMP), state(LISTENING, SNMP), 'tcp')
  expect(describeArrival(nothing)).to.equal(
    'no new connection at port 8080; Tcp.PassiveOpens 0, Tcp.InSegs 3 unchanged',
  )
})

test("arrivalBetween: a receiver's own counters show datagrams and echoes; a shared namespace's are never read", () => {
  const udp = arrivalBetween(state(TCP, SNMP), state(TCP, SNMP.replace('Udp: 0 7', 'Udp: 0 9')), 'udp')
  expect(udp.moved).to.deep.equal({ 'Udp.NoPorts': [7, 9] })
  const shared = parseReceiverState(`${TCP}--- snmp\n${SNMP}`, false)
  expect(shared.counters).to.deep.equal({})
  expect(arrived(arrivalBetween(shared, parseReceiverState(`${TCP}--- snmp\nUdp: a\nUdp: 9`, false), 'udp'))).to.equal(
    false,
  )
})

const receiver = (heard = 0): Receiver => ({
  name: 'nc-1-a-view',
  counts: true,
  read: () => Promise.resolve(state(LISTENING, SNMP)),
  answersGo: (local, remote) => Promise.resolve(`${local} is on eth1 (bridge); its answers to ${remote} leave by eth0`),
  heardMarker: () => heard,
})

test('judgeNothingArrived: an unanswered probe that arrived fails as "arrived", naming where and where the answers went', async () => {
  const a = arrivalBetween(state(LISTENING, SNMP), state(TCP, SNMP), 'tcp')
  const err = await judgeNothingArrived({ receiver: receiver(), arrival: a, probe: "this host's connection" }).catch(
    (e: unknown) => e,
  )
  expect(err).to.be.instanceOf(Evidence)
  expect((err as Evidence).kind).to.equal('arrived')
  expect((err as Evidence).message).to.equal(
    "this host's connection got no answer, but it reached nc-1-a-view: a SYN-RECV connection at 172.16.0.2:8080 from " +
      '198.51.100.1:43922; 172.16.0.2 is on eth1 (bridge); its answers to 198.51.100.1 leave by eth0; ' +
      'where the document shows nothing gets through',
  )
  const none = arrivalBetween(state(LISTENING, SNMP), state(LISTENING, SNMP), 'tcp')
  expect(await judgeNothingArrived({ receiver: receiver(), arrival: none, probe: 'the probe' })).to.match(
    /^nothing of the probe reached nc-1-a-view/,
  )
  // A datagram the receiver kept with the probe's marker is an arrival, whatever the counters say.
  const kept = await judgeNothingArrived({ receiver: receiver(1), arrival: none, probe: 'p', marker: 'm' }).catch(
    (e: unknown) => e,
  )
  expect((kept as Evidence).message).to.match(/1 datagram\(s\) carrying the probe's marker/)
})

test('judgeControlArrived: a control whose arrival the receiver cannot show stops the check (its silence would prove nothing)', async () => {
  const none = arrivalBetween(state(LISTENING, SNMP), state(LISTENING, SNMP), 'tcp')
  const err = await judgeControlArrived({ receiver: receiver(), arrival: none, probe: 'the control' }).catch(
    (e: unknown) => e,
  )
  expect(String(err)).to.match(/cannot tell an arrival on this endpoint/)
  const shown = arrivalBetween(
    state(LISTENING, SNMP),
    state(LISTENING, SNMP.replace('0 0 0 0 0 3', '0 1 0 0 0 9')),
    'tcp',
  )
  expect(await judgeControlArrived({ receiver: receiver(), arrival: shown, probe: 'the control' })).to.match(
    /Tcp\.PassiveOpens 0 → 1/,
  )
})

test('echoOutcome: a reply, none, or a sender without the capability to ping', () => {
  expect(echoOutcome('64 bytes from 10.0.0.2: seq=0 ttl=64', '10.0.0.2')).to.equal('reply')
  expect(echoOutcome('1 packets transmitted, 0 packets received\nping exit 1', '10.0.0.2')).to.equal('no reply')
  expect(echoOutcome('ping: permission denied (are you root?)\nping exit 1', '10.0.0.2')).to.deep.equal({
    cannot: 'ping: permission denied (are you root?)',
  })
})

test("arrivalBetween: packets the receiver's own reverse-path filter dropped reached it (a blackholed answer route)", () => {
  // Measured on podman-5 under the bridge-answers-to-outside-lost fault: eth0 received 13 packets,
  // Tcp.InSegs stayed, the kernel's rp_filter dropped the SYNs before TCP saw them.
  const netstat = (n: number) => `TcpExt: SyncookiesSent IPReversePathFilter\nTcpExt: 0 ${n}\n`
  const a = arrivalBetween(state(LISTENING, SNMP + netstat(0)), state(LISTENING, SNMP + netstat(3)), 'tcp')
  expect(arrived(a)).to.equal(true)
  expect(describeArrival(a)).to.equal('TcpExt.IPReversePathFilter 0 → 3')
})
