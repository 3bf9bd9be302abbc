/**
 * The sensitivity proxy: a relay (engine/relay.ts) whose interceptor is the faults' hooks
 * (hooks.ts) and the endpoint's conditions (endpoint-conditions.ts). Its errors say so.
 */
import { startRelay, type Relay, type RelayOptions } from '../engine/relay'
import type { TlsFiles } from '../types'
import { exchangeOf, type Hook } from './hooks'
import { EndpointConditions, type Conditions, type Injected } from './endpoint-conditions'

export interface ProxyOptions extends Pick<RelayOptions, 'onError' | 'onAnswer'> {
  /** The upstream endpoint, as DOCKER_HOST spells it: unix:///path or tcp://host:port. */
  upstream: string
  tls?: TlsFiles
  hooks?: Hook[]
  /** Conditions to survive rather than faults to catch; none: as transparent as hooks allow. */
  conditions?: Conditions
}

export interface Proxy {
  /** unix:///tmp/netconform-proxy-XXXX/docker.sock */
  url: string
  socketPath: string
  /** Replaces the hooks (one proxy serves fault after fault). */
  setHooks(hooks: Hook[]): void
  /** Requests seen, by "METHOD /path" without version, for reports and tests. */
  seen: string[]
  /** What the conditions did, in order. */
  injected: Injected[]
  /** Sets the conditions for the requests to come (and restarts the count of requests). */
  setConditions(conditions: Conditions | undefined): void
  close(): Promise<void>
}

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  let hooks = opts.hooks ?? []
  const conditions = new EndpointConditions((downMs) => relay.goDown(downMs))
  conditions.set(opts.conditions)
  const relay: Relay = await startRelay({
    upstream: opts.upstream,
    tls: opts.tls,
    says: 'netconform sensitivity proxy',
    onError: opts.onError,
    onAnswer: opts.onAnswer,
    interceptor: {
      admit: (call) => conditions.admit(call),
      exchange: (request, upstream) => exchangeOf(hooks, request, upstream),
    },
  })
  return {
    url: relay.url,
    socketPath: relay.socketPath,
    seen: relay.seen,
    injected: conditions.injected,
    setHooks(next) {
      hooks = next
    },
    setConditions: (next) => conditions.set(next),
    close: relay.close,
  }
}
