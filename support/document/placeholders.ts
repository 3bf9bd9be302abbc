/**
 * The document's placeholders (ip_address, outside_address, dns_server): words in its commands
 * that the target profile gives a value. A feature that uses one on a target that offers the
 * network but lacks the field is a profile error, found before anything runs; a command that
 * still holds one when it runs is never sent to the endpoint.
 */
import { readFileSync } from 'node:fs'
import { outsideRange } from '../ipv4'
import type { Target } from '../types'

interface Placeholder {
  /** The offer it belongs to: without that offer, its scenarios are not applicable, not wrong. */
  offer: keyof Target['offers']
  /** What it stands for, and the profile field(s) it comes from; undefined when the profile provides it. */
  missing(target: Target): string | undefined
}

const PLACEHOLDERS: Record<string, Placeholder> = {
  ip_address: {
    offer: 'containerNetwork',
    missing: (t) =>
      t.offers.containerNetwork?.ipRange
        ? undefined
        : 'offers.containerNetwork.ipRange (ip_address is a free address in that range)',
  },
  outside_address: {
    offer: 'containerNetwork',
    missing: (t) => {
      const net = t.offers.containerNetwork
      if (!net?.ipRange) return 'offers.containerNetwork.ipRange (outside_address is in the subnet, outside that range)'
      if (!net.subnet) return 'offers.containerNetwork.subnet (outside_address is in the subnet, outside ipRange)'
      return outsideRange(net.subnet, net.ipRange, net.outsideAddress ? [net.outsideAddress] : [])
        ? undefined
        : `offers.containerNetwork.subnet (${net.subnet} has no address outside ipRange ${net.ipRange} ` +
            'for outside_address)'
    },
  },
  dns_server: {
    offer: 'dhcpNetwork',
    missing: (t) => (t.offers.dhcpNetwork?.dns ? undefined : 'offers.dhcpNetwork.dns (dns_server)'),
  },
}

/** Placeholders a text uses, as whole words. */
function placeholdersIn(text: string): string[] {
  return Object.keys(PLACEHOLDERS).filter((p) => new RegExp(`(^|[^A-Za-z0-9_-])${p}([^A-Za-z0-9_-]|$)`).test(text))
}

/** The first profile gap of the selected feature files: "FIELD is missing: FEATURE uses PLACEHOLDER". */
export function profileGap(target: Target, featureFiles: string[]): string | undefined {
  for (const file of featureFiles) {
    for (const name of placeholdersIn(readFileSync(file, 'utf8'))) {
      const p = PLACEHOLDERS[name]
      if (!target.offers[p.offer]) continue
      const missing = p.missing(target)
      if (missing)
        return (
          `${target.source}: field ${missing} is missing or unusable: ` +
          `${file.replace(/^.*\/features\//, 'features/')} uses ${name}`
        )
    }
  }
  return undefined
}

/** A placeholder left in a command about to run: the command is not sent. */
export function unresolvedPlaceholder(argv: string[]): string | undefined {
  return argv.flatMap(placeholdersIn)[0]
}
