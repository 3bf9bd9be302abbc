/** Steps that check a documented result exactly as written: own address, silence beside a control. */
import { Then } from '@cucumber/cucumber'
import { publicSilentBesideControl, showsOwnAddressInRange } from '../support/scenario/strengthened'
import type { NetconformWorld as World } from '../support/scenario/world'

Then(
  "in {container}, `ip addr` shows its address on {network}, in the container network's range " +
    "and not the VCH's public address",
  async function (this: World, container: string, network: string) {
    await showsOwnAddressInRange(this, container, network)
  },
)

Then(
  'from the public network, `telnet vch_public_interface {int}` gets no answer, ' +
    'while port {int} there answers {string} from {container}',
  async function (this: World, port: number, controlPort: number, expected: string, answerer: string) {
    await publicSilentBesideControl(this, { port, controlPort, expected, answerer })
  },
)
