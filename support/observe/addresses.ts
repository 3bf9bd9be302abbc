/**
 * A container's addresses, read as the endpoint reports them (inspect) and as the container itself
 * shows them (`ip addr`), and the address a step names found among them.
 */
import type Docker from 'dockerode'
import { addressesOf, describeExec, execIn } from '../engine/probes'
import { DEFAULT_NETWORKS } from '../engine/kinds'
import { inRange, parseIpAddr, type InterfaceAddress } from '../ipv4'
import type { Attach } from './evidence'

/** The address a container has on a network, read from inspect (the endpoint's own account). */
export async function addressOn(docker: Docker, container: string, network: string): Promise<string> {
  const all = await addressesOf(docker, container)
  // A default network (the document's "bridge") is named by each engine kind its own way: a container
  // asked about one and on one network only is on its own engine's default.
  const names = Object.keys(all)
  const ip = all[network] ?? (DEFAULT_NETWORKS.includes(network) && names.length === 1 ? all[names[0]] : undefined)
  if (!ip)
    throw new Error(
      `${container} has no address on ${network} (it is on: ${Object.keys(all).join(', ') || 'no network'})`,
    )
  return ip
}

/** `ip addr` inside a container, parsed; attaches what it showed. */
export async function interfaceAddresses(
  docker: Docker,
  attach: Attach,
  container: string,
): Promise<InterfaceAddress[]> {
  const r = await execIn(docker, container, 'ip addr')
  attach(describeExec(r))
  if (r.exitCode !== 0) throw new Error(`ip addr failed in ${container}: ${r.stderr.trim()}`)
  return parseIpAddr(r.stdout).filter((a) => a.iface !== 'lo')
}

/** What `ip addr` shows for one address, or an error saying what it shows instead. */
export function findAddress(shown: InterfaceAddress[], address: string, container: string): InterfaceAddress {
  const hit = shown.find((a) => a.address === address)
  if (!hit)
    throw new Error(
      `ip addr in ${container} shows no ${address}; ` +
        `it shows ${shown.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(', ') || 'no IPv4 address'}`,
    )
  return hit
}

/**
 * An address `ip addr` shows inside `cidr` with `cidr`'s own prefix: a hit must exist first, then its mask is checked.
 */
export function addressInCidr(shown: InterfaceAddress[], cidr: string, container: string): InterfaceAddress {
  const all = shown.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(', ') || 'no IPv4 address'
  const hit = shown.find((a) => inRange(a.address, cidr))
  if (!hit) throw new Error(`ip addr in ${container} shows no address in ${cidr}; it shows ${all}`)
  const bits = Number(cidr.split('/')[1])
  if (hit.prefix !== bits)
    throw new Error(
      `ip addr in ${container} shows ${hit.address}/${hit.prefix}, ` +
        `in ${cidr} but with mask /${hit.prefix}, not /${bits}`,
    )
  return hit
}
