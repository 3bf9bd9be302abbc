/** The local lab: lab/*.sh set up the engines and the segment; the probe image is imported from here. */
import { execa } from 'execa'
import { join } from 'node:path'
import { UsageError, firstLine } from '../errors'
import { dockerFor, probeEndpoint } from './connection'
import { ensureProbeImage } from './image'
import { PROJECT } from '../project'
import { loadTarget } from './targets'

/** The lab's first two endpoints: lab up fails when either does not come up. */
export const LAB_TARGETS = ['docker', 'podman']
/** The lab's other endpoints (lab/endpoints/NAME.sh): one that cannot run here is named with why, and the rest still come up. */
export const LAB_MORE_TARGETS = [
  'podman-netavark',
  'podman-rootless',
  'docker-rootless',
  'docker-28',
  'podman-5',
  'podman-5-rootless',
  'docker-28-rootless',
]
/** The lab's Docker Engine again, through its TLS listener on tcp://127.0.0.1:2376. */
export const LAB_TLS_TARGET = 'docker-tls'

async function script(name: string): Promise<void> {
  const r = await execa('bash', [join(PROJECT, 'lab', `${name}.sh`)], { stdio: 'inherit', reject: false })
  if (r.exitCode !== 0) throw new UsageError(`lab ${name} failed (exit ${r.exitCode}); see its message above`)
}

export async function labUp(log: (l: string) => void): Promise<void> {
  await script('up')
  for (const name of LAB_TARGETS) {
    const t = loadTarget(name)
    await probeEndpoint(t)
    log(`lab: ${await ensureProbeImage(dockerFor(t, 120_000), t.probeImage, t.endpoint)}`)
  }
  for (const name of LAB_MORE_TARGETS) {
    const t = loadTarget(name)
    try {
      await probeEndpoint(t)
    } catch (e) {
      log(`lab: ${name} does not answer on ${t.endpoint}: ${firstLine(e)}`)
      continue
    }
    log(`lab: ${await ensureProbeImage(dockerFor(t, 120_000), t.probeImage, t.endpoint)}`)
  }
  // The same engine as `docker`: when it already ran without the TLS listener, lab up left it so and says it.
  const tls = loadTarget(LAB_TLS_TARGET)
  try {
    await probeEndpoint(tls)
    log(`lab: target ${tls.name} answers on ${tls.endpoint} (TLS)`)
  } catch (e) {
    log(`lab: warning: target ${tls.name} does not answer: ${firstLine(e)}; \`netconform lab down && netconform lab up\` restarts Docker with its TLS listener`)
  }
}

export const labDown = () => script('down')
export const labStatus = () => script('status')
