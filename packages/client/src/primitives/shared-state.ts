import type * as Y from 'yjs'
import { ListenerSet } from '../emitter.js'

export type Listener<Snapshot> = (snapshot: Snapshot) => void

/**
 * What every primitive shares: a Yjs type, a snapshot that stays the same object until the type
 * changes (what React's `useSyncExternalStore` requires), and change subscriptions. Listeners
 * run once per transaction, so a `room.transact()` of many mutations notifies once.
 *
 * `get` and `subscribe` are bound: they can be passed around on their own.
 */
// biome-ignore lint/suspicious/noExplicitAny: Yjs types are invariant in their event type
export abstract class SharedState<Type extends Y.AbstractType<any>, Snapshot> {
  /** The underlying Yjs type, for what the primitive does not cover. */
  readonly type: Type
  readonly #listeners = new ListenerSet<[Snapshot]>()
  /** Bumped on every change; memoised views compare against it. */
  #version = 0

  constructor(type: Type) {
    this.type = type
    type.observeDeep(this.#changed)
  }

  /** The current value. The same object is returned until something changes. */
  readonly get: () => Snapshot = this.memo(() => this.read())

  /** Calls `listener` with the new snapshot after every change; returns the unsubscribe. */
  readonly subscribe = (listener: Listener<Snapshot>): (() => void) => this.#listeners.add(listener)

  /** Stops observing the type and drops every listener. */
  dispose(): void {
    this.type.unobserveDeep(this.#changed)
    this.#listeners.clear()
  }

  protected abstract read(): Snapshot

  /** A getter for a value derived from the type, recomputed only after the type changed. */
  protected memo<V>(compute: () => V): () => V {
    let version = -1
    let value: V
    return () => {
      if (version !== this.#version) {
        value = compute()
        version = this.#version
      }
      return value
    }
  }

  protected get doc(): Y.Doc {
    const doc = this.type.doc
    if (doc === null) throw new Error('the shared type is not part of a document')
    return doc
  }

  protected transact(fn: () => void): void {
    this.doc.transact(fn)
  }

  readonly #changed = (): void => {
    this.#version++
    if (this.#listeners.size > 0) this.#listeners.emit(this.get())
  }
}
