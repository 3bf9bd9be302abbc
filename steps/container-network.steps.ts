/**
 * Steps for container networks: what the target offers (or not-applicable), the outside
 * client on the network's segment, and the suite's own listener there.
 */
import { Given, Then } from '@cucumber/cucumber'
import { addressOn, answersFromOutside, answersInContainer, noAnswerFromOutside, noAnswerInContainer, outsidePings } from '../support/observe/checks'
import { startOutsideListener } from '../support/observe/outside'
import { notApplicable, offerContainerNetwork, offerDhcpNetwork } from '../support/endpoint/offers'
import type { NetconformWorld } from '../support/world'

Given(/^a container network (\S+)(?: with an address range)?$/, function (this: NetconformWorld, docName: string) {
  if (!offerContainerNetwork(this, docName)) return notApplicable(this, `target ${this.target.name} offers no container network (offers.containerNetwork in ${this.target.source})`, 'offers.containerNetwork')
})

Given(/^a DHCP container network (\S+), whose DNS server the document calls (\S+)$/, function (this: NetconformWorld, docName: string, dns: string) {
  if (!offerDhcpNetwork(this, docName, dns)) return notApplicable(this, `target ${this.target.name} offers no DHCP network (offers.dhcpNetwork in ${this.target.source})`, 'offers.dhcpNetwork')
})

Given('a listener outside the endpoint\'s networks', async function (this: NetconformWorld) {
  this.listeners.push(await startOutsideListener(this.containerNetwork!, 20_000 + Math.floor(Math.random() * 20_000)))
})

Then(/^from the outside, (\S+)'s address on (\S+) answers "([^"]+)" on port (\d+)$/, async function (this: NetconformWorld, container: string, network: string, expected: string, port: string) {
  const address = await addressOn(this.docker, this.real(container), this.real(network))
  await answersFromOutside(this.containerNetwork!, this.note, address, Number(port), expected, this.real(container))
})

Then(/^from the outside, (\S+)'s address on (\S+) answers ping$/, async function (this: NetconformWorld, container: string, network: string) {
  await outsidePings(this.containerNetwork!, this.note, await addressOn(this.docker, this.real(container), this.real(network)))
})

Then(/^from the outside, (\S+)'s address on (\S+) does not answer on port (\d+), while it answers ping$/, async function (this: NetconformWorld, container: string, network: string, port: string) {
  const address = await addressOn(this.docker, this.real(container), this.real(network))
  await noAnswerFromOutside(this.containerNetwork!, this.note, address, Number(port))
})

Then(/^in (\S+), the outside listener answers "([^"]+)" from the outside listener$/, async function (this: NetconformWorld, container: string, expected: string) {
  const { address, port, identity } = this.listeners[0]
  await answersInContainer(this.docker, this.note, this.real(container), address, port, 'GET /', expected, identity)
})

Then(/^in (\S+), the outside listener cannot be reached, while (\S+)'s address on (\S+) answers "[^"]+" on port (\d+)$/, async function (this: NetconformWorld, container: string, peer: string, network: string, port: string) {
  const { address, port: listening } = this.listeners[0]
  const control = { address: await addressOn(this.docker, this.real(peer), this.real(network)), port: Number(port), answerer: this.real(peer) }
  await noAnswerInContainer(this.docker, this.note, this.real(container), address, listening, control)
})
