import type * as Y from 'yjs'
import { SharedState } from './shared-state.js'

/** Collaborative plain text: concurrent edits merge character by character. */
export class SharedText extends SharedState<Y.Text, string> {
  insert(index: number, text: string): void {
    this.type.insert(index, text)
  }

  delete(index: number, length: number): void {
    this.type.delete(index, length)
  }

  /**
   * Replaces the whole text with `next`, as the smallest single edit (common prefix and suffix
   * are kept), so that concurrent edits elsewhere in the text survive. This is how an input
   * element's new value is applied.
   */
  set(next: string): void {
    const current = this.type.toString()
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
    this.transact(() => {
      this.type.delete(start, current.length - start - end)
      this.type.insert(start, next.slice(start, next.length - end))
    })
  }

  protected read(): string {
    return this.type.toString()
  }
}
