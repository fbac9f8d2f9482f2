/**
 * What the relay needs from a store. Small on purpose: an adapter for another database is a
 * day's work, and every adapter must pass the shared acceptance suite in
 * `test/storage-acceptance.ts`.
 *
 * A room's history is a snapshot (a Yjs update holding the compacted document, or none) plus an
 * append-only log of Yjs updates written after it. Loading applies the snapshot and then the log
 * in order.
 *
 * Concurrency: the relay never has two writes (append or replace) for the same room in flight at
 * once; writes for different rooms may overlap freely.
 */
export interface Storage {
  /** Opens the store. The relay calls it once before anything else. */
  open(): Promise<void>
  /** True between a successful `open()` and `close()`. Drives `GET /readyz`. */
  isOpen(): boolean
  /** Everything stored for `room`. An unknown room is empty, not an error. */
  load(room: string): Promise<StoredRoom>
  /**
   * Appends updates to the room's log as one atomic write: after a crash either all of them are
   * stored or none. Resolves once the write has completed.
   */
  append(room: string, updates: readonly Uint8Array[]): Promise<void>
  /**
   * Compaction: atomically replaces the room's snapshot and its whole log by `snapshot`. After a
   * crash a load returns either the old history or the new snapshot, never a mix. `stateVector`
   * is the snapshot's state vector when the caller has it: stored with it and returned by
   * `load`, it spares the relay parsing the whole snapshot to learn it (on every cold load).
   */
  replace(room: string, snapshot: Uint8Array, stateVector?: Uint8Array): Promise<void>
  /** Names of every stored room, each once, in no particular order. */
  rooms(): AsyncIterable<string>
  /**
   * Optional: the relay has unloaded `room` (all its writes completed); an adapter may drop what
   * it keeps in memory for it.
   */
  release?(room: string): void
  /** Deletes the room's snapshot and log. Deleting an unknown room does nothing. */
  delete(room: string): Promise<void>
  /** Completes pending writes and releases the store. */
  close(): Promise<void>
}

export interface StoredRoom {
  snapshot: Uint8Array | null
  /** The snapshot's state vector, if it was stored with it (see `replace`). */
  stateVector?: Uint8Array
  log: Uint8Array[]
}
