/**
 * The verdicts measured on this project's machines (Debian 12: docker.io 20.10, Podman 4.3
 * with CNI, as lab/up.sh sets them up), like the compatibility kit's expected output: every
 * scenario id, its verdict, and for each one that does not conform, what its evidence must say.
 * A change here is a change in what the engines do or in what the suite observes: say which.
 */
import type { Verdict } from '../../support/types'

export interface Expected {
  verdict: Verdict
  /** What the reason must say, for verdicts other than conforms. */
  evidence?: RegExp
}

export const SCENARIO_IDS = [
  'trust.published-port-reachable',
  'trust.unpublished-port-closed',
  'publish.port-8080-on-public-interface',
  'port-forwarding.port-80-on-container-network',
  'new-bridge.network-listed',
  'new-bridge.ping-by-name.client-to-server',
  'new-bridge.ping-by-name.server-to-client',
  'new-bridge.default-bridge-no-names',
  'exposed-port.network-listed',
  'exposed-port.ping-by-name.client-to-server',
  'exposed-port.ping-by-name.server-to-client',
  'exposed-port.client-to-server-5000',
  'exposed-port.public-5000',
  'multi-bridge.db-and-view-isolated.db-to-view',
  'multi-bridge.db-and-view-isolated.view-to-db',
  'multi-bridge.model-reaches-both.model-to-db',
  'multi-bridge.model-reaches-both.model-to-view',
  'multi-bridge.view-on-public-8080',
  'multi-bridge.connect-only-when-created',
  'multi-bridge.one-interface-several-addresses',
  'combine.container-network-listed',
  'combine.all-communicate.db-to-model',
  'combine.all-communicate.db-to-view',
  'combine.all-communicate.model-to-db',
  'combine.all-communicate.model-to-view',
  'combine.all-communicate.view-to-db',
  'combine.all-communicate.view-to-model',
  'combine.db-and-model-no-external.db',
  'combine.db-and-model-no-external.model',
  'combine.view-external-ip-port-80',
  'combine.container-network-own-interface',
  'combine.mapping-on-create-network-only.applies-to-create-network',
  'combine.mapping-on-create-network-only.not-to-connected-networks',
  'subnet.non-default-mask-honoured',
  'subnet.default-mask-16',
  'static-ip.connect-with-ip',
  'static-ip.assigned-from-range',
  'static-ip.outside-range-refused',
  'static-ip.taken-address-refused',
  'dhcp.lease-and-dns',
  'dhcp.without-dns-times-out',
]

const fails = (evidence: RegExp): Expected => ({ verdict: 'fails', evidence })

/** Both engines, macvlan as the container network: what neither does as VIC documents. */
const COMMON: Record<string, Expected> = {
  // No container-network firewall: a port not published with -p answers from the outside.
  'trust.unpublished-port-closed': fails(/the outside client reached .*:80 and got "Hello world!"/),
  // -p on a macvlan network is ignored: port 80 of the container's own address is closed.
  'port-forwarding.port-80-on-container-network': fails(/Connection refused/),
  // A running container is connected to a second network; VIC refuses until it is created only.
  'multi-bridge.connect-only-when-created': fails(/`docker network connect bridge-web db` was accepted/),
  // One interface per network (eth0, eth1), not several addresses on one.
  'multi-bridge.one-interface-several-addresses': fails(/expected 'distinct interfaces' to equal 'one interface'/),
  // Once the container is also on a bridge, the create-time mapping answers on the host's port 80.
  'combine.mapping-on-create-network-only.not-to-connected-networks': fails(/this host reached 198\.51\.100\.1:80 and got "Hello world! from nc-\S+-tomcat"/),
  // An address in the subnet but outside the range is accepted.
  'static-ip.outside-range-refused': fails(/--ip outside_address .* was accepted/),
  // Connecting a created container with a taken address is accepted (the clash shows only at start).
  'static-ip.taken-address-refused': fails(/--ip ip_address container-net container2` was accepted/),
}

function verdicts(overrides: Record<string, Expected>): Record<string, Expected> {
  return Object.fromEntries(SCENARIO_IDS.map((id) => [id, overrides[id] ?? { verdict: 'conforms' }]))
}

export const EXPECTED: Record<string, Record<string, Expected>> = {
  docker: verdicts({
    ...COMMON,
    // Once the bridge is connected, Docker publishes 80->8080 on the host, not on the container network's address.
    'combine.mapping-on-create-network-only.applies-to-create-network': fails(/0\.0\.0\.0:80->8080\/tcp/),
    // Docker Engine has no DHCP IPAM driver, so the target offers no DHCP network.
    'dhcp.lease-and-dns': { verdict: 'not-applicable', evidence: /target docker\S* offers no DHCP network/ },
    'dhcp.without-dns-times-out': { verdict: 'not-applicable', evidence: /target docker\S* offers no DHCP network/ },
  }),
  podman: verdicts({
    ...COMMON,
    // Podman drops CAP_NET_RAW and Debian sets ping_group_range "0 0": the name resolves, then
    // busybox ping cannot open its socket. Reported as it is, not fixed by adding the capability.
    'new-bridge.ping-by-name.client-to-server': fails(/ping: permission denied/),
    'new-bridge.ping-by-name.server-to-client': fails(/ping: permission denied/),
    'exposed-port.ping-by-name.client-to-server': fails(/ping: permission denied/),
    'exposed-port.ping-by-name.server-to-client': fails(/ping: permission denied/),
    // The CNI backend disables DNS on --internal networks: names on bridge-db do not resolve.
    'multi-bridge.model-reaches-both.model-to-db': fails(/bad address/),
    ...Object.fromEntries(['db-to-model', 'db-to-view', 'model-to-db', 'model-to-view', 'view-to-db', 'view-to-model']
      .map((path) => [`combine.all-communicate.${path}`, fails(/bad address/)])),
    // No mapping at all for a container whose create-time network is macvlan.
    'combine.mapping-on-create-network-only.applies-to-create-network': fails(/expected '8080\/tcp' to include/),
    // New user networks get a /24 (10.89.x.0/24), not a /16.
    'subnet.default-mask-16': fails(/expected \[ '24' \] to include '16'/),
    // Without --dns, the container starts and gets its lease: no timeout, no error.
    'dhcp.without-dns-times-out': fails(/--name container1 busybox` was accepted/),
  }),
}
