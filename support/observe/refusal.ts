/**
 * A refusal that may come at either of two commands: the document says an address outside the
 * range (or taken) is refused, not which command refuses it. Docker refuses at `docker network
 * connect --ip`; VIC accepts the connect and refuses at `docker start` (its portlayer reserves the
 * address when it binds the container: lib/portlayer/network/ipam.go). Either conforms when the
 * refusal names what it refuses and the container does not run with the address.
 */
import type Docker from 'dockerode'
import { expectRefused, succeeded, type CommandResult } from '../engine/docker-cli'
import { interfaceAddresses } from './addresses'
import type { InterfaceAddress } from '../ipv4'
import type { Attach } from './evidence'

/** What inspect and `ip addr` show of a container after the commands that would give it an address. */
export interface HeldAddress {
  container: string
  /** inspect's State.Status (created, running, exited…). */
  status: string
  running: boolean
  /** The networks inspect shows with ADDRESS as the container's IPAddress. */
  inspectedOn: string[]
  /** What `ip addr` shows in the container; undefined when it is not running (nothing to exec in). */
  shown?: InterfaceAddress[]
}

/** Reads what inspect and, when it runs, `ip addr` in CONTAINER show of ADDRESS; attaches both. */
export async function heldAddress(
  docker: Docker,
  attach: Attach,
  container: string,
  address: string,
): Promise<HeldAddress> {
  const info = await docker.getContainer(container).inspect()
  const networks = Object.entries(info.NetworkSettings.Networks ?? {})
  const inspectedOn = networks.filter(([, ep]) => ep.IPAddress === address).map(([net]) => net)
  const running = info.State.Running === true
  attach(
    `inspect ${container}: ${info.State.Status}; addresses: ` +
      (networks.map(([net, ep]) => `${ep.IPAddress || '(none)'} on ${net}`).join(', ') || 'no network'),
  )
  const shown = running ? await interfaceAddresses(docker, attach, container) : undefined
  return { container, status: info.State.Status, running, inspectedOn, shown }
}

/** Whether the container runs with the address, by inspect or by `ip addr` in it. */
function runsWith(seen: HeldAddress, address: string): string | undefined {
  if (!seen.running) return undefined
  const by = [
    ...(seen.inspectedOn.length > 0 ? [`inspect shows it on ${seen.inspectedOn.join(', ')}`] : []),
    ...(seen.shown?.some((a) => a.address === address) ? ['ip addr in it shows it'] : []),
  ]
  return by.length > 0 ? `${seen.container} runs with ${address} (${by.join('; ')})` : undefined
}

/** How the container was seen, in words: "not running (created)" or "running without ADDRESS". */
function describeHeld(seen: HeldAddress, address: string): string {
  if (!seen.running) return `${seen.container} is not running (${seen.status})`
  return runsWith(seen, address) ?? `${seen.container} runs without ${address}`
}

/**
 * Throws, with what happened instead, unless one of the commands TRIED (in the order they were
 * tried; a later one only after the earlier was accepted) was refused naming ABOUT (expectRefused),
 * and the container does not run with ADDRESS. Returns the line that says which command refused it.
 */
export function judgeRefusedInTurn(
  tried: readonly CommandResult[],
  seen: HeldAddress,
  expected: { about: string; address: string },
): string {
  if (tried.length === 0) throw new Error('no command was tried before "one of them is refused"')
  const refused = tried.find((r) => !succeeded(r))
  if (!refused) {
    const all = tried.map((r) => `\`${r.documented}\``).join(' and ')
    throw new Error(
      `${all} ${tried.length === 1 ? 'was' : 'were both'} accepted: ${describeHeld(seen, expected.address)}; ` +
        'the document says the address is refused',
    )
  }
  expectRefused(refused, expected)
  const holds = runsWith(seen, expected.address)
  if (holds) throw new Error(`\`${refused.documented}\` was refused, yet ${holds}`)
  const said = `${refused.stderr}${refused.stdout}`.trim().split('\n')[0]
  return `refused at \`${refused.documented}\`: ${said}; ${describeHeld(seen, expected.address)}`
}
