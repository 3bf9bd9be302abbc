/**
 * Every scenario id the features have, and which offer of a profile each needs. The verdicts
 * the lab test expects come from the profiles themselves (targets/docker.yaml, podman.yaml):
 * deviates where the profile declares a deviation (and the failure matches its step and
 * observed), not-applicable where it lacks the offer the scenario needs, conforms otherwise.
 */
import type { Offers } from '../../support/types'

export const SCENARIO_IDS = [
  'trust.published-port-reachable',
  'trust.unpublished-port-closed',
  'publish.port-8080-on-public-interface',
  'port-forwarding.port-80-on-container-network',
  'new-bridge.network-listed',
  'new-bridge.ping-by-name',
  'new-bridge.default-bridge-no-names',
  'exposed-port.network-listed',
  'exposed-port.ping-by-name',
  'exposed-port.client-to-server-5000',
  'exposed-port.public-5000',
  'multi-bridge.db-and-view-isolated',
  'multi-bridge.model-reaches-both',
  'multi-bridge.view-on-public-8080',
  'multi-bridge.connect-only-when-created',
  'multi-bridge.one-interface-several-addresses',
  'combine.container-network-listed',
  'combine.all-communicate',
  'combine.db-and-model-no-external',
  'combine.view-external-ip-port-80',
  'combine.container-network-own-interface',
  'combine.mapping-on-create-network-only',
  'subnet.non-default-mask-honoured',
  'subnet.default-mask-16',
  'static-ip.connect-with-ip',
  'static-ip.assigned-from-range',
  'static-ip.outside-range-refused',
  'static-ip.taken-address-refused',
  'dhcp.lease-and-dns',
  'dhcp.without-dns-times-out',
]

/** The scenarios that need an offer beyond plain bridges (the features' "a container network …" and "a DHCP container network …" steps). */
export const NEEDS_OFFER: Record<string, keyof Offers> = {
  'trust.published-port-reachable': 'containerNetwork',
  'trust.unpublished-port-closed': 'containerNetwork',
  'port-forwarding.port-80-on-container-network': 'containerNetwork',
  'combine.container-network-listed': 'containerNetwork',
  'combine.all-communicate': 'containerNetwork',
  'combine.db-and-model-no-external': 'containerNetwork',
  'combine.view-external-ip-port-80': 'containerNetwork',
  'combine.container-network-own-interface': 'containerNetwork',
  'combine.mapping-on-create-network-only': 'containerNetwork',
  'static-ip.connect-with-ip': 'containerNetwork',
  'static-ip.assigned-from-range': 'containerNetwork',
  'static-ip.outside-range-refused': 'containerNetwork',
  'static-ip.taken-address-refused': 'containerNetwork',
  'dhcp.lease-and-dns': 'dhcpNetwork',
  'dhcp.without-dns-times-out': 'dhcpNetwork',
}
