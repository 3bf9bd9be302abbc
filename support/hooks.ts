/**
 * Hooks: every scenario gets its names and labels before it starts, and its resources are
 * removed by label after it ends, whatever its verdict. A documented command that failed
 * without any step examining the failure fails the scenario.
 */
import { Before, After } from '@cucumber/cucumber'
import { removeLabelled } from './resources'
import { failureOf } from './docker-cli'
import type { NetconformWorld } from './world'

Before(function (this: NetconformWorld, { pickle }) {
  const id = pickle.tags.map((t) => t.name).find((t) => t.startsWith('@id:'))
  if (!id) throw new Error(`scenario "${pickle.name}" has no @id: tag; every scenario needs a stable id`)
  this.begin(id.slice('@id:'.length))
})

// Registered first, so it runs last: cucumber runs After hooks in reverse order.
After(async function (this: NetconformWorld) {
  const removed = await removeLabelled(this.docker, this.labels)
  const lines = [`cleanup by label ${Object.entries(this.labels).map(([k, v]) => `${k}=${v}`).join(',')}:`,
    `removed containers: ${removed.containers.join(', ') || 'none'}`, `removed networks: ${removed.networks.join(', ') || 'none'}`]
  if (removed.errors.length > 0) {
    lines.push(...removed.errors.map((e) => `cleanup error: ${e}`))
    process.stderr.write(`netconform: cleanup of ${this.scenarioId} left: ${removed.errors.join('; ')}\n`)
  }
  this.attach(lines.join('\n'), 'text/plain')
})

After(async function (this: NetconformWorld) {
  await Promise.all(this.listeners.map((l) => l.stop()))
  if (this.unchecked) throw new Error(`unexamined failure: ${failureOf(this.unchecked)}`)
})
