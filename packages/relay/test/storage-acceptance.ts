import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Storage } from '../src/storage/index.js'

export interface StorageAdapterSetup {
  /** An opened store with no rooms. */
  storage: Storage
  /**
   * Opens a new store over the same data. The suite closes the previous store first. Omit it for
   * stores that keep nothing across instances (then the durability tests are skipped).
   */
  reopen?: () => Promise<Storage>
  /** Closes every store it handed out (close is idempotent) and removes their data. */
  teardown: () => Promise<void>
}

/**
 * The acceptance suite every `Storage` adapter must pass (the pattern of automerge-repo's
 * `runStorageAdapterTests`). `setup` runs before each test, its `teardown` after it.
 */
export function runStorageAdapterTests(
  name: string,
  setup: () => Promise<StorageAdapterSetup>,
): void {
  describe(`Storage acceptance: ${name}`, () => {
    let ctx: StorageAdapterSetup
    let storage: Storage

    beforeEach(async () => {
      ctx = await setup()
      storage = ctx.storage
    })

    afterEach(async () => {
      await ctx.teardown()
    })

    it('is open after setup', () => {
      expect(storage.isOpen()).toBe(true)
    })

    it('loads an unknown room as empty', async () => {
      expect(await loadHex(storage, 'nobody-here')).toEqual(asHex(null, []))
    })

    it('returns appended updates in order, byte for byte', async () => {
      const updates = [bytes(1, 2, 3), bytes(4), bytes(5, 6, 7, 8, 9)]
      await storage.append('room', updates)
      const stored = await storage.load('room')
      expect(stored.snapshot).toBeNull()
      expect(stored.log.map(hex)).toEqual(updates.map(hex))
    })

    it('keeps order across many appends', async () => {
      // 300 appends cross several digit boundaries of any fixed-width sequence encoding.
      const expected: string[] = []
      for (let i = 0; i < 300; i++) {
        const batch = i % 3 === 0 ? [counted(i, 0), counted(i, 1)] : [counted(i, 0)]
        await storage.append('room', batch)
        expected.push(...batch.map(hex))
      }
      expect((await storage.load('room')).log.map(hex)).toEqual(expected)
    })

    it('stores empty and large updates', async () => {
      const large = new Uint8Array(1 << 20).map((_, i) => i % 251)
      await storage.append('room', [new Uint8Array(0), large])
      const { log } = await storage.load('room')
      expect(log.map((update) => update.byteLength)).toEqual([0, large.byteLength])
      expect(hex(log[1] as Uint8Array)).toBe(hex(large))
    })

    it('treats an append of zero updates as a no-op', async () => {
      await storage.append('empty', [])
      expect(await loadHex(storage, 'empty')).toEqual(asHex(null, []))
      expect(await list(storage)).toEqual([])
    })

    it('copies appended and replaced buffers (the caller may reuse them at once)', async () => {
      const update = bytes(1, 2, 3)
      const pending = storage.append('room', [update])
      update.fill(9) // before the write has completed
      await pending
      update.fill(8)
      expect((await storage.load('room')).log.map(hex)).toEqual([hex(bytes(1, 2, 3))])

      const snapshot = bytes(4, 5)
      const replacing = storage.replace('room', snapshot)
      snapshot.fill(9)
      await replacing
      snapshot.fill(8)
      expect(hex((await storage.load('room')).snapshot as Uint8Array)).toBe(hex(bytes(4, 5)))
    })

    it('isolates rooms, including names that are prefixes of each other', async () => {
      const names = [
        'a',
        'a/b',
        'ab',
        'a b',
        'a/',
        '/a',
        'a/b/c',
        'b',
        '',
        'ünïcödé/日本語/🎉',
        'with spaces and \\ backslash',
        '\u0080\uffff',
      ]
      for (const [i, room] of names.entries()) {
        await storage.append(room, [counted(i, 0), counted(i, 1)])
      }
      for (const [i, room] of names.entries()) {
        expect((await storage.load(room)).log.map(hex), room).toEqual([
          hex(counted(i, 0)),
          hex(counted(i, 1)),
        ])
      }
      expect(await list(storage)).toEqual([...names].sort())

      // Writes to one room leave its neighbours alone.
      await storage.replace('a', bytes(42))
      await storage.delete('a/b')
      await storage.append('ab', [bytes(43)])
      expect(await loadHex(storage, 'a')).toEqual(asHex(bytes(42), []))
      expect(await loadHex(storage, 'a/b')).toEqual(asHex(null, []))
      expect((await storage.load('ab')).log.map(hex)).toEqual(
        [counted(2, 0), counted(2, 1), bytes(43)].map(hex),
      )
      expect((await storage.load('a b')).log).toHaveLength(2)
      expect((await storage.load('a/b/c')).log).toHaveLength(2)
      expect(await list(storage)).toEqual(names.filter((room) => room !== 'a/b').sort())
    })

    it('replace swaps snapshot and log; later appends come after the snapshot', async () => {
      await storage.append('room', [bytes(1), bytes(2)])
      await storage.append('room', [bytes(3)])
      await storage.replace('room', bytes(10, 11))
      expect(await loadHex(storage, 'room')).toEqual(asHex(bytes(10, 11), []))

      await storage.append('room', [bytes(4)])
      await storage.append('room', [bytes(5), bytes(6)])
      const stored = await storage.load('room')
      expect(hex(stored.snapshot as Uint8Array)).toBe(hex(bytes(10, 11)))
      expect(stored.log.map(hex)).toEqual([bytes(4), bytes(5), bytes(6)].map(hex))

      await storage.replace('room', bytes(20))
      expect(await loadHex(storage, 'room')).toEqual(asHex(bytes(20), []))
    })

    it('keeps the state vector given with a snapshot until a replace without one', async () => {
      await storage.replace('room', bytes(10, 11), bytes(1, 7, 3))
      await storage.append('room', [bytes(4)])
      const stored = await storage.load('room')
      expect(hex(stored.stateVector as Uint8Array)).toBe(hex(bytes(1, 7, 3)))
      expect(stored.log.map(hex)).toEqual([hex(bytes(4))])

      await storage.replace('room', bytes(20))
      expect((await storage.load('room')).stateVector).toBeUndefined()
      expect((await storage.load('never-compacted')).stateVector).toBeUndefined()
    })

    it('replace creates an unknown room', async () => {
      await storage.replace('fresh', bytes(7))
      expect(await loadHex(storage, 'fresh')).toEqual(asHex(bytes(7), []))
      expect(await list(storage)).toEqual(['fresh'])
    })

    it('compacts real Yjs history without changing the document', async () => {
      const { doc, updates } = editedDoc(600)
      // Appended in groups, as the relay batches them.
      for (let i = 0; i < updates.length; i += 25) {
        await storage.append('doc', updates.slice(i, i + 25))
      }
      const fromLog = await storage.load('doc')
      expect(fromLog.log).toHaveLength(updates.length)
      expect(restore(fromLog).getText('text').toString()).toBe(doc.getText('text').toString())

      await storage.replace('doc', Y.encodeStateAsUpdate(doc))
      const compacted = await storage.load('doc')
      expect(compacted.log).toEqual([])
      expect(restore(compacted).getText('text').toString()).toBe(doc.getText('text').toString())

      // Editing goes on after the compaction.
      const later: Uint8Array[] = []
      doc.on('update', (update: Uint8Array) => later.push(update))
      doc.getText('text').insert(0, 'after compaction: ')
      doc.getText('text').delete(doc.getText('text').length - 3, 3)
      await storage.append('doc', later)
      const final = restore(await storage.load('doc'))
      expect(final.getText('text').toString()).toBe(doc.getText('text').toString())
      expect(final.getText('text').toString().startsWith('after compaction: ')).toBe(true)
    })

    it('lists every stored room once, and not deleted ones', async () => {
      await storage.append('one', [bytes(1)])
      for (let i = 0; i < 30; i++) await storage.append('two', [bytes(i), bytes(i + 1)])
      await storage.replace('three', bytes(3))
      await storage.append('three', [bytes(4)])
      await storage.append('gone', [bytes(5)])
      await storage.delete('gone')
      expect(await list(storage)).toEqual(['one', 'three', 'two'])
    })

    it('can stop listing rooms early and keep working', async () => {
      for (const room of ['x', 'y', 'z']) await storage.append(room, [bytes(1)])
      for await (const _room of storage.rooms()) break
      await storage.append('x', [bytes(2)])
      expect((await storage.load('x')).log).toHaveLength(2)
    })

    it('deletes a room entirely; deleting an unknown room does nothing', async () => {
      await storage.replace('room', bytes(1))
      await storage.append('room', [bytes(2), bytes(3)])
      await storage.delete('room')
      expect(await loadHex(storage, 'room')).toEqual(asHex(null, []))
      expect(await list(storage)).toEqual([])
      await storage.delete('room')
      await storage.delete('never-existed')

      // The name can be used again, and starts from nothing.
      await storage.append('room', [bytes(4)])
      expect(await loadHex(storage, 'room')).toEqual(asHex(null, [bytes(4)]))
    })

    it('writes to different rooms may overlap', async () => {
      const rooms = Array.from({ length: 20 }, (_, i) => `room-${i}`)
      await Promise.all(rooms.map((room, i) => storage.append(room, [counted(i, 0)])))
      await Promise.all(
        rooms.map((room, i) =>
          i % 2 === 0
            ? storage.replace(room, counted(i, 1))
            : storage.append(room, [counted(i, 1)]),
        ),
      )
      for (const [i, room] of rooms.entries()) {
        const stored = await storage.load(room)
        if (i % 2 === 0)
          expect(asHex(stored.snapshot, stored.log)).toEqual(asHex(counted(i, 1), []))
        else expect(stored.log.map(hex)).toEqual([counted(i, 0), counted(i, 1)].map(hex))
      }
    })

    it('is not open after close, and operations then reject', async () => {
      await storage.append('room', [bytes(1)])
      await storage.close()
      expect(storage.isOpen()).toBe(false)
      await expect(storage.load('room')).rejects.toThrow(/not open/)
      await expect(storage.append('room', [bytes(2)])).rejects.toThrow(/not open/)
      await expect(storage.replace('room', bytes(3))).rejects.toThrow(/not open/)
      await expect(storage.delete('room')).rejects.toThrow(/not open/)
      await expect(list(storage)).rejects.toThrow(/not open/)
      await storage.close() // idempotent
    })

    describe('across close and reopen', () => {
      const reopen = async (): Promise<Storage> => {
        if (!ctx.reopen) throw new Error('unreachable')
        await storage.close()
        storage = await ctx.reopen()
        return storage
      }
      /** Whether to skip: the adapter keeps nothing across instances. */
      const volatile = (): boolean => ctx.reopen === undefined

      it('keeps snapshots, logs and room names', async ({ skip }) => {
        if (volatile()) return skip()
        const { doc, updates } = editedDoc(200)
        await storage.append('doc', updates.slice(0, 100))
        await storage.replace('doc', Y.encodeStateAsUpdate(docFrom(updates.slice(0, 100))))
        await storage.append('doc', updates.slice(100))
        await storage.append('log-only', [bytes(1), bytes(2)])
        await storage.replace('snapshot-only', bytes(3), bytes(1, 2, 3))
        await storage.append('deleted', [bytes(4)])
        await storage.delete('deleted')

        const reopened = await reopen()
        expect(reopened.isOpen()).toBe(true)
        expect(await list(reopened)).toEqual(['doc', 'log-only', 'snapshot-only'])
        const stored = await reopened.load('doc')
        expect(stored.log).toHaveLength(100)
        expect(restore(stored).getText('text').toString()).toBe(doc.getText('text').toString())
        expect(await loadHex(reopened, 'log-only')).toEqual(asHex(null, [bytes(1), bytes(2)]))
        expect(await loadHex(reopened, 'snapshot-only')).toEqual(asHex(bytes(3), []))
        const { stateVector } = await reopened.load('snapshot-only')
        expect(hex(stateVector as Uint8Array)).toBe(hex(bytes(1, 2, 3)))
        expect(await loadHex(reopened, 'deleted')).toEqual(asHex(null, []))
      })

      it('orders appends made after a reopen after earlier ones', async ({ skip }) => {
        if (volatile()) return skip()
        const expected: string[] = []
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 20; i++) {
            const update = counted(round, i)
            await storage.append('room', [update])
            expected.push(hex(update))
          }
          await reopen()
        }
        expect((await storage.load('room')).log.map(hex)).toEqual(expected)

        // Also after a replace: the log restarts empty and keeps growing in order.
        await storage.replace('room', bytes(99))
        await reopen()
        await storage.append('room', [bytes(1)])
        await reopen()
        await storage.append('room', [bytes(2)])
        expect(await loadHex(storage, 'room')).toEqual(asHex(bytes(99), [bytes(1), bytes(2)]))
      })

      it('completes writes still pending when close is called', async ({ skip }) => {
        if (volatile()) return skip()
        const writes = [
          storage.append('a', [bytes(1)]),
          storage.append('b', [bytes(2), bytes(3)]),
          storage.replace('c', bytes(4)),
        ]
        await storage.close()
        await Promise.all(writes)
        if (!ctx.reopen) throw new Error('unreachable')
        storage = await ctx.reopen()
        expect(await list(storage)).toEqual(['a', 'b', 'c'])
        expect((await loadHex(storage, 'b')).log).toEqual([bytes(2), bytes(3)].map(hex))
      })
    })
  })
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values)
}

/** A small update that is unique to (a, b) and tells which it is in a failure diff. */
function counted(a: number, b: number): Uint8Array {
  return new TextEncoder().encode(`${a}:${b}`)
}

function hex(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
}

/** A stored room with its bytes as hex strings: exact comparisons with readable diffs. */
function asHex(
  snapshot: Uint8Array | null,
  log: Uint8Array[],
): { snapshot: string | null; log: string[] } {
  return { snapshot: snapshot && hex(snapshot), log: log.map(hex) }
}

async function loadHex(storage: Storage, room: string): Promise<ReturnType<typeof asHex>> {
  const { snapshot, log } = await storage.load(room)
  return asHex(snapshot, log)
}

async function list(storage: Storage): Promise<string[]> {
  const rooms: string[] = []
  for await (const room of storage.rooms()) rooms.push(room)
  return rooms.sort()
}

/** A text document edited `edits` times (inserts and deletes), with one update per edit. */
function editedDoc(edits: number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  const text = doc.getText('text')
  let seed = 7
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  for (let i = 0; i < edits; i++) {
    if (text.length > 10 && random(4) === 0) text.delete(random(text.length - 5), 1 + random(4))
    else text.insert(random(text.length + 1), `w${i} `)
  }
  return { doc, updates }
}

function docFrom(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc
}

function restore(stored: { snapshot: Uint8Array | null; log: Uint8Array[] }): Y.Doc {
  return docFrom(stored.snapshot ? [stored.snapshot, ...stored.log] : stored.log)
}
