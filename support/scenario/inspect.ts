/**
 * The observations that read the scenario's own resources through the World: the subnets a
 * network shows, the ports `docker ps` shows, the interface behind each of a container's
 * addresses. The checks that judge them are in observe/; these only gather.
 */
import { addressOn, findAddress, interfaceAddresses } from '../observe/addresses'
import { besideDocument } from '../observe/beside-document'
import { describeCommand, runDocumented } from '../engine/docker-cli'
import { runNoted } from './commands'
import { parseTable } from '../document/tables'
import type { NetconformWorld } from './world'

/** The subnets `docker network inspect` shows for a documented network. */
export async function subnetsOf(world: NetconformWorld, network: string): Promise<string[]> {
  const r = await runNoted(world, `docker network inspect ${network} --format '{{json .IPAM.Config}}'`)
  const config = JSON.parse(r.stdout.trim() || '[]') as { Subnet?: string }[] | null
  return (config ?? []).map((c) => c.Subnet ?? '').filter((s) => s !== '')
}

/** The PORTS cell `docker ps` shows for a container, and the mapping the document shows. */
export async function portsShown(
  world: NetconformWorld,
  {
    command,
    container,
    network,
    mapping,
    documented,
  }: { command: string; container: string; network: string; mapping: string; documented?: string },
): Promise<{ shown: string; expected: string }> {
  const address = await addressOn(world.docker, world.real(container), world.real(network))
  const r = await runDocumented(command, world.commandContext)
  world.note(describeCommand(r))
  if (documented) world.note(besideDocument(documented, r.stdout))
  // the container as the document calls it: by name, or by a prefix of its id (50)
  const { Id } = await world.docker.getContainer(world.real(container)).inspect()
  const row = parseTable(r.stdout).find(
    (x) => x.NAMES === world.real(container) || (Boolean(x['CONTAINER ID']) && Id.startsWith(x['CONTAINER ID'])),
  )
  return { shown: row?.PORTS ?? `(${world.real(container)} not listed)`, expected: `${address}${mapping}` }
}

/** The interface that carries a container's address on each of the given networks. */
export async function interfacesOf(world: NetconformWorld, container: string, networks: string[]): Promise<string[]> {
  const shown = await interfaceAddresses(world.docker, world.note, world.real(container))
  const out: string[] = []
  for (const n of networks)
    out.push(findAddress(shown, await addressOn(world.docker, world.real(container), world.real(n)), container).iface)
  return out
}
