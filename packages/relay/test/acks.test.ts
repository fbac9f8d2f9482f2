import { CloseCode, encodeEvent } from '@accord/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { RawSocket } from './support/accord-socket.js'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { GatedStorage } from './support/gated-storage.js'
import { startRelay, type TestRelay } from './support/relay.js'

let relay: TestRelay
const sockets: RawSocket[] = []
const stock: StockClient[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close()
  for (const c of stock.splice(0)) c.destroy()
  await relay?.close()
})

async function accordClient(room = 'r'): Promise<{ raw: RawSocket; doc: Y.Doc }> {
  const raw = await RawSocket.accord(relay.url, room)
  sockets.push(raw)
  const doc = new Y.Doc()
  doc.on('update', (update: Uint8Array) => raw.sendUpdate(update))
  return { raw, doc }
}

describe('durable acknowledgements', () => {
  it('arrive only after the write that holds the updates completed, grouped into one write', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage })
    const observer = stockClient(relay.url, 'r')
    stock.push(observer)
    await synced(observer)
    const { raw, doc } = await accordClient()

    storage.closeGate()
    const list = doc.getArray<number>('l')
    list.push([0])
    await waitFor(() => storage.appends.length === 1, 'the first write to start')
    for (let i = 1; i <= 50; i++) list.push([i])
    // Broadcast does not wait for the disk: the observer has everything already...
    await waitFor(
      () => observer.doc.getArray('l').length === 51,
      'the observer to receive all updates',
    )
    // ...but nothing is acknowledged while the write is pending.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(raw.acked()).toBe(0)

    storage.openGate()
    await waitFor(() => raw.acked() === 51, 'all 51 frames to be acknowledged')
    // One write for the first update, one for the 50 that queued behind it.
    expect(storage.appends).toEqual([1, 50])
    const stored = await storage.load('r')
    expect(stored.log).toHaveLength(51)
  })

  it('wait out the commit delay, so the updates that arrive within it share one write', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage, commitDelayMs: 400 })
    const observer = stockClient(relay.url, 'r')
    stock.push(observer)
    await synced(observer)
    const { raw, doc } = await accordClient()

    const list = doc.getArray<number>('l')
    const firstSent = performance.now()
    for (let i = 0; i < 3; i++) {
      list.push([i])
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // Broadcast never waits for the delay; the write does.
    await waitFor(() => observer.doc.getArray('l').length === 3, 'the observer to get all three')
    expect(storage.appends).toEqual([])
    expect(raw.acked()).toBe(0)

    await waitFor(() => raw.acked() === 3, 'the three frames to be acknowledged')
    expect(performance.now() - firstSent).toBeGreaterThanOrEqual(390)
    expect(storage.appends).toEqual([3])
  })

  it('end the commit delay early once eight updates are queued', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage, commitDelayMs: 60_000 })
    const { raw, doc } = await accordClient()

    const list = doc.getArray<number>('l')
    for (let i = 0; i < 7; i++) list.push([i])
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(storage.appends).toEqual([])
    list.push([7])
    await waitFor(() => raw.acked() === 8, 'the eight frames to be acknowledged', 5_000)
    expect(storage.appends).toEqual([8])
  })

  it('are never sent to stock clients, which see only stock message types', async () => {
    relay = await startRelay({ storage: new GatedStorage() })
    const plain = new RawSocket(relay.url, 'r')
    sockets.push(plain)
    await plain.opened
    const doc = new Y.Doc()
    doc.on('update', (update: Uint8Array) => plain.sendUpdate(update))
    doc.getText('t').insert(0, 'abc')
    const accord = await accordClient()
    accord.raw.send(encodeEvent('wave', new Uint8Array([1])))
    accord.doc.getText('t').insert(0, 'xyz')
    await waitFor(() => accord.raw.acked() === 1, 'the accord client’s update to be acknowledged')
    await waitFor(
      () => plain.messages.some((m) => m.type === 'sync-update'),
      'the plain client to get it',
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(plain.acked()).toBe(0)
    const types = new Set(plain.messages.map((m) => m.type))
    expect([...types].every((t) => t.startsWith('sync-') || t === 'awareness')).toBe(true)
  })

  it('of frames that carried nothing new wait for no commit delay: there is nothing to write', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage, commitDelayMs: 60_000 })
    const { raw } = await accordClient()
    await raw.waitFor((m) => m.type === 'sync-step1', 'the relay’s step 1')
    raw.send(new Uint8Array([0, 1, 2, 0, 0])) // an empty step 2
    raw.updatesSent++
    await waitFor(() => raw.acked() === 1, 'the empty step 2 to be acknowledged', 5_000)
    expect(storage.appends).toEqual([])
  })

  it('count frames that carried nothing new, so a reconnecting client learns it is saved', async () => {
    relay = await startRelay({ storage: new GatedStorage() })
    const { raw } = await accordClient()
    await raw.waitFor((m) => m.type === 'sync-step1', 'the relay’s step 1')
    // An up-to-date client answers the relay's step 1 with an empty step 2.
    raw.send(new Uint8Array([0, 1, 2, 0, 0]))
    raw.updatesSent++
    await waitFor(() => raw.acked() === 1, 'the empty step 2 to be acknowledged')
  })
})

describe('storage failures', () => {
  it('close the room’s clients with storageFailure, acknowledge nothing, and reload from disk', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage })
    const { raw, doc } = await accordClient()
    doc.getText('t').insert(0, 'saved')
    await waitFor(() => raw.acked() === 1, 'the first update to be saved')

    storage.failAppends = true
    doc.getText('t').insert(5, ' lost?')
    await raw.waitForClose()
    expect(raw.closeCode).toBe(CloseCode.storageFailure)
    expect(raw.acked()).toBe(1)

    // Another room was never affected, and the failed room comes back from what is on disk.
    storage.failAppends = false
    const fresh = stockClient(relay.url, 'r')
    stock.push(fresh)
    await synced(fresh)
    expect(fresh.doc.getText('t').toString()).toBe('saved')
    expect(storage.loads).toBe(2)
  })
})

describe('loading', () => {
  it('queues frames that arrive while the room loads and applies them in order', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage })
    storage.gateLoads = true
    storage.closeGate()
    const raw = new RawSocket(relay.url, 'slow')
    sockets.push(raw)
    await raw.opened
    const doc = new Y.Doc()
    doc.on('update', (update: Uint8Array) => raw.sendUpdate(update))
    for (let i = 0; i < 10; i++) doc.getArray('a').push([i])
    await waitFor(() => storage.loads === 1, 'the load to start')
    storage.openGate()
    const reader = stockClient(relay.url, 'slow')
    stock.push(reader)
    await synced(reader)
    await waitFor(() => reader.doc.getArray('a').length === 10, 'all queued updates')
    expect(reader.doc.getArray('a').toArray()).toEqual([...Array(10).keys()])
  })
})

describe('compaction', () => {
  it('folds the log into a snapshot once it passes the threshold', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage, compaction: { maxLogEntries: 10 } })
    const { raw, doc } = await accordClient()
    for (let i = 0; i < 25; i++) doc.getArray('a').push([i])
    await waitFor(() => raw.acked() === 25, 'all updates to be saved')
    const stored = await storage.load('r')
    expect(stored.snapshot).not.toBeNull()
    expect(stored.log.length).toBeLessThan(10)
    const check = new Y.Doc()
    Y.applyUpdate(check, stored.snapshot as Uint8Array)
    for (const update of stored.log) Y.applyUpdate(check, update)
    expect(check.getArray('a').toArray()).toEqual([...Array(25).keys()])
  })

  it('stores the snapshot’s state vector beside it, and greets newcomers with it', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage })
    const writer = stockClient(relay.url, 'r')
    await synced(writer)
    // Past the size under which a room without a snapshot keeps its log on unload.
    writer.doc.getText('t').insert(0, 'compacted on unload '.repeat(1_000))
    await waitFor(() => storage.appends.length > 0, 'the update to be stored')
    writer.destroy()
    await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room unloaded')

    const stored = await storage.load('r')
    expect(stored.log).toEqual([])
    expect(stored.stateVector).toEqual(Y.encodeStateVector(writer.doc))
    const newcomer = new RawSocket(relay.url, 'r')
    sockets.push(newcomer)
    const step1 = await newcomer.waitFor((m) => m.type === 'sync-step1', 'the relay’s step 1')
    expect(step1).toMatchObject({ stateVector: stored.stateVector })
  })

  it('leaves a small room’s log as it is on unload (no compaction storm), and serves it whole', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage })
    const writer = stockClient(relay.url, 'small')
    await synced(writer)
    writer.doc.getMap('m').set('title', 'a small room')
    await waitFor(() => storage.appends.length > 0, 'the update to be stored')
    writer.destroy()
    await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room unloaded')

    const stored = await storage.load('small')
    expect(stored.snapshot).toBeNull()
    expect(stored.log).toHaveLength(1)
    const reader = stockClient(relay.url, 'small')
    stock.push(reader)
    await synced(reader)
    expect(reader.doc.getMap('m').get('title')).toBe('a small room')
  })
})

describe('events', () => {
  it('reach the room’s other Accord clients with their sender, and are not stored', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage })
    const a = await accordClient()
    const b = await accordClient()
    const elsewhere = await accordClient('other')
    a.raw.send(encodeEvent('cursor', new TextEncoder().encode('{"x":1}')))
    const received = await b.raw.waitFor((m) => m.type === 'event', 'the event')
    expect(received).toMatchObject({ type: 'event', name: 'cursor', from: '' })
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(a.raw.messages.some((m) => m.type === 'event')).toBe(false)
    expect(elsewhere.raw.messages.some((m) => m.type === 'event')).toBe(false)
    expect(storage.appends).toEqual([])
  })
})
