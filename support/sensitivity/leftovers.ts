/** What runs labelled and left on an endpoint: a sensitivity or conditions run's last check. */
import { dockerFor } from '../engine/connection'
import { firstLine } from '../errors'
import { LABEL_RUN } from '../cleanup/resources'
import type { Target } from '../types'

/** What the given runs labelled and left on the target's endpoint, one line each. */
export async function leftoversOf(target: Target, runIds: string[]): Promise<string[]> {
  const docker = dockerFor(target)
  const out: string[] = []
  for (const runId of runIds) {
    const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] })
    try {
      for (const c of await docker.listContainers({ all: true, filters }))
        out.push(`container ${c.Names[0]?.replace(/^\//, '') ?? c.Id} (run ${runId})`)
      for (const n of await docker.listNetworks({ filters })) out.push(`network ${n.Name} (run ${runId})`)
    } catch (e) {
      out.push(`could not list what run ${runId} labelled: ${firstLine(e)}`)
    }
  }
  return out
}
