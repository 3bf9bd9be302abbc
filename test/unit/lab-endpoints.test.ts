/**
 * The lab's endpoints have one list (LAB_MORE_ENDPOINTS in lab/lib.sh, after docker and podman); each
 * needs its lab script, its profile, and a socket in lib.sh's LAB_ENDPOINT that is the profile's
 * endpoint. This names whatever is missing.
 */
import { test } from 'node:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'chai'
import { LAB_MORE_TARGETS, LAB_SSH_TARGET, LAB_TARGETS, labMoreEndpoints } from '../../support/run/lab'
import { loadTarget } from '../../support/profile/targets'
import { PROJECT } from '../../support/project'

const LIB = readFileSync(join(PROJECT, 'lab', 'lib.sh'), 'utf8')

/** NAME → value, from lib.sh's `declare -A ARRAY=([NAME]=value …)` (LAB_ENDPOINT, LAB_VCH_ADDRESS, LAB_VCH_RANGE). */
function labArray(text: string, array: string): Record<string, string> {
  const block = new RegExp(`declare -A ${array}=\\(([^)]*)\\)`).exec(text)?.[1] ?? ''
  return Object.fromEntries([...block.matchAll(/\[([\w-]+)\]=(\S+)/g)].map((m) => [m[1], m[2]]))
}
const labSockets = (text: string) => labArray(text, 'LAB_ENDPOINT')

test("every lab endpoint has lab/endpoints/NAME.sh, targets/NAME.yaml, and lib.sh's socket is its profile's endpoint", () => {
  const sockets = labSockets(LIB)
  const missing: string[] = []
  for (const name of [...LAB_TARGETS, ...LAB_MORE_TARGETS]) {
    if (LAB_MORE_TARGETS.includes(name) && !existsSync(join(PROJECT, 'lab', 'endpoints', `${name}.sh`)))
      missing.push(`lab/endpoints/${name}.sh`)
    if (!existsSync(join(PROJECT, 'targets', `${name}.yaml`))) missing.push(`targets/${name}.yaml`)
    else if (sockets[name] !== loadTarget(name).endpoint)
      missing.push(`lab/lib.sh LAB_ENDPOINT[${name}] = targets/${name}.yaml's endpoint`)
  }
  expect(missing).to.deep.equal([])
})

test('the list is read from lib.sh; a lib.sh without it is named', () => {
  expect(labMoreEndpoints('x=1\nLAB_MORE_ENDPOINTS="a b  c"\n')).to.deep.equal(['a', 'b', 'c'])
  expect(() => labMoreEndpoints('x=1\n')).to.throw(/LAB_MORE_ENDPOINTS/)
})

/** VAR=value of lib.sh (a plain assignment, $OTHER expanded from earlier ones). */
function libVar(name: string, text = LIB): string {
  const raw = new RegExp(`^${name}=(\\S+)$`, 'm').exec(text)?.[1] ?? ''
  return raw.replace(/\$(\w+)/g, (_, v: string) => libVar(v, text))
}

test("docker-28-ssh's profile is what lab/ssh.sh serves: its user at docker-28's VCH address, the lab's key and known_hosts", () => {
  const address = /declare -A LAB_VCH_ADDRESS=\(\[docker-28\]=(\S+)/.exec(LIB)?.[1]
  const t = loadTarget(LAB_SSH_TARGET)
  expect(t.endpoint).to.equal(`ssh://${libVar('LAB_SSH_USER')}@${address}`)
  expect(t.publicAddress).to.equal(address)
  expect(t.ssh).to.deep.equal({
    identityFile: `${libVar('LAB_SSH_CLIENT')}/id_ed25519`,
    knownHostsFile: `${libVar('LAB_SSH_CLIENT')}/known_hosts`,
  })
  // The same engine: the same offers and deviations as docker-28's profile.
  const socket = loadTarget('docker-28')
  expect(t.offers).to.deep.equal(socket.offers)
  expect(t.deviations).to.deep.equal(socket.deviations)
  expect(t.lacks).to.deep.equal(socket.lacks)
})

test("lib.sh's VCH addresses and container-network ranges are their profiles' publicAddress and ipRange", () => {
  const addresses = labArray(LIB, 'LAB_VCH_ADDRESS')
  const ranges = labArray(LIB, 'LAB_VCH_RANGE')
  expect(Object.keys(addresses).length, 'LAB_VCH_ADDRESS read from lib.sh').to.be.above(0)
  expect(Object.keys(ranges).length, 'LAB_VCH_RANGE read from lib.sh').to.be.above(0)
  const wrong = [
    ...Object.entries(addresses)
      .filter(([name, address]) => loadTarget(name).publicAddress !== address)
      .map(
        ([name, address]) =>
          `LAB_VCH_ADDRESS[${name}]=${address}, targets/${name}.yaml says ${loadTarget(name).publicAddress}`,
      ),
    ...Object.entries(ranges)
      .filter(([name, range]) => loadTarget(name).offers.containerNetwork?.ipRange !== range)
      .map(
        ([name, range]) =>
          `LAB_VCH_RANGE[${name}]=${range}, targets/${name}.yaml says ${loadTarget(name).offers.containerNetwork?.ipRange}`,
      ),
  ]
  expect(wrong).to.deep.equal([])
})
