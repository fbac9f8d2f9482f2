import type { Storage, StoredRoom } from './storage.js'

/** Keeps rooms in process memory. For tests and throwaway relays: nothing survives a restart. */
export class MemoryStorage implements Storage {
  readonly #rooms = new Map<string, StoredRoom>()
  #open = false

  async open(): Promise<void> {
    this.#open = true
  }

  isOpen(): boolean {
    return this.#open
  }

  async load(room: string): Promise<StoredRoom> {
    this.#assertOpen()
    const stored = this.#rooms.get(room)
    return {
      snapshot: stored?.snapshot?.slice() ?? null,
      ...(stored?.stateVector && { stateVector: stored.stateVector.slice() }),
      log: stored?.log.map((u) => u.slice()) ?? [],
    }
  }

  async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    this.#assertOpen()
    if (updates.length === 0) return
    let stored = this.#rooms.get(room)
    if (!stored) {
      stored = { snapshot: null, log: [] }
      this.#rooms.set(room, stored)
    }
    // Copies: the caller may reuse its buffers, and a store must not alias them.
    for (const update of updates) stored.log.push(update.slice())
  }

  async replace(room: string, snapshot: Uint8Array, stateVector?: Uint8Array): Promise<void> {
    this.#assertOpen()
    this.#rooms.set(room, {
      snapshot: snapshot.slice(),
      ...(stateVector && { stateVector: stateVector.slice() }),
      log: [],
    })
  }

  async *rooms(): AsyncIterable<string> {
    this.#assertOpen()
    yield* [...this.#rooms.keys()]
  }

  async delete(room: string): Promise<void> {
    this.#assertOpen()
    this.#rooms.delete(room)
  }

  async close(): Promise<void> {
    this.#open = false
  }

  #assertOpen(): void {
    if (!this.#open) throw new Error('MemoryStorage is not open')
  }
}
