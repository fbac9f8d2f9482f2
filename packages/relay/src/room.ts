import {
  ALL_FEATURES,
  CloseCode,
  decodeAwarenessUpdate,
  decodeMessage,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodeEvent,
  encodeHello,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  Feature,
  type Message,
  PROTOCOL_VERSION,
  ProtocolError,
} from '@accord/protocol'
import type { FastifyBaseLogger } from 'fastify'
import * as Y from 'yjs'
import type { Connection } from './connection.js'
import type { Limits } from './limits.js'
import { Presence } from './presence.js'
import { Rejection } from './rejection.js'
import { RoomStructure } from './room-structure.js'
import { RoomWriter, type WritePolicy } from './room-writer.js'
import type { Storage, StoredRoom } from './storage/storage.js'
import { CostLimitError, readUpdate } from './update-structure.js'

/** Raised when a room's stored history cannot be applied; the room is then not served. */
export class CorruptRoomError extends Error {
  override readonly name = 'CorruptRoomError'
}

/**
 * A loaded room: its document, its presence, its connections and its writer. Every frame of
 * every connection in the room enters through `receive`, is decoded once and dispatched to one
 * handler of the table below.
 *
 * A small room (no snapshot, a history under 16 KiB: most rooms of a many-rooms deployment) has
 * no Y.Doc: its updates are checked, stored and forwarded, and clients are served their merge.
 * An empty Y.Doc alone is ~2 KB of heap, a third of what such a room costs; the document is
 * built once the room outgrows that, or once it holds SMALL_ROOM_UPDATES unmerged updates.
 */
export class Room {
  readonly presence: Presence
  readonly connections = new Set<Connection>()
  readonly writer: RoomWriter
  /** The stored history, until the document is built from it (see `doc`). */
  #stored: StoredRoom | null
  /** The stored snapshot's state vector, as stored or once computed (see #snapshotStateVector). */
  #storedStateVector: Uint8Array | null = null
  #doc: Y.Doc | null = null
  /** A small room's history merged into one update, and its state vector (see #smallHistory). */
  #small: { update: Uint8Array; stateVector: Uint8Array } | null = null
  /** Connections still owed the relay's step 1, which needs the document's state vector. */
  #ungreeted: Set<Connection> | null = null
  #inbox: Incoming[] = []
  #inboxBytes = 0
  #inboxScheduled = false
  /** What updates would cost; built when the room's first update is checked. */
  #structure: RoomStructure | null = null
  #failed = false

  private constructor(
    readonly name: string,
    storage: Storage,
    policy: WritePolicy,
    private readonly limits: Limits,
    private readonly log: FastifyBaseLogger,
    stored: StoredRoom,
    private readonly onFailure: (room: Room, error: Error) => void,
  ) {
    this.presence = new Presence(limits)
    this.#stored = stored
    this.#storedStateVector = stored.stateVector ?? null
    const encodeSnapshot = () => ({
      update: Y.encodeStateAsUpdate(this.doc),
      stateVector: Y.encodeStateVector(this.doc),
    })
    this.writer = new RoomWriter(
      name,
      storage,
      policy,
      encodeSnapshot,
      (error) => this.fail(error, 'storage write failed'),
      stored,
    )
  }

  static async load(
    name: string,
    storage: Storage,
    policy: WritePolicy,
    limits: Limits,
    log: FastifyBaseLogger,
    onFailure: (room: Room, error: Error) => void,
  ): Promise<Room> {
    return new Room(name, storage, policy, limits, log, await storage.load(name), onFailure)
  }

  /**
   * The room's document, built from the stored history on first use. Building it is most of
   * the cost of loading a room, and a client that arrives with an empty replica is served from
   * the stored bytes without it (see the step 1 handler), so it waits until something needs it.
   *
   * @throws {CorruptRoomError} when the stored history cannot be applied.
   */
  get doc(): Y.Doc {
    if (this.#doc !== null) return this.#doc
    const stored = this.#stored as StoredRoom
    const doc = new Y.Doc()
    try {
      // One transaction for the whole history: Yjs then integrates and cleans up once.
      doc.transact(() => {
        if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
        for (const update of stored.log) Y.applyUpdate(doc, update)
      })
    } catch (error) {
      doc.destroy()
      throw new CorruptRoomError(
        `stored history of room "${this.name}" cannot be applied: ${(error as Error).message}`,
      )
    }
    this.#doc = doc
    this.#stored = null
    this.#small = null
    return doc
  }

  /**
   * What a client with `stateVector` lacks. A client with an empty replica (every new device,
   * every cold load) gets the stored snapshot as it is, before the document even exists.
   */
  missing(stateVector: Uint8Array): Uint8Array {
    const stored = this.#stored
    // Only a lone snapshot (or nothing) qualifies: step 2 must hold everything, since clients
    // count themselves synced on receiving it. Unloading compacts, so stored rooms usually are.
    if (stored !== null && stored.log.length === 0) {
      if (stored.snapshot === null) {
        Y.decodeStateVector(stateVector) // still refuse a malformed one
        return EMPTY_UPDATE
      }
      if (isEmptyStateVector(stateVector)) {
        this.#snapshotStateVector(stored.snapshot) // parsed before any of it is sent
        return stored.snapshot
      }
    }
    const small = this.#smallHistory()
    if (small !== null) {
      return isEmptyStateVector(stateVector)
        ? small.update
        : Y.diffUpdate(small.update, stateVector)
    }
    return Y.encodeStateAsUpdate(this.doc, stateVector)
  }

  /**
   * A small room's whole history as one update (the in-memory log is folded into it), or null
   * if the room has, or needs, its document. Merging parses every update, so a stored one that
   * does not decode is refused before a client gets any of it.
   *
   * @throws {CorruptRoomError} when the stored history cannot be decoded.
   */
  #smallHistory(): { update: Uint8Array; stateVector: Uint8Array } | null {
    const stored = this.#stored
    if (this.#small !== null || stored === null || !this.writer.isSmall()) return this.#small
    try {
      // mergeUpdates returns a lone update as it is: decoding it checks it.
      if (stored.log.length === 1) Y.decodeUpdate(stored.log[0] as Uint8Array)
      const update = Y.mergeUpdates(stored.log)
      stored.log = [update]
      this.#small = { update, stateVector: Y.encodeStateVectorFromUpdate(update) }
    } catch (error) {
      throw new CorruptRoomError(
        `stored history of room "${this.name}" cannot be decoded: ${(error as Error).message}`,
      )
    }
    return this.#small
  }

  /**
   * The stored snapshot's state vector, without building the document: as stored beside it
   * (the storage checks the snapshot against its checksum), or else computed. Computing it
   * parses every struct, so a snapshot that does not decode is refused before a client gets it.
   */
  #snapshotStateVector(snapshot: Uint8Array): Uint8Array {
    if (this.#storedStateVector === null) {
      try {
        this.#storedStateVector = Y.encodeStateVectorFromUpdate(snapshot)
      } catch (error) {
        throw new CorruptRoomError(
          `stored snapshot of room "${this.name}" cannot be decoded: ${(error as Error).message}`,
        )
      }
    }
    return this.#storedStateVector
  }

  /**
   * Greets a new connection with the relay's step 1, which pulls the client's offline edits.
   * Until the room's first update the document need not exist: the state vector comes from
   * the stored snapshot, after this turn, so the client's own step 1 (usually queued already)
   * is answered first.
   */
  join(connection: Connection): void {
    if (this.#failed) {
      // It failed while this connection waited for it to load; the registry has dropped it.
      connection.close(this.#failureCode, 'the relay could not load this room; reconnect later')
      return
    }
    this.connections.add(connection)
    if (this.#doc !== null) {
      connection.send(encodeSyncStep1(Y.encodeStateVector(this.#doc)))
    } else if (this.#stored?.snapshot === null && this.#stored.log.length === 0) {
      // A room with no history has an empty state vector: rooms only visited cost no Y.Doc.
      connection.send(EMPTY_STEP1)
    } else {
      if (this.#ungreeted === null) {
        this.#ungreeted = new Set()
        setImmediate(this.#greetLater)
      }
      this.#ungreeted.add(connection)
    }
    const presence = this.presence.encodeAll()
    if (presence !== null) connection.send(presence)
  }

  readonly #greetLater = (): void => {
    const ungreeted = this.#ungreeted as Set<Connection>
    this.#ungreeted = null
    if (this.#failed) return
    let step1: Uint8Array
    try {
      const stored = this.#stored
      const stateVector =
        stored?.snapshot && stored.log.length === 0
          ? this.#snapshotStateVector(stored.snapshot)
          : (this.#smallHistory()?.stateVector ?? Y.encodeStateVector(this.doc))
      step1 = encodeSyncStep1(stateVector)
    } catch (error) {
      this.fail(error as Error, 'loading the room failed')
      return
    }
    for (const connection of ungreeted) {
      if (this.connections.has(connection)) connection.send(step1)
    }
  }

  /** Frees the document; the room is gone from the registry. */
  destroy(): void {
    this.#doc?.destroy()
  }

  leave(connection: Connection): void {
    if (!this.connections.delete(connection)) return
    const removal = this.presence.removeConnection(connection)
    if (removal !== null) this.broadcast(removal, null)
  }

  receive(connection: Connection, frame: Uint8Array): void {
    if (this.#failed) return
    this.guard(connection, () => {
      const message = decodeMessage(frame)
      // Whatever answers this message must see every update received before it.
      if (this.#inbox.length > 0 && !isUpdate(message)) this.applyInbox()
      handlers[message.type](this, connection, message as never, frame)
    })
  }

  /** Runs what handles a frame of `connection`: bad input costs that connection, nothing else. */
  guard(connection: Connection, handle: () => void): void {
    try {
      handle()
    } catch (error) {
      if (error instanceof CorruptRoomError) {
        this.fail(error, 'loading the room failed')
        return
      }
      if (error instanceof ProtocolError || error instanceof Rejection) {
        connection.close(
          error instanceof Rejection ? error.code : CloseCode.badMessage,
          error.message,
        )
        return
      }
      // A bug of ours must cost one connection, never the process.
      this.log.error(
        { room: this.name, connection: connection.id, err: error },
        'unexpected error handling a frame',
      )
      connection.close(CloseCode.internalError, 'internal error')
    }
  }

  /**
   * Answers `connection`'s requests of one kind (its state, the room's presence) at most once
   * per `answerIntervalMs`: a client repeating them gets one answer per interval, computed then.
   */
  answer(connection: Connection, kind: 'sync' | 'presence', respond: () => void): void {
    connection.throttle(kind, () => {
      if (this.#failed) return
      if (this.#inbox.length > 0) this.applyInbox()
      this.guard(connection, respond)
    })
  }

  /** Sends one already-encoded frame to every connection but `except` (with `feature`, if given). */
  broadcast(frame: Uint8Array, except: Connection | null, feature = 0): void {
    for (const connection of this.connections) {
      if (connection !== except && (feature === 0 || connection.has(feature)))
        connection.send(frame)
    }
  }

  /**
   * After a storage failure or a corrupt stored history: nothing unsaved may be acknowledged or
   * kept in memory. The room's clients are closed with `storageFailure` and reconnect later, to
   * a room reloaded from what the disk holds; the stored data is never overwritten.
   */
  fail(error: Error, what: string): void {
    if (this.#failed) return
    this.#failed = true
    this.#failureCode =
      error instanceof CorruptRoomError ? CloseCode.roomQuarantined : CloseCode.storageFailure
    this.#inbox = []
    this.log.error({ room: this.name, err: error }, `${what}; closing the room`)
    for (const connection of this.connections) {
      connection.close(
        this.#failureCode,
        'the relay could not store or load this room; reconnect later',
      )
    }
    this.onFailure(this, error)
  }

  #failureCode: number = CloseCode.storageFailure

  /** Applies and stores everything received so far (compacting a long log); before unloading. */
  async flush(): Promise<void> {
    this.applyInbox()
    await this.writer.compactLog()
  }

  /**
   * Takes an update from `connection`: checked now (a bad frame closes its connection at once),
   * applied, stored and forwarded with the rest of this event-loop turn's updates.
   */
  applyUpdate(connection: Connection, update: Uint8Array, frame: Uint8Array | null): void {
    const frameCount = ++connection.updateFrames
    const empty = isEmptyUpdate(update)
    if (connection.access !== 'write') {
      // Never acknowledged: an ack would count the refused frames as saved.
      if (!empty)
        connection.explain(CloseCode.forbidden, 'read-only access: the change was not stored')
      return
    }
    if (!empty) {
      const { maxRoomBytes } = this.limits
      if (this.writer.storedBytes + this.#inboxBytes + update.length > maxRoomBytes) {
        throw new Rejection(
          CloseCode.roomTooBig,
          `the room would exceed its limit of ${maxRoomBytes} bytes`,
        )
      }
      this.#checkCost(update)
      this.#inboxBytes += update.length
    }
    // Empty updates queue too: their acks must not overtake the updates sent before them.
    this.#inbox.push({
      connection,
      frameCount,
      update: empty ? null : update,
      frame: empty ? null : (frame ?? encodeSyncUpdate(update)),
    })
    if (!this.#inboxScheduled) {
      this.#inboxScheduled = true
      setImmediate(this.applyInbox)
    }
  }

  /**
   * Reads the update whole before anything of it is applied or stored (Yjs integrates an
   * update's structs before it reads its delete set, so a frame cut in its delete set would be
   * half applied), and checks what it would cost the room: see RoomStructure.
   */
  #checkCost(update: Uint8Array): void {
    const { limits } = this
    try {
      this.#roomStructure().admit(
        readUpdate(update, {
          maxDepth: limits.maxNestingDepth,
          maxDeleteRanges: limits.maxDeleteRanges,
        }),
      )
    } catch (error) {
      if (error instanceof CostLimitError) {
        throw new Rejection(CloseCode.updateTooComplex, error.message)
      }
      throw error
    }
  }

  /** @throws {CorruptRoomError} when the stored history cannot be read. */
  #roomStructure(): RoomStructure {
    if (this.#structure !== null) return this.#structure
    const limits = {
      maxDepth: this.limits.maxNestingDepth,
      maxDeleteRanges: this.limits.maxDeleteRanges,
      maxSubdocs: this.limits.maxSubdocs,
      maxPending: this.limits.maxPending,
    }
    const stored = this.#stored
    if (stored !== null && stored.snapshot === null) {
      try {
        this.#structure = RoomStructure.fromUpdates(stored.log, limits)
      } catch (error) {
        throw new CorruptRoomError(
          `stored history of room "${this.name}" cannot be read: ${(error as Error).message}`,
        )
      }
    } else {
      this.#structure = RoomStructure.fromDoc(this.doc, limits)
    }
    return this.#structure
  }

  /**
   * Applies the queued updates a few dozen per Yjs transaction, queues them for storage, and
   * forwards them with every recipient's socket corked, so a recipient gets this turn's frames
   * in one write instead of one per update.
   */
  readonly applyInbox = (): void => {
    this.#inboxScheduled = false
    const batch = this.#inbox
    // Only non-empty updates count bytes: a turn of empty ones (every client's first step 2
    // is one) needs no document.
    const bytes = this.#inboxBytes
    this.#inbox = []
    this.#inboxBytes = 0
    if (this.#failed || batch.length === 0) return
    let applied: Incoming[] = batch
    if (bytes > 0 && this.#stored !== null && this.#staysSmall(this.#stored, bytes, batch.length)) {
      this.#keepSmall(batch)
    } else if (bytes > 0) {
      applied = []
      try {
        for (let start = 0; start < batch.length; start += UPDATES_PER_TRANSACTION) {
          this.#integrate(batch.slice(start, start + UPDATES_PER_TRANSACTION), applied)
        }
      } catch (error) {
        // Building the document from the stored history failed (CorruptRoomError).
        this.fail(error as Error, 'loading the room failed')
        return
      }
    }
    const corked = new Set<Connection>()
    for (const { connection, update, frame, frameCount } of applied) {
      this.writer.enqueue(update, connection, frameCount)
      if (frame === null) continue
      for (const recipient of this.connections) {
        if (recipient === connection) continue
        if (!corked.has(recipient)) {
          recipient.cork()
          corked.add(recipient)
        }
        recipient.send(frame)
      }
    }
    for (const recipient of corked) recipient.uncork()
  }

  /** Whether the room still needs no document once it holds `bytes` more in `updates` more. */
  #staysSmall(stored: StoredRoom, bytes: number, updates: number): boolean {
    return this.writer.isSmall(bytes) && stored.log.length + updates <= SMALL_ROOM_UPDATES
  }

  /**
   * A small room keeps the updates themselves (copies: a received update may be a view into a
   * socket's read buffer, which it would pin). Each was decoded whole when it arrived.
   */
  #keepSmall(items: readonly Incoming[]): void {
    const log = (this.#stored as StoredRoom).log
    for (const { update } of items) if (update !== null) log.push(update.slice())
    this.#small = null
  }

  /** Applies `items` in one Yjs transaction; pushes those that applied onto `applied`. */
  #integrate(items: readonly Incoming[], applied: Incoming[]): void {
    this.doc.transact(() => {
      for (const item of items) {
        if (item.update !== null) {
          try {
            Y.applyUpdate(this.doc, item.update, item.connection)
          } catch (error) {
            // A well-formed update that fails to integrate may still have changed the document:
            // a compaction stores whatever it now holds, so memory and disk cannot diverge.
            this.writer.requestCompaction()
            item.connection.close(
              CloseCode.badMessage,
              `Yjs could not apply the update: ${(error as Error).message}`,
            )
            continue
          }
        }
        applied.push(item)
      }
    })
  }
}

/** An update waiting for the end of the event-loop turn; `update` is null for an empty one. */
interface Incoming {
  connection: Connection
  frameCount: number
  update: Uint8Array | null
  frame: Uint8Array | null
}

type Handlers = {
  [T in Message['type']]: (
    room: Room,
    connection: Connection,
    message: Extract<Message, { type: T }>,
    frame: Uint8Array,
  ) => void
}

const unexpected = (_room: Room, _connection: Connection, message: Message): void => {
  throw new ProtocolError(`a client may not send "${message.type}" messages`)
}

/** What the relay does with each message type a client may send. */
const handlers: Handlers = {
  'sync-step1': (room, connection, { stateVector }) =>
    room.answer(connection, 'sync', () => {
      let missing: Uint8Array
      try {
        missing = room.missing(stateVector)
      } catch (error) {
        if (error instanceof CorruptRoomError) throw error
        throw new ProtocolError(`invalid state vector: ${(error as Error).message}`)
      }
      connection.send(encodeSyncStep2(missing), true)
    }),
  'sync-step2': (room, connection, { update }) => room.applyUpdate(connection, update, null),
  'sync-update': (room, connection, { update }, frame) =>
    room.applyUpdate(connection, update, frame),
  awareness: (room, connection, { update }, frame) => {
    if (!connection.presenceBucket.take()) {
      throw new Rejection(CloseCode.rateLimited, 'too many presence updates; slow down')
    }
    const entries = decodeAwarenessUpdate(update)
    for (const entry of entries) entry.state = checkedState(entry.state, connection.userId)
    const { accepted, full } = room.presence.apply(entries, connection)
    if (full > 0) {
      connection.explain(CloseCode.presenceTooBig, 'the room holds as much presence as it may')
    }
    if (accepted.length === 0) return
    // Forward the frame as received unless we stamped identities or dropped entries.
    const unchanged = connection.userId === undefined && accepted.length === entries.length
    room.broadcast(unchanged ? frame : encodeAwareness(encodeAwarenessUpdate(accepted)), connection)
  },
  'query-awareness': (room, connection) => {
    room.answer(connection, 'presence', () => {
      const presence = room.presence.encodeAll()
      if (presence !== null) connection.send(presence)
    })
  },
  hello: (_room, connection, { features }) => {
    connection.features = features & ALL_FEATURES
    connection.send(encodeHello(PROTOCOL_VERSION, connection.features))
  },
  // Read-only connections may send events: like presence, they are ephemeral and never stored.
  event: (room, connection, { name, data }) => {
    if (!connection.has(Feature.events))
      throw new ProtocolError('events need HELLO with the events feature')
    room.broadcast(encodeEvent(name, data, connection.userId ?? ''), connection, Feature.events)
  },
  ack: unexpected,
  error: unexpected,
  'auth-denied': unexpected,
}

/**
 * Stock clients JSON.parse every awareness state they receive, so one bad state would break
 * them all: states must be JSON. With authentication on, each state also carries the
 * connection's `userId`, overwriting whatever the client claimed.
 */
function checkedState(state: string, userId: string | undefined): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(state)
  } catch {
    throw new ProtocolError('awareness state is not valid JSON')
  }
  if (userId === undefined || parsed === null) return state
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ProtocolError('awareness state must be an object or null')
  }
  return JSON.stringify({ ...parsed, userId })
}

/**
 * Updates applied per Yjs transaction. One transaction per update pays Yjs's cleanup pass every
 * time; one per turn (thousands during a bulk upload) defers the merging of items to the end
 * and gets slower than linear. Applying automerge-paper's 259,778 updates
 * (benchmarks/src/transaction-size.ts): 1,534 ms one per transaction, 2,112 ms in 20,000s,
 * 755 ms in 2,000s, 584-623 ms in 16s to 64s.
 */
const UPDATES_PER_TRANSACTION = 32

/**
 * Unmerged updates after which a small room builds its document anyway. Building it applies
 * every logged update, and a room taking a stream of edits reaches 16 KiB only after ~1,400
 * one-character ones: building from those took 8-15 ms in a fresh process, and 11-51 ms inside
 * the relay during the fan-out benchmark, a stall every other room waits out. From 64 it takes
 * ~2 ms, and the room integrates the rest as it comes, turn by turn. The log is merged into one
 * update whenever a client is served it, so quiet rooms that clients only visit stay small.
 */
const SMALL_ROOM_UPDATES = 64

/** An update with nothing in it: no structs, an empty delete set. */
const EMPTY_UPDATE = new Uint8Array([0, 0])

/** The relay's step 1 for a room with no history: a state vector with no entries. */
const EMPTY_STEP1 = encodeSyncStep1(new Uint8Array([0]))

/** A state vector with no entries: the client's replica is empty. */
function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return stateVector.length === 1 && stateVector[0] === 0
}

function isUpdate(message: Message): boolean {
  return message.type === 'sync-update' || message.type === 'sync-step2'
}

/** A Yjs v1 update with no structs and an empty delete set: what an up-to-date step 2 carries. */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0
}
