/** Steps that observe the documented results: inside containers, and from the public network. */
import { Then } from '@cucumber/cucumber'
import { expect } from 'chai'
import {
  addressOn, answersFromHost, answersInContainer, doesNotResolve, execUntil, findAddress, interfaceAddresses, noAnswerFromHost,
  interfacesOf, noAnswerInContainer, pingReplies, addressInCidr,
} from '../support/observe/checks'
import { inRange } from '../support/observe/ipv4'
import type { NetconformWorld } from '../support/world'

Then(/^in (\S+), `(ping [^`]+)` gets replies from (\S+) on (\S+)$/, async function (this: NetconformWorld, from: string, command: string, to: string, network: string) {
  const address = await addressOn(this.docker, this.real(to), this.real(network))
  await pingReplies(this.docker, this.note, this.real(from), this.names.substitute(command), address)
})

Then(/^in (\S+), `telnet (\S+) (\d+)` and `([^`]+)` answers "([^"]+)" from (\S+)$/, async function (this: NetconformWorld, from: string, to: string, port: string, request: string, expected: string, answerer: string) {
  await answersInContainer(this.docker, this.note, this.real(from), this.real(to), Number(port), request, expected, this.real(answerer))
})

Then(/^in (\S+), (\S+)'s address on (\S+) answers "([^"]+)" on port (\d+)$/, async function (this: NetconformWorld, from: string, to: string, network: string, expected: string, port: string) {
  const address = await addressOn(this.docker, this.real(to), this.real(network))
  await answersInContainer(this.docker, this.note, this.real(from), address, Number(port), 'GET /', expected, this.real(to))
})

Then(/^from the public network, `telnet vch_public_interface (\d+)` and `([^`]+)` answers "([^"]+)" from (\S+)$/, async function (this: NetconformWorld, port: string, request: string, expected: string, answerer: string) {
  await answersFromHost(this.note, this.target.publicAddress, Number(port), request, expected, this.real(answerer))
})

Then(/^in (\S+), `([^`]+)` cannot resolve (\S+), while (\S+)'s address on (\S+) answers "[^"]+" on port (\d+)$/, async function (this: NetconformWorld, from: string, command: string, name: string, peer: string, network: string, port: string) {
  const control = { address: await addressOn(this.docker, this.real(peer), this.real(network)), port: Number(port), answerer: this.real(peer) }
  await doesNotResolve(this.docker, this.note, this.real(from), this.names.substitute(command), this.real(name), control)
})

Then(/^in (\S+), (\S+)'s address on (\S+) does not answer on port (\d+), while (\S+)'s address on (\S+) answers "[^"]+" on port (\d+)$/, async function (this: NetconformWorld, from: string, to: string, network: string, port: string, peer: string, peerNetwork: string, peerPort: string) {
  const address = await addressOn(this.docker, this.real(to), this.real(network))
  const control = { address: await addressOn(this.docker, this.real(peer), this.real(peerNetwork)), port: Number(peerPort), answerer: this.real(peer) }
  await noAnswerInContainer(this.docker, this.note, this.real(from), address, Number(port), control)
})

Then(/^in (\S+), `ip addr` shows the address (\S+)$/, async function (this: NetconformWorld, container: string, address: string) {
  findAddress(await interfaceAddresses(this.docker, this.note, this.real(container)), this.real(address), container)
})

Then(/^in (\S+), `ip addr` shows an address in the container network's range$/, async function (this: NetconformWorld, container: string) {
  const range = this.containerNetwork!.ipRange!
  const shown = await interfaceAddresses(this.docker, this.note, this.real(container))
  expect(shown.map((a) => a.address).filter((a) => inRange(a, range)), `addresses of ${container} in ${range}`).to.have.length.above(0)
})

Then(/^in (\S+), `ip addr` shows an address in (\d+\.\d+\.\d+\.\d+\/\d+)$/, async function (this: NetconformWorld, container: string, cidr: string) {
  addressInCidr(await interfaceAddresses(this.docker, this.note, this.real(container)), cidr, container)
})

Then(/^in (\S+), `ip addr` shows its address on (\S+) with mask \/(\d+)$/, async function (this: NetconformWorld, container: string, network: string, bits: number) {
  const address = await addressOn(this.docker, this.real(container), this.real(network))
  const shown = findAddress(await interfaceAddresses(this.docker, this.note, this.real(container)), address, container)
  expect(shown.prefix, `mask of ${address} in ${container}`).to.equal(bits)
})

Then(/^in (\S+), `ip addr` shows its addresses on (\S+) and (\S+) on (one interface|distinct interfaces)$/, async function (this: NetconformWorld, container: string, a: string, b: string, how: string) {
  const [ia, ib] = await interfacesOf(this, container, [a, b])
  expect(ia === ib ? 'one interface' : 'distinct interfaces', `interfaces of ${container}'s addresses on ${a} (${ia}) and ${b} (${ib})`).to.equal(how)
})

Then(/^in (\S+), `cat \/etc\/resolv.conf` names the nameserver (\S+)$/, async function (this: NetconformWorld, container: string, dns: string) {
  const r = await execUntil(this.docker, this.note, this.real(container), 'cat /etc/resolv.conf', `nameserver ${this.real(dns)}`, (x) => x.exitCode === 0)
  expect(r.stdout.split('\n').map((l) => l.trim()), 'lines of /etc/resolv.conf').to.include(`nameserver ${this.real(dns)}`)
})

Then(/^in (\S+), `ip addr` shows an address from the DHCP server's pool$/, async function (this: NetconformWorld, container: string) {
  const pool = this.target.offers.dhcpNetwork!.pool
  const shown = await interfaceAddresses(this.docker, this.note, this.real(container))
  expect(shown.map((a) => a.address).filter((a) => inRange(a, pool)), `addresses of ${container} in the pool ${pool}`).to.have.length.above(0)
})

Then(/^from the public network, `telnet vch_public_interface (\d+)` gets no answer$/, async function (this: NetconformWorld, port: number) {
  await noAnswerFromHost(this.note, this.target.publicAddress, port)
})
