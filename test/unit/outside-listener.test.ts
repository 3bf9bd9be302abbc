/**
 * The suite's outside listener, with this host as the outside client (a profile without
 * outsideNetns): a port another listener holds makes it try another, and it answers with an
 * identity of its own, so a probe that reaches the other listener is not taken for it. Only
 * 127.0.0.1 is asked.
 */
import { test } from 'node:test'
import { createConnection, createServer, type Server } from 'node:net'
import { expect } from 'chai'
import { startOutsideListener } from '../../support/engine/outside'
import { listenOnLoopback } from './loopback'
import { rejectionOf } from './errors-of'

const HERE = { name: 'container-net', outsideAddress: '127.0.0.1' }

/** A port nothing listens on (taken from the system, then given back). */
async function freePort(): Promise<number> {
  const s = createServer()
  const port = await listenOnLoopback(s)
  await new Promise((resolve) => s.close(resolve))
  return port
}

/** The ports in turn, as the listener asks for them. */
const inTurn = (ports: number[]) => () => {
  const port = ports.shift()
  if (port === undefined) throw new Error('asked for more ports than the test has')
  return port
}

/** What 127.0.0.1:PORT answers to one request line. */
async function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = ''
    const c = createConnection({ host: '127.0.0.1', port }, () => c.write('GET /probe\r\n'))
    c.on('data', (d) => (answer += d.toString('utf8')))
    c.on('end', () => resolve(answer))
    c.on('error', reject)
  })
}

test('a port another listener holds: the listener takes the next, with an identity of its own', async () => {
  const [held, free] = [await freePort(), await freePort()]
  const first = await startOutsideListener(HERE, inTurn([held]))
  try {
    const second = await startOutsideListener(HERE, inTurn([held, free]))
    try {
      expect(second.port).to.equal(free)
      expect(second.identity).to.not.equal(first.identity)
      expect(await ask(free)).to.include(`from ${second.identity}`)
      expect(await ask(held))
        .to.include(`from ${first.identity}`)
        .and.not.include(second.identity)
      expect(second.heard.map((h) => h.request)).to.include('GET /probe')
    } finally {
      await second.stop()
    }
  } finally {
    await first.stop()
  }
})

test('every port it tries in use: one line naming where and the ports', async () => {
  const holders: Server[] = []
  const ports: number[] = []
  for (let i = 0; i < 3; i++) {
    const s = createServer()
    holders.push(s)
    ports.push(await listenOnLoopback(s))
  }
  try {
    const e = await rejectionOf(startOutsideListener(HERE, inTurn([...ports])))
    expect(e.message).to.equal(
      `the outside listener found each port it tried in use (EADDRINUSE) in this host: ${ports.join(', ')}`,
    )
  } finally {
    holders.forEach((s) => s.close())
  }
})
