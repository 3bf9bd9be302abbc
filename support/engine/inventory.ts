/**
 * What an endpoint has, as `netconform profile` asks it: whether it runs rootless, its networks with
 * their drivers, subnets, ranges and IPAM drivers, and the address its host reaches a destination
 * from. Every answer says where it came from. It reads, except for one container on the host's
 * network (a route lookup: `ip -4 route get`), which carries the suite's labels and is removed.
 */
import type Docker from 'dockerode'
import { UsageError, firstLine } from '../errors'
import { LABEL_RUN, LABEL_SCENARIO, newRunId, removeLabelled } from '../cleanup/resources'
import { BUILTIN_NETWORKS, addressRange, parentInterface } from './kinds'

/** An answer with where it came from, in words for the profile's comments. */
interface Sourced<T> {
  value: T
  from: string
}

/** A network as the endpoint describes it (GET /networks). */
interface SeenNetwork {
  name: string
  driver: string
  ipamDriver: string
  subnet?: string
  ipRange?: string
  /** Where ipRange came from, in words. */
  rangeFrom?: string
  gateway?: string
  /** The host interface a macvlan or ipvlan network sits on, as the engine kind tells it. */
  parent?: string
}

/** The drivers that give a container an address of its own on a host's segment: VIC's container network. */
export const SEGMENT_DRIVERS: readonly string[] = ['macvlan', 'ipvlan']

/** Whether the endpoint's engine runs rootless, from GET /info's SecurityOptions (Docker and Podman say it there). */
export async function rootlessOf(docker: Docker): Promise<Sourced<boolean>> {
  const info = (await docker.info()) as { SecurityOptions?: string[] }
  const options = info.SecurityOptions ?? []
  const rootless = options.some((o) => /(^|,)name=rootless(,|$)/.test(o))
  return {
    value: rootless,
    from: `GET /info SecurityOptions ${rootless ? 'holds' : 'lacks'} name=rootless (${options.join('; ') || 'none'})`,
  }
}

interface NetworkAnswer {
  Name: string
  Driver?: string
  Labels?: Record<string, string>
  IPAM?: { Driver?: string; Config?: { Subnet?: string; IPRange?: string; Gateway?: string }[] }
}

const IPAM_RANGE = "its IPAM config's IPRange (GET /networks)"
const KIND_RANGE =
  "the engine's own API, its Docker API not saying it (Podman: libpod's lease_range, as the smallest block " +
  'holding it)'

/**
 * The endpoint's own networks (GET /networks): neither the engine's built-in ones nor any the suite
 * labelled (a run's), with their first IPv4 subnet and range and, for a macvlan or ipvlan, its parent.
 */
export async function networksOf(docker: Docker): Promise<SeenNetwork[]> {
  const answers = (await docker.listNetworks()) as unknown as NetworkAnswer[]
  const own = answers.filter((n) => !BUILTIN_NETWORKS.has(n.Name) && n.Labels?.[LABEL_RUN] === undefined)
  return Promise.all(
    own
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map(async (n) => {
        const config = (n.IPAM?.Config ?? []).find((c) => c.Subnet && !c.Subnet.includes(':')) ?? {}
        const driver = n.Driver ?? ''
        const segment = SEGMENT_DRIVERS.includes(driver)
        const parent = segment ? await parentInterface(docker, n.Name).catch(() => undefined) : undefined
        const ipRange =
          config.IPRange ?? (segment ? await addressRange(docker, n.Name).catch(() => undefined) : undefined)
        return {
          name: n.Name,
          driver,
          ipamDriver: n.IPAM?.Driver ?? 'default',
          ...(config.Subnet ? { subnet: config.Subnet } : {}),
          ...(ipRange ? { ipRange, rangeFrom: config.IPRange ? IPAM_RANGE : KIND_RANGE } : {}),
          ...(config.Gateway ? { gateway: config.Gateway } : {}),
          ...(parent ? { parent } : {}),
        }
      }),
  )
}

/**
 * The address the endpoint's host sends from towards DESTINATION: `ip -4 route get` in a container
 * on the host's network (the probe image's busybox), labelled with a run id of its own and removed.
 * Undefined, with why, when the lookup did not say.
 */
export async function hostSourceAddress(
  docker: Docker,
  image: string,
  destination: string,
): Promise<{ address?: string; why: string }> {
  const labels = { [LABEL_RUN]: newRunId(), [LABEL_SCENARIO]: 'profile' }
  const seen = await routeLookup(docker, image, destination, labels)
  const removed = await removeLabelled(docker, labels)
  if (removed.errors.length > 0)
    throw new UsageError(
      `could not remove the container profile made: ${removed.errors[0]} ` +
        `(netconform clean --run ${labels[LABEL_RUN]} removes it)`,
    )
  return seen
}

/** `ip -4 route get DESTINATION` in a container on the host's network, labelled LABELS (the caller removes it). */
async function routeLookup(
  docker: Docker,
  image: string,
  destination: string,
  labels: Record<string, string>,
): Promise<{ address?: string; why: string }> {
  try {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['ip', '-4', 'route', 'get', destination],
      Tty: true,
      Labels: labels,
      HostConfig: { NetworkMode: 'host' },
    })
    await container.start()
    await container.wait()
    const text = String(await container.logs({ stdout: true, stderr: true }))
    const src = /\bsrc ((?:\d{1,3}\.){3}\d{1,3})\b/.exec(text)?.[1]
    const said = `\`ip -4 route get ${destination}\` in a container on the host's network: ${firstLine(text.trim())}`
    return src ? { address: src, why: said } : { why: `${said} (no src address)` }
  } catch (e) {
    return { why: `a container on the host's network could not look the route up: ${firstLine(e)}` }
  }
}
