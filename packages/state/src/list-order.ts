import type * as Y from 'yjs'
import { POSITION } from './layout.js'

type Container = Y.Map<unknown>

/**
 * A list's items sorted by position (ties broken by the item's Yjs id), kept up to date one
 * item at a time: an insert, delete or move costs a binary search and a splice, never a sort.
 * Local writes update it at once (so reads inside a transaction see them); remote ones arrive
 * through `sync`. Every update is idempotent, so a local write seen again is harmless.
 */
export class ListOrder {
  readonly #sorted: Container[]
  /** The position each item is sorted under (what it had when last placed). */
  readonly #positions = new Map<Container, string>()

  constructor(type: Y.Array<Container>) {
    this.#sorted = type.toArray()
    for (const container of this.#sorted) this.#positions.set(container, positionOf(container))
    this.#sorted.sort((a, b) => this.#compare(a, b))
  }

  /** The id of an item: its container's Yjs id, the same on every replica. */
  static idOf(container: Container): string {
    const id = itemId(container)
    return `${id.client}.${id.clock}`
  }

  get length(): number {
    return this.#sorted.length
  }

  at(index: number): Container | undefined {
    return index < 0 ? undefined : this.#sorted[index]
  }

  slice(start: number, end: number): Container[] {
    return this.#sorted.slice(Math.max(0, start), end)
  }

  ids(): string[] {
    return this.#sorted.map(ListOrder.idOf)
  }

  indexOfId(id: string): number {
    const [client, clock] = id.split('.').map(Number)
    return this.#sorted.findIndex((container) => {
      const own = itemId(container)
      return own.client === client && own.clock === clock
    })
  }

  /**
   * The positions to write between, so that an item lands at `index` of the list without
   * `moving` (the item being moved, if any). Where two neighbours share a position (two writers
   * picked the same key), the new item goes after both.
   */
  gap(index: number, moving?: Container): [string | undefined, string | undefined] {
    const view = moving === undefined ? this.#sorted : this.#sorted.filter((c) => c !== moving)
    const before = view[index - 1]
    const beforeKey = before && this.#positions.get(before)
    let next = index
    while (next < view.length && beforeKey !== undefined) {
      const key = this.#positions.get(view[next] as Container) as string
      if (key > beforeKey) break
      next++
    }
    const after = view[next]
    return [beforeKey, after && this.#positions.get(after)]
  }

  add(container: Container): void {
    if (this.#positions.has(container)) return
    this.#positions.set(container, positionOf(container))
    this.#sorted.splice(this.#search(container), 0, container)
  }

  remove(container: Container): void {
    if (!this.#positions.has(container)) return
    this.#sorted.splice(this.#search(container), 1)
    this.#positions.delete(container)
  }

  /** Places the item again if its position changed. */
  reposition(container: Container): void {
    const placed = this.#positions.get(container)
    if (placed === undefined || placed === positionOf(container)) return
    this.remove(container)
    this.add(container)
  }

  /** Applies a remote change of the list: items added or deleted. */
  sync(event: Y.YArrayEvent<Container>): void {
    for (const deleted of event.changes.deleted) {
      for (const container of deleted.content.getContent() as Container[]) this.remove(container)
    }
    for (const added of event.changes.added) {
      if (added.deleted) continue
      for (const container of added.content.getContent() as Container[]) this.add(container)
    }
  }

  /** Where `container` is, or would go, in the sorted items. */
  #search(container: Container): number {
    let low = 0
    let high = this.#sorted.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const other = this.#sorted[middle] as Container
      if (other === container) return middle
      if (this.#compare(other, container) < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  #compare(a: Container, b: Container): number {
    const pa = this.#positions.get(a) as string
    const pb = this.#positions.get(b) as string
    if (pa !== pb) return pa < pb ? -1 : 1
    const ia = itemId(a)
    const ib = itemId(b)
    return ia.client - ib.client || ia.clock - ib.clock
  }
}

function positionOf(container: Container): string {
  const position = container.get(POSITION)
  // A container written by hand without a position sorts first rather than breaking the list.
  return typeof position === 'string' ? position : ''
}

function itemId(container: Container): Y.ID {
  const item = container._item
  if (item === null) throw new Error('a list item that is not in a document')
  return item.id
}
