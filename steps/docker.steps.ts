/** Steps that run the document's docker commands, and read what the docker CLI shows. */
import { When, Then } from '@cucumber/cucumber'
import { expect } from 'chai'
import { describeCommand, expectRefused, failureOf, runDocumented, succeeded } from '../support/document/docker-cli'
import { networkListed, portsShown, subnetsOf } from '../support/observe/checks'
import type { NetconformWorld } from '../support/world'

When(/^I run `(docker [^`]+)`$/, async function (this: NetconformWorld, command: string) {
  const result = await runDocumented(command, this.commandContext)
  this.note(describeCommand(result))
  if (!succeeded(result)) throw new Error(failureOf(result))
})

When(/^I run `(docker [^`]+)`, which prints the id (\w+)…$/, async function (this: NetconformWorld, command: string, id: string) {
  const result = await runDocumented(command, this.commandContext)
  this.note(describeCommand(result))
  if (!succeeded(result)) throw new Error(failureOf(result))
  this.names.alias(id, this.real(result.container!))
})

When(/^I try `(docker [^`]+)`$/, async function (this: NetconformWorld, command: string) {
  this.tried = await runDocumented(command, this.commandContext)
  this.note(describeCommand(this.tried))
  if (!succeeded(this.tried)) this.unchecked = this.tried
})

Then(/^it is refused with "([^"]+)"$/, function (this: NetconformWorld, text: string) {
  this.unchecked = undefined
  expectRefused(this.tried!, { text })
})

Then(/^it is refused, naming (the running state|the address or the range|the address)$/, function (this: NetconformWorld, about: string) {
  this.unchecked = undefined
  expectRefused(this.tried!, { about })
})

Then(/^`(docker network ls)` lists (\S+)(?: with driver "([^"]+)")?$/, async function (this: NetconformWorld, command: string, network: string, driver?: string) {
  await networkListed(this, command, network, driver)
})

Then(/^`(docker network ls)` lists (\S+)(?: with driver "([^"]+)")?, where the document shows:$/, async function (this: NetconformWorld, command: string, network: string, driver: string | undefined, documented: string) {
  await networkListed(this, command, network, driver, documented)
})

Then(/^`docker network inspect (\S+)` shows the subnet (\S+)$/, async function (this: NetconformWorld, network: string, subnet: string) {
  expect(await subnetsOf(this, network), `subnets of ${network}`).to.include(subnet)
})

Then(/^`docker network inspect (\S+)` shows a subnet with mask \/(\d+)$/, async function (this: NetconformWorld, network: string, bits: string) {
  expect((await subnetsOf(this, network)).map((s) => s.split('/')[1]), `subnet masks of ${network}`).to.include(String(bits))
})

Then(/^`(docker ps)` shows (\S+) with ports "<its address on (\S+)>(:[^"]+)", where the document shows:$/, async function (this: NetconformWorld, command: string, container: string, network: string, mapping: string, documented: string) {
  const { shown, expected } = await portsShown(this, command, container, network, mapping, documented)
  expect(shown, `PORTS of ${container} in docker ps`).to.contain(expected)
})
