import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { startRelay, type TestRelay, tempDir } from './support/relay.js'

// A room whose history is under 16 KiB has no Y.Doc in the relay: it is served the merge of its
// updates. These tests drive a room through that state, across a restart, and out of it.

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
