/** A set of listeners; `add` returns the matching remove. */
export class ListenerSet<Args extends unknown[]> {
  readonly #listeners = new Set<(...args: Args) => void>()

  get size(): number {
    return this.#listeners.size
  }

  add(listener: (...args: Args) => void): () => void {
    // Wrapped so that the same function added twice is also called and removed twice.
    const entry = (...args: Args): void => listener(...args)
    this.#listeners.add(entry)
    return () => {
      this.#listeners.delete(entry)
    }
  }

  emit(...args: Args): void {
    // A copy: a listener may remove itself or others while we iterate.
    for (const listener of [...this.#listeners]) listener(...args)
  }

  clear(): void {
    this.#listeners.clear()
  }
}

// biome-ignore lint/suspicious/noExplicitAny: each emitter declares its own listener signatures
type EventMap<Events> = { [E in keyof Events]: (...args: any[]) => void }

/** A minimal typed event emitter whose `on` returns the matching unsubscribe function. */
export class Emitter<Events extends EventMap<Events>> {
  readonly #events = new Map<keyof Events, ListenerSet<unknown[]>>()

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.#events.get(event)
    if (set === undefined) {
      set = new ListenerSet()
      this.#events.set(event, set)
    }
    return set.add(listener)
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    this.#events.get(event)?.emit(...args)
  }

  clear(): void {
    this.#events.clear()
  }
}
