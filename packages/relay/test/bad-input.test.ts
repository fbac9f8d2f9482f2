import { CloseCode, encodeAwareness, encodeSyncUpdate } from '@accord/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MemoryStorage } from '../src/index.js'
import { RawSocket } from './support/accord-socket.js'
import { stockClient, synced, waitFor } from './support/clients.js'
import { startRelay, type TestRelay } from './support/relay.js'

const bytes = (...values: number[]) => new Uint8Array(values)
const MAX_MESSAGE_BYTES = 4096

/** Deterministic pseudo-random bytes (mulberry32), so a failure can be replayed. */
function randomBytes(seed: number, length: number): Uint8Array {
  let state = seed
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    out[i] = (t ^ (t >>> 14)) & 0xff
  }
  return out
}

const cases: Array<[string, Uint8Array | string, number]> = [
  ['an unknown message type', bytes(42, 1, 2), CloseCode.badMessage],
  ['an unknown sync sub-type', bytes(0, 9, 1, 1), CloseCode.badMessage],
  ['a truncated varint', bytes(0, 2, 0xff), CloseCode.badMessage],
  ['a length prefix larger than the frame', bytes(0, 2, 100, 1, 2, 3), CloseCode.badMessage],
  ['trailing bytes after a message', bytes(3, 3, 3), CloseCode.badMessage],
  ['an invalid Yjs update', encodeSyncUpdate(bytes(1, 2, 3, 4, 5)), CloseCode.badMessage],
  [
    'an update whose structs decode but whose delete set is cut',
    encodeSyncUpdate(cutDeleteSet()),
    CloseCode.badMessage,
  ],
  [
    'an awareness update that is not JSON',
    encodeAwareness(bytes(1, 7, 1, 3, 0x7b, 0x7b, 0x7b)),
    CloseCode.badMessage,
  ],
  ['a message the relay sends, not receives', bytes(101, 5), CloseCode.badMessage],
  ['a text frame', 'hello', CloseCode.badMessage],
  [
    'an oversized frame',
    encodeSyncUpdate(new Uint8Array(MAX_MESSAGE_BYTES * 2)),
    CloseCode.messageTooBig,
  ],
  ...[1, 2, 3, 4, 5].map((seed): [string, Uint8Array, number] => [
    `random bytes #${seed}`,
    // Byte 0 set to a type the relay does not know, so the expected code is certain.
    new Uint8Array([200, ...randomBytes(seed, 64)]),
    CloseCode.badMessage,
  ]),
]

/** A real update with content, then a delete set whose length prefix promises more than follows. */
function cutDeleteSet(): Uint8Array {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, 'partial')
  const update = Y.encodeStateAsUpdate(doc)
  // The last byte is the delete set's client count (0); claim 5 clients and end there.
  return new Uint8Array([...update.subarray(0, -1), 5])
}

let relay: TestRelay
const storage = new MemoryStorage()
const ROOM = 'shared'

beforeAll(async () => {
  relay = await startRelay({ storage, maxMessageBytes: MAX_MESSAGE_BYTES })
  const writer = stockClient(relay.url, ROOM)
  await synced(writer)
  writer.doc.getText('t').insert(0, 'precious')
  writer.provider.destroy()
  await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room to unload')
})

afterAll(() => relay.close())

describe('bad input closes only the offending connection', () => {
  it.each(cases)('%s', async (_name, frame, expectedCode) => {
    const bystander = stockClient(relay.url, ROOM)
    await synced(bystander)
    const bad = new RawSocket(relay.url, ROOM)
    await bad.opened
    bad.send(frame)
    await bad.waitForClose()
    expect(bad.closeCode).toBe(expectedCode)

    // The bystander in the same room is still served, and a newcomer syncs the intact room.
    bystander.doc.getMap('m').set('still', 'alive')
    const newcomer = stockClient(relay.url, ROOM)
    await synced(newcomer)
    await waitFor(
      () => newcomer.doc.getMap('m').get('still') === 'alive',
      'the bystander’s edit to arrive',
    )
    expect(newcomer.doc.getText('t').toString()).toBe('precious')
    bystander.doc.getMap('m').delete('still')
    bystander.destroy()
    newcomer.destroy()
    await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room to unload')
    // Nothing from the bad frame was stored: the text is exactly what it was.
    const doc = new Y.Doc()
    const room = await storage.load(ROOM)
    if (room.snapshot) Y.applyUpdate(doc, room.snapshot)
    for (const update of room.log) Y.applyUpdate(doc, update)
    expect(doc.getText('t').toString()).toBe('precious')
  })
})

describe('room names', () => {
  it.each([
    ['too long', 'a'.repeat(513)],
    ['with a control character', 'room%01name'],
  ])('rejects a name %s', async (_name, path) => {
    const socket = new RawSocket(relay.url, path)
    await socket.waitForClose()
    expect(socket.closeCode).toBe(CloseCode.invalidRoomName)
  })

  it('accepts 512 bytes exactly and unicode', async () => {
    for (const name of ['é'.repeat(256), encodeURIComponent('día/1 ✓')]) {
      const socket = new RawSocket(relay.url, name)
      await socket.opened
      await socket.waitFor((m) => m.type === 'sync-step1', 'the relay’s step 1')
      socket.close()
    }
  })
})

describe('corrupt storage', () => {
  it('quarantines the room (roomQuarantined), keeps its data, reports it, and serves other rooms', async () => {
    const corruptStorage = new MemoryStorage()
    await corruptStorage.open()
    const garbage = new Uint8Array([1, 2, 3, 4, 5])
    await corruptStorage.append('broken/log', [garbage])
    await corruptStorage.replace('broken/snapshot', garbage)
    const other = await startRelay({ storage: corruptStorage })
    try {
      // A fresh client (empty replica) and a returning one (state vector) both get the error.
      for (const room of ['broken/log', 'broken/snapshot']) {
        for (const stateVector of [new Uint8Array([0]), Y.encodeStateVector(docWith('x'))]) {
          const socket = new RawSocket(other.url, room)
          await socket.opened
          socket.sendStep1(stateVector)
          await socket.waitForClose()
          expect(socket.closeCode).toBe(CloseCode.roomQuarantined)
          expect(socket.messages.some((m) => m.type === 'sync-step2')).toBe(false)
        }
      }
      expect([...other.app.accord.quarantinedRooms.keys()].sort()).toEqual([
        'broken/log',
        'broken/snapshot',
      ])
      const ready = await other.app.inject({ method: 'GET', url: '/readyz' })
      expect(ready.json()).toMatchObject({ status: 'ready', quarantinedRooms: 2 })
      const healthy = stockClient(other.url, 'healthy')
      await synced(healthy)
      healthy.destroy()
      expect((await corruptStorage.load('broken/log')).log).toEqual([garbage])
      expect((await corruptStorage.load('broken/snapshot')).snapshot).toEqual(garbage)
    } finally {
      await other.close()
    }
  })
})

function docWith(text: string): Y.Doc {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return doc
}
