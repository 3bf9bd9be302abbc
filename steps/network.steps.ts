/** Steps that observe the documented results: inside containers, and from the public network. */
import { Then } from '@cucumber/cucumber'
import {
  addressAnswers,
  addressSilent,
  addressesLaidOut,
  cannotResolve,
  namesNameserver,
  pingGetsReplies,
  publicAnswers,
  showsAddress,
  showsAddressInCidr,
  showsAddressInPool,
  showsMask,
  telnetAnswers,
} from '../support/scenario/scenario'
import { bridgesSegregated } from '../support/scenario/isolation'
import type { NetconformWorld as World } from '../support/scenario/world'

Then(
  'in {container}, `ping -c 3 {container}` gets replies from {container} on {network}',
  async function (this: World, from: string, target: string, replier: string, network: string) {
    await pingGetsReplies(this, { from, target, replier, network })
  },
)

Then(
  'in {container}, `telnet {container} {int}` and `GET \\/` answers {string} from {container}',
  async function (this: World, from: string, to: string, port: number, expected: string, answerer: string) {
    await telnetAnswers(this, { from, to, port, expected, answerer })
  },
)

Then(
  "in {container}, {container}'s address on {network} answers {string} on port {int}",
  async function (this: World, from: string, to: string, network: string, expected: string, port: number) {
    await addressAnswers(this, { from, to, network, expected, port })
  },
)

Then(
  'from the public network, `telnet vch_public_interface {int}` and `GET \\/` answers {string} from {container}',
  async function (this: World, port: number, expected: string, answerer: string) {
    await publicAnswers(this, port, expected, answerer)
  },
)

Then(
  'in {container}, `{lookup} {container}` cannot resolve {container}, ' +
    "while {container}'s address on {network} answers {string} on port {int}",
  async function (
    this: World,
    from: string,
    lookup: string,
    name: string,
    _resolved: string,
    peer: string,
    network: string,
    greeting: string,
    port: number,
  ) {
    await cannotResolve(this, { from, lookup, name, peer, network, expected: greeting, port })
  },
)

Then(
  "in {container}, {container}'s address on {network} does not answer on port {int}, " +
    "while {container}'s address on {network} answers {string} on port {int}",
  async function (
    this: World,
    from: string,
    to: string,
    network: string,
    port: number,
    peer: string,
    peerNetwork: string,
    greeting: string,
    peerPort: number,
  ) {
    await addressSilent(this, { from, to, network, port, peer, peerNetwork, expected: greeting, peerPort })
  },
)

Then(
  'in {container}, `ip addr` shows the address {address}',
  async function (this: World, container: string, address: string) {
    await showsAddress(this, container, address)
  },
)

Then(
  'in {container}, `ip addr` shows an address in {cidr}',
  async function (this: World, container: string, cidr: string) {
    await showsAddressInCidr(this, container, cidr)
  },
)

Then(
  "in {container}, `ip addr` shows an address from the DHCP server's pool",
  async function (this: World, container: string) {
    await showsAddressInPool(this, container)
  },
)

Then(
  'in {container}, `ip addr` shows its address on {network} with mask \\/{int}',
  async function (this: World, container: string, network: string, bits: number) {
    await showsMask(this, container, network, bits)
  },
)

Then(
  'in {container}, `ip addr` shows its addresses on {word} and {word} on {layout}',
  async function (this: World, container: string, a: string, b: string, layout: string) {
    await addressesLaidOut(this, { container, a, b, layout })
  },
)

Then(
  'in {container}, `cat \\/etc\\/resolv.conf` names the nameserver {address}',
  async function (this: World, container: string, dns: string) {
    await namesNameserver(this, container, dns)
  },
)

Then(
  '{network}, {network} and the default bridge have pairwise disjoint subnets',
  async function (this: World, a: string, b: string) {
    await bridgesSegregated(this, [a, b])
  },
)
