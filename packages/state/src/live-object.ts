import type * as Y from 'yjs'
import { toStored } from './convert.js'
import { childPath } from './errors.js'
import type { Nodes } from './nodes.js'
import type { Live, Snapshot } from './types.js'

type Key<T> = keyof T & string

/**
 * An object (or a map with dynamic keys) whose fields merge on their own: concurrent writes to
 * different fields all survive; concurrent writes to one field settle on the same value
 * everywhere. Nested objects, lists and text are live too: edit them through `get`, instead of
 * replacing the whole value, and concurrent edits inside them merge.
 */
export class LiveObject<T extends object> {
  readonly type: Y.Map<unknown>
  readonly #nodes: Nodes
  readonly #path: string

  /** @internal Read objects from storage. */
  constructor(type: Y.Map<unknown>, nodes: Nodes, path: string) {
    this.type = type
    this.#nodes = nodes
    this.#path = path
  }

  /** The field's value: live for objects, lists and text, as is for scalars. */
  get<K extends Key<T>>(key: K): Live<T[K]> {
    return this.#nodes.live(this.type.get(key), childPath(this.#path, key)) as Live<T[K]>
  }

  set<K extends Key<T>>(key: K, value: T[K]): void {
    const stored = toStored(value, childPath(this.#path, key))
    this.#nodes.write(this.type, () => this.type.set(key, stored))
  }

  /** Sets several fields in one transaction; `undefined` fields are left alone. */
  update(values: Partial<T>): void {
    const entries = Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, toStored(value, childPath(this.#path, key))] as const)
    this.#nodes.write(this.type, () => {
      for (const [key, stored] of entries) this.type.set(key, stored)
    })
  }

  delete(key: Key<T>): void {
    this.#nodes.write(this.type, () => this.type.delete(key))
  }

  has(key: Key<T>): boolean {
    return this.type.has(key)
  }

  keys(): Key<T>[] {
    return [...this.type.keys()] as Key<T>[]
  }

  /** Frozen; the same object until something inside it changes. */
  snapshot(): Snapshot<T> {
    return this.#nodes.snapshot(this.type) as Snapshot<T>
  }

  toJSON(): Snapshot<T> {
    return this.snapshot()
  }
}
