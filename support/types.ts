/** Shapes shared by the CLI, the World and the reports. */

export type Verdict = 'conforms' | 'deviates' | 'fails' | 'not-applicable'
export const VERDICTS: readonly Verdict[] = ['conforms', 'deviates', 'fails', 'not-applicable']

/** A target profile (targets/<name>.yaml), after validation and overrides. */
export interface Target {
  name: string
  /** Docker API endpoint, as DOCKER_HOST spells it: unix:///path, tcp://host:port or ssh://user@host */
  endpoint: string
  /**
   * TLS client files for a tcp:// endpoint (the profile's `tls`,
   * or DOCKER_TLS_VERIFY + DOCKER_CERT_PATH); absent: plain.
   */
  tls?: TlsFiles
  /** For an ssh:// endpoint: the key and known_hosts its transport uses (the profile's `ssh`); absent: the user's. */
  ssh?: SshFiles
  /** Address where ports published with -p answer: the "public network interface on the VCH". */
  publicAddress: string
  /** Image the suite runs for every documented image (busybox-static with a web server). */
  probeImage: string
  /** Where the profile came from (a file path, or "environment"). */
  source: string
  /** What this endpoint offers beyond plain bridges; a scenario needing what is absent is not-applicable. */
  offers: Offers
  /**
   * Why the endpoint does not offer what `offers` leaves out (e.g.
   * rootless: no macvlan); quoted by the not-applicable reason.
   */
  lacks?: Partial<Record<keyof Offers, string>>
  /** Scenario id → why this endpoint knowingly behaves otherwise. */
  deviations: Record<string, Deviation>
  /**
   * How the endpoint was deployed (vic-machine's options): absent fields take VIC's defaults
   * (profile/deployment.ts's deploymentOf).
   */
  deployment?: Partial<Deployment>
}

/** vic-machine --container-network-firewall: the trust level of a container network. */
export const FIREWALL_LEVELS = ['closed', 'outbound', 'peers', 'published', 'open'] as const
export type FirewallLevel = (typeof FIREWALL_LEVELS)[number]

/** How the endpoint was deployed (vic-machine's options); profile/deployment.ts gives VIC's defaults. */
export interface Deployment {
  /** --container-network-firewall; VIC's default, the document's NOTE: published. */
  containerNetworkFirewall: FirewallLevel
  /** --bridge-network-width: the mask of a new bridge network; the document: 16. */
  bridgeNetworkWidth: number
  /**
   * How long the documented DHCP error ("unable to wait for process launch status") may take to
   * come back, in seconds: the CLI call's deadline. VIC documents no time; the suite's CLI deadline is 60 s.
   */
  dhcpErrorWithinSeconds: number
}

/** The files a TLS client needs, as absolute paths (the docker CLI's ca.pem, cert.pem and key.pem). */
export interface TlsFiles {
  /** The CA that signed the endpoint's server certificate. */
  caFile: string
  /** The client certificate the endpoint accepts, and its key. */
  certFile: string
  keyFile: string
  /**
   * The server's certificate is not checked (a docker context's SkipTLSVerify; the CLI's --tls
   * without --tlsverify): caFile need not exist, only the client certificate and key are sent.
   */
  skipVerify?: true
}

/** The files an ssh:// endpoint's transport uses, as absolute paths. */
export interface SshFiles {
  /** The private key offered to the server (OpenSSH's IdentityFile); absent: the agent or ~/.ssh/id_*. */
  identityFile?: string
  /** The known_hosts file the server's host key must be in; absent: ~/.ssh/known_hosts. */
  knownHostsFile?: string
}

export interface Offers {
  /** A "container network" (VIC --container-network): the containers get their own address on an outside segment. */
  containerNetwork?: {
    name: string
    /** Its subnet, and the range the endpoint assigns from (VIC: --container-network-ip-range). */
    subnet?: string
    ipRange?: string
    /** The outside client: a network namespace on this host (the lab's), or this host when absent. */
    outsideNetns?: string
    /** The outside client's address on the segment; the suite's listener answers there. */
    outsideAddress?: string
  }
  /**
   * The endpoint's control plane (a VCH's; the engine's API process), which the suite may stop and
   * start again to observe that containers on a container network keep their connectivity: commands
   * run on this host with a shell, in the profile's folder.
   */
  controlPlane?: {
    stop: string
    start: string
    /** How long the suite keeps the control plane down while the outside client keeps asking (default 10). */
    downSeconds?: number
  }
  /** A container network whose addresses come from a DHCP server. */
  dhcpNetwork?: {
    name: string
    /** The DNS server to pass with --dns, as the document requires. */
    dns: string
    /** The DHCP server's pool, "first-last". */
    pool: string
  }
}

export interface EngineInfo {
  name: string
  version: string
  apiVersion: string
  os: string
  kernel: string
}

/**
 * A documented behaviour an endpoint knowingly does otherwise, as its profile declares it, with
 * the failure it shows: the scenario fails at `step` with a message `observed` matches.
 */
export interface Deviation {
  reason: string
  link?: string
  /**
   * The failing step's text as written in the feature, matched exactly; or a regular expression written /like this/.
   */
  step: string
  /** A regular expression (JavaScript syntax) that the failing step's whole error message matches. */
  observed: string
}

// The run's summary (summary.json) and its parts; report/summary.ts holds their schema, typed by them.

/**
 * A declared deviation as a summary keeps it. `step` and `observed` are required in profiles, but a
 * summary written before deviations named their evidence has only the reason: it still loads, so
 * an older release's reports can be compared with a newer one's.
 */
type RecordedDeviation = Omit<Deviation, 'step' | 'observed'> &
  Partial<Pick<Deviation, 'step' | 'observed'>> & { noLongerNeeded?: boolean; mismatch?: boolean }

export interface ScenarioResult {
  /** Stable id, from the scenario's @id: tag. */
  id: string
  /** Exact heading of the seed document's section this scenario transcribes (the Feature name). */
  doc: string
  /** Feature file, relative to the project. */
  feature: string
  name: string
  verdict: Verdict
  /** Why it fails / is not applicable; empty when it conforms. */
  reason: string
  durationMs: number
  /** For a scenario that failed (fails or deviates): the step that failed and its whole error message. */
  failure?: Failure
  /** For a not-applicable scenario: the profile field whose absence made it so, e.g. 'offers.dhcpNetwork'. */
  notApplicableField?: string
  /**
   * The profile's declared deviation for this scenario, if any: `noLongerNeeded` when the scenario
   * conforms, `mismatch` when it failed otherwise than declared (its verdict is then `fails`).
   */
  deviation?: RecordedDeviation
  /**
   * Where the scenario observed from, from its probe and exec records: 'inside the containers',
   * 'this host → ADDRESS:PORT', 'outside client, netns NS' (an endpoint whose host cannot route to
   * container addresses, a rootless one, is observed from inside and through published ports only).
   */
  vantage?: string[]
  /**
   * The polls that did not see what they awaited and waited out their whole deadline (waiting could still have helped).
   */
  deadlineWaits?: DeadlineWait[]
  /** The Background fixture the scenario used (`run --share-setup`): its id and the scenario that built it. */
  fixture?: { id: string; builtBy: string }
}

/** A poll that ran out its deadline: what it awaited, and how long it waited. */
interface DeadlineWait {
  awaited: string
  waitedMs: number
}

/** Where a scenario failed: the pickle step's text (or `hook "<name>"`), and the step's whole error message. */
export interface Failure {
  step: string
  message: string
}

/** A scenario the run did not get to, and why: it has no verdict. */
/**
 * Why a scenario was not run: what it needs is held by another (a run, or something not netconform's), the
 * endpoint failed one of the suite's calls, the endpoint stopped answering, or a signal cut the run short.
 */
export type NotRunCause = 'held' | 'failed-call' | 'endpoint-lost' | 'interrupted'

export interface NotRun {
  id: string
  doc: string
  name: string
  reason: string
  /** Absent in summaries written before it was recorded: then read from the reason (report/not-run.ts, causeOf). */
  cause?: NotRunCause
}

export interface Summary {
  target: { name: string; endpoint: string; engine: EngineInfo }
  runId: string
  startedAt: string
  durationMs: number
  /** Set when the run was cut short: by a signal (SIGINT, SIGTERM) or by the endpoint going away. */
  interrupted?: string
  scenarios: ScenarioResult[]
  /** Scenarios the run did not get to, and why: they have no verdict. */
  notRun?: NotRun[]
  totals: Record<Verdict, number>
}

/** What every step can read: passed by the CLI as cucumber worldParameters. */
export interface WorldParameters {
  runId: string
  target: Target
  /** Build each feature's Background once and let the following scenarios observe it (`run --share-setup`). */
  shareSetup?: boolean
}
