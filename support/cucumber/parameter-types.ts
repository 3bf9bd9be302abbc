/**
 * The steps' parameter types. A documented name becomes the scenario's real one in the
 * transformer, which cucumber runs with the World as `this` (as screenplay.js's
 * ParameterTypes do): steps receive real names and stay one-liners, with no name plumbing.
 */
import { defineParameterType } from '@cucumber/cucumber'
import type { NetconformWorld } from '../scenario/world'

/** A name as the document writes it: server, my-bridge-network, 50, ip_address… */
const NAME = /[A-Za-z0-9][A-Za-z0-9_.-]*/

function real(this: NetconformWorld, documented: string): string {
  return this.real(documented)
}

/** A container the document names, as the scenario's real container name. */
defineParameterType({ name: 'container', regexp: NAME, transformer: real, useForSnippets: false })
/** A network the document names (or the target's, for ExternalNetwork and friends; `bridge` stays `bridge`). */
defineParameterType({ name: 'network', regexp: NAME, transformer: real, useForSnippets: false })
/** An address the document writes as a placeholder (ip_address, dns_server), as the value the profile gives it. */
defineParameterType({ name: 'address', regexp: NAME, transformer: real, useForSnippets: false })
/** A documented docker command, in backticks; the step gets it without them. */
defineParameterType({
  name: 'command',
  regexp: /`(docker [^`]+)`/,
  transformer: (command: string) => command,
  useForSnippets: false,
})
/** A subnet, as `docker network create --subnet` takes it. */
defineParameterType({
  name: 'cidr',
  regexp: /\d+\.\d+\.\d+\.\d+\/\d+/,
  transformer: (cidr: string) => cidr,
  useForSnippets: false,
})
/** What a refusal must name. */
defineParameterType({
  name: 'refusal',
  regexp: /the running state|the address or the range|the address/,
  transformer: (s: string) => s,
  useForSnippets: false,
})
/** A command that looks a name up, as the document runs it. */
defineParameterType({
  name: 'lookup',
  regexp: /nslookup|ping -c 3/,
  transformer: (s: string) => s,
  useForSnippets: false,
})
/** How a container's addresses on two networks sit: on one interface (VIC) or on distinct ones. */
defineParameterType({
  name: 'layout',
  regexp: /one interface|distinct interfaces/,
  transformer: (s: string) => s,
  useForSnippets: false,
})
