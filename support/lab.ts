/** The local lab: lab/*.sh set up the engines and the segment; the probe image is imported from here. */
import { execa } from 'execa'
import { join } from 'node:path'
import { UsageError } from './errors'
import { dockerFor, probeEndpoint } from './endpoint'
import { ensureProbeImage } from './image'
import { PROJECT, loadTarget } from './targets'

export const LAB_TARGETS = ['docker', 'podman']

async function script(name: string): Promise<void> {
  const r = await execa('bash', [join(PROJECT, 'lab', `${name}.sh`)], { stdio: 'inherit', reject: false })
  if (r.exitCode !== 0) throw new UsageError(`lab ${name} failed (exit ${r.exitCode}); see its message above`)
}

export async function labUp(log: (l: string) => void): Promise<void> {
  await script('up')
  for (const name of LAB_TARGETS) {
    const t = loadTarget(name)
    await probeEndpoint(t.endpoint)
    log(`lab: ${await ensureProbeImage(dockerFor(t.endpoint, 120_000), t.probeImage, t.endpoint)}`)
  }
}

export const labDown = () => script('down')
export const labStatus = () => script('status')
