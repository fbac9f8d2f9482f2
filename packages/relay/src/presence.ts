import {
  AWARENESS_REMOVED,
  type AwarenessEntry,
  CloseCode,
  encodeAwareness,
  encodeAwarenessUpdate,
} from '@accord/protocol'
import type { Connection } from './connection.js'
import type { Limits } from './limits.js'
import { Rejection } from './rejection.js'

/** A departed user's awareness client id, kept for them in case they come back. */
interface Reservation {
  userId: string
  until: number
}

/**
 * The relay's copy of a room's awareness (presence) states, kept as the JSON text the clients
 * sent. The relay only needs to hand the current states to newcomers and to announce who left,
 * so it neither parses states into objects nor runs y-protocols' per-room timers: a state lives
 * exactly as long as the connection that announced it.
 *
 * Each state is limited in size, and so are a room's states together. An awareness client id
 * belongs to the connection that introduced it; once that connection is gone it stays reserved
 * for the same user for RESERVATION_MS (a reconnecting client keeps its id), so nobody else can
 * take it over and show their state under it.
 */
export class Presence {
  // Both maps wait for the room's first awareness state: many rooms never see one.
  #entries: Map<number, AwarenessEntry> | null = null
  /** Which connection speaks for each awareness client id: nobody may overwrite another's. */
  #owners: Map<number, Connection> | null = null
  /** Ids of authenticated users who left, oldest first (a Map keeps insertion order). */
  readonly #reserved = new Map<number, Reservation>()
  #bytes = 0

  constructor(private readonly limits: Pick<Limits, 'maxPresenceBytes' | 'maxRoomPresenceBytes'>) {}

  /**
   * Applies entries received from `connection`, with y-protocols' rule: a higher clock wins, and
   * a removal at the same clock wins over a state. Returns the entries to forward: all but those
   * for client ids another connection or user speaks for, and states that would not fit in the
   * room's limit (`full` counts those).
   *
   * @throws {Rejection} for a state over the per-state limit.
   */
  apply(
    entries: readonly AwarenessEntry[],
    connection: Connection,
  ): { accepted: AwarenessEntry[]; full: number } {
    const accepted: AwarenessEntry[] = []
    let full = 0
    this.#entries ??= new Map()
    this.#owners ??= new Map()
    for (const entry of entries) {
      const size = sizeOf(entry)
      if (size > this.limits.maxPresenceBytes) {
        throw new Rejection(
          CloseCode.presenceTooBig,
          `a presence state is larger than ${this.limits.maxPresenceBytes} bytes`,
        )
      }
      const owner = this.#owners.get(entry.clientId)
      if (owner !== undefined && owner !== connection) continue
      if (owner === undefined && !this.#mayClaim(entry.clientId, connection)) continue
      const current = this.#entries.get(entry.clientId)
      const newer =
        current === undefined ||
        entry.clock > current.clock ||
        (entry.clock === current.clock && entry.state === AWARENESS_REMOVED)
      if (!newer) {
        accepted.push(entry)
        continue
      }
      if (entry.state === AWARENESS_REMOVED) {
        accepted.push(entry)
        this.#forget(entry.clientId, connection)
        continue
      }
      const grows = size - (current === undefined ? 0 : sizeOf(current))
      if (this.#bytes + grows > this.limits.maxRoomPresenceBytes) {
        full++
        continue
      }
      accepted.push(entry)
      this.#bytes += grows
      this.#entries.set(entry.clientId, entry)
      this.#owners.set(entry.clientId, connection)
      this.#reserved.delete(entry.clientId)
      connection.awarenessIds ??= new Set()
      connection.awarenessIds.add(entry.clientId)
    }
    return { accepted, full }
  }

  /** Forgets the states `connection` announced and returns the frame telling others, if any. */
  removeConnection(connection: Connection): Uint8Array | null {
    if (connection.awarenessIds === null || this.#entries === null) return null
    const removed: AwarenessEntry[] = []
    const now = Date.now()
    this.#expireReservations(now)
    for (const clientId of connection.awarenessIds) {
      const current = this.#entries.get(clientId)
      if (current === undefined) continue
      this.#forget(clientId, connection)
      removed.push({ clientId, clock: current.clock + 1, state: AWARENESS_REMOVED })
      if (connection.userId !== undefined) {
        this.#reserved.set(clientId, { userId: connection.userId, until: now + RESERVATION_MS })
        // Bounded: past MAX_RESERVATIONS the oldest reservation goes.
        if (this.#reserved.size > MAX_RESERVATIONS) {
          this.#reserved.delete(this.#reserved.keys().next().value as number)
        }
      }
    }
    return removed.length > 0 ? encodeAwareness(encodeAwarenessUpdate(removed)) : null
  }

  /** A frame holding every current state, for a newcomer; null when nobody is present. */
  encodeAll(): Uint8Array | null {
    return this.#entries !== null && this.#entries.size > 0
      ? encodeAwareness(encodeAwarenessUpdate(this.#entries.values()))
      : null
  }

  /** Whether `connection` may introduce `clientId`: not while it is reserved for someone else. */
  #mayClaim(clientId: number, connection: Connection): boolean {
    const reservation = this.#reserved.get(clientId)
    return (
      reservation === undefined ||
      reservation.userId === connection.userId ||
      reservation.until <= Date.now()
    )
  }

  #expireReservations(now: number): void {
    for (const [clientId, reservation] of this.#reserved) {
      if (reservation.until > now) break
      this.#reserved.delete(clientId)
    }
  }

  #forget(clientId: number, connection: Connection): void {
    const current = this.#entries?.get(clientId)
    if (current !== undefined) this.#bytes -= sizeOf(current)
    this.#entries?.delete(clientId)
    this.#owners?.delete(clientId)
    connection.awarenessIds?.delete(clientId)
  }
}

/**
 * How long a departed user's awareness client ids stay theirs. y-websocket clients reconnect
 * within seconds and keep their id; a user gone longer gets a fresh one on their next visit.
 */
const RESERVATION_MS = 5 * 60_000

/** Reservations per room; the oldest goes first, so the bookkeeping cannot grow without bound. */
const MAX_RESERVATIONS = 1_024

/** What an entry costs: the UTF-8 bytes of its JSON text, and its ids. */
function sizeOf(entry: AwarenessEntry): number {
  return Buffer.byteLength(entry.state) + ENTRY_OVERHEAD
}

/** Bytes counted per entry beyond its state: a room of empty states is limited too. */
const ENTRY_OVERHEAD = 16
