/**
 * Steps whose expected outcome is the VCH's deployment (the profile's `deployment`): the
 * container network's trust level and the default mask of a new bridge network.
 */
import { Given, Then, When } from '@cucumber/cucumber'
import {
  TRUST_LEVEL_STEP,
  inspectShowsDefaultMask,
  outsideUnpublished,
  showsDefaultMask,
  trustLevel,
  tryWithinDhcpDeadline,
} from '../support/scenario/deployment'
import type { NetconformWorld as World } from '../support/scenario/world'

Given(TRUST_LEVEL_STEP, function (this: World) {
  return trustLevel(this)
})

Then(
  "from the outside, {container}'s address on {network} does not answer on port {int} unless open, " +
    'while it answers ping',
  async function (this: World, container: string, network: string, port: number) {
    await outsideUnpublished(this, container, network, port)
  },
)

Then(
  '`docker network inspect {word}` shows a subnet with the default mask \\(\\/16, or --bridge-network-width)',
  async function (this: World, network: string) {
    await inspectShowsDefaultMask(this, network)
  },
)

Then(
  'in {container}, `ip addr` shows its address on {network} with the default mask \\(\\/16, or --bridge-network-width)',
  async function (this: World, container: string, network: string) {
    await showsDefaultMask(this, container, network)
  },
)

// Cucumber's timeout is off for this step: it is bounded by the profile's deadline (tryWithinDhcpDeadline).
When(
  "I try {command}, for as long as the VCH's DHCP error may take",
  { timeout: -1 },
  async function (this: World, command: string) {
    await tryWithinDhcpDeadline(this, command)
  },
)
