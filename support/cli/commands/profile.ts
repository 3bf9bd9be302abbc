/**
 * `netconform profile`: a commented profile written from what the endpoint shows. Each value's
 * comment says where it came from: the endpoint's answer (GET /version, /info, /networks, a route
 * lookup on its host), an option given, or the fallback taken and why; what it could not find goes
 * under `lacks` with the measured reason. It reads the endpoint, except for one labelled container
 * on the host's network (engine/inventory.ts hostSourceAddress), removed, and the probe image when
 * the endpoint lacks it, imported with the suite's label and removed again.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { UsageError } from '../../errors'
import { inRange, isIPv4 } from '../../ipv4'
import type { Offers, Target } from '../../types'
import type { Parsed } from '../options'

export const PROFILE_SPEC = {
  summary: 'a commented profile written from what an endpoint shows: its engine, networks and public address',
  options: {
    endpoint: { value: 'URL', description: 'Docker API endpoint (unix:///…, tcp://…, ssh://…)' },
    context: { value: 'NAME', description: 'a docker context (docker context ls): its endpoint and TLS files' },
    out: { value: 'FILE', short: 'o', description: 'where the profile goes (not overwritten)', defaultText: 'stdout' },
    name: {
      value: 'NAME',
      description: "the profile's name: reports go to reports/NAME/",
      defaultText: "the --out file's name without .yaml, else my-endpoint",
    },
    'outside-netns': {
      value: 'NS',
      description: 'the network namespace on this host of a client on the container network (ip netns)',
    },
    'outside-address': { value: 'ADDR', description: "that client's address on the container network's segment" },
    'dhcp-pool': {
      value: 'FIRST-LAST',
      description: "the pool of the DHCP network's server (the endpoint cannot say it)",
    },
    'dhcp-dns': { value: 'ADDR', description: 'the DNS server DHCP containers are given with --dns' },
  },
  examples: [
    'profile -o my-vch.yaml',
    'profile --endpoint tcp://vch.example:2376 --outside-address 198.51.100.10 -o vch.yaml',
    'profile --endpoint unix:///run/podman/podman.sock --outside-netns extclient --outside-address 198.51.100.10',
  ],
  exit: '0 written; 2 usage or endpoint error',
} as const

type Values = Parsed<typeof PROFILE_SPEC>['values']

const NAME = /^[a-z0-9][a-z0-9_.-]*$/

/** One YAML line per comment line, at INDENT, wrapped at 110 columns. */
function comment(indent: string, text: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + 2 + line.length + 1 + word.length > 110) {
      lines.push(`${indent}# ${line}`)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  lines.push(`${indent}# ${line}`)
  return lines
}

/** A YAML scalar: single-quoted unless plain is safe. */
const scalar = (s: string) => (/^[A-Za-z0-9_./:-]+$/.test(s) && !/^\d+$/.test(s) ? s : `'${s.replace(/'/g, "''")}'`)

/** The checks of the options alone, before the endpoint is asked. */
function checkOptions(values: Values): void {
  const problem = (m: string) => new UsageError(`profile: ${m} (netconform help profile)`)
  if (values.out !== undefined && existsSync(values.out))
    throw problem(`${values.out} exists: give another --out, or remove it first`)
  if (values['outside-address'] !== undefined && !isIPv4(values['outside-address']))
    throw problem(`--outside-address takes an IPv4 address, not "${values['outside-address']}"`)
  if (values['dhcp-dns'] !== undefined && !isIPv4(values['dhcp-dns']))
    throw problem(`--dhcp-dns takes an IPv4 address, not "${values['dhcp-dns']}"`)
  const pool = values['dhcp-pool']
  if (pool !== undefined && !/^(?:\d{1,3}\.){3}\d{1,3}-(?:\d{1,3}\.){3}\d{1,3}$/.test(pool))
    throw problem(`--dhcp-pool takes FIRST-LAST (198.51.100.50-198.51.100.99), not "${pool}"`)
  if ((values['dhcp-pool'] === undefined) !== (values['dhcp-dns'] === undefined))
    throw problem('--dhcp-pool and --dhcp-dns go together: a DHCP network needs both')
  if (values.name !== undefined && !NAME.test(values.name))
    throw problem(`--name is lower-case letters, digits, _ . -, not "${values.name}"`)
}

function profileName(values: Values): string {
  if (values.name) return values.name
  const stem = values.out ? basename(values.out).replace(/\.ya?ml$/, '') : ''
  return NAME.test(stem) ? stem : 'my-endpoint'
}

/** The address an outside client reaches the endpoint's host by, when its endpoint URL names a host. */
function urlHost(endpoint: string): string | undefined {
  try {
    const url = new URL(endpoint)
    return url.protocol === 'unix:' ? undefined : url.hostname.replace(/^\[(.*)\]$/, '$1') || undefined
  } catch {
    return undefined
  }
}

export async function profileCommand(
  values: Values,
  out: (line: string) => void,
  resolveTarget: (values: Values) => Target,
): Promise<number> {
  checkOptions(values)
  const target = resolveTarget(values)
  const { dockerFor, probeEndpoint } = require('../../engine/connection') as typeof import('../../engine/connection')
  const { SEGMENT_DRIVERS, hostSourceAddress, networksOf, rootlessOf } =
    require('../../engine/inventory') as typeof import('../../engine/inventory')
  const { ensureProbeImage } = require('../../engine/image') as typeof import('../../engine/image')
  const { parseTarget, DEFAULT_PROBE_IMAGE } =
    require('../../profile/targets') as typeof import('../../profile/targets')
  const engine = await probeEndpoint(target)
  const docker = dockerFor(target, 60_000)
  const rootless = await rootlessOf(docker)
  const networks = await networksOf(docker)
  const listed = networks.map((n) => `${n.name} (${n.driver}, IPAM ${n.ipamDriver})`).join(', ') || 'none'

  const lines: string[] = [
    ...comment(
      '',
      `Written by \`netconform profile\` at ${new Date().toISOString()} from what ${target.endpoint} showed. ` +
        'Each value says where it came from; review them, then `netconform run --target <this file>`, and ' +
        '`netconform declare <its report>` for the differences it finds.',
    ),
    `name: ${profileName(values)}`,
    ...comment('', `The endpoint: ${target.source}.`),
    `endpoint: ${scalar(target.endpoint)}`,
  ]
  if (target.tls) {
    lines.push(...comment('', `TLS files: ${target.source}.`), 'tls:')
    lines.push(`  caFile: ${scalar(target.tls.caFile)}`, `  certFile: ${scalar(target.tls.certFile)}`)
    lines.push(`  keyFile: ${scalar(target.tls.keyFile)}`)
  }
  lines.push(
    ...comment(
      '',
      `Engine: ${engine.name} ${engine.version} (API ${engine.apiVersion}), ${engine.os}, kernel ${engine.kernel} ` +
        `(GET /version); ${rootless.value ? 'rootless' : 'not rootless'}: ${rootless.from}.`,
    ),
  )

  // The container network: a macvlan or ipvlan network with an address plan of its own (not DHCP's).
  const segment = networks.filter((n) => SEGMENT_DRIVERS.includes(n.driver))
  const outsideAddress = values['outside-address']
  const candidates = segment
    .filter((n) => n.ipamDriver !== 'dhcp' && n.subnet)
    .sort((a, b) => Number(fits(b, outsideAddress)) - Number(fits(a, outsideAddress)))
  const container = candidates[0]
  const dhcp = segment.find((n) => n.ipamDriver === 'dhcp')

  // Where published ports answer: the address the endpoint's host sends from towards the outside client
  // (or the container network's gateway), asked from the host itself; else the endpoint's host.
  const probeImage = DEFAULT_PROBE_IMAGE
  const destination = outsideAddress ?? container?.gateway
  let publicAddress: { address: string; why: string } | undefined
  if (!rootless.value && destination) {
    const said = await ensureProbeImage(docker, probeImage, target.endpoint)
    const imported = said.startsWith('imported')
    try {
      const seen = await hostSourceAddress(docker, probeImage, destination)
      if (seen.address) publicAddress = { address: seen.address, why: `from the endpoint: ${seen.why}` }
      else lines.push(...comment('', `The endpoint could not say its public address: ${seen.why}.`))
    } finally {
      if (imported) await docker.getImage(probeImage).remove()
    }
  }
  if (!publicAddress) {
    const host = urlHost(target.endpoint)
    const why = rootless.value
      ? 'the engine is rootless: a container on its "host" network may sit in the rootless network namespace, ' +
        "not on the host's addresses"
      : destination
        ? 'the route lookup on its host did not say'
        : 'there is no outside client (--outside-address) or container network to look a route up towards'
    publicAddress = host
      ? { address: host, why: `not from the endpoint (${why}): the endpoint's host, from its URL` }
      : {
          address: '127.0.0.1',
          why: `not from the endpoint (${why}): this host, as the endpoint is a unix socket here`,
        }
  }
  lines.push(
    ...comment('', `Where ports published with -p answer: ${publicAddress.why}.`),
    `publicAddress: ${publicAddress.address}`,
    ...comment('', 'The image the suite runs for every documented image; imported from /bin/busybox when missing.'),
    `probeImage: ${scalar(probeImage)}`,
  )

  const offers: string[] = []
  const lacks: [keyof Offers, string][] = []
  if (container) {
    const others = candidates.slice(1).map((n) => n.name)
    offers.push(
      ...comment(
        '  ',
        `GET /networks: ${container.name}, driver ${container.driver}` +
          `${container.parent ? ` on the host's ${container.parent}` : ''}: containers get an address of their own ` +
          `on that segment${others.length ? `; also such networks: ${others.join(', ')}` : ''}.`,
      ),
      '  containerNetwork:',
      `    name: ${scalar(container.name)}`,
      ...comment('    ', "its IPAM config's Subnet (GET /networks)."),
      `    subnet: ${container.subnet}`,
    )
    if (container.ipRange)
      offers.push(
        ...comment('    ', `the range the engine assigns from: ${container.rangeFrom ?? 'GET /networks'}.`),
        `    ipRange: ${container.ipRange}`,
      )
    else offers.push(...comment('    ', 'no IPRange in its IPAM config: the engine assigns from the whole subnet.'))
    if (values['outside-netns']) {
      const ns = values['outside-netns']
      const seen = existsSync(`/run/netns/${ns}`) ? `/run/netns/${ns} exists on this host` : `no /run/netns/${ns} here`
      offers.push(...comment('    ', `given (--outside-netns); ${seen}.`), `    outsideNetns: ${scalar(ns)}`)
    }
    if (outsideAddress) {
      const where = fits(container, outsideAddress) ? 'inside' : 'NOT inside'
      offers.push(
        ...comment('    ', `given (--outside-address); ${where} the subnet ${container.subnet}.`),
        `    outsideAddress: ${outsideAddress}`,
      )
    }
  } else {
    const why = rootless.value
      ? `rootless (${rootless.from}): no macvlan or ipvlan network, and an unprivileged engine cannot put one on ` +
        `its host's segment (networks: ${listed})`
      : `no macvlan or ipvlan network with a subnet of its own on the endpoint (networks: ${listed}); ` +
        'create one on the segment outside clients are on and profile again'
    lacks.push(['containerNetwork', why])
    if (values['outside-netns'] || outsideAddress)
      lines.push(...comment('', 'The outside client given has no container network to be on: left out.'))
  }
  if (dhcp && values['dhcp-pool'] && values['dhcp-dns']) {
    offers.push(
      ...comment('  ', `GET /networks: ${dhcp.name}, driver ${dhcp.driver}, IPAM driver dhcp.`),
      '  dhcpNetwork:',
      `    name: ${scalar(dhcp.name)}`,
      ...comment('    ', 'given (--dhcp-dns): passed with --dns, as the document requires.'),
      `    dns: ${values['dhcp-dns']}`,
      ...comment('    ', "given (--dhcp-pool): the DHCP server's pool."),
      `    pool: ${values['dhcp-pool']}`,
    )
  } else if (dhcp) {
    lacks.push([
      'dhcpNetwork',
      `${dhcp.name} (${dhcp.driver}, IPAM driver dhcp) is on the endpoint, but its DHCP server's pool and the DNS ` +
        "address to pass with --dns are not the endpoint's to tell: profile again with --dhcp-pool and --dhcp-dns",
    ])
  } else {
    lacks.push(['dhcpNetwork', `no network on the endpoint has IPAM driver dhcp (GET /networks: ${listed})`])
  }
  lacks.push([
    'controlPlane',
    "the endpoint does not say how its API process is stopped and started: write offers.controlPlane's stop and " +
      'start commands to let the suite take it down',
  ])
  if (offers.length > 0) lines.push('offers:', ...offers)
  lines.push(...comment('', 'What it does not offer, and why, as measured (the not-applicable verdicts quote it).'))
  lines.push('lacks:', ...lacks.map(([k, why]) => `  ${k}: ${scalar(why)}`))
  const text = `${lines.join('\n')}\n`

  const shown = values.out ?? 'the new profile'
  parseTarget(text, shown)
  if (values.out) {
    writeFileSync(values.out, text)
    const dhcpSaid = dhcp
      ? `${dhcp.name}${lacks.some(([k]) => k === 'dhcpNetwork') ? ' (its pool and DNS not given: lacking)' : ''}`
      : 'none'
    const networkSaid = container ? `${container.name} ${container.ipRange ?? container.subnet}` : 'none'
    out(
      `netconform: profile ${values.out}: ${engine.name} ${engine.version}; container network ${networkSaid}; ` +
        `DHCP network ${dhcpSaid}; public address ${publicAddress.address}`,
    )
  } else process.stdout.write(text)
  return 0
}

/** Whether ADDRESS is in NETWORK's subnet (false when either is missing). */
function fits(network: { subnet?: string }, address: string | undefined): boolean {
  if (!network.subnet || !address) return false
  try {
    return inRange(address, network.subnet)
  } catch {
    return false
  }
}
