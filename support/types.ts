/** Shapes shared by the CLI, the World and the reports. */

export type Verdict = 'conforms' | 'deviates' | 'fails' | 'not-applicable'
export const VERDICTS: readonly Verdict[] = ['conforms', 'deviates', 'fails', 'not-applicable']

/** A target profile (targets/<name>.yaml), after validation and overrides. */
export interface Target {
  name: string
  /** Docker API endpoint, as DOCKER_HOST spells it: unix:///path, tcp://host:port or ssh://user@host */
  endpoint: string
  /** TLS client files for a tcp:// endpoint (the profile's `tls`, or DOCKER_TLS_VERIFY + DOCKER_CERT_PATH); absent: plain. */
  tls?: TlsFiles
  /** Address where ports published with -p answer: the "public network interface on the VCH". */
  publicAddress: string
  /** Image the suite runs for every documented image (busybox-static with a web server). */
  probeImage: string
  /** Where the profile came from (a file path, or "environment"). */
  source: string
  /** What this endpoint offers beyond plain bridges; a scenario needing what is absent is not-applicable. */
  offers: Offers
  /** Why the endpoint does not offer what `offers` leaves out (e.g. rootless: no macvlan); quoted by the not-applicable reason. */
  lacks?: Partial<Record<keyof Offers, string>>
  /** Scenario id → why this endpoint knowingly behaves otherwise. */
  deviations: Record<string, Deviation>
}

/** The files a TLS client needs, as absolute paths (the docker CLI's ca.pem, cert.pem and key.pem). */
export interface TlsFiles {
  /** The CA that signed the endpoint's server certificate. */
  caFile: string
  /** The client certificate the endpoint accepts, and its key. */
  certFile: string
  keyFile: string
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
  /** The failing step's text as written in the feature, matched exactly; or a regular expression written /like this/. */
  step: string
  /** A regular expression (JavaScript syntax) that the failing step's whole error message matches. */
  observed: string
}

/** The run's summary (summary.json) and its parts: defined, with their schema, in report/summary.ts. */
export type { Failure, NotRun, ScenarioResult, Summary } from './report/summary'

/** What every step can read: passed by the CLI as cucumber worldParameters. */
export interface WorldParameters {
  runId: string
  target: Target
  /** Build each feature's Background once and let the following scenarios observe it (`run --share-setup`). */
  shareSetup?: boolean
}
