/** Steps that run the document's docker commands. */
import { When, Then } from '@cucumber/cucumber'
import { expect } from 'chai'
import { describeCommand, failureOf, runDocumented, succeeded } from '../support/docker-cli'
import { parseTable } from '../support/tables'
import type { NetconformWorld } from '../support/world'

When(/^I run `(docker [^`]+)`$/, async function (this: NetconformWorld, command: string) {
  const result = await runDocumented(command, this.commandContext)
  this.attach(describeCommand(result))
  if (!succeeded(result)) throw new Error(failureOf(result))
})

Then(/^`(docker network ls)` lists (\S+) with driver "([^"]+)"$/, async function (this: NetconformWorld, command: string, network: string, driver: string) {
  const result = await runDocumented(command, this.commandContext)
  this.attach(describeCommand(result))
  const row = parseTable(result.stdout).find((r) => r.NAME === this.real(network))
  expect(row, `${network} (${this.real(network)}) in the output of docker network ls`).to.not.equal(undefined)
  expect(row!.DRIVER, `driver of ${network}`).to.equal(driver)
})
