/**
 * The endpoint's control plane, stopped and started with the commands its profile gives
 * (offers.controlPlane): shell commands run on this host, in the profile's folder, with
 * NETCONFORM_LAB naming this netconform's lab/ (the lab's profiles use it). While the suite
 * holds it down, leaving the process starts it again first, however the process ends (a step's
 * deadline, Ctrl-C twice, an exception): an endpoint is never left down by the suite.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { execa } from 'execa'
import { PROJECT } from '../project'
import type { Target } from '../types'
import type { OutsideResult } from './outside'
import { shellText } from './probes'
import type { Transcript } from '../records'

type ControlPlane = NonNullable<Target['offers']['controlPlane']>

/** How long one stop or start command may take before the suite gives up on it. */
const CONTROL_COMMAND_TIMEOUT_MS = 120_000

/** The folder a profile's commands run in: the profile file's, or the current one for a profile that is no file. */
function folderOf(target: Target): string {
  return existsSync(target.source) ? dirname(resolve(target.source)) : process.cwd()
}

/** The commands' environment: this process's, and NETCONFORM_LAB. */
const commandEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NETCONFORM_LAB: join(PROJECT, 'lab') })

/** The start command to run when the process leaves while the control plane is down (one at a time). */
let restoreOnExit: { command: string; cwd: string } | undefined

process.on('exit', () => {
  if (!restoreOnExit) return
  const { command, cwd } = restoreOnExit
  restoreOnExit = undefined
  process.stderr.write(`netconform: starting the control plane again before leaving: ${command}\n`)
  const r = spawnSync('sh', ['-c', command], {
    cwd,
    env: commandEnv(),
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: CONTROL_COMMAND_TIMEOUT_MS,
  })
  if (r.status !== 0)
    process.stderr.write(`netconform: the control plane's start command failed (exit ${r.status}): ${command}\n`)
})

/** Runs the profile's stop or start command; returns what it printed, whatever its exit. */
export async function controlPlane(target: Target, action: 'stop' | 'start'): Promise<OutsideResult> {
  const plane: ControlPlane | undefined = target.offers.controlPlane
  if (!plane) throw new Error(`target ${target.name} offers no control plane (offers.controlPlane in ${target.source})`)
  const command = plane[action]
  const cwd = folderOf(target)
  // Armed before the stop runs: a stop cut short halfway still leaves an endpoint to start again.
  if (action === 'stop') restoreOnExit = { command: plane.start, cwd }
  const r = await runControl(command, cwd)
  if (action === 'start' && r.exitCode === 0) restoreOnExit = undefined
  return r
}

/** Runs one control command with a shell: its output and exit, whatever they are. */
async function runControl(command: string, cwd: string): Promise<OutsideResult> {
  const started = Date.now()
  const r = await execa('sh', ['-c', command], {
    cwd,
    env: commandEnv(),
    reject: false,
    timeout: CONTROL_COMMAND_TIMEOUT_MS,
    stdin: 'ignore',
    // Its own process group: a Ctrl-C meant for the run does not cut a stop or a start short.
    detached: true,
  })
  return {
    command,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? '') + (r.timedOut ? `\n(gave up after ${CONTROL_COMMAND_TIMEOUT_MS / 1000} s)` : ''),
    exitCode: r.exitCode,
    durationMs: Date.now() - started,
  }
}

/** Whether the control plane is held down by this process (its start command is owed). */
export function controlPlaneOwed(): boolean {
  return restoreOnExit !== undefined
}

/** The transcript of a control-plane command, as run on this host (text, and its record). */
export function describeControl(r: OutsideResult): Transcript {
  const from = 'this host, the control plane'
  return {
    text: shellText(from, r),
    record: {
      kind: 'probe',
      from,
      target: r.command,
      received: r.stdout,
      ...(r.stderr ? { error: r.stderr } : {}),
      exitCode: r.exitCode ?? null,
      durationMs: r.durationMs,
    },
  }
}

/**
 * Starts the control plane again if this process holds it down (a run cut short by a second signal,
 * before it sweeps its resources through the API); says what it ran. Resolves false when nothing was owed.
 */
export async function restoreOwedControlPlane(log: (line: string) => void): Promise<boolean> {
  if (!restoreOnExit) return false
  const { command, cwd } = restoreOnExit
  log(`netconform: starting the control plane again first: ${command}`)
  const r = await runControl(command, cwd)
  if (r.exitCode === 0) restoreOnExit = undefined
  else log(`netconform: the control plane's start command failed (exit ${r.exitCode}): ${String(r.stderr).trim()}`)
  return true
}
