import * as Y from 'yjs'
import { Storage } from '../src/index.js'

/** A replica: a document with storage, and the updates it made that others have not seen. */
export interface Replica<S extends object> {
  doc: Y.Doc
  storage: Storage<S>
}

export function replica<S extends object>(initial?: Partial<S>): Replica<S> {
  const doc = new Y.Doc()
  const storage = new Storage<S>(doc)
  if (initial) storage.initialize(initial)
  return { doc, storage }
}

/** Brings every replica up to date with every other (full state exchange, any order). */
export function sync(...replicas: Replica<object>[]): void {
  for (const from of replicas) {
    for (const to of replicas) {
      if (from === to) continue
      Y.applyUpdate(to.doc, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc)), 'remote')
    }
  }
}
