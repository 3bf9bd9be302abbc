/**
 * A fault's hooks, as the sensitivity proxy applies them to the requests they match:
 *
 * - `request`: rewrites a request's JSON body before it is forwarded (container create, network
 *   create, network connect…);
 * - `response`: rewrites a JSON response body (inspect, network ls, container list…);
 * - `answer`: answers itself, without forwarding (an error, a fake success);
 * - `before`/`after`: side effects on the upstream (through `ctx.upstream`) around forwarding.
 *
 * Paths are matched without their API version prefix (/v1.41/containers/create → /containers/create).
 */
import { parseJson, type Answer, type Exchange, type RelayedRequest, type Upstream } from '../engine/relay'

/** What a hook sees of a request. */
export interface HookContext extends RelayedRequest {
  /** The groups the hook's path pattern captured. */
  params: string[]
  /** The parsed request body, for hooks that rewrite or read it (undefined when there is none). */
  body?: unknown
  /** A request of the proxy's own to the upstream endpoint; JSON in and out. */
  upstream: Upstream
}

export interface Hook {
  /** HTTP method, upper case. */
  method: string
  /** Matched against the path without version prefix and query; groups become ctx.params. */
  path: RegExp
  /** Returns the body to forward (or undefined to forward the body unchanged). */
  request?: (body: any, ctx: HookContext) => unknown | Promise<unknown>
  /** Answers in the proxy's name; undefined: forward as usual. */
  answer?: (ctx: HookContext) => Answer | undefined | Promise<Answer | undefined>
  /** Runs before forwarding (after `request`). */
  before?: (ctx: HookContext) => void | Promise<void>
  /** Runs after the upstream answered with `status`, before the answer goes back. */
  after?: (ctx: HookContext, status: number, body: unknown) => void | Promise<void>
  /** Rewrites a JSON response body of a 2xx answer; returns the new body (undefined: unchanged). */
  response?: (body: any, ctx: HookContext) => unknown | Promise<unknown>
}

/**
 * The exchange the hooks matching REQUEST make of it, or undefined when none matches (it streams
 * through). Their request side runs in order (every `request`, then the first `answer` that answers,
 * then every `before`); their answer side runs `after` and `response` in order.
 */
export function exchangeOf(hooks: readonly Hook[], request: RelayedRequest, upstream: Upstream): Exchange | undefined {
  const hits = hooks.flatMap((hook) => {
    if (hook.method !== request.method) return []
    const m = hook.path.exec(request.path)
    return m ? [{ hook, params: m.slice(1) }] : []
  })
  if (hits.length === 0) return undefined
  const ctx: HookContext = { ...request, params: [], upstream }
  const rewriters = hits.filter(({ hook }) => hook.response || hook.after)
  const readsRequest = hits.some(({ hook }) => hook.request || hook.answer || hook.before || hook.after)
  return {
    request: !readsRequest
      ? undefined
      : async (raw) => {
          let body = raw
          ctx.body = parseJson(body)
          for (const { hook, params } of hits) {
            ctx.params = params
            if (hook.request && ctx.body !== undefined) {
              const changed = await hook.request(ctx.body, ctx)
              if (changed !== undefined) ctx.body = changed
            }
          }
          if (hits.some(({ hook }) => hook.request))
            body = ctx.body === undefined ? body : Buffer.from(JSON.stringify(ctx.body))
          for (const { hook, params } of hits) {
            ctx.params = params
            const answer = hook.answer ? await hook.answer(ctx) : undefined
            if (answer) return { answer }
          }
          for (const { hook, params } of hits) {
            ctx.params = params
            await hook.before?.(ctx)
          }
          return { body }
        },
    buffersAnswer: (json) => rewriters.some(({ hook }) => hook.after || (hook.response && json)),
    answer: async (status, raw) => {
      let value = parseJson(raw)
      let rewritten = false
      for (const { hook, params } of rewriters) {
        ctx.params = params
        await hook.after?.(ctx, status, value)
        if (hook.response && status >= 200 && status < 300 && value !== undefined) {
          const changed = await hook.response(value, ctx)
          if (changed !== undefined) {
            value = changed
            rewritten = true
          }
        }
      }
      return rewritten ? Buffer.from(value === undefined ? '' : JSON.stringify(value)) : undefined
    },
  }
}
