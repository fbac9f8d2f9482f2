import type * as Y from 'yjs'
import { SharedState } from './shared-state.js'

/**
 * A number that concurrent increments add up on. Stored as a `Y.Map` from client id to that
 * client's running total; the value is the sum. Each client only writes its own entry, so
 * writes never conflict, and an increment replaces the entry (the old one is garbage-collected):
 * the map grows by one small entry per editing session, not per increment as a `Y.Array` of
 * deltas would.
 */
export class SharedCounter extends SharedState<Y.Map<number>, number> {
  increment(by = 1): void {
    if (!Number.isFinite(by)) throw new RangeError(`cannot increment a counter by ${by}`)
    // Read the client id on every call: Yjs changes it if it detects a collision.
    const me = String(this.doc.clientID)
    this.type.set(me, (this.type.get(me) ?? 0) + by)
  }

  decrement(by = 1): void {
    this.increment(-by)
  }

  protected read(): number {
    let sum = 0
    for (const total of this.type.values()) sum += total
    return sum
  }
}
