import { MemoryStorage } from '@accord/relay'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import type { AccordError, SyncStatus } from '../src/index.js'
import { startRelay, testClient, uniqueRoom, useCleanup } from './helpers.js'

useCleanup()

const SECRET = 'client-test-secret'
const token = (sub: string, ...rooms: string[]) =>
  new SignJWT({ rooms })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))

const relayWithAuth = () => startRelay(new MemoryStorage(), { auth: { secret: SECRET } })

describe('against a relay with authentication', () => {
  it('stops on unauthorized, says why, and reconnect() asks the token function again', async () => {
    const relay = await relayWithAuth()
    const name = uniqueRoom('board')
    let signedIn = false
    let calls = 0
    const client = testClient(relay.url, {
      token: async () => {
        calls++
        return signedIn ? token('ann', 'board/**:write') : 'expired-or-garbage'
      },
    })
    const room = client.room(name)
    const errors: AccordError[] = []
    room.on('error', (error) => errors.push(error))
    await expect(room.whenSynced()).rejects.toMatchObject({ code: 'unauthorized' })
    expect(room.status).toBe('unauthorized')
    expect(errors.map((e) => e.code)).toEqual(['unauthorized'])
    expect(errors[0]?.closeCode).toBe(4401)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(calls).toBe(1)

    signedIn = true
    room.reconnect()
    await room.whenSynced()
    expect(room.status).toBe('connected')
    expect(calls).toBe(2)
  })

  it('calls the token function again before the token expires, and stays connected', async () => {
    const relay = await relayWithAuth()
    const name = uniqueRoom('board')
    let calls = 0
    const shortLived = () =>
      new SignJWT({ rooms: ['board/**:write'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('ann')
        .setExpirationTime('2s')
        .sign(new TextEncoder().encode(SECRET))
    const client = testClient(relay.url, {
      token: () => {
        calls++
        return shortLived()
      },
    })
    const room = client.room(name)
    const errors: AccordError[] = []
    room.on('error', (error) => errors.push(error))
    await room.whenSynced()
    await new Promise((resolve) => setTimeout(resolve, 3_500))
    expect(calls).toBeGreaterThanOrEqual(2)
    expect(errors).toEqual([])
    room.text('t').set('still writing')
    await room.whenSaved()
    expect(room.status).toBe('connected')
  })

  it('reports forbidden for a room outside the token’s grants', async () => {
    const relay = await relayWithAuth()
    const client = testClient(relay.url, { token: await token('ann', 'board/*:write') })
    const room = client.room('poll/1')
    await expect(room.whenSynced()).rejects.toMatchObject({ code: 'forbidden', closeCode: 4403 })
    expect(room.status).toBe('forbidden')
  })

  it('keeps a read-only user’s change local and says so in syncStatus', async () => {
    const relay = await relayWithAuth()
    const name = uniqueRoom('doc')
    const writer = testClient(relay.url, { token: await token('w', 'doc/**:write') }).room(name)
    const reader = testClient(relay.url, { token: await token('r', 'doc/**:read') }).room(name)
    writer.text('t').set('by the writer')
    await writer.whenSaved()
    await reader.whenSynced()
    expect(reader.text('t').get()).toBe('by the writer')

    const statuses: SyncStatus[] = []
    reader.on('sync-status', (status) => statuses.push(status))
    const errors: string[] = []
    reader.on('error', (error) => errors.push(error.code))
    reader.text('t').set('by the reader')
    await new Promise<void>((resolve) =>
      reader.on('sync-status', (s) => s === 'rejected' && resolve()),
    )
    expect(statuses).toEqual(['saving', 'rejected'])
    expect(errors).toEqual(['write-rejected'])
    expect(reader.unsavedChanges).toBe(1)
    expect(reader.text('t').get()).toBe('by the reader')
    // The relay refused it before broadcasting: the writer never sees it.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(writer.text('t').get()).toBe('by the writer')
    writer.text('t').set('still the writer')
    await writer.whenSaved()
    expect(writer.text('t').get()).toBe('still the writer')
  })
})
