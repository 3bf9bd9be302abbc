/**
 * The judgements behind the container network's promises (the Combine section's three advantages and
 * its NOTE), each shown failing on the broken endpoint it exists to catch: a container that stopped
 * answering while the control plane was down, a held connection cut, an answer from someone else, too
 * few asks to prove anything; a source address rewritten (NAT) either way; bridges sharing a subnet.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import type { Tick } from '../../support/engine/held-connection'
import { judgeConnectivityKept } from '../../support/observe/control-plane'
import { judgePeer, plainPeer } from '../../support/observe/nat'
import { judgeSegregated, overlaps } from '../../support/observe/isolation'
import { Evidence } from '../../support/observe/evidence'
import { neededOffers } from '../../support/scenario/offers'
import { canStartBeside } from '../../support/holds/scheduler'

const VIEW = 'nc-abc123-0001-view'
const GREETING = `Hello world! from ${VIEW}`

function ticks(n: number, broken: (seq: number) => Partial<Tick> = () => ({})): Tick[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    at: i * 250,
    held: `seq ${i + 1} from ${VIEW}`,
    heldOutcome: 'answered' as const,
    fresh: GREETING,
    freshOutcome: 'answered' as const,
    ...broken(i + 1),
  }))
}
const WINDOW = { answerer: VIEW, greeting: GREETING, port: 80, stopAt: 1000, startedAt: 13_000, minDown: 40 }

test('the control plane down: every tick answered by the container, the connection open, conforms', () => {
  expect(() => judgeConnectivityKept(ticks(60), '', WINDOW)).not.to.throw()
})

test('the control plane down: a container stopped with the daemon (no live-restore) is caught, with when', () => {
  const stopped = (seq: number): Partial<Tick> =>
    seq > 44 ? { held: '', heldOutcome: 'closed', fresh: 'EHOSTUNREACH', freshOutcome: 'missed' } : {}
  let caught: unknown
  try {
    judgeConnectivityKept(ticks(60, stopped), 'closed by the container', WINDOW)
  } catch (e) {
    caught = e
  }
  expect(caught).to.be.instanceOf(Evidence)
  expect((caught as Evidence).kind).to.equal('connectivity-lost')
  expect(String((caught as Error).message)).to.match(
    /^16 of 60 requests missed .*the first at 10\.0 s after the stop began: held connection closed; new connection: EHOSTUNREACH; the held connection ended: closed by the container/,
  )
})

test('the control plane down: an answer from another container, or a cut connection alone, is caught', () => {
  const stranger = (seq: number): Partial<Tick> => (seq === 30 ? { held: 'seq 30 from nc-abc123-0001-db' } : {})
  expect(() => judgeConnectivityKept(ticks(60, stranger), '', WINDOW)).to.throw(/held connection answered "seq 30 from/)
  const elsewhere = (seq: number): Partial<Tick> => (seq === 31 ? { fresh: 'Hello world! from someone' } : {})
  expect(() => judgeConnectivityKept(ticks(60, elsewhere), '', WINDOW)).to.throw(/new connection answered/)
  expect(() => judgeConnectivityKept(ticks(60), 'ECONNRESET', WINDOW)).to.throw(/the held connection ended: ECONNRESET/)
})

test('the control plane down: too few asks while it was down prove nothing (a window cut short)', () => {
  expect(() => judgeConnectivityKept(ticks(20), '', WINDOW)).to.throw(
    /asked only 16 times while the control plane was down/,
  )
})

test("no NAT: the peer must be the sender's own address; a rewritten source is caught", () => {
  expect(plainPeer('[::ffff:198.51.100.10]')).to.equal('198.51.100.10')
  expect(plainPeer('198.51.100.17')).to.equal('198.51.100.17')
  const own = { direction: 'outbound', sender: VIEW, own: '198.51.100.17', by: 'the outside listener' }
  expect(() => judgePeer({ ...own, seen: '198.51.100.17' })).not.to.throw()
  expect(() => judgePeer({ ...own, seen: '198.51.100.11' })).to.throw(
    /outbound: the outside listener saw the connection of .* come from 198\.51\.100\.11, where the document shows no NAT/,
  )
  expect(() => judgePeer({ ...own, seen: undefined })).to.throw(/no address/)
})

test('bridges segregated by IPAM: disjoint subnets pass, an overlap or a bridge without a subnet is caught', () => {
  const apart = [
    { network: 'bridge-db', subnets: ['172.18.0.0/16'] },
    { network: 'bridge-web', subnets: ['172.19.0.0/16', 'fd00::/64'] },
    { network: 'bridge', subnets: ['172.17.0.0/16'] },
  ]
  expect(() => judgeSegregated(apart)).not.to.throw()
  const shared = [...apart.slice(0, 2), { network: 'bridge', subnets: ['172.18.128.0/17'] }]
  expect(overlaps(shared)).to.deep.equal(['bridge-db (172.18.0.0/16) and bridge (172.18.128.0/17)'])
  expect(() => judgeSegregated(shared)).to.throw(/overlapping subnets: bridge-db \(172\.18\.0\.0\/16\) and bridge/)
  expect(() => judgeSegregated([...apart, { network: 'x', subnets: [] }])).to.throw(/x shows no IPv4 subnet/)
})

test("a scenario that needs a container network and the control plane needs both, in its steps' order", () => {
  const steps = ['a container network ExternalNetwork', 'an endpoint whose control plane the suite may stop and start']
  expect(neededOffers(steps.map((text) => ({ text })))).to.deep.equal(['containerNetwork', 'controlPlane'])
})

test('@exclusive:endpoint runs beside no other scenario, whatever it holds', () => {
  const down = { tags: [{ name: '@exclusive:endpoint' }] }
  const plain = { tags: [] }
  const shared = { tags: [{ name: '@shared:container-network-range' }] }
  expect(canStartBeside(down, [plain])).to.equal(false)
  expect(canStartBeside(plain, [down])).to.equal(false)
  expect(canStartBeside(shared, [down])).to.equal(false)
  expect(canStartBeside(plain, [shared])).to.equal(true)
})
