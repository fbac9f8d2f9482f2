import { LiveText, type Snapshot } from '@accord/client'
import { createContext } from 'react'

const EMPTY = Object.freeze({})

/**
 * The snapshot that `useStorage` selects from until the room's storage is there: while server
 * rendering and hydrating, and while the local replica loads. It is `initialStorage` read as a
 * snapshot, so selectors find the declared shape from the first render.
 */
export const InitialStorageContext = createContext<object>(EMPTY)

/** `initialStorage` as a storage snapshot would show it: frozen, text as strings. */
export function initialSnapshot<S extends object>(initial: Partial<S> | undefined): Snapshot<S> {
  return (initial === undefined ? EMPTY : snapshotOf(initial)) as Snapshot<S>
}

function snapshotOf(value: unknown): unknown {
  if (value instanceof LiveText) return value.toString()
  if (Array.isArray(value)) return Object.freeze(value.map(snapshotOf))
  if (typeof value !== 'object' || value === null) return value
  const object: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) object[key] = snapshotOf(field)
  }
  return Object.freeze(object)
}
