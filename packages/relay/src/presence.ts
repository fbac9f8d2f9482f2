import {
  AWARENESS_REMOVED,
  type AwarenessEntry,
  encodeAwareness,
  encodeAwarenessUpdate,
} from '@accord/protocol'
import type { Connection } from './connection.js'

/**
 * The relay's copy of a room's awareness (presence) states, kept as the JSON text the clients
 * sent. The relay only needs to hand the current states to newcomers and to announce who left,
 * so it neither parses states into objects nor runs y-protocols' per-room timers: a state lives
 * exactly as long as the connection that announced it.
 */
export class Presence {
  readonly #entries = new Map<number, AwarenessEntry>()

  /**
   * Applies entries received from `connection`, with y-protocols' rule: a higher clock wins, and
   * a removal at the same clock wins over a state.
   */
  apply(entries: readonly AwarenessEntry[], connection: Connection): void {
    for (const entry of entries) {
      const current = this.#entries.get(entry.clientId)
      const newer =
        current === undefined ||
        entry.clock > current.clock ||
        (entry.clock === current.clock && entry.state === AWARENESS_REMOVED)
      if (!newer) continue
      if (entry.state === AWARENESS_REMOVED) {
        this.#entries.delete(entry.clientId)
        connection.awarenessIds.delete(entry.clientId)
      } else {
        this.#entries.set(entry.clientId, entry)
        connection.awarenessIds.add(entry.clientId)
      }
    }
  }

  /** Forgets the states `connection` announced and returns the frame telling others, if any. */
  removeConnection(connection: Connection): Uint8Array | null {
    const removed: AwarenessEntry[] = []
    for (const clientId of connection.awarenessIds) {
      const current = this.#entries.get(clientId)
      if (current === undefined) continue
      this.#entries.delete(clientId)
      removed.push({ clientId, clock: current.clock + 1, state: AWARENESS_REMOVED })
    }
    connection.awarenessIds.clear()
    return removed.length > 0 ? encodeAwareness(encodeAwarenessUpdate(removed)) : null
  }

  /** A frame holding every current state, for a newcomer; null when nobody is present. */
  encodeAll(): Uint8Array | null {
    return this.#entries.size > 0
      ? encodeAwareness(encodeAwarenessUpdate(this.#entries.values()))
      : null
  }

  get size(): number {
    return this.#entries.size
  }
}
