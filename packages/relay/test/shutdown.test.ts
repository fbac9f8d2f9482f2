import { once } from 'node:events'
import { connect } from 'node:net'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MemoryStorage } from '../src/index.js'
import { startRelay } from './support/relay.js'

/**
 * Clients that hang up mid-handshake once left half-open sockets that blocked close() forever.
 * The window is a few milliseconds wide: several relays, staggered hang-ups and delays hit it.
 */
describe('shutdown with handshakes in flight', () => {
  it.each([0, 1, 2, 3, 5, 8])(
    'close() returns and frees every socket (close after %i ms)',
    async (delay) => {
      for (let round = 0; round < 3; round++) await closeDuringHandshakes(delay)
    },
  )
})

/**
 * Browsers open connections ahead of the requests they expect to make. Node 20's close() does
 * not count one that never sent a byte as idle, and waited for it until the headers timeout:
 * stopping a relay with a browser open took a minute or more.
 */
describe('shutdown with a connection that never sent a request', () => {
  it('close() returns and the server hangs up on it', async () => {
    const relay = await startRelay({ storage: new MemoryStorage() })
    const accepted = once(relay.app.server, 'connection')
    const silent = connect(relay.port, '127.0.0.1')
    silent.on('error', () => {})
    await accepted
    const hungUp = once(silent, 'close')
    const closed = relay.close().then(() => 'closed')
    const stuck = new Promise((resolve) => setTimeout(() => resolve('stuck'), 10_000).unref())
    expect(await Promise.race([closed, stuck])).toBe('closed')
    await hungUp
  })
})

async function closeDuringHandshakes(delay: number): Promise<void> {
  const relay = await startRelay({ storage: new MemoryStorage() })
  const clients = Array.from({ length: 24 }, (_, i) => {
    const socket = new WebSocket(`${relay.url}/room`)
    socket.on('error', () => {})
    if (i % 2 === 1) setTimeout(() => socket.close(), i % 5)
    return socket
  })
  await new Promise((resolve) => setTimeout(resolve, delay))
  const closed = relay.close().then(() => 'closed')
  const stuck = new Promise((resolve) => setTimeout(() => resolve('stuck'), 10_000).unref())
  expect(await Promise.race([closed, stuck])).toBe('closed')
  const open = await promisify(relay.app.server.getConnections.bind(relay.app.server))()
  expect(open).toBe(0)
  for (const client of clients) client.terminate()
}
