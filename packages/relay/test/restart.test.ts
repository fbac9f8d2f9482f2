import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { GatedStorage } from './support/gated-storage.js'
import { startRelay, type TestRelay, tempDir } from './support/relay.js'

let relay: TestRelay | undefined
let dir: Awaited<ReturnType<typeof tempDir>>
const clients: StockClient[] = []

function client(room: string, doc?: Y.Doc): StockClient {
  const created = stockClient(relay?.url ?? '', room, doc)
  clients.push(created)
  return created
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await relay?.close()
  relay = undefined
  await dir?.remove()
})

describe('a relay restarted on the same LevelDB directory', () => {
  it('gives a fresh client the whole room and a partly synced one only what it lacks', async () => {
    dir = await tempDir()
    relay = await startRelay({ dataDir: dir.path })
    const port = relay.port
    const writer = client('doc')
    await synced(writer)
    const text = writer.doc.getText('t')
    // ~60 KB of content in many updates, so the log and (after unload) a snapshot both matter.
    for (let i = 0; i < 600; i++) text.insert(text.length, `line ${i} ${'x'.repeat(90)}\n`)

    const partial = client('doc')
    await waitFor(
      () => partial.doc.getText('t').length === text.length,
      'the partial client to catch up',
    )
    const keptDoc = partial.doc
    partial.provider.destroy()
    text.insert(0, 'tail!')
    await waitFor(() => relay?.app.accord.connections === 1, 'the partial client to leave')
    writer.provider.destroy()
    await waitFor(() => relay?.app.accord.loadedRooms === 0, 'the room to unload')
    await relay.close()

    relay = await startRelay({ dataDir: dir.path }, port)
    const fresh = client('doc')
    await synced(fresh)
    expect(fresh.doc.getText('t').toString()).toBe(text.toString())
    const fullBytes = Y.encodeStateAsUpdate(fresh.doc).length
    expect(fresh.bytesReceived()).toBeGreaterThan(fullBytes)

    const resumed = client('doc', keptDoc)
    await synced(resumed)
    expect(resumed.doc.getText('t').toString()).toBe(text.toString())
    // State vectors and a diff of five characters: a tiny fraction of the room.
    expect(resumed.bytesReceived()).toBeLessThan(fullBytes / 50)
  })

  it('serves rooms that were still open at shutdown after a restart', async () => {
    dir = await tempDir()
    relay = await startRelay({
      dataDir: dir.path,
      compaction: { maxLogEntries: 1_000_000, minLogBytes: 1 << 30 },
    })
    const port = relay.port
    const writer = client('log-only')
    await synced(writer)
    for (let i = 0; i < 20; i++) writer.doc.getArray('a').push([i])
    // close() flushes (and compacts) queued writes before it resolves; the client stays connected.
    await relay.close()
    writer.destroy()
    clients.splice(0)

    relay = await startRelay({ dataDir: dir.path }, port)
    const fresh = client('log-only')
    await synced(fresh)
    expect(fresh.doc.getArray('a').toArray()).toEqual([...Array(20).keys()])
  })
})

describe('a client with an empty replica', () => {
  it.each([
    ['a lone snapshot stored with its state vector', 0, true],
    ['a lone snapshot stored without (older data)', 0, false],
    ['a snapshot and a log tail', 5, true],
    ['only a log', -1, false],
  ])('has the whole room when it reports synced: %s', async (_name, tail, withStateVector) => {
    const storage = new GatedStorage()
    await storage.open()
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => updates.push(update))
    for (let i = 0; i < 20; i++) source.getArray('a').push([i])
    if (tail >= 0) {
      const stateVector = withStateVector ? Y.encodeStateVector(source) : undefined
      await storage.replace('r', Y.encodeStateAsUpdate(source), stateVector)
      updates.length = 0
      for (let i = 20; i < 20 + tail; i++) source.getArray('a').push([i])
    }
    await storage.append('r', updates)
    relay = await startRelay({ storage })
    // As on a cold start: the client's step 1 is queued while the room loads, so the relay
    // answers it before it has built the document.
    storage.gateLoads = true
    storage.closeGate()
    const fresh = client('r')
    const atSync = new Promise<number[]>((resolve) =>
      fresh.provider.once('sync', () => resolve(fresh.doc.getArray<number>('a').toArray())),
    )
    await waitFor(() => storage.loads === 1 && fresh.provider.wsconnected, 'the load to start')
    await new Promise((resolve) => setTimeout(resolve, 50))
    storage.openGate()
    // Read at the very moment the provider says it is synced, not a moment later.
    expect(await atSync).toEqual(source.getArray('a').toArray())
  })
})

// A room whose history is under 16 KiB has no Y.Doc in the relay: it is served the merge of its
// updates. These tests drive a room through that state, across a restart, and out of it.
describe('a small room', () => {
  it('serves fresh and partly synced clients from its updates, before and after a restart', async () => {
    dir = await tempDir()
    relay = await startRelay({ dataDir: dir.path })
    const port = relay.port
    const writer = client('small')
    await synced(writer)
    const text = writer.doc.getText('t')
    for (let i = 0; i < 20; i++) text.insert(text.length, `line ${i}\n`)
    writer.doc.getMap('m').set('title', 'small')

    const partial = client('small')
    await waitFor(() => partial.doc.getText('t').length === text.length, 'partial to catch up')
    const kept = partial.doc
    partial.provider.destroy()
    // Edits on both sides while `partial` is away: each must reach the other on reconnect.
    text.delete(0, 7)
    kept.getText('t').insert(0, 'offline ')
    writer.provider.destroy()
    await waitFor(() => relay?.app.accord.loadedRooms === 0, 'the room to unload')
    await relay.close()

    relay = await startRelay({ dataDir: dir.path }, port)
    const fresh = client('small')
    await synced(fresh)
    expect(fresh.doc.getText('t').toString()).toBe(text.toString())
    expect(fresh.doc.getMap('m').get('title')).toBe('small')

    const resumed = client('small', kept)
    await synced(resumed)
    await waitFor(
      () => fresh.doc.getText('t').toString().startsWith('offline '),
      'the offline edit to reach the others',
    )
    expect(resumed.doc.getText('t').toString()).toBe(fresh.doc.getText('t').toString())
    // What it lacked was one delete: state vectors, a delete set and frame headers.
    expect(resumed.bytesReceived()).toBeLessThan(Y.encodeStateAsUpdate(fresh.doc).length / 2)
  })

  it('keeps converging as it grows past 16 KiB and builds its document', async () => {
    dir = await tempDir()
    relay = await startRelay({ dataDir: dir.path })
    const a = client('growing')
    const b = client('growing')
    await Promise.all([synced(a), synced(b)])
    const text = a.doc.getText('t')
    // ~40 KB in 400 updates from two writers: the room crosses the threshold half-way.
    for (let i = 0; i < 200; i++) {
      text.insert(text.length, `a${i} ${'x'.repeat(90)}\n`)
      b.doc.getText('t').insert(0, `b${i} ${'y'.repeat(90)}\n`)
    }
    await waitFor(
      () => a.doc.getText('t').toString() === b.doc.getText('t').toString(),
      'a and b to converge',
    )
    expect(text.length).toBeGreaterThan(2 * 200 * 95)

    const late = client('growing')
    await synced(late)
    expect(late.doc.getText('t').toString()).toBe(text.toString())
  })
})
