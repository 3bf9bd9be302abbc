/** The local lab: lab/*.sh set up the engines and the segment; the probe image is imported from here. */
import { execa } from 'execa'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UsageError, firstLine } from '../errors'
import { dockerFor, probeEndpoint } from '../engine/connection'
import { ensureProbeImage } from '../engine/image'
import { PROJECT } from '../project'
import { loadTarget } from '../profile/targets'

/** The lab's first two endpoints: lab up fails when either does not come up. */
export const LAB_TARGETS = ['docker', 'podman']
/**
 * The lab's other endpoints, in the order lab/up.sh starts them: LAB_MORE_ENDPOINTS in lab/lib.sh,
 * the one list of them (each is lab/endpoints/NAME.sh with targets/NAME.yaml). One that cannot run
 * here is named with why, and the rest still come up.
 */
export const LAB_MORE_TARGETS: readonly string[] = labMoreEndpoints(
  readFileSync(join(PROJECT, 'lab', 'lib.sh'), 'utf8'),
)

/** The names LAB_MORE_ENDPOINTS="…" lists in lib.sh's text. */
export function labMoreEndpoints(libSh: string): string[] {
  const m = /^LAB_MORE_ENDPOINTS="([^"]*)"/m.exec(libSh)
  if (!m) throw new Error('lab/lib.sh has no LAB_MORE_ENDPOINTS="…" line')
  return m[1].split(/\s+/).filter(Boolean)
}

/** The lab's Docker Engine again, through its TLS listener on tcp://127.0.0.1:2376. */
const LAB_TLS_TARGET = 'docker-tls'
/** docker-28 again, over ssh to its VCH-like host (lab/ssh.sh). */
export const LAB_SSH_TARGET = 'docker-28-ssh'

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
    log(
      `lab: warning: target ${tls.name} does not answer: ${firstLine(e)}; ` +
        `\`netconform lab down && netconform lab up\` restarts Docker with its TLS listener`,
    )
  }
  // docker-28 through the sshd lab/ssh.sh runs on its VCH: its check says in one line what is wrong.
  const ssh = loadTarget(LAB_SSH_TARGET)
  try {
    await probeEndpoint(ssh)
    log(`lab: target ${ssh.name} answers on ${ssh.endpoint} (ssh)`)
  } catch (e) {
    log(`lab: warning: target ${ssh.name} does not answer: ${firstLine(e)}`)
  }
}

export const labDown = () => script('down')
export const labStatus = () => script('status')
