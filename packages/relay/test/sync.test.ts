import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { MemoryStorage } from '../src/index.js'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { startRelay, type TestRelay } from './support/relay.js'

let relay: TestRelay
const clients: StockClient[] = []

function client(room = 'notes/today', doc?: Y.Doc): StockClient {
  const created = stockClient(relay.url, room, doc)
  clients.push(created)
  return created
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await relay?.close()
})

describe('stock y-websocket providers through the relay', () => {
  it('converge, a late joiner receives everything, and offline edits come back', async () => {
    relay = await startRelay({ storage: new MemoryStorage() })
    const a = client()
    const b = client()
    await Promise.all([synced(a), synced(b)])

    a.doc.getText('t').insert(0, 'hello')
    b.doc.getMap('m').set('from', 'b')
    await waitFor(() => b.doc.getText('t').toString() === 'hello', 'b to see a')
    await waitFor(() => a.doc.getMap('m').get('from') === 'b', 'a to see b')

    const c = client()
    await synced(c)
    expect(c.doc.getText('t').toString()).toBe('hello')
    expect(c.doc.getMap('m').get('from')).toBe('b')

    // b goes offline, edits, comes back: the relay's step 1 pulls its edits.
    b.provider.disconnect()
    b.doc.getText('t').insert(5, ' world')
    a.doc.getMap('m').set('while', 'b was away')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(c.doc.getText('t').toString()).toBe('hello')
    b.provider.connect()
    await waitFor(
      () => c.doc.getText('t').toString() === 'hello world',
      'c to get b’s offline edit',
    )
    await waitFor(() => b.doc.getMap('m').get('while') === 'b was away', 'b to catch up')
    expect(a.doc.getText('t').toString()).toBe('hello world')
  })

  it('serves every update of a room that outgrows the small-room path mid-stream', async () => {
    // 40 one-character updates keep the room on its updates alone; a newcomer is served their
    // merge; 70 more take it past SMALL_ROOM_UPDATES, so the relay builds the room's document
    // from the merge and the newer updates. Everyone must end with all 110 characters.
    relay = await startRelay({ storage: new MemoryStorage() })
    const writer = client('stream')
    await synced(writer)
    const text = writer.doc.getText('t')
    const type = async (count: number) => {
      for (let i = 0; i < count; i++) {
        text.insert(text.length, String.fromCharCode(97 + (text.length % 26)))
        await new Promise((resolve) => setImmediate(resolve)) // one frame per update
      }
    }
    await type(40)
    const early = client('stream')
    await synced(early)
    await waitFor(() => early.doc.getText('t').length === 40, 'the first newcomer to get 40')
    await type(70)
    const late = client('stream')
    await synced(late)
    await waitFor(() => late.doc.getText('t').length === 110, 'the second newcomer to get 110')
    expect(late.doc.getText('t').toString()).toBe(text.toString())
    await waitFor(() => early.doc.getText('t').toString() === text.toString(), 'early to follow')
  })

  it('keeps rooms apart, including names with slashes', async () => {
    relay = await startRelay({ storage: new MemoryStorage() })
    const a = client('org/1/board')
    const b = client('org/1')
    const a2 = client('org/1/board')
    await Promise.all([synced(a), synced(b), synced(a2)])
    a.doc.getArray('x').push(['in board'])
    await waitFor(() => a2.doc.getArray('x').length === 1, 'same-room client to receive')
    expect(b.doc.getArray('x').length).toBe(0)
  })

  it('relays awareness and removes a closed connection’s state at once', async () => {
    relay = await startRelay({ storage: new MemoryStorage() })
    const a = client()
    const b = client()
    await Promise.all([synced(a), synced(b)])
    a.provider.awareness.setLocalStateField('user', { name: 'ada' })
    const aId = a.doc.clientID
    await waitFor(
      () => b.provider.awareness.getStates().get(aId)?.user?.name === 'ada',
      'b to see a’s presence',
    )

    // A newcomer gets the current states without waiting for anyone's renewal.
    const c = client()
    await waitFor(() => c.provider.awareness.getStates().has(aId), 'c to receive current presence')

    // Kill a's socket without a goodbye: the relay must announce the removal itself.
    a.provider.ws?.close()
    a.provider.disconnect()
    await waitFor(() => !b.provider.awareness.getStates().has(aId), 'b to drop a’s presence')
    expect(c.provider.awareness.getStates().has(aId)).toBe(false)
  })

  it('sends a quiet client a frame every heartbeat so stock clients do not time out', async () => {
    relay = await startRelay({ storage: new MemoryStorage(), heartbeatIntervalMs: 50 })
    const a = client()
    await synced(a)
    const before = a.bytesReceived()
    await waitFor(() => a.bytesReceived() >= before + 3 * 3, 'three keepalive frames', 2_000)
  })

  it('terminates a socket that stops answering pings and frees its room', async () => {
    relay = await startRelay({ storage: new MemoryStorage(), heartbeatIntervalMs: 50 })
    const silent = new WebSocket(`${relay.url}/ghost`, { autoPong: false })
    let closeCode = 0
    silent.on('close', (code) => {
      closeCode = code
    })
    await waitFor(() => relay.app.accord.connections === 1, 'the connection to open')
    await waitFor(() => closeCode !== 0, 'the relay to drop the dead socket', 2_000)
    expect(closeCode).toBe(1006)
    await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room to unload')
  })

  it('loads a room once for racing connections and unloads it when the last one leaves', async () => {
    const storage = new MemoryStorage()
    let loads = 0
    const load = storage.load.bind(storage)
    storage.load = (room) => {
      loads++
      return load(room)
    }
    relay = await startRelay({ storage })
    const racing = [client('race'), client('race'), client('race')]
    await Promise.all(racing.map((c) => synced(c)))
    expect(loads).toBe(1)
    expect(relay.app.accord.loadedRooms).toBe(1)
    racing[0]?.doc.getText('t').insert(0, 'kept')
    await waitFor(() => racing[2]?.doc.getText('t').toString() === 'kept', 'the edit to travel')
    for (const c of clients.splice(0)) c.destroy()
    await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room to unload')
    const stored = await storage.load('race')
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const update of stored.log) Y.applyUpdate(doc, update)
    expect(doc.getText('t').toString()).toBe('kept')
  })
})
