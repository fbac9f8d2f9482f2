import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AccordError } from '../src/index.js'
import { startRelay, testClient, uniqueRoom, useCleanup } from './helpers.js'

useCleanup()
afterEach(() => {
  vi.unstubAllGlobals()
})

const eventually = { timeout: 5_000, interval: 10 }

/** An IDBFactory whose open requests end with `outcome` and never succeed. */
function failingIndexedDB(outcome: 'error' | 'blocked') {
  return {
    open() {
      const request: Record<string, unknown> = { error: null, result: undefined }
      setTimeout(() => {
        if (outcome === 'error') {
          request.error = new DOMException('The user denied permission', 'InvalidStateError')
          ;(request.onerror as () => void)()
        } else {
          ;(request.onblocked as () => void)()
        }
      })
      return request
    },
  }
}

describe('local persistence', () => {
  it('keeps offline edits across a reload and uploads them on reconnect', async () => {
    const relay = await startRelay()
    await relay.stop()
    const name = uniqueRoom()

    const first = testClient(relay.url, { persistence: 'indexeddb' }).room(name)
    await first.whenLoaded
    first.list<string>('todos').push('buy milk')
    first.counter('edits').increment()
    expect(first.syncStatus).toBe('offline-changes')
    await first.close()

    // The "reloaded page": a new client with the same IndexedDB, still offline.
    const reloaded = testClient(relay.url, { persistence: 'indexeddb' }).room(name)
    await reloaded.whenLoaded
    expect(reloaded.list('todos').get()).toEqual(['buy milk'])
    expect(reloaded.counter('edits').get()).toBe(1)
    expect(reloaded.syncStatus).toBe('offline-changes')

    await relay.restart()
    await reloaded.whenSaved()
    expect(reloaded.syncStatus).toBe('saved')
    const other = testClient(relay.url).room(name)
    await other.whenSynced()
    expect(other.list('todos').get()).toEqual(['buy milk'])
    expect(other.counter('edits').get()).toBe(1)
  })

  it.each(['error', 'blocked'] as const)(
    'reports an open that ends in %s and keeps the room in memory',
    async (outcome) => {
      vi.stubGlobal('indexedDB', failingIndexedDB(outcome))
      const relay = await startRelay()
      const room = testClient(relay.url, { persistence: 'indexeddb' }).room(uniqueRoom())
      const errors: AccordError[] = []
      room.on('error', (error) => errors.push(error))
      await room.whenLoaded
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({ code: 'persistence-failed' })
      expect(errors[0]?.message).toMatch(
        outcome === 'error' ? /InvalidStateError/ : /blocked|older version/,
      )
      room.value('v').set(1)
      await room.whenSaved()
      expect(room.value('v').get()).toBe(1)
    },
  )

  it('reports a missing IndexedDB when persistence was asked for', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const relay = await startRelay()
    const room = testClient(relay.url, { persistence: 'indexeddb' }).room(uniqueRoom())
    const errors: AccordError[] = []
    room.on('error', (error) => errors.push(error))
    await room.whenLoaded
    expect(errors.map((error) => error.code)).toEqual(['persistence-failed'])
  })

  it('settles whenLoaded when the room is closed while loading', async () => {
    vi.stubGlobal('indexedDB', { open: () => ({}) }) // never answers
    const relay = await startRelay()
    const room = testClient(relay.url, { persistence: 'indexeddb' }).room(uniqueRoom())
    await room.close()
    await room.whenLoaded
  })
})

describe('cross-tab sync', () => {
  it('shows one tab the edits of another at once, even without the relay', async () => {
    const relay = await startRelay()
    await relay.stop()
    const name = uniqueRoom()
    const tab1 = testClient(relay.url, { crossTab: true }).room(name)
    const tab2 = testClient(relay.url, { crossTab: true }).room(name)
    tab1.text('t').insert(0, 'hi')
    await vi.waitFor(() => expect(tab2.text('t').get()).toBe('hi'), eventually)
    expect(tab2.status).not.toBe('connected')
  })
})
