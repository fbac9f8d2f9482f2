import type { BackoffOptions } from './backoff.js'
import type { TokenSource } from './connection.js'
import { type OpenRoomOptions, Room, type RoomOptions } from './room.js'
import type { WebSocketClass } from './socket.js'

export interface ClientOptions {
  /** The relay, e.g. `wss://relay.example.com`; a room is at `<url>/<room name>`. */
  url: string
  /** Sent as `?token=`; a function is called again on every (re)connect. */
  token?: TokenSource
  /** Defaults to the global `WebSocket`; in Node 20 pass the one from `ws`. */
  WebSocket?: WebSocketClass
  /** Keep a local replica in IndexedDB. Defaults to 'indexeddb' where `indexedDB` exists. */
  persistence?: 'indexeddb' | false
  /** Sync with other tabs of this origin directly (BroadcastChannel). Defaults to true in browsers. */
  crossTab?: boolean
  /** Reconnect delays: exponential with jitter, from `initialDelay` up to `maxDelay`. */
  backoff?: BackoffOptions
  /** Undo: edits closer together than this many ms form one step. Default 500. */
  history?: { captureTimeout?: number }
}

/** Opens rooms on one relay. One client per relay and set of credentials is enough. */
export class Client {
  readonly #options: RoomOptions
  // biome-ignore lint/suspicious/noExplicitAny: each room has its own storage shape
  readonly #rooms = new Map<string, Room<object, any>>()

  /** @internal Use `createClient`. */
  constructor(options: ClientOptions) {
    const WebSocket = options.WebSocket ?? globalThis.WebSocket
    if (WebSocket === undefined) {
      throw new TypeError('no WebSocket implementation: pass `WebSocket` from the `ws` package')
    }
    this.#options = {
      url: options.url.replace(/\/+$/, ''),
      WebSocket,
      token: options.token,
      persistence: (options.persistence ?? defaultPersistence()) === 'indexeddb',
      crossTab: options.crossTab ?? typeof document !== 'undefined',
      backoff: options.backoff ?? {},
      captureTimeout: options.history?.captureTimeout,
    }
  }

  /**
   * The room with this name (it may contain `/`), opened and connecting on first use; the same
   * instance on every call until it is closed. `P` types its presence state, `S` its storage.
   * `options` count when the room is opened; later calls get the open room as it is.
   */
  room<P extends object = Record<string, unknown>, S extends object = Record<string, unknown>>(
    name: string,
    options?: OpenRoomOptions<S>,
  ): Room<P, S> {
    if (name === '') throw new TypeError('a room name cannot be empty')
    let room = this.#rooms.get(name)
    if (room === undefined) {
      room = new Room(name, this.#options, () => this.#rooms.delete(name), options)
      this.#rooms.set(name, room)
    }
    // `P` and `S` only describe what the app puts in; the room itself does not depend on them.
    return room as unknown as Room<P, S>
  }

  /** Closes every open room; see `Room.close()`. */
  async close(): Promise<void> {
    await Promise.all([...this.#rooms.values()].map((room) => room.close()))
  }
}

export function createClient(options: ClientOptions): Client {
  return new Client(options)
}

function defaultPersistence(): 'indexeddb' | false {
  return typeof indexedDB === 'undefined' ? false : 'indexeddb'
}
