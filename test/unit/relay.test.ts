/** The plain relay (engine/relay.ts): with no interceptor its errors are its own, not the sensitivity proxy's. */
import { test } from 'node:test'
import { request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { startRelay } from '../../support/engine/relay'
import { startProxy } from '../../support/sensitivity/proxy'

/** GET PATH through the socket: the status and the body's message. */
function get(socketPath: string, path: string): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (b: Buffer) => chunks.push(b))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, message: JSON.parse(Buffer.concat(chunks).toString()).message }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

test('a plain relay whose upstream is gone answers 502 in its own name; the sensitivity proxy in its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nc-relay-'))
  const gone = `unix://${join(dir, 'no-engine.sock')}`
  const relay = await startRelay({ upstream: gone, onError: () => {} })
  const proxy = await startProxy({ upstream: gone, onError: () => {} })
  try {
    const plain = await get(relay.socketPath, '/v1.41/_ping')
    expect(plain.status).to.equal(502)
    expect(plain.message).to.match(/^netconform relay: GET \/v1\.41\/_ping upstream: /)
    expect(plain.message).not.to.include('sensitivity')
    const faulty = await get(proxy.socketPath, '/v1.41/_ping')
    expect(faulty.status).to.equal(502)
    expect(faulty.message).to.match(/^netconform sensitivity proxy: GET \/v1\.41\/_ping upstream: /)
  } finally {
    await relay.close()
    await proxy.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
