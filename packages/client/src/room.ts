import { type ShapeMismatchError, Storage } from '@accord/state'
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { BackoffOptions } from './backoff.js'
import { Connection, type RoomStatus, type TokenSource } from './connection.js'
import { Emitter } from './emitter.js'
import { AccordError } from './errors.js'
import { RoomEvents } from './events.js'
import { History } from './history.js'
import { LocalPersistence } from './persistence.js'
import { Presence } from './presence.js'
import { SharedCounter } from './primitives/counter.js'
import { SharedList } from './primitives/list.js'
import { SharedMap } from './primitives/map.js'
import { SharedText } from './primitives/text.js'
import { SharedValue } from './primitives/value.js'
import type { WebSocketClass } from './socket.js'
import { SaveTracker, type SyncStatus } from './sync-status.js'
import { Waitlist } from './waitlist.js'

/** @internal What a client passes to each of its rooms. */
export interface RoomOptions {
  url: string
  WebSocket: WebSocketClass
  token: TokenSource | undefined
  persistence: boolean
  crossTab: boolean
  backoff: BackoffOptions
  captureTimeout: number | undefined
}

export interface RoomEventMap {
  status(status: RoomStatus): void
  'sync-status'(status: SyncStatus): void
  /** `unsavedChanges` moved: a local change was made or acknowledged. */
  'unsaved-changes'(count: number): void
  error(error: AccordError): void
  /** `snapshot()` changed: a transaction changed the document, or a primitive was opened. */
  change(): void
}

/** What `client.room(name, options)` takes. */
export interface OpenRoomOptions<S extends object> {
  /**
   * Defaults of the room's storage, top-level field by field: written once the local replica
   * has loaded, for every field the room does not hold yet, as the same update on every client
   * (so clients seeding a new room at once, online or offline, end with one copy).
   */
  initialStorage?: Partial<S>
}

/** The snapshot of every primitive opened on a room, keyed by key. */
export type RoomSnapshot = Readonly<Record<string, unknown>>

type PrimitiveKind = 'value' | 'map' | 'list' | 'text' | 'counter'
interface Primitive {
  get(): unknown
  dispose(): void
}

/**
 * One shared document: its replica (in memory, and in IndexedDB when persistence is on), its
 * connection to the relay, and typed views over it. Get one from `client.room(name)`.
 *
 * Each primitive lives in a root-level Yjs type named by its key (`room.list('todos')` is
 * `doc.getArray('todos')`), so that clients creating it concurrently merge instead of
 * overwriting each other. A key holds one kind of primitive.
 */
export class Room<
  P extends object = Record<string, unknown>,
  S extends object = Record<string, unknown>,
> {
  readonly name: string
  readonly doc = new Y.Doc()
  /**
   * The room's typed, nested storage (see `@accord/state`): `storage.root` to read and write,
   * `storage.snapshot()` to render, `storage.subscribe` to hear of changes.
   */
  readonly storage: Storage<S>
  /** Settles once the local replica is loaded from IndexedDB (at once without persistence). */
  readonly whenLoaded: Promise<void>
  readonly presence: Presence<P>
  readonly events: RoomEvents
  readonly history: History
  readonly #emitter = new Emitter<RoomEventMap>()
  readonly #awareness = new Awareness(this.doc)
  readonly #connection: Connection
  readonly #saves: SaveTracker
  readonly #persistence: LocalPersistence | undefined
  readonly #primitives = new Map<string, { kind: PrimitiveKind; state: Primitive }>()
  readonly #waitlist = new Waitlist()
  readonly #onClose: () => void
  #syncStatus: SyncStatus = 'saved'
  #unsaved = 0
  #loaded: boolean
  #snapshot: RoomSnapshot = Object.freeze({})
  /** Why waiting is pointless: the room was closed or the relay refused us. */
  #fatal: AccordError | undefined
  #closing: Promise<void> | undefined

  /** @internal Use `client.room(name)`. */
  constructor(
    name: string,
    options: RoomOptions,
    onClose: () => void,
    { initialStorage }: OpenRoomOptions<S> = {},
  ) {
    this.name = name
    this.#onClose = onClose
    // Before any other listener of the document, so that every listener reads fresh snapshots.
    this.storage = new Storage<S>(this.doc)
    // Invisible to others until the app sets a presence.
    this.#awareness.setLocalState(null)
    if (options.persistence) {
      this.#persistence = new LocalPersistence(`accord:${options.url}/${name}`, this.doc, (error) =>
        this.#error(error),
      )
      this.#loaded = false
      this.whenLoaded = this.#persistence.whenLoaded.then(() => {
        this.#loaded = true
        this.#initializeStorage(initialStorage)
      })
    } else {
      this.#loaded = true
      this.whenLoaded = Promise.resolve()
    }
    const connection = new Connection({
      ...options,
      room: name,
      doc: this.doc,
      awareness: this.#awareness,
    })
    this.#connection = connection
    this.#saves = new SaveTracker(
      this.doc,
      (origin) => connection.isRemote(origin),
      () => this.#syncStatusChanged(),
    )
    this.presence = new Presence(this.#awareness)
    this.events = new RoomEvents(
      (event, data) => connection.sendEvent(event, data),
      (error) => this.#error(error),
    )
    this.history = new History(this.doc, options.captureTimeout)
    // Synchronous readers (React's useSyncExternalStore) get notified once per transaction.
    this.doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.changed.size > 0) this.#emitter.emit('change')
    })
    connection.on('opened', () => this.#saves.connectionOpened())
    connection.on('updateSent', (kind) => this.#saves.updateSent(kind))
    connection.on('ack', (count) => this.#saves.acked(count))
    connection.on('writeRejected', () => this.#saves.writeRejected())
    connection.on('synced', () => {
      this.#initializeStorage(initialStorage)
      this.#checkPrimitiveKinds()
      this.#waitlist.check()
    })
    connection.on('event', (event, data, from) => this.events.receive(event, data, from))
    connection.on('error', (error) => this.#error(error))
    connection.on('status', (status) => {
      this.#emitter.emit('status', status)
      this.#syncStatusChanged()
    })
    if (this.#loaded) this.#initializeStorage(initialStorage)
  }

  get status(): RoomStatus {
    return this.#connection.status
  }

  get syncStatus(): SyncStatus {
    return this.#syncStatus
  }

  /**
   * How many local changes (transactions) the relay has not acknowledged yet: what an
   * "N changes kept on this device" badge shows. Changes loaded from IndexedDB after a reload
   * count as one, since they arrive as one transaction. `'unsaved-changes'` tells when it moves.
   */
  get unsavedChanges(): number {
    return this.#saves.unsaved
  }

  /**
   * Connects again now, calling the token function anew: after the relay refused us (status
   * `unauthorized` or `forbidden`, e.g. once the user signed in again), or to skip a backoff.
   */
  reconnect(): void {
    if (this.#closing) throw new AccordError('room-closed', `room "${this.name}" was closed`)
    this.#fatal = undefined
    this.#connection.reconnect()
  }

  /** Whether `whenLoaded` has settled: true at once without persistence. */
  get loaded(): boolean {
    return this.#loaded
  }

  /**
   * The whole state as plain JSON: the snapshot of every primitive opened on this room so far
   * (by any code), keyed by key, e.g. `{ todos: [...], title: 'x', votes: 3 }`. Keys that were
   * never opened here are absent, since only opening tells which kind of primitive a key holds.
   * Frozen, and the same object until one of those snapshots changes or another key is opened;
   * `room.on('change')` tells when to read it again.
   */
  snapshot(): RoomSnapshot {
    const previous = this.#snapshot
    let changed = Object.keys(previous).length !== this.#primitives.size
    const next: Record<string, unknown> = {}
    for (const [key, { state }] of this.#primitives) {
      next[key] = state.get()
      changed ||= next[key] !== previous[key]
    }
    if (changed) this.#snapshot = Object.freeze(next)
    return this.#snapshot
  }

  on<E extends keyof RoomEventMap>(event: E, listener: RoomEventMap[E]): () => void {
    return this.#emitter.on(event, listener)
  }

  /**
   * Resolves once we hold everything the relay had when the current connection was made.
   * Rejects if the room is closed or the relay refuses the connection first.
   */
  whenSynced(): Promise<void> {
    return this.#wait(() => this.#connection.synced)
  }

  /**
   * Resolves once every local change made so far is on the relay's disk. Rejects if the room
   * is closed or the relay refuses the connection first.
   */
  whenSaved(): Promise<void> {
    const target = this.#saves.changes
    return this.#wait(() => this.#saves.saved >= target)
  }

  /**
   * A whole JSON value, last writer wins; `initial` until someone sets it.
   * @deprecated Use `room.storage`: a field of the storage root holds any JSON value.
   */
  value<T>(key: string): SharedValue<T | undefined>
  value<T>(key: string, initial: T): SharedValue<T>
  value<T>(key: string, initial?: T): SharedValue<T | undefined> {
    return this.#open(
      key,
      'value',
      () => new SharedValue(this.doc.getMap<T | undefined>(key), initial),
    )
  }

  /**
   * An object whose keys merge independently (values are replaced whole).
   * @deprecated Use `room.storage`, where nested objects merge field by field.
   */
  map<T extends Record<string, unknown>>(key: string): SharedMap<T> {
    return this.#open(key, 'map', () => new SharedMap<T>(this.doc.getMap(key)))
  }

  /**
   * An ordered list with stable item ids (items are replaced whole; concurrent moves can copy).
   * @deprecated Use `room.storage`: its lists move without copies and merge inside items.
   */
  list<T>(key: string): SharedList<T> {
    return this.#open(key, 'list', () => new SharedList<T>(this.doc.getArray(key)))
  }

  /** Collaborative plain text. */
  text(key: string): SharedText {
    return this.#open(key, 'text', () => new SharedText(this.doc.getText(key)))
  }

  /** A number that concurrent increments add up on. */
  counter(key: string): SharedCounter {
    return this.#open(key, 'counter', () => new SharedCounter(this.doc.getMap(key)))
  }

  /** Runs `fn` as one transaction: one update on the wire, one notification per primitive. */
  transact<R>(fn: () => R): R {
    let result: R | undefined
    this.doc.transact(() => {
      result = fn()
    })
    return result as R
  }

  /**
   * Leaves the room: presence cleared (others see us go at once), socket closed, pending
   * `whenSynced`/`whenSaved` rejected, no timers left. Resolves once IndexedDB has closed. The
   * document stays readable; `client.room(name)` afterwards opens a fresh room.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing
    this.#fatal = new AccordError('room-closed', `room "${this.name}" was closed`)
    this.#waitlist.rejectAll(this.#fatal)
    this.#awareness.setLocalState(null)
    this.#connection.close()
    for (const { state } of this.#primitives.values()) state.dispose()
    this.storage.dispose()
    this.presence.dispose()
    this.events.dispose()
    this.history.dispose()
    this.#saves.destroy()
    this.#awareness.destroy()
    this.#emitter.clear()
    this.#onClose()
    this.#closing = this.#persistence?.destroy() ?? Promise.resolve()
    return this.#closing
  }

  #open<S extends Primitive>(key: string, kind: PrimitiveKind, create: () => S): S {
    if (this.#closing) throw new AccordError('room-closed', `room "${this.name}" was closed`)
    const open = this.#primitives.get(key)
    if (open === undefined) {
      const state = create()
      this.#primitives.set(key, { kind, state })
      // Announced after the current task: UIs open primitives while rendering, and a listener
      // that updated other components from inside a render would be an error in React.
      queueMicrotask(() => this.#emitter.emit('change'))
      this.#checkPrimitiveKinds()
      return state
    }
    if (open.kind !== kind) {
      throw new TypeError(`"${key}" is a ${open.kind} in room "${this.name}", not a ${kind}`)
    }
    return open.state as S
  }

  /** Writes the defaults the room lacks, once loaded; says where storage has another shape. */
  #initializeStorage(initialStorage: Partial<S> | undefined): void {
    if (initialStorage === undefined || this.#closing) return
    for (const mismatch of this.storage.initialize(initialStorage)) this.#shapeMismatch(mismatch)
  }

  /**
   * A root type holds what another client stored: a `list` opened where another client keeps
   * a `map` would silently show nothing of the other's data, so say so.
   */
  #checkPrimitiveKinds(): void {
    for (const [key, { kind, state }] of this.#primitives) {
      const type = (state as { type?: Y.AbstractType<unknown> }).type
      if (type === undefined) continue
      const found = storedKind(type)
      if (found !== undefined && found !== expectedStorage(kind)) {
        this.#error(
          new AccordError(
            'shape-mismatch',
            `"${key}" in room "${this.name}" holds ${found} data, but this client opened it as a ${kind}`,
          ),
        )
      }
    }
  }

  #shapeMismatch(mismatch: ShapeMismatchError): void {
    this.#error(
      new AccordError('shape-mismatch', `room "${this.name}": ${mismatch.message}`, {
        cause: mismatch,
      }),
    )
  }

  #wait(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve()
    if (this.#fatal) return Promise.reject(this.#fatal)
    return this.#waitlist.wait(done)
  }

  #error(error: AccordError): void {
    if (error.code === 'unauthorized' || error.code === 'forbidden' || error.code === 'rejected') {
      this.#fatal = error
      this.#waitlist.rejectAll(error)
    }
    this.#emitter.emit('error', error)
  }

  #syncStatusChanged(): void {
    this.#waitlist.check()
    if (this.#saves.unsaved !== this.#unsaved) {
      this.#unsaved = this.#saves.unsaved
      this.#emitter.emit('unsaved-changes', this.#unsaved)
    }
    const status = this.#saves.status(this.#connection.status === 'connected')
    if (status === this.#syncStatus) return
    this.#syncStatus = status
    this.#emitter.emit('sync-status', status)
  }
}

/** What a root type holds, from its content: sequence items, map entries, or nothing yet. */
function storedKind(type: Y.AbstractType<unknown>): 'sequence' | 'keyed' | undefined {
  if (type._start !== null) return 'sequence'
  if (type._map.size > 0) return 'keyed'
  return undefined
}

function expectedStorage(kind: PrimitiveKind): 'sequence' | 'keyed' {
  return kind === 'list' || kind === 'text' ? 'sequence' : 'keyed'
}
