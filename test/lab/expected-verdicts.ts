/**
 * The verdicts measured on this project's machines (Debian 12: docker.io 20.10, Podman 4.3
 * with CNI, as lab/up.sh sets them up), like the compatibility kit's expected output. A change
 * here is a change in what the engines do, or in what the suite observes: say which in the commit.
 */
import type { Verdict } from '../../support/types'

export interface Expected {
  verdict: Verdict
  /** What the reason must say, for verdicts other than conforms. */
  evidence?: RegExp
}

const allConform = (ids: string[]): Record<string, Expected> => Object.fromEntries(ids.map((id) => [id, { verdict: 'conforms' }]))

const SECTIONS_1_TO_3 = [
  'publish.port-8080-on-public-interface',
  'new-bridge.network-listed',
  'new-bridge.ping-by-name',
  'new-bridge.default-bridge-no-names',
  'exposed-port.network-listed',
  'exposed-port.ping-by-name',
  'exposed-port.client-to-server-5000',
  'exposed-port.public-5000',
]

export const EXPECTED: Record<string, Record<string, Expected>> = {
  docker: allConform(SECTIONS_1_TO_3),
  podman: {
    ...allConform(SECTIONS_1_TO_3),
    // Podman drops CAP_NET_RAW and Debian sets ping_group_range "0 0": the name resolves,
    // then busybox ping cannot open its socket. Reported as it is, not fixed by adding the capability.
    'new-bridge.ping-by-name': { verdict: 'fails', evidence: /ping: permission denied/ },
    'exposed-port.ping-by-name': { verdict: 'fails', evidence: /ping: permission denied/ },
  },
}
