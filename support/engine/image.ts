/**
 * The probe image: busybox-static with one symlink per applet and a server that answers
 * "Hello world!" as the document's server_app does. No registry is needed: the image is
 * imported from a tar built here from the host's /bin/busybox (Debian's busybox-static).
 */
import { existsSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { pack } from 'tar-stream'
import type Docker from 'dockerode'
import { UsageError, firstLine, statusOf } from '../errors'
import { LABEL_IMAGE } from '../cleanup/resources'

/** Debian's busybox-static; NETCONFORM_BUSYBOX points elsewhere (or nowhere, in a test). */
const BUSYBOX = process.env.NETCONFORM_BUSYBOX ?? '/bin/busybox'

/** Reads one line, answers with the greeting and closes: `telnet server 5000`, `GET /`, "Hello world!". */
const HELLO =
  '#!/bin/sh\n# answers one request line with the documented greeting, then closes\n' +
  'read -r request\nprintf "Hello world!"\n'

/** The tar of the probe image's root file system. */
function probeRootfs(busybox = BUSYBOX): NodeJS.ReadableStream {
  if (!existsSync(busybox)) {
    throw new UsageError(
      `cannot build the probe image: ${busybox} is missing (apt-get install busybox-static, ` +
        'or import the image yourself)',
    )
  }
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a && a !== 'busybox')
  const tar = pack()
  for (const dir of ['bin', 'www', 'tmp', 'etc'])
    tar.entry({ name: dir, type: 'directory', mode: dir === 'tmp' ? 0o1777 : 0o755 })
  tar.entry({ name: 'bin/busybox', mode: 0o755 }, readFileSync(busybox))
  for (const a of applets) tar.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })
  tar.entry({ name: 'bin/hello', mode: 0o755 }, HELLO)
  tar.entry({ name: 'www/index.html', mode: 0o644 }, 'Hello world!\n')
  tar.finalize()
  return tar as unknown as NodeJS.ReadableStream
}

/** True when the endpoint has the image. */
async function hasImage(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect()
    return true
  } catch (e) {
    if (statusOf(e) === 404) return false
    throw e
  }
}

/** Imports the probe image into the endpoint unless it is there; says what it did. */
export async function ensureProbeImage(docker: Docker, image: string, endpoint: string): Promise<string> {
  if (await hasImage(docker, image)) return `probe image ${image} present on ${endpoint}`
  try {
    // "repo" carries the tag: Docker accepts that, and Podman ignores a separate "tag".
    const stream = await docker.importImage(probeRootfs(), {
      repo: image,
      changes: [`LABEL ${LABEL_IMAGE}=probe`, 'ENV PATH=/bin', 'CMD ["sh"]'],
    } as object)
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(null))),
    )
  } catch (e) {
    if (e instanceof UsageError) throw e
    throw new UsageError(`could not import the probe image ${image} into ${endpoint}: ${firstLine(e)}`)
  }
  if (!(await hasImage(docker, image)))
    throw new UsageError(`importing ${image} into ${endpoint} reported success, but the image is not there`)
  return `imported probe image ${image} into ${endpoint}`
}
