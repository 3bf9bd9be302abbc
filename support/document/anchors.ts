/**
 * Where each scenario's result is stated in the document: scenario id → the exact words of the
 * document it verifies (a sentence, a bullet or an output line, quoted verbatim from
 * vic-container-networking.txt, typos included). The id's section is its Feature's name, read
 * from features/. The living document (netconform document) puts each id's verdict badges right
 * after those words.
 *
 * The quotes are the one thing here the features do not say. Reviewed by hand, one entry per
 * scenario id of features/, in the document's order (the page's); several ids may share words
 * (both directions of a ping, the six paths between three containers).
 * test/unit/living-document.test.ts checks that every id of features/ is here exactly once, no
 * other id is, and every quote occurs exactly once in its section's text, within one line.
 */
import { scenarioSections } from '../scenario-id'

export interface Anchor {
  id: string
  /** The section heading (DOC_SECTIONS): the name of the scenario's Feature ('' for an id no feature has). */
  section: string
  /** The document's words the scenario verifies, verbatim. */
  quote: string
}

const TRUST_CONSEQUENCE =
  'As a consequence, if the vSphere administrator did not configure --container-network-firewall on the VCH, you ' +
  'must specify -p 80 in docker run and docker create commands to publish port 80 on a container.'
const NETWORK_LS_LINE = '615d565d498c        my-bridge-network   bridge'
const PING_BY_NAME = 'Result: The server and client containers can ping each other by name.'
const ALL_COMMUNICATE = 'All the containers can communicate with each other.'
const NO_EXTERNAL = 'db and web-model cannot communicate externally'
const STATIC_RESULT =
  'Result: The container container1 runs with the specified IP address on the container-net network.'

/** Scenario id → the document's words it verifies, in the document's order. */
const QUOTES: readonly { id: string; quote: string }[] = [
  // The NOTE under the title: published ports answer from outside, unpublished ones do not.
  { id: 'trust.published-port-reachable', quote: TRUST_CONSEQUENCE },
  { id: 'trust.create-published-port-reachable', quote: TRUST_CONSEQUENCE },
  { id: 'trust.unpublished-port-closed', quote: TRUST_CONSEQUENCE },

  {
    id: 'publish.port-8080-on-public-interface',
    quote: 'Result: You can access Port 80 on test1 from the public network interface on the VCH at port 8080.',
  },

  {
    id: 'port-forwarding.port-80-on-container-network',
    quote:
      'The above example allows you to access the Tomcat webserver via port 80 on the container VM, via ' +
      'published-container-net, instead of being fixed to port 8080 as defined in the Tomcat Dockerfile.',
  },

  // `docker network ls` lists the new network: the output line the document shows.
  { id: 'new-bridge.network-listed', quote: NETWORK_LS_LINE },
  { id: 'new-bridge.ping-by-name.client-to-server', quote: PING_BY_NAME },
  { id: 'new-bridge.ping-by-name.server-to-client', quote: PING_BY_NAME },
  {
    id: 'new-bridge.default-bridge-no-names',
    quote:
      "Note: Containers created on the default bridge network don't get name resolution by default in the way " +
      'described above.',
  },

  { id: 'exposed-port.network-listed', quote: NETWORK_LS_LINE },
  { id: 'exposed-port.ping-by-name.client-to-server', quote: PING_BY_NAME },
  { id: 'exposed-port.ping-by-name.server-to-client', quote: PING_BY_NAME },
  // One sentence, two results: from the client container, and on the VCH public network.
  {
    id: 'exposed-port.client-to-server-5000',
    quote:
      'You can connect to server on port 5000 from the client container and to port 5000 on the VCH public network.',
  },
  {
    id: 'exposed-port.public-5000',
    quote:
      'You can connect to server on port 5000 from the client container and to port 5000 on the VCH public network.',
  },

  {
    id: 'multi-bridge.multiple-net-refused',
    quote: 'Docker syntax does not allow for the use of multiple --net arguments for docker run or docker create',
  },
  {
    id: 'multi-bridge.multiple-net-refused-create',
    quote: 'Docker syntax does not allow for the use of multiple --net arguments for docker run or docker create',
  },
  {
    id: 'multi-bridge.connect-when-created',
    quote: "Note: With VIC containers, networks can only be added to a container when it's in its created state.",
  },
  {
    id: 'multi-bridge.connect-only-when-created',
    quote: "They can't be added while the container is running.",
  },
  {
    id: 'multi-bridge.db-and-view-isolated.db-to-view',
    quote: 'db and web-view cannot communicate with each other',
  },
  {
    id: 'multi-bridge.db-and-view-isolated.view-to-db',
    quote: 'db and web-view cannot communicate with each other',
  },
  {
    id: 'multi-bridge.model-reaches-both.model-to-db',
    quote: 'web-model can communicate with both db and web-view',
  },
  {
    id: 'multi-bridge.model-reaches-both.model-to-view',
    quote: 'web-model can communicate with both db and web-view',
  },
  {
    id: 'multi-bridge.view-on-public-8080',
    quote: 'web-view exposes a service on port 8080 of the VCH',
  },
  {
    id: 'multi-bridge.one-interface-several-addresses',
    quote:
      'Note: A container on multliple bridge networks will not get a distinct network interface for each ' +
      'network, rather it will get multiple IP addresses on the same interface.',
  },

  {
    id: 'combine.bridges-segregated-by-ipam',
    quote:
      'Multiple bridge networks are backed by the same port group as the default bridge, segregated via IP ' +
      'address management.',
  },
  {
    id: 'combine.container-network-isolated',
    quote: 'Container networks are strongly isolated from all other networks.',
  },
  {
    id: 'combine.container-network-listed',
    quote:
      'A container network is specified when the VCH is installed using vic-machine --container-network ' +
      '[existing-port-group] and should be visible when you run docker network ls from a Docker client.',
  },
  { id: 'combine.container-network-driver-external', quote: 'baf6919f5721        ExternalNetwork     external' },
  // the default network's row of the same listing
  { id: 'combine.default-bridge-listed', quote: 'fc41d9a86514        bridge              bridge' },
  {
    id: 'combine.control-plane-down.connectivity-kept',
    quote: 'The container is not dependent on the VCH control plane being up for network connectivity.',
  },
  { id: 'combine.no-nat.outbound-source-is-own-address', quote: 'This avoids the use of NAT' },
  { id: 'combine.no-nat.inbound-peer-is-client', quote: 'This avoids the use of NAT' },
  { id: 'combine.all-communicate.db-to-model', quote: ALL_COMMUNICATE },
  { id: 'combine.all-communicate.db-to-view', quote: ALL_COMMUNICATE },
  { id: 'combine.all-communicate.model-to-db', quote: ALL_COMMUNICATE },
  { id: 'combine.all-communicate.model-to-view', quote: ALL_COMMUNICATE },
  { id: 'combine.all-communicate.view-to-db', quote: ALL_COMMUNICATE },
  { id: 'combine.all-communicate.view-to-model', quote: ALL_COMMUNICATE },
  { id: 'combine.db-and-model-no-external.db', quote: NO_EXTERNAL },
  { id: 'combine.db-and-model-no-external.model', quote: NO_EXTERNAL },
  {
    id: 'combine.view-external-ip-port-80',
    quote: 'web-view has its own external IP address and its service is available on port 80 of that IP address',
  },
  {
    id: 'combine.container-network-own-interface',
    quote:
      'NOTE: Given that a container network manifests as a vNIC on the container VM, it has its own distinct ' +
      'network interface in the container.',
  },
  {
    id: 'combine.mapping-on-create-network-only.applies-to-create-network',
    quote:
      'If you implement port forwarding when a container VM is connected to both the bridge network and a ' +
      'container network, the port mapping applies to the network that you use on the create command.',
  },
  {
    id: 'combine.mapping-on-create-network-only.not-to-connected-networks',
    quote: 'It does not apply to networks that are connected after creation.',
  },
  // the example's commands call the container 50, the first characters of the id docker create printed
  { id: 'combine.container-addressed-by-id-prefix', quote: '$ docker network connect bridge 50' },

  {
    id: 'subnet.non-default-mask-honoured',
    quote:
      'To override the default subnet mask, you can specify a new value by using the docker network create ' +
      '--subnet option.',
  },
  {
    id: 'subnet.default-mask-16',
    quote: 'By default, user-defined bridge networks in VCHs have a subnet mask value of 16.',
  },

  {
    id: 'static-ip.rangeless-network-refuses-ip',
    quote:
      'For you to be able to deploy containers with static IP addresses, the vSphere administrator must have ' +
      'specified the --container-network-ip-range option when they deployed the VCH.',
  },
  {
    id: 'static-ip.outside-range-refused',
    quote: 'The IP address that you specify in docker network connect --ip must be within the specified range.',
  },
  {
    id: 'static-ip.assigned-from-range',
    quote:
      'If you do not specify --ip, the VCH assigns an IP address from the range that the vSphere administrator ' +
      'specified in --container-network-ip-range.',
  },
  { id: 'static-ip.connect-with-ip', quote: STATIC_RESULT },
  // The document does not say it in so many words: an address that is "the specified IP
  // address" of container1 is not given to a second container. Read as part of the result.
  { id: 'static-ip.taken-address-refused', quote: STATIC_RESULT },

  {
    id: 'dhcp.lease-and-dns',
    quote:
      'For the container to get an IP address from DHCP server., you must specify the DNS server in the --dns ' +
      'option of the docker run command.',
  },
  {
    id: 'dhcp.without-dns-times-out',
    quote: 'If you do not specify a DNS server, the command times out with the following error:',
  },
]

/** The map, each id with its section: its Feature's name in features/. */
export const ANCHORS: readonly Anchor[] = anchorsOf(QUOTES)

/** QUOTES with each id's section, from `sections` (the features' by default; '' for an id no feature has). */
export function anchorsOf(quotes: readonly { id: string; quote: string }[], sections = scenarioSections()): Anchor[] {
  return quotes.map(({ id, quote }) => ({ id, section: sections.get(id) ?? '', quote }))
}

/**
 * The id's short label, after what its section and result share: the Examples row's suffix
 * ("db-to-model" → "db→model"), else the last part of the id.
 */
export function shortLabel(id: string): string {
  const last = id.split('.').pop() ?? id
  const m = /^([a-z]+)-to-([a-z]+)$/.exec(last)
  return m ? `${m[1]}→${m[2]}` : last
}
