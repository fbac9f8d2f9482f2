import { MemoryStorage, type Storage } from '@accord/relay'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import type { Room } from '../src/index.js'
import { startRelay, testClient, uniqueRoom, useCleanup } from './helpers.js'

useCleanup()

const eventually = { timeout: 5_000, interval: 10 }

/** Two clients in the same room of a fresh relay, both synced. */
async function twoPeers(name = uniqueRoom('board')) {
  const relay = await startRelay()
  const a = testClient(relay.url).room(name)
  const b = testClient(relay.url).room(name)
  await Promise.all([a.whenSynced(), b.whenSynced()])
  return { relay, a, b, name }
}

/** Stored history of a room, as a document. */
async function storedDoc(storage: Storage, name: string) {
  const doc = new Y.Doc()
  const { snapshot, log } = await load(storage, name)
  if (snapshot) Y.applyUpdate(doc, snapshot)
  for (const update of log) Y.applyUpdate(doc, update)
  return doc
}

/** Reads a room's stored history, also after the relay has closed the storage. */
async function load(storage: Storage, name: string) {
  if (!storage.isOpen()) await storage.open()
  return storage.load(name)
}

describe('two clients through the relay', () => {
  it('converge on every primitive', async () => {
    const { a, b } = await twoPeers()
    a.transact(() => {
      a.value<string>('title').set('Sprint board')
      a.map<{ owner: string; open: boolean }>('settings').update({ owner: 'ada', open: true })
      a.list<string>('todos').push('write tests', 'ship')
      a.text('notes').insert(0, 'hello')
      a.counter('votes').increment(3)
    })
    await vi.waitFor(() => {
      expect(b.value('title').get()).toBe('Sprint board')
      expect(b.map('settings').get()).toEqual({ owner: 'ada', open: true })
      expect(b.list('todos').get()).toEqual(['write tests', 'ship'])
      expect(b.text('notes').get()).toBe('hello')
      expect(b.counter('votes').get()).toBe(3)
    }, eventually)
    expect(
      b
        .list('todos')
        .entries()
        .map((entry) => entry.id),
    ).toEqual(
      a
        .list('todos')
        .entries()
        .map((entry) => entry.id),
    )
  })

  it('add up concurrent counter increments instead of overwriting them', async () => {
    const { a, b } = await twoPeers()
    // Neither has seen the other's increments when making its own.
    for (let i = 0; i < 5; i++) {
      a.counter('clicks').increment()
      b.counter('clicks').increment(2)
    }
    await vi.waitFor(() => {
      expect(a.counter('clicks').get()).toBe(15)
      expect(b.counter('clicks').get()).toBe(15)
    }, eventually)
  })

  it('keep concurrent list inserts, in the same order on both sides', async () => {
    const { a, b } = await twoPeers()
    a.list<string>('items').insert(0, 'a1', 'a2')
    b.list<string>('items').insert(0, 'b1')
    await vi.waitFor(() => {
      expect(a.list('items').get()).toHaveLength(3)
      expect(b.list('items').get()).toEqual(a.list('items').get())
    }, eventually)
    expect([...a.list<string>('items').get()].sort()).toEqual(['a1', 'a2', 'b1'])
  })

  it('see each other join and leave through presence', async () => {
    const { relay, a, name } = await twoPeers()
    a.presence.set({ name: 'Ada' })
    const c = testClient(relay.url).room(name)
    c.presence.set({ name: 'Cy' })
    await vi.waitFor(() => {
      expect(a.presence.get().others.map((entry) => entry.state)).toEqual([{ name: 'Cy' }])
      expect(c.presence.get().others.map((entry) => entry.state)).toEqual([{ name: 'Ada' }])
    }, eventually)
    expect(c.presence.get().others[0]?.connectionId).toBe(a.presence.connectionId)
    await c.close()
    await vi.waitFor(() => expect(a.presence.get().others).toEqual([]), eventually)
  })

  it('deliver events to the others, and store nothing', async () => {
    const { relay, a, b, name } = await twoPeers()
    const toA = vi.fn()
    const toB = vi.fn()
    a.events.subscribe('ping', toA)
    b.events.subscribe('ping', toB)
    // HELLO must have been answered before the relay accepts events from us.
    await vi.waitFor(() => expect(a.events.publish('ping', { n: 1 })).toBe(true), eventually)
    await vi.waitFor(() => expect(toB).toHaveBeenCalledWith({ n: 1 }, ''), eventually)
    expect(toA).not.toHaveBeenCalled()

    const late = testClient(relay.url).room(name)
    const toLate = vi.fn()
    late.events.subscribe('ping', toLate)
    await late.whenSynced()
    await relay.stop() // flushes every write
    expect(toLate).not.toHaveBeenCalled()
    expect(await load(relay.storage, name)).toEqual({ snapshot: null, log: [] })
  })

  it('undo reverts only my own change', async () => {
    const { a, b } = await twoPeers()
    // Opening primitives (and a peer's changes) leave nothing to undo.
    a.list('todos')
    a.counter('votes')
    await vi.waitFor(() => expect(b.status).toBe('connected'), eventually)
    expect(a.history.get()).toEqual({ canUndo: false, canRedo: false })
    a.text('doc').insert(0, 'hello')
    await vi.waitFor(() => expect(b.text('doc').get()).toBe('hello'), eventually)
    b.text('doc').insert(5, ' world')
    await vi.waitFor(() => expect(a.text('doc').get()).toBe('hello world'), eventually)
    expect(a.history.get()).toEqual({ canUndo: true, canRedo: false })
    a.history.undo()
    expect(a.text('doc').get()).toBe(' world')
    await vi.waitFor(() => expect(b.text('doc').get()).toBe(' world'), eventually)
    a.history.redo()
    await vi.waitFor(() => expect(b.text('doc').get()).toBe('hello world'), eventually)
  })
})

describe('syncStatus and whenSaved', () => {
  /** MemoryStorage whose appends wait until `release()`. */
  class GatedStorage extends MemoryStorage {
    appends = 0
    release: () => void = () => {}
    readonly #gate = new Promise<void>((resolve) => {
      this.release = resolve
    })
    override async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
      this.appends++
      await this.#gate
      return super.append(room, updates)
    }
  }

  it('goes saving -> saved only once the relay acknowledged the write', async () => {
    const storage = new GatedStorage()
    const relay = await startRelay(storage)
    const name = uniqueRoom()
    const a = testClient(relay.url).room(name)
    const b = testClient(relay.url).room(name)
    await Promise.all([a.whenSynced(), b.whenSynced()])
    const statuses: string[] = []
    a.on('sync-status', (status) => statuses.push(status))
    expect(a.syncStatus).toBe('saved')

    a.list<string>('todos').push('milk')
    expect(a.syncStatus).toBe('saving')
    let saved = false
    const whenSaved = a.whenSaved().then(() => {
      saved = true
    })
    // The relay has the change (it broadcast it) and is writing it, but the write hangs.
    await vi.waitFor(() => expect(b.list('todos').get()).toEqual(['milk']), eventually)
    await vi.waitFor(() => expect(storage.appends).toBeGreaterThan(0), eventually)
    expect(a.syncStatus).toBe('saving')
    expect(saved).toBe(false)

    storage.release()
    await whenSaved
    expect(a.syncStatus).toBe('saved')
    expect(statuses).toEqual(['saving', 'saved'])
    expect((await storedDoc(storage, name)).getArray('todos').toArray()).toHaveLength(1)

    a.counter('n').increment()
    expect(a.syncStatus).toBe('saving')
    await a.whenSaved()
    expect(a.syncStatus).toBe('saved')
  })

  it('stays unsaved while the relay is down and saves on reconnect', async () => {
    const relay = await startRelay()
    const name = uniqueRoom()
    const a = testClient(relay.url).room(name)
    await a.whenSynced()
    await relay.stop()
    await vi.waitFor(() => expect(a.status).not.toBe('connected'), eventually)

    a.value<string>('state').set('edited offline')
    a.value<string>('state').set('edited offline twice')
    a.value<string>('state').set('edited offline')
    expect(a.syncStatus).toBe('offline-changes')
    expect(a.unsavedChanges).toBe(3)
    let saved = false
    const whenSaved = a.whenSaved().then(() => {
      saved = true
    })
    // A few failed reconnects later, still nothing claims to be saved.
    await vi.waitFor(() => expect(a.status).toBe('offline'), eventually)
    expect(a.syncStatus).toBe('offline-changes')
    expect(saved).toBe(false)

    await relay.restart()
    await whenSaved
    expect(a.syncStatus).toBe('saved')
    expect(a.unsavedChanges).toBe(0)
    expect((await storedDoc(relay.storage, name)).getMap('state').get('value')).toBe(
      'edited offline',
    )
  })

  it('rejects whenSaved and whenSynced when the room is closed first', async () => {
    const relay = await startRelay()
    await relay.stop()
    const a = testClient(relay.url).room(uniqueRoom())
    a.counter('n').increment()
    const saved = a.whenSaved()
    const synced = a.whenSynced()
    await a.close()
    await expect(saved).rejects.toMatchObject({ name: 'AccordError', code: 'room-closed' })
    await expect(synced).rejects.toMatchObject({ code: 'room-closed' })
    await expect(a.whenSaved()).rejects.toMatchObject({ code: 'room-closed' })
  })
})

describe('rooms', () => {
  it('are one instance per name until closed', async () => {
    const relay = await startRelay()
    const client = testClient(relay.url)
    const room: Room = client.room('a/b')
    expect(client.room('a/b')).toBe(room)
    await room.close()
    expect(room.status).toBe('closed')
    expect(client.room('a/b')).not.toBe(room)
  })
})
