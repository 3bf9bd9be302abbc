/**
 * Steps for container networks: what the target offers (or not-applicable), the outside
 * client on the network's segment, and the suite's own listener there.
 */
import { Given, Then, When } from '@cucumber/cucumber'
import { needContainerNetwork, needDhcpNetwork, OFFER_STEPS } from '../support/scenario/offers'
import { outsideAnswers, outsidePingAnswered, outsideSilent } from '../support/scenario/scenario'
import { inboundFromClientAddress, outboundFromOwnAddress } from '../support/scenario/no-nat'
import { noPathIntoBridge } from '../support/scenario/isolation'
import { listenerAnswers, listenerUnreachable, startListener } from '../support/scenario/listener'
import { deployRangelessNetwork, refusedInTurn, tryInTurn } from '../support/scenario/static-ip'
import type { NetconformWorld as World } from '../support/scenario/world'

// The documented names here are defined, not resolved: they become the target's networks. The
// phrases are OFFER_STEPS' (offers.ts), from which the lab test reads which offer a scenario needs.
Given(OFFER_STEPS.containerNetwork, function (this: World, name: string) {
  return needContainerNetwork(this, name)
})

Given(OFFER_STEPS.containerNetworkWithRange, function (this: World, name: string) {
  return needContainerNetwork(this, name)
})

Given(
  'a container network {word} on the same interface, deployed without an address range',
  async function (this: World, name: string) {
    await deployRangelessNetwork(this, name)
  },
)

When('I try {command}, then {command} if it was accepted', async function (this: World, first: string, then: string) {
  await tryInTurn(this, first, then)
})

Then(
  'one of them is refused, naming {refusal}, ' +
    'and neither inspect nor `ip addr` shows {container} running with {address}',
  async function (this: World, about: string, container: string, address: string) {
    await refusedInTurn(this, { about, container, address })
  },
)

Given(OFFER_STEPS.dhcpNetwork, function (this: World, name: string, dns: string) {
  return needDhcpNetwork(this, name, dns)
})

Given("a listener outside the endpoint's networks", async function (this: World) {
  await startListener(this)
})

Then(
  "from the outside, {container}'s address on {network} answers {string} on port {int}",
  async function (this: World, container: string, network: string, expected: string, port: number) {
    await outsideAnswers(this, { container, network, expected, port })
  },
)

Then(
  "from the outside, {container}'s address on {network} answers ping",
  async function (this: World, container: string, network: string) {
    await outsidePingAnswered(this, container, network)
  },
)

Then(
  "from the outside, {container}'s address on {network} does not answer on port {int}, while it answers ping",
  async function (this: World, container: string, network: string, port: number) {
    await outsideSilent(this, container, network, port)
  },
)

Then(
  'in {container}, the outside listener answers {string} from the outside listener',
  async function (this: World, container: string, expected: string) {
    await listenerAnswers(this, container, expected)
  },
)

Then(
  'in {container}, the outside listener cannot be reached, ' +
    "while {container}'s address on {network} answers {string} on port {int}",
  async function (this: World, container: string, peer: string, network: string, greeting: string, port: number) {
    await listenerUnreachable(this, { container, peer, network, expected: greeting, port })
  },
)

Then(
  "in {container}, the outside listener answers and saw the connection come from {container}'s address on {network}",
  async function (this: World, container: string, owner: string, network: string) {
    await outboundFromOwnAddress(this, container, owner, network)
  },
)

Then(
  "from the outside, {container}'s address on {network} answers and {container} saw the connection come " +
    "from the outside client's own address",
  async function (this: World, container: string, network: string, seer: string) {
    await inboundFromClientAddress(this, container, network, seer)
  },
)

Then(
  "from the outside, {container}'s address on {network} does not answer on port {int}, " +
    "routed through {container}'s address on {network} or the endpoint's public address",
  async function (this: World, target: string, bridge: string, port: number, gate: string, network: string) {
    return noPathIntoBridge(this, { target, bridge, port, gate, network })
  },
)
