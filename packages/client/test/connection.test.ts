import { CloseCode } from '@accord/protocol'
import { describe, expect, it, vi } from 'vitest'
import type { AccordError } from '../src/index.js'
import { fakeServer, testClient, useCleanup } from './helpers.js'

useCleanup()

const eventually = { timeout: 5_000, interval: 10 }

describe('connection', () => {
  it.each([
    ['unauthorized', CloseCode.unauthorized],
    ['forbidden', CloseCode.forbidden],
  ] as const)('stops reconnecting when %s, and says why', async (status, code) => {
    const server = await fakeServer((socket) => socket.close(code, 'no entry'))
    const room = testClient(server.url, { backoff: { initialDelay: 1, maxDelay: 1 } }).room('r')
    const errors: AccordError[] = []
    room.on('error', (error) => errors.push(error))
    const synced = expect(room.whenSynced()).rejects.toMatchObject({ code: status })

    await vi.waitFor(() => expect(room.status).toBe(status), eventually)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: status, closeCode: code })
    expect(errors[0]?.message).toContain('no entry')
    await synced
    // With a 1 ms backoff, any retry would have arrived long before this.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.connections).toHaveLength(1)
    expect(room.status).toBe(status)
  })

  it('keeps retrying after transient closes, asking the token function every time', async () => {
    const server = await fakeServer((socket) => socket.close(CloseCode.internalError, 'oops'))
    let issued = 0
    testClient(server.url, { token: async () => `t${++issued}` }).room('board/42')
    await vi.waitFor(() => expect(server.connections.length).toBeGreaterThanOrEqual(3), eventually)
    expect(server.connections.slice(0, 3)).toEqual([
      '/board/42?token=t1',
      '/board/42?token=t2',
      '/board/42?token=t3',
    ])
  })

  it('sends a string token, and escapes room names except their slashes', async () => {
    const server = await fakeServer(() => {})
    testClient(server.url, { token: 's3cret' }).room('team a/doc?1')
    await vi.waitFor(() => expect(server.connections).toHaveLength(1), eventually)
    expect(server.connections[0]).toBe('/team%20a/doc%3F1?token=s3cret')
  })

  it('reports a failing token function and retries', async () => {
    const server = await fakeServer(() => {})
    let calls = 0
    const room = testClient(server.url, {
      token: () => {
        if (++calls === 1) throw new Error('session expired')
        return 'fresh'
      },
    }).room('r')
    const errors: AccordError[] = []
    room.on('error', (error) => errors.push(error))
    await vi.waitFor(() => expect(server.connections).toEqual(['/r?token=fresh']), eventually)
    expect(errors.map((error) => error.code)).toEqual(['token-failed'])
  })
})
