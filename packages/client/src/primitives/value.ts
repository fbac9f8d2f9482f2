import type * as Y from 'yjs'
import { SharedState } from './shared-state.js'

/** The one entry of the root `Y.Map` that holds a value. */
const KEY = 'value'

/**
 * A whole JSON value, replaced as a unit: of concurrent `set`s one wins on every replica (Yjs
 * orders them by client id). Treat values as immutable: `set` a new object instead of
 * mutating the one `get` returned.
 */
export class SharedValue<T> extends SharedState<Y.Map<T>, T> {
  readonly #initial: T

  constructor(type: Y.Map<T>, initial: T) {
    super(type)
    this.#initial = initial
  }

  set(value: T): void {
    this.type.set(KEY, value)
  }

  /** Sets the value computed from the current one. */
  update(fn: (current: T) => T): void {
    this.set(fn(this.get()))
  }

  protected read(): T {
    return this.type.has(KEY) ? (this.type.get(KEY) as T) : this.#initial
  }
}
