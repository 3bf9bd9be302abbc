/** Test servers listen on 127.0.0.1 only, on a port the system picks. */
import type { Server } from 'node:net'
import type { AddressInfo } from 'node:net'

/** Starts `server` on 127.0.0.1 and a free port; resolves with the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return (server.address() as AddressInfo).port
}
