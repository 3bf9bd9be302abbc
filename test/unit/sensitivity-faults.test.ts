/**
 * The faults: enough of them, each naming the scenarios it breaks (ids that exist), each
 * leaving alone what the suite did not create; and the report lists uncaught faults first.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import parseTags from '@cucumber/tag-expressions'
import { documentedContainerNames, faultsFor, nextAddress, scenarioPrefix } from '../../support/sensitivity/faults'
import { featurePickles, scenarioId } from '../../support/scenario-id'
import {
  faultStatus,
  sensitivityExitCode,
  type FaultResult,
  type SensitivityReport,
} from '../../support/sensitivity/report'
import { judgeFault } from '../../support/sensitivity/judging'
import { renderMarkdown } from '../../support/sensitivity/render'
import { orTags, selectFaults } from '../../support/sensitivity/sensitivity-run'
import { loadTarget, scenarioIds } from '../../support/profile/targets'
import type { HookContext } from '../../support/sensitivity/hooks'

const target = loadTarget('podman')
const faults = faultsFor(target)

test('at least 12 faults, unique ids, each saying what it breaks and selecting existing scenarios', () => {
  expect(faults.length).to.be.at.least(12)
  expect(new Set(faults.map((f) => f.id)).size).to.equal(faults.length)
  const ids = scenarioIds()
  for (const f of faults) {
    expect(f.breaks, f.id).to.have.length.above(10)
    expect(f.hooks.length + (f.profile ? 1 : 0), `${f.id}: hooks or a profile change`).to.be.above(0)
    for (const m of f.tags.matchAll(/@id:(\S+)/g)) expect(ids.has(m[1]), `${f.id}: ${m[1]}`).to.equal(true)
  }
})

test('request rewrites leave what the suite did not create alone', async () => {
  const ctx = (path: string): HookContext => ({
    method: 'POST',
    path,
    version: '/v1.41',
    query: new URLSearchParams('name=nc-abcdef-0123-client'),
    params: [],
    upstream: async () => ({ status: 200, body: [] }),
  })
  for (const f of faults) {
    for (const h of f.hooks.filter((x) => x.request && /create/.test(String(x.path)))) {
      const path = String(h.path).includes('networks') ? '/networks/create' : '/containers/create'
      const body = {
        Name: 'someone-elses',
        Labels: { owner: 'not us' },
        HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
        IPAM: { Config: [{ Subnet: '10.1.0.0/24' }] },
        Internal: true,
      }
      const before = JSON.stringify(body)
      const out = await h.request!(body, ctx(path))
      expect(out === undefined ? JSON.stringify(body) : JSON.stringify(out), f.id).to.equal(before)
    }
  }
})

test('response rewrites leave what the suite did not create alone', async () => {
  const theirs = [
    {
      Name: 'theirs',
      Driver: 'bridge',
      Labels: {},
      Ports: [{ PublicPort: 1 }],
      Config: { Labels: {} },
      NetworkSettings: { IPAddress: '10.0.0.2', Networks: { bridge: { IPAddress: '10.0.0.2' } } },
    },
  ]
  for (const f of faults) {
    for (const h of f.hooks.filter((x) => x.response)) {
      // A path with an id answers one object (inspect); without, a list.
      const body = String(h.path).includes('([^/]+)') ? theirs[0] : theirs
      const before = JSON.stringify(body)
      const out = await h.response!(structuredClone(body), {} as HookContext)
      expect(out === undefined ? before : JSON.stringify(out), f.id).to.equal(before)
    }
  }
})

test('helpers: scenario prefixes and the next address', () => {
  expect(scenarioPrefix('/nc-abcdef-0123-server')).to.equal('nc-abcdef-0123')
  expect(scenarioPrefix('server')).to.equal(undefined)
  expect(nextAddress('10.88.0.7')).to.equal('10.88.0.8')
  expect(nextAddress('10.88.0.254')).to.equal('10.88.0.1')
})

test('--faults: chosen ones in their order; an unknown id is a usage error naming the known ones', () => {
  expect(selectFaults(faults, ['connect-all', 'ignore-publish']).map((f) => f.id)).to.deep.equal([
    'ignore-publish',
    'connect-all',
  ])
  expect(() => selectFaults(faults, ['nope'])).to.throw(/unknown fault nope \(known: ignore-publish/)
})

test('the transparent run selects each scenario once', () => {
  expect(orTags(['@id:a or @id:b', '@id:b or @id:c'])).to.equal('@id:a or @id:b or @id:c')
  expect(orTags(['@id:a', 'not @wip'])).to.equal('(@id:a) or (not @wip)')
})

/** A sensitivity report on a stub podman endpoint with these faults and totals. */
function reportOf(faults: FaultResult[], totals: SensitivityReport['totals']): SensitivityReport {
  return {
    target: {
      name: 'podman',
      endpoint: 'unix:///x',
      engine: { name: 'Podman Engine', version: '4.3.1', apiVersion: '1.41', os: 'linux/amd64', kernel: '6' },
    },
    runId: 'run',
    startedAt: 'now',
    durationMs: 5000,
    method: 'm',
    transparent: { runId: 't', durationMs: 1, tags: '@id:x', verdicts: [], directRun: 'd', differences: [] },
    faults,
    leftovers: [],
    totals,
  }
}

test('the report lists faults nobody caught first; exit 1 unless all are caught and transparent matches', () => {
  const fault = (id: string, caughtBy: string[]): FaultResult => ({
    id,
    breaks: `breaks ${id}`,
    does: `does ${id}`,
    tags: '@id:x',
    caughtBy,
    caught: caughtBy.length > 0,
    applicable: true,
    environment: [],
    sweptDirectly: [],
    verdicts: [],
    changed: [],
    notRun: [],
    runId: 'r',
    durationMs: 1000,
  })
  const report = reportOf([fault('caught-one', ['x']), fault('missed-one', [])], {
    faults: 2,
    caught: 1,
    notCaught: 1,
    notApplicable: 0,
  })
  const md = renderMarkdown(report)
  expect(md.indexOf('## Not caught (defects of the suite)')).to.be.below(md.indexOf('## Caught'))
  expect(md.indexOf('missed-one')).to.be.below(md.indexOf('caught-one'))
  expect(sensitivityExitCode(report)).to.equal(1)
  expect(
    sensitivityExitCode({
      ...report,
      faults: [report.faults[0]],
      totals: { faults: 1, caught: 1, notCaught: 0, notApplicable: 0 },
    }),
  ).to.equal(0)
})

// issue 20: a final `sensitivity --target podman` said `ignore-connect-ip: not applicable (every scenario is) (0 scenarios)`
// when its one scenario was not run: every scenario of an empty list is not applicable.
const verdict = (id: string, v: 'conforms' | 'deviates' | 'fails' | 'not-applicable', reason = '') => ({
  id,
  doc: 'd',
  feature: 'f',
  name: id,
  verdict: v,
  reason,
  durationMs: 1,
})
const notRun = (id: string, reason: string) => ({ id, doc: 'd', name: id, reason })

test('a fault whose scenarios were not run is not run, naming why: never not applicable, caught or not caught', () => {
  const clear = { scenarios: [verdict('static-ip.connect-with-ip', 'conforms')] }
  const why = 'the endpoint failed a call of the suite: POST /networks/{id}/connect answered 500'
  const j = judgeFault({ scenarios: [], notRun: [notRun('static-ip.connect-with-ip', why)] }, clear)
  expect(faultStatus(j)).to.equal('not run')
  expect(j).to.include({ caught: false, applicable: true, notRunWhy: why })
  expect(j.notRun).to.deep.equal(['static-ip.connect-with-ip'])
  // an empty run that names nothing not run says nothing either
  const empty = judgeFault({ scenarios: [] }, clear)
  expect(faultStatus(empty)).to.equal('not run')
  expect(empty.notRunWhy).to.match(/gave no scenario a verdict/)
  // some ran and passed, one was not run: no "NOT CAUGHT", the one not run might have caught it
  const some = judgeFault(
    {
      scenarios: [verdict('a', 'conforms')],
      notRun: [notRun('b', 'waited 600 s for exclusive hold of container-network-range, held by run r')],
    },
    { scenarios: [verdict('a', 'conforms'), verdict('b', 'conforms')] },
  )
  expect(faultStatus(some)).to.equal('not run')
  // one caught it: caught stands whatever else was not run
  const caught = judgeFault(
    { scenarios: [verdict('a', 'fails', 'x')], notRun: [notRun('b', why)] },
    { scenarios: [verdict('a', 'conforms'), verdict('b', 'conforms')] },
  )
  expect(faultStatus(caught)).to.equal('caught')
  expect(caught.caughtBy).to.deep.equal(['a'])
  // a failure with no verdict without the fault (transparent mode did not run it) catches nothing
  const noBaseline = judgeFault(
    { scenarios: [verdict('a', 'fails', 'x')] },
    { scenarios: [], notRun: [notRun('a', 'interrupted by SIGINT')] },
  )
  expect(faultStatus(noBaseline)).to.equal('not run')
  expect(noBaseline.notRunWhy).to.equal('no verdict without the fault (not run: interrupted by SIGINT)')
  // really not applicable: every scenario got that verdict
  const na = judgeFault(
    { scenarios: [verdict('a', 'not-applicable')] },
    { scenarios: [verdict('a', 'not-applicable')] },
  )
  expect(faultStatus(na)).to.equal('not applicable')
  // and not caught only when every scenario got a verdict and none failed
  expect(faultStatus(judgeFault({ scenarios: [verdict('a', 'conforms')] }, clear_('a')))).to.equal('NOT CAUGHT')
})

const clear_ = (id: string) => ({ scenarios: [verdict(id, 'conforms')] })

test('the report lists a fault not run apart, with the reason; the command exits 1', () => {
  const why = 'the endpoint failed a call of the suite: POST /networks/{id}/connect answered 500'
  const f: FaultResult = {
    id: 'ignore-connect-ip',
    breaks: 'b',
    does: 'd',
    tags: '@id:static-ip.connect-with-ip',
    ...judgeFault({ scenarios: [], notRun: [notRun('static-ip.connect-with-ip', why)] }, clear_('x')),
    sweptDirectly: [],
    verdicts: [],
    runId: 'r',
    durationMs: 1000,
  }
  const report = reportOf([f], { faults: 1, caught: 0, notCaught: 0, notApplicable: 0, notRun: 1 })
  const md = renderMarkdown(report)
  expect(md).to.include('## Not run (no verdict on these faults)')
  expect(md).to.include(`not run: static-ip.connect-with-ip: ${why.replace(/\|/g, '\\|')}`)
  expect(md).to.not.include('## Not applicable on this target')
  expect(md).to.include('None among the faults whose scenarios all ran') // not listed as missed either
  expect(sensitivityExitCode(report)).to.equal(1)
})

test("the faults' documented container names are the features' own: every container a step observes from is one", () => {
  const names = documentedContainerNames()
  expect(names).to.include.members(['server', 'client', 'db', 'model', 'view', 'web'])
  const observers = new Set(
    featurePickles().flatMap((p) => p.steps.flatMap((s) => [...(/^in ([\w.-]+), /.exec(s.text)?.slice(1) ?? [])])),
  )
  expect(observers.size).to.be.above(3)
  expect([...observers].filter((o) => !names.includes(o))).to.deep.equal([])
})

test('every scenario is targeted by some fault of some lab profile', () => {
  const covered = new Set<string>()
  const ids = new Set<string>()
  for (const name of ['docker', 'docker-28', 'podman', 'podman-netavark', 'podman-5']) {
    const all = faultsFor(loadTarget(name)).map((f) => parseTags(f.tags))
    for (const p of featurePickles()) {
      const id = scenarioId(p.tags)!
      ids.add(id)
      if (all.some((e) => e.evaluate(p.tags.map((t) => t.name)))) covered.add(id)
    }
  }
  expect(ids.size).to.be.above(40)
  expect([...ids].filter((id) => !covered.has(id)).sort()).to.deep.equal([])
})

test("refusals-name-nothing: refuses a running container's connect, a taken --ip and DHCP without --dns; never what is not ours", async () => {
  const f = faults.find((x) => x.id === 'refusals-name-nothing')!
  const [connect, create] = f.hooks
  const ours = { 'io.netconform.run': 'r' }
  const upstream =
    (running: boolean, labels: Record<string, string>): HookContext['upstream'] =>
    async (_method, path) =>
      path.startsWith('/networks/')
        ? { status: 200, body: { Containers: { a: { IPv4Address: '198.51.100.150/24' } } } }
        : { status: 200, body: { Config: { Labels: labels }, State: { Running: running } } }
  const ctx = (body: unknown, up: HookContext['upstream'], path = '/networks/n/connect'): HookContext => ({
    method: 'POST',
    path,
    version: '/v1.41',
    query: new URLSearchParams(),
    params: ['n'],
    body,
    upstream: up,
  })
  const refused = { status: 400, body: { message: 'unrelated failure' } }
  expect(await connect.answer!(ctx({ Container: 'c' }, upstream(true, ours)))).to.deep.equal(refused)
  expect(await connect.answer!(ctx({ Container: 'c' }, upstream(false, ours)))).to.equal(undefined)
  const withIp = (ip: string) => ({ Container: 'c', EndpointConfig: { IPAMConfig: { IPv4Address: ip } } })
  expect(await connect.answer!(ctx(withIp('198.51.100.150'), upstream(false, ours)))).to.deep.equal(refused)
  expect(await connect.answer!(ctx(withIp('198.51.100.151'), upstream(false, ours)))).to.equal(undefined)
  expect(await connect.answer!(ctx({ Container: 'c' }, upstream(true, { owner: 'not us' })))).to.equal(undefined)
  const dhcp = target.offers.dhcpNetwork!.name
  const onDhcp = (dns: string[]) => ({ Labels: ours, HostConfig: { NetworkMode: dhcp, Dns: dns } })
  const none = upstream(false, ours)
  expect(await create.answer!(ctx(onDhcp([]), none, '/containers/create'))).to.deep.equal(refused)
  expect(await create.answer!(ctx(onDhcp(['198.51.100.2']), none, '/containers/create'))).to.equal(undefined)
  expect(
    await create.answer!(ctx({ HostConfig: { NetworkMode: dhcp } }, none, '/containers/create')),
    'not ours',
  ).to.equal(undefined)
})
