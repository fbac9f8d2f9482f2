import { mkdir, readdir, stat } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import { Level } from 'level'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { Storage, StoredRoom } from './storage.js'

export interface LevelStorageOptions {
  /** Directory of the LevelDB database. Created if missing. */
  path: string
  /**
   * `true`: every write is fsynced before it resolves (survives power loss, slower).
   * `false` (default): a write resolves once it has reached the OS (survives a crash or SIGKILL
   * of the process, not a power cut).
   */
  sync?: boolean
}

/*
 * Key layout (string keys, binary values). Every key of a room starts with `r<room>\0`; room
 * names never contain `\0`, and `\0` sorts before every other character, so a room's keys form
 * the contiguous range [`r<room>\0`, `r<room>\x01`) and no other room's key (not even `a/b` or
 * `ab` for room `a`) falls inside it.
 *
 *   r<room>\0c          next log sequence number of the room (16 hex digits, as UTF-8 text)
 *   r<room>\0l<seq>     one append: its updates, each as a varUint length and the bytes (so
 *                       a group commit of a thousand updates is one LevelDB entry, not a
 *                       thousand); <seq> is 16 lowercase hex digits, so the lexicographic order
 *                       of the keys is the append order
 *   r<room>\0s          snapshot (a Yjs update)
 *   r<room>\0v          the snapshot's CRC-32 (4 bytes, big-endian), then its state vector;
 *                       absent when `replace` was given no state vector
 *
 * Within the range `c` < `l…` < `s` < `v`, so one range read returns the whole room from one
 * LevelDB snapshot. The counter is per room and written in the same batch as the updates it
 * numbers. A single global counter would not be safe: classic-level runs batches on a thread
 * pool, so two appends for different rooms may commit in the other order and leave a stale
 * counter that reuses live keys after a restart. Writes of one room are queued (see #write), so
 * its counter can never go backwards. `replace` keeps the counter, so a log key is never reused
 * while the room exists.
 */
const ROOM_PREFIX = 'r'
/** Upper bound of every room key: the character after ROOM_PREFIX. */
const ROOMS_END = 's'
const SEQ_WIDTH = 16

const roomStart = (room: string): string => `${ROOM_PREFIX}${room}\u0000`
const roomEnd = (room: string): string => `${ROOM_PREFIX}${room}\u0001`
const counterKey = (room: string): string => `${roomStart(room)}c`
const logStart = (room: string): string => `${roomStart(room)}l`
const logEnd = (room: string): string => `${roomStart(room)}m`
const logKey = (room: string, seq: number): string =>
  `${logStart(room)}${seq.toString(16).padStart(SEQ_WIDTH, '0')}`
const snapshotKey = (room: string): string => `${roomStart(room)}s`
const stateVectorKey = (room: string): string => `${roomStart(room)}v`

/** Files LevelDB may leave in a directory before its CURRENT file exists (an interrupted create). */
const LEVELDB_BOOT_FILE = /^(LOCK|LOG|LOG\.old|MANIFEST-\d+)$/

type Db = Level<string, Uint8Array>
interface Group {
  /** A chained batch: each put is copied into LevelDB's native batch at once. */
  batch: ReturnType<Db['batch']>
  done: Promise<void>
}

/** Stores rooms in an embedded LevelDB database (`level`, i.e. classic-level in Node). */
export class LevelStorage implements Storage {
  readonly #path: string
  readonly #sync: boolean
  #db: Db | undefined
  #opening: Promise<void> | undefined
  /** Tail of each room's write queue; an entry exists only while the room has writes queued. */
  readonly #tails = new Map<string, Promise<void>>()
  /** Reads in flight, so that close() can let them finish. */
  readonly #reads = new Set<Promise<unknown>>()
  /**
   * Next sequence number of rooms in use, so that an append need not read the counter first
   * (that read was a fifth of the relay's CPU under load). Filled by load and the first append,
   * dropped by release() when the relay unloads the room.
   */
  readonly #nextSeq = new Map<string, number>()
  /** The batch the appends of this event-loop turn join (see #turnGroup). */
  #group: Group | null = null

  constructor(options: LevelStorageOptions) {
    this.#path = options.path
    this.#sync = options.sync ?? false
  }

  async open(): Promise<void> {
    // Concurrent calls share one attempt (a second Level instance would fail on LevelDB's LOCK).
    this.#opening ??= this.#openDb().finally(() => {
      this.#opening = undefined
    })
    return this.#opening
  }

  async #openDb(): Promise<void> {
    if (this.#db) return
    await this.#checkDirectory()
    const db: Db = new Level<string, Uint8Array>(this.#path, { valueEncoding: 'view' })
    try {
      await db.open({ createIfMissing: true })
    } catch (err) {
      // abstract-level wraps the reason (corruption, lock held, I/O) in `cause`.
      const reason = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message
      const message = `LevelStorage: cannot open the LevelDB database at ${this.#path}: ${reason}`
      throw new Error(message, { cause: err })
    }
    this.#db = db
  }

  isOpen(): boolean {
    return this.#db !== undefined
  }

  async load(room: string): Promise<StoredRoom> {
    const db = this.#open(room)
    // One iterator = one consistent LevelDB snapshot of the whole room.
    const entries = await this.#read(db.iterator({ gte: roomStart(room), lt: roomEnd(room) }).all())
    const stored: StoredRoom = { snapshot: null, log: [] }
    const snapshot = snapshotKey(room)
    const stateVector = stateVectorKey(room)
    const log = logStart(room)
    const counter = counterKey(room)
    let nextSeq = 0 // a room without a counter has never been appended to
    for (const [key, value] of entries) {
      if (key === snapshot) stored.snapshot = plain(value)
      else if (key === stateVector) stored.stateVector = checkedStateVector(value, stored, room)
      else if (key.startsWith(log)) stored.log.push(...decodeUpdates(value, room))
      else if (key === counter) nextSeq = decodeSeq(value, room)
    }
    // Unless a write queued meanwhile has moved it on: then that write knows it.
    if (!this.#tails.has(room)) this.#nextSeq.set(room, nextSeq)
    return stored
  }

  async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    const db = this.#open(room)
    if (updates.length === 0) return
    // Encoded now (a copy): the write starts after an await, and the caller may reuse its buffers.
    const record = encodeUpdates(updates)
    return this.#write(room, async () => {
      let seq = this.#nextSeq.get(room)
      if (seq === undefined) {
        const counter = await db.get(counterKey(room))
        seq = counter === undefined ? 0 : decodeSeq(counter, room)
      }
      const group = this.#turnGroup(db)
      group.batch.put(logKey(room, seq), record)
      group.batch.put(counterKey(room), encodeSeq(seq + 1))
      await group.done
      this.#nextSeq.set(room, seq + 1)
    })
  }

  /**
   * Group commit across rooms: the appends of every room made during one event-loop turn go to
   * LevelDB as one atomic batch. A thousand rooms writing at once cost one write, not a thousand
   * queued on the thread pool, each holding its own batch until its turn. They succeed or fail
   * together; each room's writes stay in order (one append per room per batch, see #write).
   * The batch is a chained one, so the keys and values are copied into it as they come and the
   * JavaScript objects die young: an array batch keeps every operation (and abstract-level's
   * copy of it) alive until the write completes, which under a burst of rooms meant ~3 KB per
   * room promoted to the old generation as garbage.
   */
  #turnGroup(db: Db): Group {
    if (this.#group === null) {
      const batch = db.batch()
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.#group = null
        return batch.write({ sync: this.#sync })
      })
      this.#group = { batch, done }
    }
    return this.#group
  }

  release(room: string): void {
    // Only while idle: a queued write may still need (and will set) the number.
    if (!this.#tails.has(room)) this.#nextSeq.delete(room)
  }

  async replace(room: string, snapshot: Uint8Array, stateVector?: Uint8Array): Promise<void> {
    const db = this.#open(room)
    const copy = snapshot.slice()
    const check = stateVector && encodeStateVectorRecord(copy, stateVector)
    return this.#write(room, async () => {
      const logKeys = await db.keys({ gte: logStart(room), lt: logEnd(room) }).all()
      await db.batch(
        [
          ...logKeys.map((key) => ({ type: 'del' as const, key })),
          { type: 'put', key: snapshotKey(room), value: copy },
          check
            ? { type: 'put', key: stateVectorKey(room), value: check }
            : { type: 'del', key: stateVectorKey(room) },
        ],
        { sync: this.#sync },
      )
    })
  }

  async *rooms(): AsyncIterable<string> {
    const db = this.#open()
    const keys = db.keys({ gte: ROOM_PREFIX, lt: ROOMS_END })
    try {
      for (let key = await keys.next(); key !== undefined; key = await keys.next()) {
        const room = key.slice(ROOM_PREFIX.length, key.indexOf('\u0000'))
        yield room
        // Jump over the rest of this room (its log may be long) to the next room's first key.
        keys.seek(roomEnd(room))
      }
    } finally {
      await keys.close()
    }
  }

  async delete(room: string): Promise<void> {
    const db = this.#open(room)
    return this.#write(room, async () => {
      const keys = await db.keys({ gte: roomStart(room), lt: roomEnd(room) }).all()
      this.#nextSeq.delete(room)
      if (keys.length === 0) return
      await db.batch(
        keys.map((key) => ({ type: 'del' as const, key })),
        { sync: this.#sync },
      )
    })
  }

  async close(): Promise<void> {
    const db = this.#db
    if (!db) return
    // From here on new operations reject; queued writes and reads in flight still complete.
    this.#db = undefined
    this.#nextSeq.clear()
    await Promise.allSettled([...this.#tails.values(), ...this.#reads])
    await db.close()
  }

  /** Returns the open database, or throws; validates the room name when given. */
  #open(room?: string): Db {
    if (!this.#db) throw new Error(`LevelStorage at ${this.#path} is not open`)
    if (room !== undefined && (room.includes('\u0000') || LONE_SURROGATE.test(room))) {
      throw new Error(
        `LevelStorage: invalid room name ${JSON.stringify(room)} (NUL and lone surrogates are not allowed)`,
      )
    }
    return this.#db
  }

  /** Runs `write` after the room's earlier writes, so they commit in call order. */
  #write(room: string, write: () => Promise<void>): Promise<void> {
    const run = (this.#tails.get(room) ?? Promise.resolve()).then(write)
    const tail: Promise<void> = run.then(
      () => this.#settle(room, tail),
      () => this.#settle(room, tail),
    )
    this.#tails.set(room, tail)
    return run
  }

  #settle(room: string, tail: Promise<void>): void {
    if (this.#tails.get(room) === tail) this.#tails.delete(room)
  }

  async #read<T>(read: Promise<T>): Promise<T> {
    this.#reads.add(read)
    try {
      return await read
    } finally {
      this.#reads.delete(read)
    }
  }

  /**
   * Refuses to let LevelDB create a database over a directory that is neither empty nor a
   * LevelDB database: that is a wrong `path` (or a lost CURRENT file, in which case LevelDB
   * would start over and could discard the orphaned table files).
   */
  async #checkDirectory(): Promise<void> {
    let entries: string[]
    try {
      if (!(await stat(this.#path)).isDirectory()) {
        throw new Error(`LevelStorage: ${this.#path} exists and is not a directory`)
      }
      entries = await readdir(this.#path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await mkdir(this.#path, { recursive: true })
      return
    }
    if (entries.includes('CURRENT')) return
    const foreign = entries.filter((name) => !LEVELDB_BOOT_FILE.test(name))
    if (foreign.length > 0) {
      throw new Error(
        `LevelStorage: ${this.#path} is not a LevelDB database (no CURRENT file) and is not empty ` +
          `(found ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''})`,
      )
    }
  }
}

/** NUL would break the key ranges; a lone surrogate would be stored as U+FFFD and collide. */
const LONE_SURROGATE = /\p{Cs}/u
const TEXT_ENCODER = new TextEncoder()
const TEXT_DECODER = new TextDecoder()

const encodeSeq = (seq: number): Uint8Array =>
  TEXT_ENCODER.encode(seq.toString(16).padStart(SEQ_WIDTH, '0'))

const decodeSeq = (value: Uint8Array, room: string): number => {
  const text = TEXT_DECODER.decode(value)
  const seq = Number.parseInt(text, 16)
  if (!/^[0-9a-f]+$/.test(text) || !Number.isSafeInteger(seq)) {
    throw new Error(
      `LevelStorage: corrupt sequence counter ${JSON.stringify(text)} in room ${JSON.stringify(room)}`,
    )
  }
  return seq
}

/** The `v` record: the snapshot's CRC-32, then its state vector. */
function encodeStateVectorRecord(snapshot: Uint8Array, stateVector: Uint8Array): Uint8Array {
  const record = new Uint8Array(4 + stateVector.length)
  new DataView(record.buffer).setUint32(0, crc32(snapshot))
  record.set(stateVector, 4)
  return record
}

/**
 * The stored state vector, once the snapshot read before it (`s` < `v`) matches its checksum:
 * the relay serves the snapshot to new clients unparsed, so a damaged one must be caught here.
 */
function checkedStateVector(record: Uint8Array, stored: StoredRoom, room: string): Uint8Array {
  const value = plain(record)
  const expected =
    value.length >= 4 ? new DataView(value.buffer, value.byteOffset).getUint32(0) : -1
  if (stored.snapshot === null || crc32(stored.snapshot) !== expected) {
    throw new Error(
      `LevelStorage: the snapshot of room ${JSON.stringify(room)} does not match its checksum`,
    )
  }
  return value.subarray(4)
}

/** One log record: the count of updates, then each as a varUint length and its bytes. */
function encodeUpdates(updates: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, updates.length)
  for (const update of updates) encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

function decodeUpdates(record: Uint8Array, room: string): Uint8Array[] {
  const decoder = decoding.createDecoder(plain(record))
  try {
    const updates: Uint8Array[] = new Array(decoding.readVarUint(decoder))
    for (let i = 0; i < updates.length; i++) updates[i] = decoding.readVarUint8Array(decoder)
    if (decoding.hasContent(decoder)) throw new Error('trailing bytes')
    return updates
  } catch (error) {
    throw new Error(
      `LevelStorage: corrupt log record in room ${JSON.stringify(room)}: ${(error as Error).message}`,
    )
  }
}

/** classic-level hands out Buffers; callers get plain Uint8Arrays (same memory, no copy). */
const plain = (value: Uint8Array): Uint8Array =>
  value.constructor === Uint8Array
    ? value
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
