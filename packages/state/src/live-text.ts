import type * as Y from 'yjs'

/**
 * Collaborative text: concurrent edits merge character by character. Put `new LiveText('...')`
 * into storage where a field should be text rather than a string that is replaced whole; read
 * it back from storage to edit it. Snapshots show it as a string.
 */
export class LiveText {
  readonly #initial: string
  readonly #type: Y.Text | undefined

  constructor(initial = '', type?: Y.Text) {
    this.#initial = initial
    this.#type = type
  }

  /** The `Y.Text`, once this text is in storage. */
  get type(): Y.Text {
    if (this.#type === undefined) {
      throw new Error('this LiveText is not in storage yet: read it back from storage to edit it')
    }
    return this.#type
  }

  get length(): number {
    return this.#type?.length ?? this.#initial.length
  }

  insert(index: number, text: string): void {
    this.type.insert(index, text)
  }

  delete(index: number, length: number): void {
    this.type.delete(index, length)
  }

  /**
   * Replaces the whole text with `next` as the smallest single edit (common prefix and suffix
   * kept), so that concurrent edits elsewhere survive: how an input's new value is applied.
   */
  set(next: string): void {
    const type = this.type
    const current = type.toString()
    if (next === current) return
    let start = 0
    const shorter = Math.min(current.length, next.length)
    while (start < shorter && current[start] === next[start]) start++
    let end = 0
    while (
      end < shorter - start &&
      current[current.length - 1 - end] === next[next.length - 1 - end]
    ) {
      end++
    }
    const apply = () => {
      type.delete(start, current.length - start - end)
      type.insert(start, next.slice(start, next.length - end))
    }
    if (type.doc) type.doc.transact(apply)
    else apply()
  }

  toString(): string {
    return this.#type?.toString() ?? this.#initial
  }

  toJSON(): string {
    return this.toString()
  }
}
