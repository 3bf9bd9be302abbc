/** Steps that observe the documented results: inside containers, and from the public network. */
import { Then } from '@cucumber/cucumber'
import { addressOn, answersFromHost, answersInContainer, doesNotResolve, pingReplies } from '../support/checks'
import type { NetconformWorld } from '../support/world'

Then(/^in (\S+), `(ping [^`]+)` gets replies from (\S+) on (\S+)$/, async function (this: NetconformWorld, from: string, command: string, to: string, network: string) {
  const address = await addressOn(this.docker, this.real(to), this.real(network))
  await pingReplies(this.docker, (t) => this.attach(t), this.real(from), this.names.substitute(command), address)
})

Then(/^in (\S+), `telnet (\S+) (\d+)` and `([^`]+)` answers "([^"]+)"$/, async function (this: NetconformWorld, from: string, to: string, port: string, request: string, expected: string) {
  await answersInContainer(this.docker, (t) => this.attach(t), this.real(from), this.real(to), Number(port), request, expected)
})

Then(/^in (\S+), (\S+)'s address on (\S+) answers "([^"]+)" on port (\d+)$/, async function (this: NetconformWorld, from: string, to: string, network: string, expected: string, port: string) {
  const address = await addressOn(this.docker, this.real(to), this.real(network))
  await answersInContainer(this.docker, (t) => this.attach(t), this.real(from), address, Number(port), 'GET /', expected)
})

Then(/^from the public network, `telnet vch_public_interface (\d+)` and `([^`]+)` answers "([^"]+)"$/, async function (this: NetconformWorld, port: string, request: string, expected: string) {
  await answersFromHost((t) => this.attach(t), this.target.publicAddress, Number(port), request, expected)
})

Then(/^in (\S+), `([^`]+)` cannot resolve (\S+)$/, async function (this: NetconformWorld, from: string, command: string, name: string) {
  await doesNotResolve(this.docker, (t) => this.attach(t), this.real(from), this.names.substitute(command), this.real(name))
})
