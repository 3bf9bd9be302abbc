import { test } from 'node:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { parse } from 'yaml'
import { UsageError } from '../../support/errors'
import {
  DEFAULT_PROBE_IMAGE,
  TARGETS_DIR,
  defaultTarget,
  knownTargets,
  loadTarget,
  parseTarget,
} from '../../support/profile/targets'

const FILE = 'targets/mine.yaml'
const DOCKER_YAML = readFileSync(join(TARGETS_DIR, 'docker.yaml'), 'utf8')
const PODMAN_YAML = readFileSync(join(TARGETS_DIR, 'podman.yaml'), 'utf8')

const VALID = [
  'name: mine',
  'endpoint: unix:///var/run/docker.sock',
  'publicAddress: 198.51.100.1',
  'probeImage: netconform-probe:1',
].join('\n')

/** The UsageError that parsing `text` throws; fails the test when it does not throw one. */
function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn()
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError)
    const message = (e as Error).message
    expect(message, 'one line').to.not.include('\n')
    return e as UsageError
  }
  expect.fail('no error thrown')
}

function parseError(text: string, file = FILE): string {
  const message = usageErrorOf(() => parseTarget(text, file)).message
  expect(message.startsWith(`${file}: `), `names the file: ${message}`).to.equal(true)
  return message
}

test('parseTarget accepts targets/docker.yaml', () => {
  expect(parseTarget(DOCKER_YAML, 'targets/docker.yaml')).to.deep.equal({
    name: 'docker',
    endpoint: 'unix:///var/run/docker.sock',
    publicAddress: '198.51.100.1',
    probeImage: 'netconform-probe:1',
    offers: {
      containerNetwork: {
        name: 'netconform-external',
        subnet: '198.51.100.0/24',
        ipRange: '198.51.100.128/26',
        outsideNetns: 'extclient',
        outsideAddress: '198.51.100.10',
      },
      controlPlane: {
        stop: '"$NETCONFORM_LAB/control-plane.sh" docker stop',
        start: '"$NETCONFORM_LAB/control-plane.sh" docker start',
      },
    },
    lacks: {
      dhcpNetwork: 'Docker Engine has no DHCP IPAM driver (docker network create --ipam-driver dhcp is refused).',
    },
    deviations: (parse(DOCKER_YAML) as { deviations: object }).deviations,
    source: 'targets/docker.yaml',
  })
})

test('parseTarget accepts targets/podman.yaml', () => {
  expect(parseTarget(PODMAN_YAML, 'targets/podman.yaml')).to.deep.equal({
    name: 'podman',
    endpoint: 'unix:///run/podman/podman.sock',
    publicAddress: '198.51.100.1',
    probeImage: 'netconform-probe:1',
    offers: {
      containerNetwork: {
        name: 'netconform-external',
        subnet: '198.51.100.0/24',
        ipRange: '198.51.100.192/27',
        outsideNetns: 'extclient',
        outsideAddress: '198.51.100.10',
      },
      dhcpNetwork: { name: 'netconform-dhcp', dns: '198.51.100.2', pool: '198.51.100.50-198.51.100.99' },
      controlPlane: {
        stop: '"$NETCONFORM_LAB/control-plane.sh" podman stop',
        start: '"$NETCONFORM_LAB/control-plane.sh" podman start',
      },
    },
    deviations: (parse(PODMAN_YAML) as { deviations: object }).deviations,
    source: 'targets/podman.yaml',
  })
})

test('parseTarget: offers may be left out (it becomes {}) and may describe the networks the target provides', () => {
  expect(parseTarget(VALID, FILE).offers).to.deep.equal({})
  const t = parseTarget(
    `${VALID}\noffers:\n  containerNetwork:\n    name: lab-cnet\n    subnet: 203.0.113.0/24\n    ipRange: 203.0.113.128/25\n  dhcpNetwork:\n    name: lab-dhcp\n    dns: 203.0.113.1\n    pool: 203.0.113.50-203.0.113.99\n`,
    FILE,
  )
  expect(t.offers).to.deep.equal({
    containerNetwork: { name: 'lab-cnet', subnet: '203.0.113.0/24', ipRange: '203.0.113.128/25' },
    dhcpNetwork: { name: 'lab-dhcp', dns: '203.0.113.1', pool: '203.0.113.50-203.0.113.99' },
  })
})

test('parseTarget: a tcp:// endpoint is accepted', () => {
  expect(parseTarget(VALID.replace('unix:///var/run/docker.sock', 'tcp://203.0.113.5:2375'), FILE).endpoint).to.equal(
    'tcp://203.0.113.5:2375',
  )
})

test('parseTarget: missing endpoint', () => {
  const message = parseError(DOCKER_YAML.replace(/^endpoint:.*$/m, ''))
  expect(message).to.equal(`${FILE}: missing field "endpoint"`)
})

test('parseTarget: misspelt key publicAdress', () => {
  const message = parseError(DOCKER_YAML.replace('publicAddress:', 'publicAdress:'))
  expect(message).to.include('unknown field "publicAdress"')
  // the real field is then missing too
  expect(message).to.include('missing field "publicAddress"')
})

test('parseTarget: misspelt nested key offers.containerNetwork.nmae', () => {
  const message = parseError(`${VALID}\noffers:\n  containerNetwork:\n    nmae: lab-cnet\n`)
  expect(message).to.include('unknown field "offers.containerNetwork.nmae"')
  expect(message).to.include('missing field "offers.containerNetwork.name"')
})

test('parseTarget: unknown key under offers', () => {
  expect(parseError(`${VALID}\noffers:\n  containerNetworks: {}\n`)).to.include(
    'unknown field "offers.containerNetworks"',
  )
})

test('parseTarget: a field of the wrong type', () => {
  expect(parseError(VALID.replace('publicAddress: 198.51.100.1', 'publicAddress: 5'))).to.equal(
    `${FILE}: field "publicAddress" must be string`,
  )
  expect(parseError(`${VALID}\noffers: []\n`)).to.equal(`${FILE}: field "offers" must be object`)
  expect(parseError(`${VALID}\noffers:\n  containerNetwork:\n    name: 7\n`)).to.equal(
    `${FILE}: field "offers.containerNetwork.name" must be string`,
  )
})

test('parseTarget: a document that is not a mapping', () => {
  expect(parseError('')).to.include('field "(top)" must be object')
  expect(parseError('- a\n- b\n')).to.include('field "(top)" must be object')
})

test('parseTarget: invalid YAML', () => {
  const message = parseError('name: [docker\nendpoint: unix:///x\n')
  expect(message).to.match(new RegExp(`^${FILE}: not valid YAML: `))
})

test('parseTarget: a key given twice is invalid YAML', () => {
  expect(parseError(`${VALID}\nname: again\n`)).to.include('not valid YAML')
})

test('parseTarget: endpoint with an ftp:// scheme', () => {
  const message = parseError(VALID.replace('unix:///var/run/docker.sock', 'ftp://203.0.113.5'))
  expect(message).to.include('field "endpoint"')
  expect(message).to.include('^(unix|tcp)://')
})

test('parseTarget: a name that is not a short lowercase name', () => {
  expect(parseError(VALID.replace('name: mine', 'name: My Target'))).to.include('field "name" must match pattern')
})

test('parseTarget: every problem is listed, separated by "; "', () => {
  const message = parseError('name: mine\nprobeImage: ""\n')
  expect(message).to.include('missing field "endpoint"')
  expect(message).to.include('missing field "publicAddress"')
  expect(message).to.include('field "probeImage" must NOT have fewer than 1 characters')
  expect(message.split('; ').length).to.equal(3)
})

const DEVIATION = [
  'deviations:',
  '  multi-bridge.connect-only-when-created:',
  '    reason: Docker connects a running container to another network.',
]

test('parseTarget: a deviation names its failure, step and observed', () => {
  const t = parseTarget(
    [
      VALID,
      ...DEVIATION,
      "    step: 'it is refused'",
      "    observed: '^`docker network connect bridge-web db` was accepted'",
    ].join('\n'),
    FILE,
  )
  expect(t.deviations['multi-bridge.connect-only-when-created']).to.deep.equal({
    reason: 'Docker connects a running container to another network.',
    step: 'it is refused',
    observed: '^`docker network connect bridge-web db` was accepted',
  })
})

test('parseTarget: a deviation without step or observed is refused, naming both fields', () => {
  const message = parseError([VALID, ...DEVIATION].join('\n'))
  expect(message).to.include('missing field "deviations.multi-bridge.connect-only-when-created.step"')
  expect(message).to.include('missing field "deviations.multi-bridge.connect-only-when-created.observed"')
  expect(parseError([VALID, ...DEVIATION, '    step: it is refused'].join('\n'))).to.equal(
    `${FILE}: missing field "deviations.multi-bridge.connect-only-when-created.observed"`,
  )
  expect(parseError([VALID, ...DEVIATION, "    step: ''", '    observed: x'].join('\n'))).to.include(
    'deviations.multi-bridge.connect-only-when-created.step',
  )
})

test('parseTarget: a regular expression that does not compile is refused when the profile loads, naming the field', () => {
  expect(
    parseError([VALID, ...DEVIATION, '    step: it is refused', "    observed: 'was accepted ('"].join('\n')),
  ).to.match(
    /^targets\/mine\.yaml: field "deviations\.multi-bridge\.connect-only-when-created\.observed": not a valid regular expression: .*Unterminated group/,
  )
  expect(
    parseError([VALID, ...DEVIATION, "    step: '/it is [refused/'", '    observed: accepted'].join('\n')),
  ).to.match(
    /^targets\/mine\.yaml: field "deviations\.multi-bridge\.connect-only-when-created\.step": not a valid regular expression: /,
  )
})

test('loadTarget loads a profile of targets/ by name', () => {
  const t = loadTarget('docker')
  expect(t.name).to.equal('docker')
  expect(t.endpoint).to.equal('unix:///var/run/docker.sock')
  expect(t.source).to.match(/docker\.yaml$/)
})

test('loadTarget("nope") is a UsageError naming the unknown target and the known ones', () => {
  const message = usageErrorOf(() => loadTarget('nope')).message
  expect(message).to.match(/^unknown target "nope": no .*nope\.yaml \(known targets: .*\)$/)
  const known = /known targets: (.*)\)$/.exec(message)![1].split(', ')
  expect(known).to.include.members(['docker', 'podman'])
  expect(known).to.deep.equal(knownTargets())
})

test('loadTarget and knownTargets with another directory; *.example.yaml profiles are not targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netconform-targets-'))
  try {
    writeFileSync(join(dir, 'lab.yaml'), VALID.replace('name: mine', 'name: lab'))
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\n')
    writeFileSync(join(dir, 'mine.example.yaml'), VALID)
    writeFileSync(join(dir, 'notes.txt'), 'x')
    expect(knownTargets(dir)).to.deep.equal(['broken', 'lab'])
    expect(loadTarget('lab', dir).name).to.equal('lab')
    expect(usageErrorOf(() => loadTarget('nope', dir)).message).to.match(/\(known targets: broken, lab\)$/)
    // a path is loaded as it is, and a bad profile names its file
    expect(loadTarget(join(dir, 'lab.yaml')).name).to.equal('lab')
    const message = usageErrorOf(() => loadTarget('broken', dir)).message
    expect(message).to.match(/broken\.yaml: /)
    expect(message).to.include('missing field "endpoint"')
    expect(usageErrorOf(() => loadTarget(join(dir, 'absent.yaml'))).message).to.match(
      /^unknown target ".*absent\.yaml"/,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('defaultTarget for a tcp:// endpoint: ports are published on its host', () => {
  const t = defaultTarget('tcp://203.0.113.5:2375')
  expect(t).to.deep.include({
    name: 'default',
    endpoint: 'tcp://203.0.113.5:2375',
    publicAddress: '203.0.113.5',
    probeImage: DEFAULT_PROBE_IMAGE,
  })
  expect(t.offers).to.deep.equal({})
  expect(t.source).to.match(/environment/)
})

test('defaultTarget for a unix:// endpoint: ports are published on 127.0.0.1', () => {
  expect(defaultTarget('unix:///var/run/docker.sock').publicAddress).to.equal('127.0.0.1')
})

test('defaultTarget for an endpoint that is not a URL falls back to 127.0.0.1', () => {
  expect(defaultTarget('/var/run/docker.sock').publicAddress).to.equal('127.0.0.1')
})

test('defaultTarget for an IPv6 tcp:// endpoint gives the bare address', {}, () => {
  expect(defaultTarget('tcp://[::1]:2375').publicAddress).to.equal('::1')
})

test('parseTarget: lacks says why an offer is absent; a profile that offers it and says it lacks it is refused', () => {
  const t = parseTarget(`${VALID}\nlacks:\n  containerNetwork: rootless, no macvlan\n`, FILE)
  expect(t.lacks).to.deep.equal({ containerNetwork: 'rootless, no macvlan' })
  expect(parseError(`${VALID}\noffers:\n  containerNetwork:\n    name: n\nlacks:\n  containerNetwork: why\n`)).to.equal(
    `${FILE}: field "lacks.containerNetwork": the profile offers containerNetwork (offers.containerNetwork) and says why it lacks it`,
  )
  expect(parseError(`${VALID}\nlacks:\n  vlan: x\n`)).to.include('unknown field "lacks.vlan"')
})

test('every lab profile says why it lacks each offer it does not have', () => {
  for (const name of knownTargets()) {
    const t = loadTarget(name)
    for (const offer of ['containerNetwork', 'dhcpNetwork'] as const) {
      if (!t.offers[offer]) expect(t.lacks?.[offer], `${name}: lacks.${offer}`).to.be.a('string')
    }
  }
})
