// @vitest-environment happy-dom
import { CloseCode } from '@accord/protocol'
import { expect, it, vi } from 'vitest'
import { fakeServer, testClient, useCleanup } from './helpers.js'

useCleanup()

it('reconnects at once on the browser `online` event instead of waiting out the backoff', async () => {
  const server = await fakeServer((socket) => {
    if (server.connections.length === 1) socket.close(CloseCode.internalError, 'first one fails')
  })
  // A backoff long enough that only the `online` event can explain a second attempt.
  const room = testClient(server.url, { backoff: { initialDelay: 3_600_000 } }).room('r')
  await vi.waitFor(() => expect(room.status).toBe('offline'), { timeout: 5_000, interval: 10 })
  window.dispatchEvent(new Event('online'))
  await vi.waitFor(() => expect(room.status).toBe('connected'), { timeout: 5_000, interval: 10 })
  expect(server.connections).toHaveLength(2)
})
