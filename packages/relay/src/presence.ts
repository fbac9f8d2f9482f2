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
  // Both maps wait for the room's first awareness state: many rooms never see one.
  #entries: Map<number, AwarenessEntry> | null = null
  /** Which connection speaks for each awareness client id: nobody may overwrite another's. */
  #owners: Map<number, Connection> | null = null

  /**
   * Applies entries received from `connection`, with y-protocols' rule: a higher clock wins, and
   * a removal at the same clock wins over a state. Returns the entries to forward: all but those
   * for client ids another connection speaks for.
   */
  apply(entries: readonly AwarenessEntry[], connection: Connection): AwarenessEntry[] {
    const accepted: AwarenessEntry[] = []
    this.#entries ??= new Map()
    this.#owners ??= new Map()
    for (const entry of entries) {
      const owner = this.#owners.get(entry.clientId)
      if (owner !== undefined && owner !== connection) continue
      accepted.push(entry)
      const current = this.#entries.get(entry.clientId)
      const newer =
        current === undefined ||
        entry.clock > current.clock ||
        (entry.clock === current.clock && entry.state === AWARENESS_REMOVED)
      if (!newer) continue
      if (entry.state === AWARENESS_REMOVED) {
        this.#forget(entry.clientId, connection)
      } else {
        this.#entries.set(entry.clientId, entry)
        this.#owners.set(entry.clientId, connection)
        connection.awarenessIds ??= new Set()
        connection.awarenessIds.add(entry.clientId)
      }
    }
    return accepted
  }

  /** Forgets the states `connection` announced and returns the frame telling others, if any. */
  removeConnection(connection: Connection): Uint8Array | null {
    if (connection.awarenessIds === null || this.#entries === null) return null
    const removed: AwarenessEntry[] = []
    for (const clientId of connection.awarenessIds) {
      const current = this.#entries.get(clientId)
      if (current === undefined) continue
      this.#forget(clientId, connection)
      removed.push({ clientId, clock: current.clock + 1, state: AWARENESS_REMOVED })
    }
    return removed.length > 0 ? encodeAwareness(encodeAwarenessUpdate(removed)) : null
  }

  /** A frame holding every current state, for a newcomer; null when nobody is present. */
  encodeAll(): Uint8Array | null {
    return this.#entries !== null && this.#entries.size > 0
      ? encodeAwareness(encodeAwarenessUpdate(this.#entries.values()))
      : null
  }

  #forget(clientId: number, connection: Connection): void {
    this.#entries?.delete(clientId)
    this.#owners?.delete(clientId)
    connection.awarenessIds?.delete(clientId)
  }
}
