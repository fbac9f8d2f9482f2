import type { FastifyBaseLogger } from 'fastify'
import type { Limits } from './limits.js'
import { CorruptRoomError, Room } from './room.js'
import type { WritePolicy } from './room-writer.js'
import type { Storage } from './storage/storage.js'

interface Slot {
  readonly name: string
  readonly room: Promise<Room>
  holders: number
}

/** A connection's hold on a room: the room stays loaded until every lease is released. */
export interface RoomLease {
  readonly room: Promise<Room>
  release(): void
}

/** Raised for a connection to a quarantined room. */
export class QuarantinedRoomError extends Error {
  override readonly name = 'QuarantinedRoomError'
}

/**
 * Which rooms are in memory. A room is loaded by its first connection (concurrent first
 * connections share one load), and compacted, flushed and dropped when its last connection
 * leaves, so memory follows active rooms, not stored ones.
 *
 * A room whose stored history cannot be loaded is quarantined: it is not loaded again (each
 * attempt could cost seconds of every room's time) until the relay restarts, its clients are
 * told so, and it is listed for operators (`/readyz`, `app.accord.quarantinedRooms`). Its data
 * is never touched: `accord-relay export` recovers what applies.
 */
export class RoomRegistry {
  readonly #slots = new Map<string, Slot>()
  /** Quarantined rooms and why. */
  readonly quarantined = new Map<string, string>()

  constructor(
    private readonly storage: Storage,
    private readonly policy: WritePolicy,
    private readonly limits: Limits,
    private readonly log: FastifyBaseLogger,
  ) {}

  acquire(name: string): RoomLease {
    const slot = this.#slots.get(name) ?? this.#load(name)
    slot.holders++
    return new Lease(slot, this.#release)
  }

  readonly #release = (slot: Slot): void => {
    slot.holders--
    if (slot.holders === 0) void this.#unload(slot)
  }

  has(name: string): boolean {
    return this.#slots.has(name)
  }

  /** Rooms in memory, including those still loading. */
  get size(): number {
    return this.#slots.size
  }

  /** Writes every room's queued updates (compacting where worthwhile); used at shutdown. */
  async flushAll(): Promise<void> {
    await Promise.all(
      [...this.#slots.values()].map((slot) =>
        slot.room.then(
          (room) => room.flush(),
          () => undefined,
        ),
      ),
    )
  }

  #load(name: string): Slot {
    const reason = this.quarantined.get(name)
    const slot: Slot = {
      name,
      holders: 0,
      room:
        reason !== undefined
          ? Promise.reject(new QuarantinedRoomError(reason))
          : Room.load(name, this.storage, this.policy, this.limits, this.log, (_room, error) => {
              if (error instanceof CorruptRoomError) this.quarantined.set(name, error.message)
              this.#forget(slot)
            }),
    }
    // A failed load is not cached: the next connection tries again.
    slot.room.catch(() => this.#forget(slot))
    this.#slots.set(name, slot)
    return slot
  }

  async #unload(slot: Slot): Promise<void> {
    let room: Room
    try {
      room = await slot.room
    } catch {
      return
    }
    if (this.#slots.get(slot.name) === slot) await room.flush()
    // Someone may have joined while we were writing: then the room stays.
    if (slot.holders > 0) return
    this.#forget(slot)
    room.destroy()
    this.storage.release?.(slot.name)
  }

  /** Drops a slot from the map (a failed room is reloaded from storage by the next client). */
  #forget(slot: Slot): void {
    if (this.#slots.get(slot.name) === slot) this.#slots.delete(slot.name)
  }
}

/** One per connection, so one object: no closure and context of its own. */
class Lease implements RoomLease {
  #released = false

  constructor(
    private readonly slot: Slot,
    private readonly onRelease: (slot: Slot) => void,
  ) {}

  get room(): Promise<Room> {
    return this.slot.room
  }

  release(): void {
    if (this.#released) return
    this.#released = true
    this.onRelease(this.slot)
  }
}
