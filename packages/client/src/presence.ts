import type { Awareness } from 'y-protocols/awareness'
import { ListenerSet } from './emitter.js'

/** Another connection's presence. */
export interface PresenceEntry<P> {
  /** The connection's Yjs client id: unique per open room, so one user may appear twice. */
  readonly connectionId: number
  readonly state: P
}

export interface PresenceSnapshot<P> {
  /** My state, or null when I have not set one (others do not see me then). */
  readonly self: P | null
  /** Everyone else in the room who has set a state, in connection id order. */
  readonly others: readonly PresenceEntry<P>[]
}

/**
 * Who is here and what they are doing (cursor, selection, name...), over y-protocols'
 * awareness: not stored, gone when a connection leaves or stops renewing it. `P` should
 * include whatever identifies a user to the app (a user id, a name).
 */
export class Presence<P extends object> {
  readonly #awareness: Awareness
  readonly #listeners = new ListenerSet<[PresenceSnapshot<P>]>()
  #snapshot: PresenceSnapshot<P> | undefined

  constructor(awareness: Awareness) {
    this.#awareness = awareness
    // `change`, not `update`: the periodic renewal of an unchanged state is not a change.
    awareness.on('change', this.#changed)
  }

  /** This connection's id, as others see it in `others`. */
  get connectionId(): number {
    return this.#awareness.clientID
  }

  /** The current presence; the same object until something changes. */
  readonly get = (): PresenceSnapshot<P> => {
    this.#snapshot ??= Object.freeze({
      self: (this.#awareness.getLocalState() as P | null) ?? null,
      others: Object.freeze(this.#others()),
    })
    return this.#snapshot
  }

  readonly subscribe = (listener: (snapshot: PresenceSnapshot<P>) => void): (() => void) =>
    this.#listeners.add(listener)

  /** Replaces my state; null hides me. */
  set(state: P | null): void {
    this.#awareness.setLocalState(state)
  }

  /** Merges `partial` into my state. */
  update(partial: Partial<P>): void {
    this.set({ ...(this.get().self ?? {}), ...partial } as P)
  }

  dispose(): void {
    this.#awareness.off('change', this.#changed)
    this.#listeners.clear()
  }

  #others(): PresenceEntry<P>[] {
    const others: PresenceEntry<P>[] = []
    for (const [connectionId, state] of this.#awareness.getStates()) {
      if (connectionId !== this.#awareness.clientID && state !== null) {
        others.push(Object.freeze({ connectionId, state: state as P }))
      }
    }
    return others.sort((a, b) => a.connectionId - b.connectionId)
  }

  readonly #changed = (): void => {
    this.#snapshot = undefined
    if (this.#listeners.size > 0) this.#listeners.emit(this.get())
  }
}
