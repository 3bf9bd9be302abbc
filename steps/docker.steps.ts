/** Steps that run the document's docker commands, and read what the docker CLI shows. */
import { When, Then } from '@cucumber/cucumber'
import {
  addressedByPrefix,
  listsNetwork,
  refusedForSeveralNets,
  runCommand,
  runCommandNamingId,
  tryCommand,
  wasRefused,
} from '../support/scenario/commands'
import { inspectShowsMask, inspectShowsSubnet, psShowsMapping } from '../support/scenario/scenario'
import type { NetconformWorld as World } from '../support/scenario/world'

When('I run {command}', async function (this: World, command: string) {
  await runCommand(this, command)
})

When('I run {command}, which prints the id {word}…', async function (this: World, command: string, id: string) {
  await runCommandNamingId(this, command, id)
})

When('I try {command}', async function (this: World, command: string) {
  await tryCommand(this, command)
})

Then('it is refused with the whole line {string}', function (this: World, line: string) {
  wasRefused(this, { line })
})

Then('it is refused, while the same command with only its first --net is accepted', async function (this: World) {
  await refusedForSeveralNets(this)
})

Then('it is refused, naming {refusal}', function (this: World, about: string) {
  wasRefused(this, { about })
})

// The network names below are the document's: the docker commands they build are transcribed as documented.
Then(
  '{command} lists {word} with driver {string}, where the document shows:',
  async function (this: World, command: string, network: string, driver: string, documented: string) {
    await listsNetwork(this, { command, network, documented, driver })
  },
)

Then(
  '{command} lists {word}, where the document shows:',
  async function (this: World, command: string, network: string, documented: string) {
    await listsNetwork(this, { command, network, documented })
  },
)

Then(
  '`docker network inspect {word}` shows the subnet {cidr}',
  async function (this: World, network: string, cidr: string) {
    await inspectShowsSubnet(this, network, cidr)
  },
)

Then(
  '`docker network inspect {word}` shows a subnet with mask \\/{int}',
  async function (this: World, network: string, bits: number) {
    await inspectShowsMask(this, network, bits)
  },
)

Then(
  '{command} shows {word} with ports "<its address on {word}>:{int}->{int}\\/tcp", where the document shows:',
  async function (
    this: World,
    command: string,
    container: string,
    network: string,
    host: number,
    inside: number,
    documented: string,
  ) {
    await psShowsMapping(this, { command, container, network, host, inside, documented })
  },
)

Then(
  '{word} is a prefix of the id {command} printed, and that container runs on {word} and on {word}, ' +
    'where the document shows:',
  async function (this: World, id: string, _command: string, first: string, second: string, documented: string) {
    await addressedByPrefix(this, { id, networks: [first, second], documented })
  },
)
