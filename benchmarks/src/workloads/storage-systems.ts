/**
 * The three ways of keeping a list of items in a Y.Doc that the storage workload compares: each
 * says how a writer fills the document and edits one field, and what a reader's app keeps to
 * render (a binding over its doc) and how it gets the new plain snapshot after a change.
 */
import { type LiveList, type LiveObject, Storage } from '@accord/state'
import { syncedStore } from '@syncedstore/core'
import * as Y from 'yjs'

export interface Item {
  title: string
  done: boolean
  priority: number
  assignee: string
  estimate: number
}
export type Field = keyof Item

export interface Edit {
  index: number
  field: Field
  value: Item[Field]
}

export type SystemName = 'accord' | 'naive' | 'syncedstore'

export interface System {
  name: SystemName
  /** Fills `doc` with `items` as an app of this system would; returns how to edit one field. */
  fill(doc: Y.Doc, items: readonly Item[]): (edit: Edit) => void
  /** What the reader's app keeps over `doc`; calling it gives the current items snapshot. */
  bind(doc: Y.Doc): () => readonly Item[]
}

// Large pushes in chunks, as an app importing data would: one transaction per chunk.
const CHUNK = 1_000

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

interface Shape {
  items: Item[]
}

const accord: System = {
  name: 'accord',
  fill(doc, items) {
    const storage = new Storage<Shape>(doc)
    storage.initialize({ items: [] })
    const list = storage.root.get('items') as LiveList<Item>
    for (const chunk of chunks(items)) list.push(...chunk)
    return ({ index, field, value }) =>
      (list.get(index) as LiveObject<Item>).set(field, value as never)
  },
  bind(doc) {
    // `snapshot()` is what a React binding reads (useSyncExternalStore): frozen, shared.
    const storage = new Storage<Shape>(doc)
    return () => storage.snapshot().items as readonly Item[]
  },
}

/** A Y.Array of Y.Maps under `items`: the layout SyncedStore writes too. */
const naive: System = {
  name: 'naive',
  fill(doc, items) {
    const array = doc.getArray<Y.Map<unknown>>('items')
    for (const chunk of chunks(items))
      doc.transact(() => array.push(chunk.map((item) => new Y.Map(Object.entries(item)))))
    return ({ index, field, value }) => array.get(index).set(field, value)
  },
  bind(doc) {
    // What a binding without a model does: the whole JSON again after every change.
    const array = doc.getArray('items')
    return () => array.toJSON() as Item[]
  },
}

/** A plain deep copy read through SyncedStore's proxies, field by field, as a render reads. */
function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(plain)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = plain((value as Record<string, unknown>)[key])
  return out
}

const synced: System = {
  name: 'syncedstore',
  fill(doc, items) {
    const store = syncedStore({ items: [] as Item[] }, doc)
    for (const chunk of chunks(items)) doc.transact(() => store.items.push(...chunk))
    return ({ index, field, value }) => {
      ;(store.items[index] as Record<Field, unknown>)[field] = value
    }
  },
  bind(doc) {
    // SyncedStore has no snapshot: its React hook re-renders and reads through the proxies.
    const store = syncedStore({ items: [] as Item[] }, doc)
    return () => plain(store.items) as Item[]
  },
}

export const SYSTEMS: Record<SystemName, System> = { accord, naive, syncedstore: synced }
