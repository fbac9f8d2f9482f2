import * as Y from 'yjs'
import type { Stored } from './convert.js'
import { VALUE } from './layout.js'
import { ListOrder } from './list-order.js'
import { LiveList } from './live-list.js'
import { LiveObject } from './live-object.js'
import { LiveText } from './live-text.js'

// biome-ignore lint/suspicious/noExplicitAny: Yjs types are invariant in their event type
type AnyType = Y.AbstractType<any>
type Container = Y.Map<unknown>

const listIds = new WeakMap<readonly unknown[], readonly string[]>()

/** The item ids of a list snapshot, index for index: stable keys for rendering. */
export function idsOf(list: readonly unknown[]): readonly string[] {
  const ids = listIds.get(list)
  if (ids === undefined) throw new TypeError('not a list snapshot from Accord storage')
  return ids
}

/**
 * The live views and snapshots of one document's storage. Snapshots are cached per Yjs type
 * and dropped along the path from a changed type to the root (from `transaction.changed`, or at
 * once for local writes), so a change costs work along its path only and every untouched
 * subtree keeps its snapshot object. Views and list orders are made on first use.
 */
export class Nodes {
  readonly #doc: Y.Doc
  readonly #snapshots = new WeakMap<AnyType, unknown>()
  readonly #views = new WeakMap<AnyType, LiveObject<object> | LiveList<unknown> | LiveText>()
  readonly #orders = new WeakMap<Y.Array<Container>, ListOrder>()

  constructor(doc: Y.Doc) {
    this.#doc = doc
    doc.on('afterTransaction', this.#afterTransaction)
  }

  dispose(): void {
    this.#doc.off('afterTransaction', this.#afterTransaction)
  }

  /** The live view of a stored value (the same view object for the same type). */
  live(value: unknown, path: string): unknown {
    if (!(value instanceof Y.AbstractType)) return value
    let view = this.#views.get(value)
    if (view === undefined) {
      if (value instanceof Y.Map) view = new LiveObject(value, this, path)
      else if (value instanceof Y.Array) view = new LiveList(value, this, path, this.#order(value))
      else if (value instanceof Y.Text) view = new LiveText('', value)
      else return value
      this.#views.set(value, view)
    }
    return view
  }

  /** The frozen snapshot of a stored value; scalars are their own snapshot. */
  snapshot(value: Stored | undefined): unknown {
    if (!(value instanceof Y.AbstractType)) return value
    const cached = this.#snapshots.get(value)
    if (cached !== undefined) return cached
    let fresh: unknown
    if (value instanceof Y.Map) {
      const object: Record<string, unknown> = {}
      value.forEach((field, key) => {
        object[key] = this.snapshot(field as Stored)
      })
      fresh = Object.freeze(object)
    } else if (value instanceof Y.Array) {
      const order = this.#order(value)
      const items = order.slice(0, order.length)
      const list = Object.freeze(items.map((item) => this.snapshot(item.get(VALUE) as Stored)))
      listIds.set(list, Object.freeze(items.map(ListOrder.idOf)))
      fresh = list
    } else {
      fresh = value.toString()
    }
    this.#snapshots.set(value, fresh)
    return fresh
  }

  /** Runs a local write in a transaction and forgets the snapshots it makes stale at once. */
  write(type: AnyType, change: () => void): void {
    this.#doc.transact(() => {
      change()
      this.#stale(type)
    })
  }

  #order(type: Y.Array<Container>): ListOrder {
    let order = this.#orders.get(type)
    if (order === undefined) {
      const made = new ListOrder(type)
      type.observe((event) => made.sync(event))
      this.#orders.set(type, made)
      order = made
    }
    return order
  }

  /** Drops the snapshots of `type` and of every type above it. */
  #stale(type: AnyType | null): void {
    let current = type
    while (current !== null) {
      this.#snapshots.delete(current)
      const parent: unknown = current._item?.parent
      current = parent instanceof Y.AbstractType ? parent : null
    }
  }

  readonly #afterTransaction = (transaction: Y.Transaction): void => {
    for (const type of transaction.changed.keys()) {
      // A remote move: the item's position changed, so its list must place it again.
      const parent = type._item?.parent
      if (parent instanceof Y.Array && type instanceof Y.Map) {
        this.#orders.get(parent)?.reposition(type)
      }
      this.#stale(type)
    }
  }
}
