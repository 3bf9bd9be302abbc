/**
 * `netconform profile` against a fake endpoint served here: the profile it writes loads, each value
 * has its source in a comment, and what it did not find is under `lacks` with why. Its usage errors
 * are one line and exit 2.
 */
import { test, after } from 'node:test'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { execa } from 'execa'
import { listenOnLoopback } from './loopback'
import { parseTarget } from '../../support/profile/targets'

const CLI = join(__dirname, '..', '..', 'bin', 'netconform.cjs')
const dir = mkdtempSync(join(tmpdir(), 'netconform-profile-'))
const servers: Server[] = []
after(() => servers.forEach((s) => s.close()))

/** A rootless Docker with a macvlan network and no DHCP network. */
async function fakeEndpoint(): Promise<string> {
  const routes: [string, unknown][] = [
    ['GET /_ping', 'OK'],
    ['GET /version', { Version: '28.5.2', ApiVersion: '1.51', Os: 'linux', Arch: 'amd64', KernelVersion: '6.1' }],
    ['GET /info', { SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless'] }],
    ['GET /networks/ext', { Name: 'ext', Options: { parent: 'eth0' } }],
    [
      'GET /networks',
      [
        { Name: 'bridge', Driver: 'bridge' },
        {
          Name: 'ext',
          Driver: 'macvlan',
          IPAM: { Driver: 'default', Config: [{ Subnet: '198.51.100.0/24', IPRange: '198.51.100.16/28' }] },
        },
      ],
    ],
  ]
  const server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]
    const hit = routes.find(([k]) => `${req.method} ${path}`.startsWith(k))
    res.writeHead(hit ? 200 : 404, { 'Content-Type': 'application/json' })
    res.end(typeof hit?.[1] === 'string' ? hit[1] : JSON.stringify(hit?.[1] ?? { message: 'page not found' }))
  })
  servers.push(server)
  return `tcp://127.0.0.1:${await listenOnLoopback(server)}`
}

test('profile writes a profile that loads, every value sourced, what is missing under lacks', async () => {
  const endpoint = await fakeEndpoint()
  const out = join(dir, 'my-vch.yaml')
  const args = ['profile', '--endpoint', endpoint, '--outside-address', '198.51.100.10', '-o', out]
  const r = await execa('node', [CLI, ...args], { reject: false })
  expect(r.exitCode, r.stderr).to.equal(0)
  expect(r.stdout).to.match(/^netconform: profile .*my-vch\.yaml: Docker Engine 28\.5\.2; container network ext/)
  const text = readFileSync(out, 'utf8')
  const target = parseTarget(text, out)
  expect(target.name).to.equal('my-vch')
  expect(target.publicAddress).to.equal('127.0.0.1')
  expect(target.offers.containerNetwork).to.deep.equal({
    name: 'ext',
    subnet: '198.51.100.0/24',
    ipRange: '198.51.100.16/28',
    outsideAddress: '198.51.100.10',
  })
  expect(Object.keys(target.lacks ?? {})).to.have.members(['dhcpNetwork', 'controlPlane'])
  expect(text).to.match(/# Where ports published with -p answer: not from the endpoint \(the engine is rootless/)
  expect(text).to.include('# given (--outside-address); inside the subnet 198.51.100.0/24.')
  expect(text).to.include("lacks:\n  dhcpNetwork: 'no network on the endpoint has IPAM driver dhcp")
})

test('profile: an output file that exists, or half of a DHCP network, is one line and exit 2', async () => {
  const taken = join(dir, 'taken.yaml')
  writeFileSync(taken, 'mine\n')
  for (const [args, message] of [
    [['-o', taken], /taken\.yaml exists: give another --out, or remove it first/],
    [['--dhcp-pool', '198.51.100.50-198.51.100.99'], /--dhcp-pool and --dhcp-dns go together/],
    [['--outside-address', 'extclient'], /--outside-address takes an IPv4 address, not "extclient"/],
  ] as const) {
    const r = await execa('node', [CLI, 'profile', ...args], { reject: false })
    expect(r.exitCode, args.join(' ')).to.equal(2)
    expect(r.stderr.trim().split('\n')).to.have.length(1)
    expect(r.stderr)
      .to.match(/^netconform: profile: /)
      .and.match(message)
  }
})
