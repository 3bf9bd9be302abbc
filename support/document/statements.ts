/**
 * The catalogue of the document's statements: every sentence of the document's prose and bullets,
 * section by section, every line of output its command blocks show (rows, headers, printed ids,
 * transcripts, the error text), and each command no step runs as written, each with what it
 * states and what checks it. A sentence that states an observable behaviour, a default, a required option, an
 * error text or an output format names the scenario ids that check it (`checkedBy`), or why it is
 * not observable here (`notObservable`); a sentence that states nothing to check (an introduction,
 * an instruction of the example, a cross-reference) says what it is (`context`).
 *
 * test/unit/statements.test.ts checks it (support/document/catalogue-check.ts; the rules are the
 * test's first comment): every line of the document covered, each quote once in its section, each
 * statement with ids or a reason, each id a scenario of its section whose steps hold the statement
 * or half its key words, the words each scenario verifies (anchors.ts) in a statement naming it,
 * and every scenario of features/ named. The living document
 * (support/report/living-document.ts) marks each catalogued statement with its verdict badges, or
 * with the reason it is not checked.
 *
 * Longer than 400 lines: it is data, one entry per sentence of the document, in its order.
 */

/** What a sentence states. */
type Stated = 'behaviour' | 'default' | 'required option' | 'error text' | 'output format'

export type Statement =
  | { quote: string; states: Stated; checkedBy: readonly string[] }
  | { quote: string; states: Stated; notObservable: string }
  | { quote: string; context: string }

export interface SectionStatements {
  /** The section heading (doc.ts's DOC_SECTIONS; the title for the NOTE under it). */
  section: string
  statements: readonly Statement[]
}

const TITLE = 'Container Networking with vSphere Integrated Containers Engine'
const PUBLISH = 'Publish a Container Port'
const FORWARDING = 'Container VM Port Forwarding'
const NEW_BRIDGE = 'Add Containers to a New Bridge Network'
const EXPOSED = 'Bridged Containers with an Exposed Port'
const MULTI = 'Deploy Containers on Multiple Bridge Networks'
const COMBINE = 'Deploy Containers That Combine Bridge Networks with a Container Network'
const SUBNET = 'Create a Bridge Network with Non-Default Subnet Mask'
const STATIC = 'Deploy a Container with a Static IP Address'
const DHCP = 'Deploy a Network Container that supports DHCP'

const INSTRUCTION = "an instruction of the example: its commands are the scenarios' steps"
const PING_BOTH = (section: string) => [
  `${section}.ping-by-name.client-to-server`,
  `${section}.ping-by-name.server-to-client`,
]
const ALL_COMMUNICATE = [
  'db-to-model',
  'db-to-view',
  'model-to-db',
  'model-to-view',
  'view-to-db',
  'view-to-model',
].map((p) => `combine.all-communicate.${p}`)
const NOT_A_DOCKER_OPTION =
  'a vic-machine option, set when the VCH is deployed, not through the Docker API: the profile says how the ' +
  'endpoint was deployed'

const LS_HEADER = 'NETWORK ID          NAME                DRIVER'
const PING_TRANSCRIPT = [
  'PING server (172.18.0.2): 56 data bytes',
  '64 bytes from 172.18.0.2: seq=0 ttl=64 time=0.073 ms',
  '64 bytes from 172.18.0.2: seq=1 ttl=64 time=0.092 ms',
  '64 bytes from 172.18.0.2: seq=2 ttl=64 time=0.088 ms',
].map((quote): Statement => ({
  quote,
  context:
    "ping's transcript, on the document's network (172.18.0.2): what it shows, replies from server by name, is " +
    "the Result's statement; the suite judges the replies, not the transcript's addresses or times",
}))

/** The catalogue, section by section in the document's order, each section's statements in its order. */
export const STATEMENTS: readonly SectionStatements[] = [
  {
    section: TITLE,
    statements: [
      {
        quote:
          'The following sections present examples of how to perform container networking operations when using ' +
          'vSphere Integrated Containers Engine as your Docker endpoint.',
        context: 'the introduction',
      },
      {
        quote:
          'To perform certain networking operations on containers, your Docker environment and your virtual ' +
          'container hosts (VCHs) must be configured in a specific way.',
        states: 'required option',
        notObservable:
          'it names no configuration; what each section needs is its own statement (a container network, a range, ' +
          "a DHCP network: the profile's offers)",
      },
      {
        quote: 'NOTE: The default level of trust on VCH container networks is published.',
        states: 'default',
        checkedBy: [
          'trust.published-port-reachable',
          'trust.create-published-port-reachable',
          'trust.unpublished-port-closed',
        ],
      },
      {
        quote:
          'As a consequence, if the vSphere administrator did not configure --container-network-firewall on the VCH, ' +
          'you must specify -p 80 in docker run and docker create commands to publish port 80 on a container.',
        states: 'behaviour',
        checkedBy: [
          'trust.published-port-reachable',
          'trust.create-published-port-reachable',
          'trust.unpublished-port-closed',
        ],
      },
      {
        quote:
          'Alternatively, the vSphere administrator can configure the VCH to set --container-network-firewall to a ' +
          'different level.',
        states: 'required option',
        notObservable:
          `${NOT_A_DOCKER_OPTION} (deployment.containerNetworkFirewall); ` +
          'the trust scenarios expect what that level implies',
      },
    ],
  },
  {
    section: PUBLISH,
    statements: [
      {
        quote: 'Connect a container VM to an external mapped port on the public network of the VCH:',
        context: INSTRUCTION,
      },
      {
        quote: 'Result: You can access Port 80 on test1 from the public network interface on the VCH at port 8080.',
        states: 'behaviour',
        checkedBy: ['publish.port-8080-on-public-interface'],
      },
    ],
  },
  {
    section: FORWARDING,
    statements: [
      {
        quote:
          'When a container VM is connected to a container-network as the primary network, you can forward a port on ' +
          'the container VM, in the same way you can via NAT on the endpoint VM:',
        states: 'behaviour',
        checkedBy: ['port-forwarding.port-80-on-container-network'],
      },
      {
        quote:
          'The above example allows you to access the Tomcat webserver via port 80 on the container VM, via ' +
          'published-container-net, instead of being fixed to port 8080 as defined in the Tomcat Dockerfile.',
        states: 'behaviour',
        checkedBy: ['port-forwarding.port-80-on-container-network'],
      },
      {
        quote:
          'This makes it significantly simpler for you to expose services directly via container networks, without ' +
          'having to modify images.',
        states: 'behaviour',
        notObservable: 'a judgement of convenience for the user, not a behaviour of the endpoint',
      },
      {
        quote:
          'For an example of port forwarding when a container VM is connected to both the bridge network and a ' +
          'container network, see Deploy Containers That Combine Bridge Networks with a Container Network.',
        context: 'a cross-reference to the section that shows it',
      },
    ],
  },
  {
    section: NEW_BRIDGE,
    statements: [
      {
        quote: 'Create a new non-default bridge network and set up two containers on the network.',
        context: INSTRUCTION,
      },
      {
        quote: 'Verify that the containers can locate and communicate with each other:',
        states: 'behaviour',
        checkedBy: PING_BOTH('new-bridge'),
      },
      // docker network ls's columns and the new network's row (the `...` lines elide the others)
      { quote: LS_HEADER, states: 'output format', checkedBy: ['new-bridge.network-listed'] },
      {
        quote: '615d565d498c        my-bridge-network   bridge',
        states: 'output format',
        checkedBy: ['new-bridge.network-listed'],
      },
      {
        quote: '/ # ping server',
        context:
          'a command of the example, run as `ping -c 3 server`: without -c, busybox ping never ends (the transcript ' +
          'shows three replies)',
      },
      ...PING_TRANSCRIPT,
      {
        quote: 'Result: The server and client containers can ping each other by name.',
        states: 'behaviour',
        checkedBy: PING_BOTH('new-bridge'),
      },
      {
        quote:
          "Note: Containers created on the default bridge network don't get name resolution by default in the way " +
          'described above.',
        states: 'behaviour',
        checkedBy: ['new-bridge.default-bridge-no-names'],
      },
      {
        // Checked where the endpoint is Docker: the same scenario's verdict on the Docker endpoints.
        quote: 'This is consistent with docker bridge network behavior.',
        states: 'behaviour',
        checkedBy: ['new-bridge.default-bridge-no-names'],
      },
    ],
  },
  {
    section: EXPOSED,
    statements: [
      {
        quote:
          'Connect two containers on a bridge network and set up one of the containers to publish a port via the VCH.',
        context: INSTRUCTION,
      },
      {
        quote: 'Assume that server_app binds to port 5000.',
        context: "an assumption about the example's image: the suite's stand-in server binds to port 5000",
      },
      { quote: LS_HEADER, states: 'output format', checkedBy: ['exposed-port.network-listed'] },
      {
        quote: '615d565d498c        my-bridge-network   bridge',
        states: 'output format',
        checkedBy: ['exposed-port.network-listed'],
      },
      ...PING_TRANSCRIPT,
      ...[
        'Hello world!Connection closed by foreign host',
        'Trying 192.168.218.137...',
        'Connected to 192.168.218.137.',
        "Escape character is '^]'.",
        'Hello world!Connection closed by foreign host.',
      ].map((quote): Statement => ({
        quote,
        context:
          "telnet's transcript: server_app's answer, Hello world!, is the Result's statement (the suite checks the " +
          "answer and who gave it); the rest is telnet's own words and the document's address",
      })),
      {
        quote: 'Result: The server and client containers can ping each other by name.',
        states: 'behaviour',
        checkedBy: PING_BOTH('exposed-port'),
      },
      {
        quote:
          'You can connect to server on port 5000 from the client container and to port 5000 on the VCH public ' +
          'network.',
        states: 'behaviour',
        checkedBy: ['exposed-port.client-to-server-5000', 'exposed-port.public-5000'],
      },
    ],
  },
  {
    section: MULTI,
    statements: [
      {
        quote: 'You can use multiple bridge networks to isolate certain types of application network traffic.',
        states: 'behaviour',
        checkedBy: ['multi-bridge.db-and-view-isolated.db-to-view', 'multi-bridge.db-and-view-isolated.view-to-db'],
      },
      {
        quote:
          'An example may be containers in a data tier communicating on one network and containers on a web tier ' +
          'communicating on another.',
        context: 'the example the section builds',
      },
      {
        quote: 'In order for this to work, at least one of the containers needs to be on both networks.',
        states: 'behaviour',
        checkedBy: ['multi-bridge.model-reaches-both.model-to-db', 'multi-bridge.model-reaches-both.model-to-view'],
      },
      {
        quote:
          'Docker syntax does not allow for the use of multiple --net arguments for docker run or docker create, so ' +
          'to connect a container to multiple networks, you need to use:',
        states: 'behaviour',
        checkedBy: ['multi-bridge.multiple-net-refused', 'multi-bridge.multiple-net-refused-create'],
      },
      {
        quote: 'docker network connect [network-id] [container-id]',
        context: "the command's syntax, not the example's: the steps run it with the example's names",
      },
      {
        quote: "Note: With VIC containers, networks can only be added to a container when it's in its created state.",
        states: 'behaviour',
        checkedBy: ['multi-bridge.connect-when-created', 'multi-bridge.connect-only-when-created'],
      },
      {
        quote: "They can't be added while the container is running.",
        states: 'behaviour',
        checkedBy: ['multi-bridge.connect-only-when-created'],
      },
      { quote: 'Create two bridge networks, one for data traffic and one for web traffic', context: INSTRUCTION },
      { quote: 'Create and run the data container(s)', context: INSTRUCTION },
      { quote: 'Create and run the web container(s) and make sure one is on both networks.', context: INSTRUCTION },
      { quote: 'Expose the web front end on port 8080 of the VCH.', context: INSTRUCTION },
      {
        quote: 'docker network connect bridge-web web-model',
        context:
          "the document's slip: the container it creates is model (web-model is its image, as the Result calls it); " +
          'the suite runs `docker network connect bridge-web model`',
      },
      { quote: 'Result:', context: 'introduces the results, each its own statement' },
      {
        quote: 'db and web-view cannot communicate with each other',
        states: 'behaviour',
        checkedBy: ['multi-bridge.db-and-view-isolated.db-to-view', 'multi-bridge.db-and-view-isolated.view-to-db'],
      },
      {
        quote: 'web-model can communicate with both db and web-view',
        states: 'behaviour',
        checkedBy: ['multi-bridge.model-reaches-both.model-to-db', 'multi-bridge.model-reaches-both.model-to-view'],
      },
      {
        quote: 'web-view exposes a service on port 8080 of the VCH',
        states: 'behaviour',
        checkedBy: ['multi-bridge.view-on-public-8080'],
      },
      {
        quote:
          'Note: A container on multliple bridge networks will not get a distinct network interface for each ' +
          'network, rather it will get multiple IP addresses on the same interface.',
        states: 'behaviour',
        checkedBy: ['multi-bridge.one-interface-several-addresses'],
      },
      { quote: 'Use ip addr to see the IP addresses.', context: 'how to look: the scenario runs `ip addr`' },
    ],
  },
  {
    section: COMBINE,
    statements: [
      {
        quote:
          'A "container" network is a vSphere port group that a container can be connected to directly and which ' +
          'allows the container to have an external identity on that network.',
        states: 'behaviour',
        checkedBy: ['combine.view-external-ip-port-80'],
      },
      {
        quote: 'This can be combined with one or more private bridge networks for intra-container traffic.',
        states: 'behaviour',
        checkedBy: ALL_COMMUNICATE,
      },
      {
        quote:
          'NOTE: Multiple bridge networks are backed by the same port group as the default bridge, segregated via ' +
          'IP address management.',
        states: 'behaviour',
        checkedBy: ['combine.bridges-segregated-by-ipam'],
      },
      {
        quote: 'Container networks are strongly isolated from all other networks.',
        states: 'behaviour',
        checkedBy: ['combine.container-network-isolated'],
      },
      {
        quote:
          'A container network is specified when the VCH is installed using vic-machine --container-network ' +
          '[existing-port-group] and should be visible when you run docker network ls from a Docker client.',
        states: 'behaviour',
        checkedBy: ['combine.container-network-listed'],
      },
      {
        quote: `${LS_HEADER}              SCOPE`,
        states: 'output format',
        checkedBy: [
          'combine.container-network-listed',
          'combine.container-network-driver-external',
          'combine.default-bridge-listed',
        ],
      },
      {
        quote: 'baf6919f5721        ExternalNetwork     external',
        states: 'output format',
        checkedBy: ['combine.container-network-driver-external'],
      },
      // the default network's row: every VCH has bridge, with driver bridge
      {
        quote: 'fc41d9a86514        bridge              bridge',
        states: 'output format',
        checkedBy: ['combine.default-bridge-listed'],
      },
      {
        quote: 'The three main advantages of using a container network over exposing a port on the VCH are that:',
        context: 'introduces the three advantages, each its own statement',
      },
      {
        quote: '1) The container can get its own external IP address.',
        states: 'behaviour',
        checkedBy: ['combine.view-external-ip-port-80'],
      },
      {
        quote: '2) The container is not dependent on the VCH control plane being up for network connectivity.',
        states: 'behaviour',
        checkedBy: ['combine.control-plane-down.connectivity-kept'],
      },
      {
        quote:
          'This allows the VCH to be powered down or upgraded with zero impact on the network connectivity of the ' +
          'deployed container.',
        states: 'behaviour',
        checkedBy: ['combine.control-plane-down.connectivity-kept'],
      },
      {
        quote: '3) This avoids the use of NAT',
        states: 'behaviour',
        checkedBy: ['combine.no-nat.outbound-source-is-own-address', 'combine.no-nat.inbound-peer-is-client'],
      },
      {
        quote: 'which will benefit throughput performance',
        states: 'behaviour',
        notObservable:
          'a performance claim, measured and not judged (npm run bench:throughput): a verdict would need a ' +
          'threshold the document does not give, and on the lab the ratio of the two paths changes side with ' +
          "the machine's load (0.85 to 1.27 over three runs)",
      },
      {
        quote:
          "Let's take the above example with the web and data tiers and show how it could be achieved using a " +
          'container network.',
        context: 'introduces the example',
      },
      { quote: 'Create one private bridge network for data traffic', context: INSTRUCTION },
      { quote: 'Create and run the data container(s)', context: INSTRUCTION },
      { quote: 'Create and run the web container(s) and make sure one is on both networks.', context: INSTRUCTION },
      {
        quote:
          'In this example, we only want the web-view container to have an identity on the ExternalNetwork, so the ' +
          'web-model container is only in the data network.',
        context: INSTRUCTION,
      },
      { quote: 'Result:', context: 'introduces the results, each its own statement' },
      { quote: 'All the containers can communicate with each other.', states: 'behaviour', checkedBy: ALL_COMMUNICATE },
      {
        quote: 'db and web-model cannot communicate externally',
        states: 'behaviour',
        checkedBy: ['combine.db-and-model-no-external.db', 'combine.db-and-model-no-external.model'],
      },
      {
        quote: 'web-view has its own external IP address and its service is available on port 80 of that IP address',
        states: 'behaviour',
        checkedBy: ['combine.view-external-ip-port-80'],
      },
      {
        quote:
          'NOTE: Given that a container network manifests as a vNIC on the container VM, it has its own distinct ' +
          'network interface in the container.',
        states: 'behaviour',
        checkedBy: ['combine.container-network-own-interface'],
      },
      {
        quote:
          'If you implement port forwarding when a container VM is connected to both the bridge network and a ' +
          'container network, the port mapping applies to the network that you use on the create command.',
        states: 'behaviour',
        checkedBy: ['combine.mapping-on-create-network-only.applies-to-create-network'],
      },
      {
        quote: 'It does not apply to networks that are connected after creation.',
        states: 'behaviour',
        checkedBy: ['combine.mapping-on-create-network-only.not-to-connected-networks'],
      },
      {
        quote: 'The following example example shows mapping in the container VM and serving to the container network:',
        context: 'introduces the example',
      },
      // docker create prints the new container's whole id; the commands after it call the container by
      // its first characters, 50
      {
        quote: '50ca681655326775da27462ee062f3a74c4157ff04470fcfda9b176470270d6a',
        states: 'output format',
        checkedBy: ['combine.container-addressed-by-id-prefix'],
      },
      {
        // and `docker start 50` after it, which the same Background runs as written
        quote: 'docker network connect bridge 50',
        states: 'behaviour',
        checkedBy: ['combine.container-addressed-by-id-prefix'],
      },
      {
        quote: '50',
        context:
          'the docker CLI echoes the argument docker start was given: the client prints it, whatever the endpoint',
      },
      {
        quote:
          'CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS' +
          '                         NAMES',
        states: 'output format',
        checkedBy: ['combine.mapping-on-create-network-only.applies-to-create-network'],
      },
      {
        quote:
          '50ca68165532        tomcat:alpine       "catalina.sh run"   7 minutes ago       Up 5 minutes        ' +
          '192.168.78.159',
        context:
          "the row's other columns: the id's first 12 characters, the image, its command and times as the " +
          "document's engine ran Tomcat, and an address of the document's network (the PORTS check takes the " +
          "container's own address on public)",
      },
      {
        // the PORTS entry of docker ps, after the document's address (its network's, not this lab's)
        quote: ':80->8080/tcp',
        states: 'output format',
        checkedBy: ['combine.mapping-on-create-network-only.applies-to-create-network'],
      },
      { quote: 'priceless_tesla', context: 'a name the engine made up: the suite names every container it makes' },
    ],
  },
  {
    section: SUBNET,
    statements: [
      {
        quote:
          'To override the default subnet mask, you can specify a new value by using the docker network create ' +
          '--subnet option.',
        states: 'behaviour',
        checkedBy: ['subnet.non-default-mask-honoured'],
      },
      {
        quote: '$ docker network create --subnet value',
        context: "the document's placeholder: the suite runs it with a value (203.0.113.0/24) and a network's name",
      },
      {
        quote: 'By default, user-defined bridge networks in VCHs have a subnet mask value of 16.',
        states: 'default',
        checkedBy: ['subnet.default-mask-16'],
      },
      {
        quote:
          'The vSphere administrator can also configure a VCH with a different default subnet mask by using the ' +
          '--bridge-network-width option when they deploy the VCH.',
        states: 'required option',
        checkedBy: ['subnet.default-mask-16'],
      },
    ],
  },
  {
    section: STATIC,
    statements: [
      {
        quote: 'Deploy a container that has a static IP address on the container network.',
        context: INSTRUCTION,
      },
      {
        quote:
          'For you to be able to deploy containers with static IP addresses, the vSphere administrator must have ' +
          'specified the --container-network-ip-range option when they deployed the VCH.',
        states: 'required option',
        checkedBy: ['static-ip.rangeless-network-refuses-ip'],
      },
      {
        quote: 'The IP address that you specify in docker network connect --ip must be within the specified range.',
        states: 'behaviour',
        checkedBy: ['static-ip.outside-range-refused'],
      },
      {
        quote:
          'If you do not specify --ip, the VCH assigns an IP address from the range that the vSphere administrator ' +
          'specified in --container-network-ip-range.',
        states: 'default',
        checkedBy: ['static-ip.assigned-from-range'],
      },
      {
        quote: 'Result: The container container1 runs with the specified IP address on the container-net network.',
        states: 'behaviour',
        checkedBy: ['static-ip.connect-with-ip', 'static-ip.taken-address-refused'],
      },
    ],
  },
  {
    section: DHCP,
    statements: [
      {
        quote: 'Deploy a container that supports DHCP by specifying the DHCP network in the docker run command.',
        states: 'behaviour',
        checkedBy: ['dhcp.lease-and-dns'],
      },
      {
        quote: 'The adminstrator must have specified the --container-network option when they deployed the VCH.',
        states: 'required option',
        notObservable:
          `${NOT_A_DOCKER_OPTION}: without it there is no DHCP network, and the DHCP scenarios are not ` +
          'applicable (offers.dhcpNetwork)',
      },
      {
        quote:
          'For the container to get an IP address from DHCP server., you must specify the DNS server in the --dns ' +
          'option of the docker run command.',
        states: 'behaviour',
        checkedBy: ['dhcp.lease-and-dns'],
      },
      {
        quote: 'If you do not specify a DNS server, the command times out with the following error:',
        states: 'behaviour',
        checkedBy: ['dhcp.without-dns-times-out'],
      },
      {
        quote:
          'docker: Error response from daemon: Server error from portlayer: unable to wait for process launch status',
        states: 'error text',
        checkedBy: ['dhcp.without-dns-times-out'],
      },
    ],
  },
]

/** A statement's reason it is not checked, or undefined when it names ids or is context. */
export function notObservableReason(s: Statement): string | undefined {
  return 'notObservable' in s ? s.notObservable : undefined
}

/** The scenario ids a statement names (none for context or a statement not observable here). */
export function checkedBy(s: Statement): readonly string[] {
  return 'checkedBy' in s ? s.checkedBy : []
}
