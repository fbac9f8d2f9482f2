import type * as Y from 'yjs'
import { toItems, toStored } from './convert.js'
import { childPath } from './errors.js'
import { POSITION, VALUE } from './layout.js'
import { ListOrder } from './list-order.js'
import type { Nodes } from './nodes.js'
import { positionsBetween } from './positions.js'
import type { Live, Snapshot } from './types.js'

/**
 * An ordered list whose items keep their identity: concurrent inserts all survive; a move
 * rewrites the item's position only, so concurrent moves leave one item, in the same place
 * everywhere, and a move and an edit of the item both survive; a deleted item stays deleted,
 * whatever others wrote into it meanwhile. Items are edited in place through `get(i)`.
 *
 * An item belongs to one list. To let items move between groups (cards between columns), keep
 * them in one list with a field that names the group, and move by setting that field (and
 * `move` for the order): it merges like any field, so two people moving one card at once still
 * leave one card. Moving an item from one list into another would copy it.
 */
export class LiveList<T> {
  readonly type: Y.Array<Y.Map<unknown>>
  readonly #nodes: Nodes
  readonly #path: string
  readonly #order: ListOrder

  /** @internal Read lists from storage. */
  constructor(type: Y.Array<Y.Map<unknown>>, nodes: Nodes, path: string, order: ListOrder) {
    this.type = type
    this.#nodes = nodes
    this.#path = path
    this.#order = order
  }

  get length(): number {
    return this.#order.length
  }

  /** The item at `index`: live for objects, lists and text, as is for scalars. */
  get(index: number): Live<T> | undefined {
    const container = this.#order.at(index)
    if (container === undefined) return undefined
    return this.#nodes.live(container.get(VALUE), childPath(this.#path, index)) as Live<T>
  }

  /** The stable id of the item at `index` (the same on every replica, kept across moves). */
  idAt(index: number): string | undefined {
    const container = this.#order.at(index)
    return container && ListOrder.idOf(container)
  }

  /** Where the item with this id is now, or -1. */
  indexOf(id: string): number {
    return this.#order.indexOfId(id)
  }

  ids(): string[] {
    return this.#order.ids()
  }

  push(...values: T[]): void {
    this.insert(this.length, ...values)
  }

  insert(index: number, ...values: T[]): void {
    if (values.length === 0) return
    const at = clampIndex(index, this.length)
    const [before, after] = this.#order.gap(at)
    const items = toItems(values, before, after, this.#path, at)
    this.#nodes.write(this.type, () => {
      this.type.push(items)
      for (const container of items) this.#order.add(container)
    })
  }

  delete(index: number, count = 1): void {
    const doomed = this.#order.slice(index, index + count)
    if (doomed.length === 0) return
    const gone = new Set(doomed)
    const stored: number[] = []
    this.type.forEach((container, i) => {
      if (gone.has(container)) stored.push(i)
    })
    this.#nodes.write(this.type, () => {
      for (const container of doomed) this.#order.remove(container)
      // From the end, so the earlier indexes stay valid.
      for (let i = stored.length - 1; i >= 0; i--) this.type.delete(stored[i] as number, 1)
    })
  }

  /** Replaces the item at `index` as a whole, keeping its id and position. */
  set(index: number, value: T): void {
    const container = this.#at(index)
    const stored = toStored(value, childPath(this.#path, index))
    this.#nodes.write(container, () => container.set(VALUE, stored))
  }

  /** Moves the item at `from` so that it ends up at `to`; only its position is rewritten. */
  move(from: number, to: number): void {
    const container = this.#at(from)
    const target = clampIndex(to, this.length - 1)
    if (target === from) return
    const [before, after] = this.#order.gap(target, container)
    const [position] = positionsBetween(before, after, 1)
    this.#nodes.write(container, () => {
      container.set(POSITION, position)
      this.#order.reposition(container)
    })
  }

  clear(): void {
    this.delete(0, this.length)
  }

  /** The live items in order. */
  toArray(): Live<T>[] {
    return this.#order
      .slice(0, this.length)
      .map(
        (container, i) =>
          this.#nodes.live(container.get(VALUE), childPath(this.#path, i)) as Live<T>,
      )
  }

  /** Frozen; the same array until something inside the list changes. `listIds` gives ids. */
  snapshot(): readonly Snapshot<T>[] {
    return this.#nodes.snapshot(this.type) as readonly Snapshot<T>[]
  }

  toJSON(): readonly Snapshot<T>[] {
    return this.snapshot()
  }

  #at(index: number): Y.Map<unknown> {
    const container = this.#order.at(index)
    if (container === undefined) throw new RangeError(`no item at ${childPath(this.#path, index)}`)
    return container
  }
}

function clampIndex(index: number, length: number): number {
  if (!Number.isInteger(index)) throw new RangeError(`list index ${index} is not an integer`)
  return Math.max(0, Math.min(index, length))
}
