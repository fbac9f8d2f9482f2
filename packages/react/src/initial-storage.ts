import { type Snapshot, Storage } from '@accord/client'
import { createContext } from 'react'
import * as Y from 'yjs'

const EMPTY = Object.freeze({})

/**
 * The snapshot that `useStorage` selects from until the room's storage is there: while server
 * rendering and hydrating, and while the local replica loads. It is `initialStorage` read as a
 * snapshot, so selectors find the declared shape from the first render.
 */
export const InitialStorageContext = createContext<object>(EMPTY)

/**
 * `initialStorage` as the room's storage will show it: written into a scratch document the
 * way rooms write it, so lists carry the ids (`idsOf`) they will have in the room.
 */
export function initialSnapshot<S extends object>(initial: Partial<S> | undefined): Snapshot<S> {
  if (initial === undefined) return EMPTY as Snapshot<S>
  const storage = new Storage<S>(new Y.Doc())
  storage.initialize(initial)
  const snapshot = storage.snapshot()
  storage.dispose()
  return snapshot
}
