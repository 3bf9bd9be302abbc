/**
 * How long the suite takes against an endpoint where most scenarios fail (issue 12's "fail fast"):
 * the whole suite through the sensitivity proxy (support/sensitivity/proxy.ts) with FAULTS of
 * support/sensitivity/faults.ts (default: every fault at once but the two that would refuse the
 * suite's own set-up: publish-wrong-port and refuse-unrelated), serial and setting each section up
 * once, as a user runs it. Prints the wall time, the totals and the deadline waits.
 *
 *   node --require ts-node/register bench/broken-endpoint.ts [--target docker] [--faults id,id]
 */
import { loadTarget } from '../support/profile/targets'
import { startProxy } from '../support/sensitivity/proxy'
import { faultsFor } from '../support/sensitivity/faults'
import { conformanceRun } from '../support/run/run'
import { LABEL_RUN, removeLabelled } from '../support/cleanup/resources'
import { dockerFor } from '../support/engine/connection'
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'

const arg = (name: string) => {
  const at = process.argv.indexOf(name)
  return at > 0 ? process.argv[at + 1] : undefined
}

async function main(): Promise<void> {
  const target = loadTarget(arg('--target') ?? 'docker')
  const all = faultsFor(target)
  const wanted =
    arg('--faults')?.split(',') ??
    all.map((f) => f.id).filter((id) => id !== 'publish-wrong-port' && id !== 'refuse-unrelated')
  const faults = all.filter((f) => wanted.includes(f.id))
  const proxy = await startProxy({ upstream: target.endpoint, tls: target.tls })
  proxy.setHooks(faults.flatMap((f) => f.hooks))
  const started = Date.now()
  try {
    const { summary, dir } = await conformanceRun({
      target: { ...target, endpoint: proxy.url, tls: undefined },
      shareSetup: true,
      reportsDir: mkdtempSync(join(tmpdir(), 'netconform-broken-')),
      log: () => {},
    })
    const seconds = (Date.now() - started) / 1000
    // The faults hide what the run made from its own cleanup (network-ls-omits…): swept directly, by the run's label.
    const swept = await removeLabelled(dockerFor(target), { [LABEL_RUN]: summary.runId })
    process.stdout.write(
      `swept directly: ${swept.containers.length} containers, ${swept.networks.length} networks ` +
        `of run ${summary.runId}${swept.errors.length ? `; errors: ${swept.errors.join('; ')}` : ''}\n`,
    )
    const waits = summary.scenarios.flatMap((s) => s.deadlineWaits ?? [])
    process.stdout.write(
      `broken endpoint (${target.name} through ${faults.length} faults: ${faults.map((f) => f.id).join(', ')}):\n`,
    )
    process.stdout.write(
      `  ${seconds.toFixed(1)} s; ${summary.totals.fails} fails, ${summary.totals.conforms} conforms, ` +
        `${summary.totals.deviates} deviates, ${summary.totals['not-applicable']} not applicable; ` +
        `${waits.length} deadline waits (${(waits.reduce((ms, w) => ms + w.waitedMs, 0) / 1000).toFixed(1)} s); ` +
        `report ${dir}\n`,
    )
  } finally {
    await proxy.close()
  }
}

main().catch((e) => {
  process.stderr.write(`broken-endpoint: ${(e as Error).stack ?? e}\n`)
  process.exitCode = 2
})
