import type * as Y from 'yjs'
import { SharedState } from './shared-state.js'

/**
 * An object whose keys merge independently: concurrent writes to different keys all survive;
 * of concurrent writes to the same key, one wins. The snapshot is a frozen plain object.
 */
export class SharedMap<T extends Record<string, unknown>> extends SharedState<
  Y.Map<unknown>,
  Readonly<Partial<T>>
> {
  set<K extends keyof T & string>(key: K, value: T[K]): void {
    this.type.set(key, value)
  }

  /** Sets several keys in one transaction. */
  update(values: Partial<T>): void {
    this.transact(() => {
      for (const [key, value] of Object.entries(values)) this.type.set(key, value)
    })
  }

  delete(key: keyof T & string): void {
    this.type.delete(key)
  }

  protected read(): Readonly<Partial<T>> {
    return Object.freeze(this.type.toJSON() as Partial<T>)
  }
}
