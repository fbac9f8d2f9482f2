import { Emitter } from './emitter.js'
import { AccordError } from './errors.js'

export type EventListener<T> = (data: T, from: string) => void

/**
 * Ephemeral broadcast to the room's other connections, through the relay: publish/subscribe
 * by name, nothing stored, nothing delivered to whoever was not connected at the time.
 */
export class RoomEvents {
  readonly #send: (name: string, data: Uint8Array) => boolean
  readonly #onError: (error: AccordError) => void
  readonly #listeners = new Emitter<Record<string, EventListener<unknown>>>()

  /** @internal Created by the room. */
  constructor(
    send: (name: string, data: Uint8Array) => boolean,
    onError: (error: AccordError) => void,
  ) {
    this.#send = send
    this.#onError = onError
  }

  /**
   * Sends `data` (anything `JSON.stringify` accepts) to everyone else in the room. Returns
   * false if it could not be sent: not connected, or the relay does not relay events.
   */
  publish(name: string, data?: unknown): boolean {
    return this.#send(name, new TextEncoder().encode(JSON.stringify(data ?? null)))
  }

  /** `from` is the sender's identity as the relay knows it. */
  subscribe<T = unknown>(name: string, listener: EventListener<T>): () => void {
    return this.#listeners.on(name, listener as EventListener<unknown>)
  }

  /** @internal Delivers an event received from the relay. */
  receive(name: string, data: Uint8Array, from: string): void {
    let value: unknown
    try {
      value = JSON.parse(new TextDecoder().decode(data))
    } catch (cause) {
      this.#onError(new AccordError('protocol-error', `event "${name}" is not JSON`, { cause }))
      return
    }
    this.#listeners.emit(name, value, from)
  }

  dispose(): void {
    this.#listeners.clear()
  }
}
