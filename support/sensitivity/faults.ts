/**
 * The faults the sensitivity run injects: for each result the document states, a way an
 * endpoint could get it wrong, in what it does (ports, networks, addresses, names, isolation)
 * or in what it says about itself (inspect, network ls, ps). Each fault touches only what the
 * suite created (labelled io.netconform.run) and only what it describes, and names the
 * scenarios of the section(s) it breaks, as a tag expression: a fault runs with those only.
 *
 * Longer than 400 lines: one list, one entry per fault in the document's order, each a few hooks;
 * its helpers (onCreate, scenarioOf…) are the entries' shared vocabulary.
 */
import { LABEL_RUN, LABEL_SCENARIO } from '../cleanup/resources'
import { inRange, lastHost } from '../ipv4'
import { scenarioIds } from '../profile/targets'
import { featurePickles } from '../scenario-id'
import type { Target } from '../types'
import type { Hook, HookContext } from './hooks'
import type { Answer } from '../engine/relay'
import { BUILTIN_NETWORKS, DEFAULT_NETWORKS } from '../engine/kinds'
import { DOCUMENT_NETWORKS } from '../document/doc-commands'

export interface Fault {
  id: string
  /** The documented behaviour it breaks, in the document's words. */
  breaks: string
  /** What the fault makes the endpoint do or say. */
  does: string
  /** Tag expression selecting the scenarios of the section(s) it breaks. */
  tags: string
  hooks: Hook[]
  /** What the fault changes in the profile the run uses (its control plane's commands), beside the hooks. */
  profile?: (target: Target) => Target
}

/**
 * A tag expression for scenario ids; an id that stands for several documented results (one
 * Scenario Outline row each, `combine.all-communicate.db-to-model`…) selects all its rows.
 */
const ids = (...id: string[]) => {
  const known = [...scenarioIds()]
  return id
    .flatMap((i) => (known.includes(i) ? [i] : known.filter((k) => k.startsWith(`${i}.`))))
    .map((i) => `@id:${i}`)
    .join(' or ')
}

/**
 * The documented names a scenario's containers get (nc-<run>-<instance>-<name>): every `--name` of
 * the features' steps, read once (the features are the one source of the names, not a list here).
 */
let docContainers: string[] | undefined
export function documentedContainerNames(): string[] {
  docContainers ??= [
    ...new Set(
      featurePickles().flatMap((p) =>
        p.steps.flatMap((s) => [...s.text.matchAll(/--name[= ]([\w.-]+)/g)].map((m) => m[1])),
      ),
    ),
  ].sort()
  return docContainers
}
const BUILTIN = new Set([...DOCUMENT_NETWORKS, ...BUILTIN_NETWORKS])

type Labels = Record<string, string> | null | undefined
const ours = (labels: Labels): boolean => Boolean(labels && labels[LABEL_RUN])

/**
 * A 404, as for an unknown container, when CALLED is a prefix of the id of a container of the suite's
 * (not its name, nor its whole id); undefined, so that the request goes on, otherwise.
 */
async function unknownPrefix(ctx: HookContext, called: string | undefined): Promise<Answer | undefined> {
  if (!called || !/^[0-9a-f]{1,63}$/.test(called)) return undefined
  const found = await ctx.upstream('GET', `/containers/${called}/json`)
  const labels = (found.body as { Config?: { Labels?: Labels } } | undefined)?.Config?.Labels
  if (found.status !== 200 || !ours(labels)) return undefined
  return { status: 404, body: { message: `No such container: ${called}` } }
}

/** nc-<run6>-<inst4>-<doc> → nc-<run6>-<inst4>, or undefined for any other name. */
export function scenarioPrefix(name: string | null | undefined): string | undefined {
  const m = /^\/?(nc-[0-9a-f]{6}-[0-9a-f]{4})-/.exec(name ?? '')
  return m ? m[1] : undefined
}

/** The next IPv4 address (…254 → …1, so it stays a host address of a /24). */
export function nextAddress(ip: string): string {
  const p = ip.split('.').map(Number)
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n))) return ip
  p[3] = p[3] >= 254 ? 1 : p[3] + 1
  return p.join('.')
}

/** A rewrite of suite-created containers' create bodies. */
function onCreate(rewrite: (body: any, ctx: HookContext) => unknown | Promise<unknown>): Hook {
  return {
    method: 'POST',
    path: /^\/containers\/create$/,
    request: (body, ctx) => (ours(body?.Labels) ? rewrite(body, ctx) : undefined),
  }
}

function hostConfig(body: any): any {
  body.HostConfig ??= {}
  return body.HostConfig
}

/** Every container and network of the scenario `container` belongs to: the same run and scenario labels. */
async function scenarioOf(ctx: HookContext, container: string) {
  const c = await ctx.upstream('GET', `/containers/${encodeURIComponent(container)}/json`)
  const labels = (c.body as { Config?: { Labels?: Labels } })?.Config?.Labels
  if (c.status !== 200 || !ours(labels) || !labels![LABEL_SCENARIO]) return undefined
  const filters = encodeURIComponent(
    JSON.stringify({ label: [`${LABEL_RUN}=${labels![LABEL_RUN]}`, `${LABEL_SCENARIO}=${labels![LABEL_SCENARIO]}`] }),
  )
  const containers = ((await ctx.upstream('GET', `/containers/json?all=1&filters=${filters}`)).body ?? []) as {
    Id: string
    NetworkSettings?: { Networks?: Record<string, unknown> }
  }[]
  const networks = ((await ctx.upstream('GET', `/networks?filters=${filters}`)).body ?? []) as { Name: string }[]
  return { containers, networks }
}

/** Connects every container of the scenario to every network one of them is on (never the engine's own networks). */
async function flatten(ctx: HookContext, container: string): Promise<void> {
  const s = await scenarioOf(ctx, container)
  if (!s) return
  const all = new Set(s.networks.map((n) => n.Name))
  for (const c of s.containers)
    for (const n of Object.keys(c.NetworkSettings?.Networks ?? {})) if (!BUILTIN.has(n)) all.add(n)
  for (const c of s.containers) {
    const on = new Set(Object.keys(c.NetworkSettings?.Networks ?? {}))
    for (const n of all)
      if (!on.has(n)) await ctx.upstream('POST', `/networks/${encodeURIComponent(n)}/connect`, { Container: c.Id })
  }
}

/** Runs `sh -c SCRIPT` in CONTAINER through the upstream and waits for it to end (its output is not read). */
async function execUpstream(ctx: HookContext, container: string, script: string): Promise<void> {
  const made = await ctx.upstream('POST', `/containers/${encodeURIComponent(container)}/exec`, {
    Cmd: ['sh', '-c', script],
    AttachStdout: true,
    AttachStderr: true,
  })
  const id = (made.body as { Id?: string } | undefined)?.Id
  if (id) await ctx.upstream('POST', `/exec/${id}/start`, { Detach: false, Tty: false })
}

/** A container's name (no slash), and its address and prefix length on each network, as the upstream reports them. */
async function inspected(ctx: HookContext, container: string) {
  const c = await ctx.upstream('GET', `/containers/${encodeURIComponent(container)}/json`)
  const body = c.body as {
    Name?: string
    NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; IPPrefixLen?: number }> }
  }
  const on = Object.entries(body?.NetworkSettings?.Networks ?? {})
  return {
    name: (body?.Name ?? '').replace(/^\//, ''),
    networks: Object.fromEntries(on.map(([n, e]) => [n, e.IPAddress ?? ''])),
    /** An address on each network's segment that nobody holds: a next hop whose answers go nowhere. */
    nowhere: Object.fromEntries(on.map(([n, e]) => [n, e.IPAddress ? lastHost(e.IPAddress, e.IPPrefixLen ?? 24) : ''])),
  }
}

/** After one of the suite's containers started (the upstream said so): RUN with its name and addresses. */
function afterStart(run: (ctx: HookContext, started: Awaited<ReturnType<typeof inspected>>) => Promise<void>): Hook {
  return {
    method: 'POST',
    path: /^\/containers\/([^/]+)\/start$/,
    after: async (ctx, status) => {
      if (status < 300) await run(ctx, await inspected(ctx, decodeURIComponent(ctx.params[0])))
    },
  }
}

/** A scenario's container whose documented name is one of DOC (nc-<run>-<inst>-<doc>) gets CAP_NET_ADMIN. */
function netAdminFor(...doc: string[]): Hook {
  return onCreate((body, ctx) => {
    const name = ctx.query.get('name') ?? ''
    if (!doc.some((d) => name.endsWith(`-${d}`)) || !scenarioPrefix(name)) return
    const hc = hostConfig(body)
    hc.CapAdd = [...(hc.CapAdd ?? []), 'NET_ADMIN']
  })
}

/**
 * When view starts, db and view are each connected to the other's networks, and each sends its
 * answers to the other's new address to a next hop nobody holds on that segment (a route; ARP for
 * the address itself still answers, so the probe arrives): a probe between them arrives, and its
 * answer is lost.
 */
async function crossWithAnswersLost(ctx: HookContext, view: Awaited<ReturnType<typeof inspected>>): Promise<void> {
  const prefix = scenarioPrefix(view.name)
  if (!prefix || view.name !== `${prefix}-view`) return
  const db = await inspected(ctx, `${prefix}-db`)
  for (const [from, to] of [
    [db, view],
    [view, db],
  ])
    for (const n of Object.keys(to.networks))
      if (!BUILTIN.has(n) && !(n in from.networks))
        await ctx.upstream('POST', `/networks/${encodeURIComponent(n)}/connect`, { Container: from.name })
  const [dbNow, viewNow] = [await inspected(ctx, db.name), await inspected(ctx, view.name)]
  const astray = (at: typeof db, other: typeof db, otherBefore: typeof db) =>
    Object.keys(other.networks)
      .filter((n) => !(n in otherBefore.networks) && at.nowhere[n])
      .map((n) => `ip route add ${other.networks[n]}/32 via ${at.nowhere[n]}`)
      .join('; ') || 'true'
  await execUpstream(ctx, view.name, astray(viewNow, dbNow, db))
  await execUpstream(ctx, db.name, astray(dbNow, viewNow, view))
}

/** Network names the suite made, or the target's own container network, in a network list. */
function listed(target: Target) {
  return (n: { Name?: string; Labels?: Labels }) => ours(n.Labels) || n.Name === target.offers.containerNetwork?.name
}

export function faultsFor(target: Target): Fault[] {
  const range = target.offers.containerNetwork?.ipRange
  const publishing = ids(
    'publish.port-8080-on-public-interface',
    'exposed-port.public-5000',
    'multi-bridge.view-on-public-8080',
    'trust.published-port-reachable',
    // its control is a port published on the same interface: without it, silence on port 80 proves nothing
    'combine.mapping-on-create-network-only.not-to-connected-networks',
  )
  /** Subnets asked for at network create, by network name (subnet-reported-not-applied). */
  const requestedSubnets = new Map<string, unknown>()
  let small = 0
  /** The subnets reported for every network of the suite's (bridges-share-subnet). */
  let firstSubnets: unknown

  return [
    {
      id: 'ignore-publish',
      breaks:
        'docker run -p 8080:80: "You can access Port 80 on test1 from the public network interface on the VCH at ' +
        'port 8080"; -p 5000:5000: "You can connect to port 5000 on the VCH public network"',
      does: 'container create drops HostConfig.PortBindings: -p is accepted and nothing is published',
      tags: publishing,
      hooks: [onCreate((body) => void (hostConfig(body).PortBindings = {}))],
    },
    {
      id: 'publish-wrong-port',
      breaks:
        '-p 8080:80 publishes port 80 "on the public network interface on the VCH at port 8080" ' +
        '(and -p 5000:5000 on port 5000)',
      does: 'container create publishes every fixed host port one higher (8080 → 8081)',
      tags: publishing,
      hooks: [
        onCreate((body) => {
          for (const bindings of Object.values(
            (hostConfig(body).PortBindings ?? {}) as Record<string, { HostPort?: string }[] | null>,
          )) {
            for (const b of bindings ?? []) if (b.HostPort) b.HostPort = String(Number(b.HostPort) + 1)
          }
        }),
      ],
    },
    {
      id: 'ignore-internal',
      breaks: '`docker network create --internal bridge-db`: "db and web-model cannot communicate externally"',
      does: 'network create drops Internal: bridge-db gets a route out',
      tags: ids('combine.db-and-model-no-external'),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/create$/,
          request: (body) => (ours(body?.Labels) ? { ...body, Internal: false } : undefined),
        },
      ],
    },
    {
      id: 'ignore-subnet',
      breaks:
        '"To override the default subnet mask, you can specify a new value by using the docker network create ' +
        '--subnet option"',
      does: 'network create drops the IPAM config: the engine picks the subnet itself',
      tags: ids('subnet.non-default-mask-honoured'),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/create$/,
          request: (body) => (ours(body?.Labels) ? { ...body, IPAM: { ...(body.IPAM ?? {}), Config: [] } } : undefined),
        },
      ],
    },
    {
      id: 'subnet-reported-not-applied',
      breaks:
        '--subnet sets the subnet of the new bridge network (inspect says so and the containers get addresses in it)',
      does: 'network create drops the IPAM config; network inspect reports the subnet that was asked for',
      tags: ids('subnet.non-default-mask-honoured'),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/create$/,
          request: (body) => {
            if (!ours(body?.Labels) || !body.IPAM?.Config?.length) return undefined
            requestedSubnets.set(body.Name, body.IPAM.Config)
            return { ...body, IPAM: { ...body.IPAM, Config: [] } }
          },
        },
        {
          method: 'GET',
          path: /^\/networks\/([^/]+)$/,
          response: (net) =>
            ours(net?.Labels) && requestedSubnets.has(net.Name)
              ? { ...net, IPAM: { ...(net.IPAM ?? {}), Config: requestedSubnets.get(net.Name) } }
              : undefined,
        },
      ],
    },
    {
      id: 'new-networks-28',
      breaks: '"By default, user-defined bridge networks have a subnet mask value of 16"',
      does:
        'network create without --subnet gets a /28 (one of the sixteen in 172.31.254.0/24, ' +
        'a private pool of this host)',
      tags: ids('subnet.default-mask-16'),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/create$/,
          request: (body) => {
            if (!ours(body?.Labels) || body.IPAM?.Config?.length || (body.Driver && body.Driver !== 'bridge'))
              return undefined
            const n = small++ % 16
            return { ...body, IPAM: { ...(body.IPAM ?? {}), Config: [{ Subnet: `172.31.254.${n * 16}/28` }] } }
          },
        },
      ],
    },
    {
      id: 'ignore-connect-ip',
      breaks:
        '`docker network connect --ip ip_address container-net container1`: ' +
        '"The container container1 runs with the specified IP address on the container-net network"',
      does: 'network connect drops EndpointConfig.IPAMConfig: the engine assigns an address itself',
      tags: ids('static-ip.connect-with-ip'),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/([^/]+)\/connect$/,
          request: (body) =>
            body?.EndpointConfig?.IPAMConfig
              ? { ...body, EndpointConfig: { ...body.EndpointConfig, IPAMConfig: undefined } }
              : undefined,
        },
      ],
    },
    {
      id: 'connect-noop',
      breaks:
        '`docker network connect bridge-web model`: "web-model can communicate with both db and web-view"; ' +
        '`docker network connect ExternalNetwork view`: "web-view has its own external IP address"',
      does: 'network connect answers 200 and connects nothing',
      tags: ids(
        'multi-bridge.model-reaches-both',
        'multi-bridge.db-and-view-isolated',
        'combine.view-external-ip-port-80',
        'static-ip.connect-with-ip',
        'static-ip.assigned-from-range',
        'multi-bridge.connect-when-created',
      ),
      hooks: [
        { method: 'POST', path: /^\/networks\/([^/]+)\/connect$/, answer: () => ({ status: 200, body: undefined }) },
      ],
    },
    {
      id: 'connect-all',
      breaks:
        '"db and web-view cannot communicate with each other"; "db and web-model cannot communicate externally"; ' +
        '"Container networks are strongly isolated from all other networks"',
      does:
        'whenever a container of a scenario starts or is connected, ' +
        'every container of that scenario is connected to every network of that scenario',
      tags: ids(
        'multi-bridge.db-and-view-isolated',
        'combine.db-and-model-no-external',
        'combine.container-network-isolated',
      ),
      hooks: [
        {
          method: 'POST',
          path: /^\/containers\/([^/]+)\/start$/,
          before: (ctx) => flatten(ctx, decodeURIComponent(ctx.params[0])),
        },
        {
          method: 'POST',
          path: /^\/networks\/([^/]+)\/connect$/,
          after: async (ctx, status) => {
            const container = (ctx.body as { Container?: string })?.Container
            if (status < 300 && container) await flatten(ctx, container)
          },
        },
      ],
    },
    {
      id: 'bridges-answers-lost',
      breaks: '"db and web-view cannot communicate with each other"',
      does:
        "when view starts, db and view are each connected to the other's network, and each sends its answers to " +
        "the other's new address to a next hop nobody holds (CAP_NET_ADMIN added at create, a route): a probe " +
        'between them arrives and gets no answer',
      tags: ids('multi-bridge.db-and-view-isolated'),
      hooks: [netAdminFor('db', 'view'), afterStart(crossWithAnswersLost)],
    },
    {
      id: 'bridge-answers-to-outside-lost',
      breaks: '"Container networks are strongly isolated from all other networks"',
      does:
        "web sends its answers to the outside client's address to a next hop nobody holds on bridge-web " +
        '(CAP_NET_ADMIN added at create, a route once it starts): a probe routed into bridge-web through the gate ' +
        'arrives at web and gets no answer',
      tags: ids('combine.container-network-isolated'),
      hooks: [
        netAdminFor('web'),
        afterStart(async (ctx, web) => {
          const outside = target.offers.containerNetwork?.outsideAddress
          const prefix = scenarioPrefix(web.name)
          const hop = Object.values(web.nowhere)[0]
          if (outside && prefix && web.name === `${prefix}-web` && hop)
            await execUpstream(ctx, web.name, `ip route add ${outside}/32 via ${hop}`)
        }),
      ],
    },
    {
      id: 'names-to-self',
      breaks:
        '"The server and client containers can ping each other by name"; ' +
        '"You can connect to server on port 5000 from the client container"; ' +
        '"web-model can communicate with both db and web-view"; "All the containers can communicate with each other"',
      does:
        'every other container name of the scenario resolves to 127.0.0.1, the asking container itself ' +
        '(HostConfig.ExtraHosts)',
      tags: ids(
        'new-bridge.ping-by-name',
        'exposed-port.ping-by-name',
        'exposed-port.client-to-server-5000',
        'multi-bridge.model-reaches-both',
        'combine.all-communicate',
      ),
      hooks: [
        onCreate((body, ctx) => {
          const name = ctx.query.get('name') ?? ''
          const prefix = scenarioPrefix(name)
          if (!prefix) return
          const others = documentedContainerNames()
            .map((d) => `${prefix}-${d}`)
            .filter((n) => n !== name)
          const hc = hostConfig(body)
          hc.ExtraHosts = [...(hc.ExtraHosts ?? []), ...others.map((n) => `${n}:127.0.0.1`)]
        }),
      ],
    },
    {
      id: 'names-on-default-bridge',
      breaks: '"Containers created on the default bridge network don\'t get name resolution by default"',
      does:
        "a container created on the default bridge gets the names and default-bridge addresses of the scenario's " +
        'containers already running there (HostConfig.ExtraHosts)',
      tags: ids('new-bridge.default-bridge-no-names'),
      hooks: [
        onCreate(async (body, ctx) => {
          const hc = hostConfig(body)
          const prefix = scenarioPrefix(ctx.query.get('name'))
          if (!prefix || !['', 'default', ...DEFAULT_NETWORKS].includes(hc.NetworkMode ?? '')) return
          const filters = encodeURIComponent(JSON.stringify({ name: [prefix] }))
          const running = ((await ctx.upstream('GET', `/containers/json?filters=${filters}`)).body ?? []) as {
            Names: string[]
            Labels?: Labels
            NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> }
          }[]
          const hosts: string[] = []
          for (const c of running) {
            const name = c.Names[0]?.replace(/^\//, '')
            const nets = c.NetworkSettings?.Networks ?? {}
            const ip = DEFAULT_NETWORKS.map((n) => nets[n]?.IPAddress).find(Boolean)
            if (ours(c.Labels) && scenarioPrefix(name) === prefix && ip) hosts.push(`${name}:${ip}`)
          }
          hc.ExtraHosts = [...(hc.ExtraHosts ?? []), ...hosts]
        }),
      ],
    },
    {
      id: 'drop-net-raw',
      breaks: '"The server and client containers can ping each other by name"',
      does: 'container create adds CapDrop NET_RAW (ping needs it)',
      tags: ids('new-bridge.ping-by-name', 'exposed-port.ping-by-name'),
      hooks: [
        onCreate((body) => {
          const hc = hostConfig(body)
          hc.CapDrop = [...(hc.CapDrop ?? []), 'NET_RAW']
        }),
      ],
    },
    {
      id: 'drop-dns',
      breaks:
        '"For the container to get an IP address from DHCP server, ' +
        'you must specify the DNS server in the --dns option" (and it is used)',
      does: 'container create drops HostConfig.Dns',
      tags: ids('dhcp.lease-and-dns'),
      hooks: [onCreate((body) => void (hostConfig(body).Dns = []))],
    },
    {
      id: 'inspect-address-off-by-one',
      breaks:
        "what the endpoint says of a container's address is its address: " +
        '"web-view has its own external IP address and its service is available on port 80 of that IP address"; ' +
        'ping by name gets replies from the peer',
      does: "container inspect reports every address of the suite's containers one higher than it is",
      tags: ids(
        'new-bridge.ping-by-name',
        'new-bridge.default-bridge-no-names',
        'multi-bridge.db-and-view-isolated',
        'combine.view-external-ip-port-80',
        'trust.published-port-reachable',
        'trust.create-published-port-reachable',
        'static-ip.assigned-from-range',
        'combine.no-nat',
        // where the lab's endpoints deviate, the failure it makes is another than the one declared
        'combine.container-network-own-interface',
        'port-forwarding.port-80-on-container-network',
        'multi-bridge.one-interface-several-addresses',
        'trust.unpublished-port-closed',
      ),
      hooks: [
        {
          method: 'GET',
          path: /^\/containers\/([^/]+)\/json$/,
          response: (c) => {
            if (!ours(c?.Config?.Labels)) return undefined
            const ns = c.NetworkSettings ?? {}
            if (ns.IPAddress) ns.IPAddress = nextAddress(ns.IPAddress)
            for (const ep of Object.values((ns.Networks ?? {}) as Record<string, { IPAddress?: string }>))
              if (ep?.IPAddress) ep.IPAddress = nextAddress(ep.IPAddress)
            return c
          },
        },
      ],
    },
    {
      id: 'control-plane-stops-containers',
      breaks:
        '"The container is not dependent on the VCH control plane being up for network connectivity. This allows ' +
        'the VCH to be powered down or upgraded with zero impact on the network connectivity"',
      does:
        "the control plane's stop also kills the scenario's containers, as a Docker Engine without live-restore " +
        "stops them (docker kill of the containers labelled with the scenario, then the profile's stop)",
      tags: ids('combine.control-plane-down.connectivity-kept'),
      hooks: [],
      profile: (t) =>
        withStop(t, (stop) => `${killScenario(t, 'combine.control-plane-down.connectivity-kept')}; ${stop}`),
    },
    {
      id: 'control-plane-pretends-to-stop',
      breaks: 'the control plane is down while the outside client asks (what the promise is about)',
      does: "the control plane's stop command does nothing and succeeds: the API keeps answering",
      tags: ids('combine.control-plane-down.connectivity-kept'),
      hooks: [],
      profile: (t) => withStop(t, () => 'true'),
    },
    {
      id: 'bridges-share-subnet',
      breaks: '"Multiple bridge networks are ... segregated via IP address management"',
      does: "network inspect reports, for every network of the suite's, the subnet of the first one asked about",
      tags: ids('combine.bridges-segregated-by-ipam'),
      hooks: [
        {
          method: 'GET',
          path: /^\/networks\/([^/]+)$/,
          response: (net) => {
            if (!ours(net?.Labels) || !net.IPAM?.Config?.length) return undefined
            firstSubnets ??= net.IPAM.Config
            return { ...net, IPAM: { ...net.IPAM, Config: firstSubnets } }
          },
        },
      ],
    },
    {
      id: 'network-ls-omits',
      breaks:
        '"docker network ls" lists the new network (my-bridge-network, bridge); ' +
        '"The container network is visible when you run docker network ls"',
      does: "network ls leaves out the suite's networks and the target's container network",
      tags: ids('new-bridge.network-listed', 'exposed-port.network-listed', 'combine.container-network-listed'),
      hooks: [
        {
          method: 'GET',
          path: /^\/networks$/,
          response: (list: { Name?: string; Labels?: Labels }[]) =>
            Array.isArray(list) ? list.filter((n) => !listed(target)(n)) : undefined,
        },
      ],
    },
    {
      id: 'network-ls-wrong-driver',
      breaks:
        '`docker network create -d bridge my-bridge-network`: docker network ls shows "my-bridge-network   bridge"',
      does: "network ls shows the suite's bridge networks with driver macvlan",
      tags: ids('new-bridge.network-listed', 'exposed-port.network-listed'),
      hooks: [
        {
          method: 'GET',
          path: /^\/networks$/,
          response: (list: { Driver?: string; Labels?: Labels }[]) =>
            Array.isArray(list)
              ? list.map((n) => (ours(n.Labels) && n.Driver === 'bridge' ? { ...n, Driver: 'macvlan' } : n))
              : undefined,
        },
      ],
    },
    {
      id: 'network-ls-container-network-driver',
      breaks: 'docker network ls shows the container network as "ExternalNetwork     external"',
      does: "network ls shows the target's container network with driver bridge",
      tags: ids('combine.container-network-driver-external'),
      hooks: [
        {
          method: 'GET',
          path: /^\/networks$/,
          response: (list: { Name?: string; Driver?: string }[]) =>
            Array.isArray(list)
              ? list.map((n) => (n.Name === target.offers.containerNetwork?.name ? { ...n, Driver: 'bridge' } : n))
              : undefined,
        },
      ],
    },
    {
      id: 'network-ls-default-bridge-driver',
      breaks: 'docker network ls shows the default network as "bridge              bridge"',
      does: 'network ls shows the default network with driver macvlan',
      tags: ids('combine.default-bridge-listed'),
      hooks: [
        {
          method: 'GET',
          path: /^\/networks$/,
          response: (list: { Name?: string; Driver?: string }[]) =>
            Array.isArray(list)
              ? list.map((n) => (n.Name && DEFAULT_NETWORKS.includes(n.Name) ? { ...n, Driver: 'macvlan' } : n))
              : undefined,
        },
      ],
    },
    {
      id: 'id-prefix-unknown',
      breaks:
        '`docker network connect bridge 50`, `docker start 50`: the container `docker create` made, called by the ' +
        'first characters of its id',
      does: "network connect and start answer 404 for a container of the suite's called by a prefix of its id",
      tags: ids('combine.container-addressed-by-id-prefix', 'combine.mapping-on-create-network-only'),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/([^/]+)\/connect$/,
          answer: (ctx) => unknownPrefix(ctx, (ctx.body as { Container?: string } | undefined)?.Container),
        },
        { method: 'POST', path: /^\/containers\/([^/]+)\/start$/, answer: (ctx) => unknownPrefix(ctx, ctx.params[0]) },
      ],
    },
    {
      id: 'several-nets-keep-first',
      breaks: '"Docker syntax does not allow for the use of multiple --net arguments for docker run or docker create"',
      does:
        'container create keeps only the first network of NetworkingConfig.EndpointsConfig: several --net are ' +
        'accepted, the container is put on the first',
      tags: ids('multi-bridge.multiple-net-refused', 'multi-bridge.multiple-net-refused-create'),
      hooks: [
        onCreate((body) => {
          const endpoints = body?.NetworkingConfig?.EndpointsConfig as Record<string, unknown> | undefined
          const names = Object.keys(endpoints ?? {})
          if (names.length < 2) return
          body.NetworkingConfig.EndpointsConfig = { [names[0]]: endpoints![names[0]] }
          hostConfig(body).NetworkMode = names[0]
        }),
      ],
    },
    {
      id: 'start-noop',
      breaks:
        '`docker create -p 80 …` then `docker start`: "you must specify -p 80 in docker run and docker create ' +
        'commands to publish port 80 on a container" (the created container serves once started)',
      does: "container start answers 204 and starts nothing, for the suite's containers that are only created",
      tags: ids('trust.create-published-port-reachable'),
      hooks: [
        {
          method: 'POST',
          path: /^\/containers\/([^/]+)\/start$/,
          answer: async (ctx) => {
            const c = await ctx.upstream('GET', `/containers/${ctx.params[0]}/json`)
            const body = c.body as { Config?: { Labels?: Labels }; State?: { Status?: string } }
            return ours(body?.Config?.Labels) && body?.State?.Status === 'created'
              ? { status: 204, body: undefined }
              : undefined
          },
        },
      ],
    },
    {
      id: 'ps-no-ports',
      breaks:
        '`docker ps` shows the mapping on the container network address (the document: "<address>:80->8080/tcp"): ' +
        '"the port mapping applies to the network that you use on the create command"',
      does: "container list shows no ports for the suite's containers",
      tags: ids('combine.mapping-on-create-network-only'),
      hooks: [
        {
          method: 'GET',
          path: /^\/containers\/json$/,
          response: (list: { Labels?: Labels }[]) =>
            Array.isArray(list) ? list.map((c) => (ours(c.Labels) ? { ...c, Ports: [] } : c)) : undefined,
        },
      ],
    },
    {
      id: 'ps-extra-port',
      breaks:
        '`docker ps` shows exactly the documented mapping, "<address>:80->8080/tcp" ' +
        '("the port mapping applies to the network that you use on the create command")',
      does: "container list shows one more mapping for the suite's containers, 0.0.0.0:8081->8080/tcp",
      tags: ids('combine.mapping-on-create-network-only.applies-to-create-network'),
      hooks: [
        {
          method: 'GET',
          path: /^\/containers\/json$/,
          response: (list: { Labels?: Labels; Ports?: unknown[] }[]) =>
            Array.isArray(list)
              ? list.map((c) =>
                  ours(c.Labels)
                    ? {
                        ...c,
                        Ports: [
                          ...(c.Ports ?? []),
                          { IP: '0.0.0.0', PrivatePort: 8080, PublicPort: 8081, Type: 'tcp' },
                        ],
                      }
                    : c,
                )
              : undefined,
        },
      ],
    },
    {
      id: 'refusals-name-nothing',
      breaks:
        '"networks can only be added to a container when it\'s in its created state"; an address in use is ' +
        'refused; without --dns, docker run fails with "Server error from portlayer: unable to wait for process ' +
        'launch status": each refusal says what it refuses',
      does:
        'network connect of a running container, network connect --ip of an address another container has, and ' +
        'container create on the DHCP network without Dns answer 400 "unrelated failure"',
      tags: ids(
        'multi-bridge.connect-only-when-created',
        'static-ip.taken-address-refused',
        'dhcp.without-dns-times-out',
      ),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/([^/]+)\/connect$/,
          answer: async (ctx) => {
            const body = ctx.body as { Container?: string; EndpointConfig?: { IPAMConfig?: { IPv4Address?: string } } }
            const c = await ctx.upstream('GET', `/containers/${encodeURIComponent(body?.Container ?? '')}/json`)
            const state = c.body as { Config?: { Labels?: Labels }; State?: { Running?: boolean } }
            if (c.status !== 200 || !ours(state?.Config?.Labels)) return undefined
            const ip = body.EndpointConfig?.IPAMConfig?.IPv4Address
            const net = ip ? await ctx.upstream('GET', `/networks/${ctx.params[0]}`) : undefined
            const taken = Object.values(
              (net?.body as { Containers?: Record<string, { IPv4Address?: string }> })?.Containers ?? {},
            ).some((e) => e.IPv4Address?.split('/')[0] === ip)
            return state.State?.Running || taken ? UNRELATED : undefined
          },
        },
        {
          method: 'POST',
          path: /^\/containers\/create$/,
          answer: (ctx) => {
            const body = ctx.body as { Labels?: Labels; HostConfig?: { NetworkMode?: string; Dns?: string[] } }
            const dhcp = target.offers.dhcpNetwork?.name
            return ours(body?.Labels) && dhcp && body.HostConfig?.NetworkMode === dhcp && !body.HostConfig?.Dns?.length
              ? UNRELATED
              : undefined
          },
        },
      ],
    },
    {
      id: 'refuse-unrelated',
      breaks:
        '"The IP address that you specify in docker network connect --ip must be within the specified range": ' +
        'refused because of the range; and, on a network deployed without a range, refused naming the address',
      does:
        'network connect --ip with an address outside the container network\'s range answers 400 "unrelated failure" ' +
        '(a refusal of another kind: a 4xx, since a 5xx is the endpoint failing the call, ' +
        'which makes a scenario not run)',
      tags: ids('static-ip.outside-range-refused', 'static-ip.rangeless-network-refuses-ip'),
      hooks: [
        {
          method: 'POST',
          path: /^\/networks\/([^/]+)\/connect$/,
          answer: (ctx) => {
            const ip = (ctx.body as { EndpointConfig?: { IPAMConfig?: { IPv4Address?: string } } })?.EndpointConfig
              ?.IPAMConfig?.IPv4Address
            return ip && range && !inRange(ip, range) ? UNRELATED : undefined
          },
        },
      ],
    },
  ]
}

/**
 * A refusal of another kind than the one documented: a 4xx, since a 5xx is the endpoint failing the
 * call, which makes a scenario not run.
 */
const UNRELATED = { status: 400, body: { message: 'unrelated failure' } }

/** The target with its control plane's stop command rewritten (a fault of the control plane). */
function withStop(target: Target, stop: (original: string) => string): Target {
  const plane = target.offers.controlPlane
  if (!plane) return target
  return { ...target, offers: { ...target.offers, controlPlane: { ...plane, stop: stop(plane.stop) } } }
}

/**
 * A shell command that kills the running containers of the scenario SCENARIO on the target's endpoint,
 * selected by the suite's labels (never anything else of the endpoint's).
 */
function killScenario(target: Target, scenario: string): string {
  const host = `DOCKER_HOST='${target.endpoint}'`
  return (
    `ids=$(${host} docker ps -q --filter label=${LABEL_RUN} --filter label=${LABEL_SCENARIO}=${scenario}); ` +
    `[ -z "$ids" ] || ${host} docker kill $ids >/dev/null`
  )
}
