/*
 * The profile's deployment (how the VCH was deployed, vic-machine's options): VIC's defaults where
 * it says nothing, schema-checked values, and the outcome each trust level implies for the trust
 * scenarios.
 */
import { test } from 'node:test'
import { expect } from 'chai'
import { FIREWALL_LEVELS, VIC_DEFAULTS, deploymentOf, inboundOutcome } from '../../support/profile/deployment'
import { parseTarget } from '../../support/profile/targets'
import { UsageError } from '../../support/errors'

const PROFILE = 'name: x\nendpoint: unix:///x.sock\npublicAddress: 198.51.100.11\nprobeImage: p:1\n'

test("deployment: VIC's defaults where the profile says nothing (published, /16, 60 s)", () => {
  expect(deploymentOf(parseTarget(PROFILE, 'x.yaml'))).to.deep.equal({
    containerNetworkFirewall: 'published',
    bridgeNetworkWidth: 16,
    dhcpErrorWithinSeconds: 60,
  })
  expect(VIC_DEFAULTS.containerNetworkFirewall).to.equal('published')
  const set = parseTarget(
    `${PROFILE}deployment:\n  containerNetworkFirewall: open\n  bridgeNetworkWidth: 24\n`,
    'x.yaml',
  )
  expect(deploymentOf(set)).to.deep.equal({
    containerNetworkFirewall: 'open',
    bridgeNetworkWidth: 24,
    dhcpErrorWithinSeconds: 60,
  })
})

test('deployment: a level VIC does not have, a width out of range or an unknown option is a usage error', () => {
  expect(() => parseTarget(`${PROFILE}deployment:\n  containerNetworkFirewall: wide\n`, 'x.yaml')).to.throw(
    UsageError,
    /x\.yaml: field "deployment\.containerNetworkFirewall" must be equal to one of the allowed values/,
  )
  expect(() => parseTarget(`${PROFILE}deployment:\n  bridgeNetworkWidth: 40\n`, 'x.yaml')).to.throw(
    UsageError,
    /field "deployment\.bridgeNetworkWidth" must be <= 30/,
  )
  expect(() => parseTarget(`${PROFILE}deployment:\n  firewall: open\n`, 'x.yaml')).to.throw(
    UsageError,
    /unknown field "deployment\.firewall"/,
  )
})

test('trust levels: what an outside client sees on a published and an unpublished port', () => {
  const table = Object.fromEntries(
    FIREWALL_LEVELS.map((level) => [level, [inboundOutcome(level, true), inboundOutcome(level, false)]]),
  )
  expect(table).to.deep.equal({
    closed: ['nothing in', 'nothing in'],
    outbound: ['nothing in', 'nothing in'],
    peers: ['nothing in', 'nothing in'],
    published: ['answers', 'no answer'],
    open: ['answers', 'answers'],
  })
})
