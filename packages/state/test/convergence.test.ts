import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { idsOf, Storage } from '../src/index.js'

/**
 * Random nested edits on three replicas with random delivery: updates travel as real Yjs
 * updates, delivered late, out of order, or held back while a replica is offline. Each replica
 * writes only its own field of an item (`f0`, `f1`, `f2`), so the last value each wrote must
 * survive on every replica unless the item was deleted.
 *
 * `ACCORD_PROPERTY_RUNS` sets the number of runs (CI: 1,000); a failure prints its seed and
 * path, and `ACCORD_PROPERTY_SEED` / `ACCORD_PROPERTY_PATH` replay it.
 */
const REPLICAS = 3
const runs = Number(process.env.ACCORD_PROPERTY_RUNS ?? 1000)

interface Item {
  f0: number
  f1: number
  f2: number
  tags: string[]
}
interface Shape {
  items: Item[]
}

type Command =
  | { kind: 'insert'; by: number; at: number; value: number }
  | { kind: 'delete'; by: number; at: number }
  | { kind: 'move'; by: number; from: number; to: number }
  | { kind: 'field'; by: number; at: number; value: number }
  | { kind: 'tag'; by: number; at: number; tag: string }
  | { kind: 'deliver'; to: number; count: number; shuffle: number }
  | { kind: 'offline'; who: number; offline: boolean }

const by = fc.integer({ min: 0, max: REPLICAS - 1 })
const at = fc.nat({ max: 12 })
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), by, at, value: fc.nat(99) }),
  fc.record({ kind: fc.constant('delete' as const), by, at }),
  fc.record({ kind: fc.constant('move' as const), by, from: at, to: at }),
  fc.record({ kind: fc.constant('field' as const), by, at, value: fc.nat(99) }),
  fc.record({ kind: fc.constant('tag' as const), by, at, tag: fc.constantFrom('x', 'y', 'z') }),
  fc.record({ kind: fc.constant('deliver' as const), to: by, count: fc.nat(6), shuffle: fc.nat() }),
  fc.record({ kind: fc.constant('offline' as const), who: by, offline: fc.boolean() }),
)

class Network {
  readonly docs: Y.Doc[] = []
  readonly storages: Storage<Shape>[] = []
  /** Updates each replica has not received yet. */
  readonly inbox: Uint8Array[][] = []
  readonly offline: boolean[] = []
  /** The last value each replica wrote into its own field, by item id. */
  readonly written = new Map<string, number>()
  readonly deleted = new Set<string>()

  constructor() {
    for (let i = 0; i < REPLICAS; i++) {
      const doc = new Y.Doc()
      const storage = new Storage<Shape>(doc)
      this.docs.push(doc)
      this.storages.push(storage)
      this.inbox.push([])
      this.offline.push(false)
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === 'network') return
        for (let j = 0; j < REPLICAS; j++) if (j !== i) this.inbox[j]?.push(update)
      })
      storage.initialize({ items: [{ f0: 0, f1: 0, f2: 0, tags: [] }] })
    }
  }

  run(c: Command): void {
    if (c.kind === 'offline') {
      this.offline[c.who] = c.offline
      return
    }
    if (c.kind === 'deliver') {
      if (!this.offline[c.to]) this.deliver(c.to, c.count, c.shuffle)
      return
    }
    const items = (this.storages[c.by] as Storage<Shape>).root.get('items')
    const length = items.length
    switch (c.kind) {
      case 'insert':
        items.insert(c.at % (length + 1), { f0: c.value, f1: c.value, f2: c.value, tags: [] })
        return
      case 'delete':
        if (length === 0) return
        this.deleted.add(items.idAt(c.at % length) as string)
        items.delete(c.at % length)
        return
      case 'move':
        if (length === 0) return
        items.move(c.from % length, c.to % length)
        return
      case 'field': {
        if (length === 0) return
        const field = `f${c.by}` as 'f0'
        items.get(c.at % length)?.set(field, c.value)
        this.written.set(`${items.idAt(c.at % length)}/${field}`, c.value)
        return
      }
      case 'tag':
        if (length === 0) return
        items
          .get(c.at % length)
          ?.get('tags')
          .push(c.tag)
    }
  }

  /** Delivers up to `count` pending updates to `to`, in an order picked by `shuffle`. */
  deliver(to: number, count: number, shuffle: number): void {
    const inbox = this.inbox[to] as Uint8Array[]
    for (let n = 0; n < count && inbox.length > 0; n++) {
      const [update] = inbox.splice((shuffle + n * 7) % inbox.length, 1)
      Y.applyUpdate(this.docs[to] as Y.Doc, update as Uint8Array, 'network')
    }
  }

  settle(): void {
    for (let i = 0; i < REPLICAS; i++) this.deliver(i, Number.POSITIVE_INFINITY, 0)
  }
}

describe('convergence of nested storage', () => {
  it(`holds over ${runs} random histories of three replicas`, () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const net = new Network()
        for (const c of commands) net.run(c)
        net.settle()
        const [first, ...others] = net.storages.map((s) => s.snapshot())
        for (const other of others) expect(other).toEqual(first)
        for (const storage of net.storages) {
          const items = storage.root.get('items')
          const ids = idsOf(storage.snapshot().items)
          // No item twice, no stored copy hidden behind the visible ones.
          expect(new Set(ids).size).toBe(ids.length)
          expect(items.type.length).toBe(ids.length)
          for (const id of ids) expect(net.deleted.has(id)).toBe(false)
          // Every replica's last write to its own field of a surviving item is there.
          ids.forEach((id, index) => {
            for (let r = 0; r < REPLICAS; r++) {
              const last = net.written.get(`${id}/f${r}`)
              const item = storage.snapshot().items[index] as Item
              if (last !== undefined) expect(item[`f${r}` as 'f0']).toBe(last)
            }
          })
        }
      }),
      {
        numRuns: runs,
        seed: process.env.ACCORD_PROPERTY_SEED
          ? Number(process.env.ACCORD_PROPERTY_SEED)
          : undefined,
        path: process.env.ACCORD_PROPERTY_PATH,
        endOnFailure: true,
      },
    )
  })
})
