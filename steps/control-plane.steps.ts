/**
 * Steps for the container network's promise that a container does not depend on the VCH control
 * plane: the profile's way to stop and start it, the outside client that keeps asking meanwhile.
 */
import { Given, Then, When } from '@cucumber/cucumber'
import { needControlPlane, OFFER_STEPS } from '../support/scenario/offers'
import {
  connectivityKept,
  holdConnectionTo,
  keepControlPlaneDown,
  startControlPlane,
  stillRuns,
  stopControlPlane,
} from '../support/scenario/control-plane'
import type { NetconformWorld as World } from '../support/scenario/world'

Given(OFFER_STEPS.controlPlane, function (this: World) {
  return needControlPlane(this)
})

When(
  "the outside client holds a connection to {container}'s address on {network} " +
    'and asks it, and port {int}, every 250 ms',
  async function (this: World, container: string, network: string, port: number) {
    await holdConnectionTo(this, container, network, port)
  },
)

When("the endpoint's control plane is stopped, and its API does not answer", async function (this: World) {
  await stopControlPlane(this)
})

When('the control plane stays down while the outside client keeps asking', async function (this: World) {
  await keepControlPlaneDown(this)
})

When("the endpoint's control plane is started again, and its API answers", async function (this: World) {
  await startControlPlane(this)
})

Then(
  'the outside client got every answer from {container} and kept its connection open throughout',
  async function (this: World, container: string) {
    await connectivityKept(this, container)
  },
)

Then(
  '{container} still runs, with the same address on {network}, and `docker ps` lists it',
  async function (this: World, container: string, network: string) {
    await stillRuns(this, container, network)
  },
)
