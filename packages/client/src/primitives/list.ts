import * as random from 'lib0/random'
import type * as Y from 'yjs'
import { SharedState } from './shared-state.js'

/** A list item with its id, which stays the same when the item is moved or replaced. */
export interface ListEntry<T> {
  readonly id: string
  readonly value: T
}

/**
 * An ordered list: concurrent inserts all survive, in the same order on every replica.
 *
 * Each item is stored with a random id. `move` and `set` delete an item and insert it again
 * under the same id (a `Y.Array` cannot move in place), so concurrent moves or replacements of
 * one item can leave two copies in the array; reading keeps only the first, which is the same
 * on every replica, and deleting an item deletes all its copies. The ids also give renderers
 * stable keys (`entries()`).
 */
export class SharedList<T> extends SharedState<Y.Array<ListEntry<T>>, readonly T[]> {
  /** The items with their ids; the same array until something changes. */
  readonly entries: () => readonly ListEntry<T>[] = this.memo(() =>
    Object.freeze(visible(this.type.toArray())),
  )

  get length(): number {
    return this.entries().length
  }

  /** Position of the item with this id, or -1. */
  indexOf(id: string): number {
    return this.entries().findIndex((entry) => entry.id === id)
  }

  push(...values: T[]): void {
    this.insert(this.length, ...values)
  }

  insert(index: number, ...values: T[]): void {
    this.transact(() =>
      this.#insertEntries(
        index,
        values.map((value) => ({ id: random.uuidv4(), value })),
      ),
    )
  }

  delete(index: number, count = 1): void {
    const ids = new Set(
      this.entries()
        .slice(index, index + count)
        .map((entry) => entry.id),
    )
    this.transact(() => this.#deleteIds(ids))
  }

  /** Replaces the item at `index`, keeping its id. */
  set(index: number, value: T): void {
    const entry = this.#at(index)
    this.transact(() => {
      this.#deleteIds(new Set([entry.id]))
      this.#insertEntries(index, [{ id: entry.id, value }])
    })
  }

  /** Moves the item at `from` so that it ends up at index `to`, keeping its id. */
  move(from: number, to: number): void {
    const entry = this.#at(from)
    if (from === to) return
    this.transact(() => {
      this.#deleteIds(new Set([entry.id]))
      this.#insertEntries(to, [entry])
    })
  }

  clear(): void {
    this.type.delete(0, this.type.length)
  }

  protected read(): readonly T[] {
    return Object.freeze(this.entries().map((entry) => entry.value))
  }

  #at(index: number): ListEntry<T> {
    const entry = this.entries()[index]
    if (entry === undefined) throw new RangeError(`no item at index ${index}`)
    return entry
  }

  // The helpers below read the live array, not the snapshot: inside a transaction the snapshot
  // lags behind until the transaction ends.

  #insertEntries(index: number, entries: ListEntry<T>[]): void {
    const stored = this.type.toArray()
    const target = visible(stored)[index]
    this.type.insert(target === undefined ? stored.length : stored.indexOf(target), entries)
  }

  #deleteIds(ids: ReadonlySet<string>): void {
    const stored = this.type.toArray()
    for (let i = stored.length - 1; i >= 0; i--) {
      if (ids.has((stored[i] as ListEntry<T>).id)) this.type.delete(i, 1)
    }
  }
}

/** The stored entries without later copies of the same id. */
function visible<T>(stored: ListEntry<T>[]): ListEntry<T>[] {
  const seen = new Set<string>()
  return stored.filter((entry) => !seen.has(entry.id) && seen.add(entry.id))
}
