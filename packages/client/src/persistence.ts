import { IndexeddbPersistence } from 'y-indexeddb'
import type * as Y from 'yjs'
import { AccordError } from './errors.js'

/** How long an IndexedDB open may take before we give up and keep the room in memory. */
const OPEN_TIMEOUT_MS = 10_000

/**
 * The room's local replica in IndexedDB, through y-indexeddb. y-indexeddb turns every failure
 * into a `whenSynced` that never resolves (plus an unhandled rejection), so the database is
 * first opened here, where a failed, blocked or stalled open can be seen. On any failure the
 * room reports an `error` and goes on in memory: `whenLoaded` always settles.
 */
export class LocalPersistence {
  readonly whenLoaded: Promise<void>
  readonly #onError: (error: AccordError) => void
  readonly #closing = new AbortController()
  #idb: IndexeddbPersistence | undefined

  constructor(name: string, doc: Y.Doc, onError: (error: AccordError) => void) {
    this.#onError = onError
    this.whenLoaded = probe(name, this.#closing.signal)
      .then(async () => {
        if (this.#closing.signal.aborted) return
        const idb = new IndexeddbPersistence(name, doc)
        this.#idb = idb
        const db = await idb._db
        // Write failures (quota, a database deleted under us) reach the database as events.
        db.addEventListener('error', this.#writeFailed)
        db.addEventListener('abort', this.#writeFailed)
        // y-indexeddb never settles `whenSynced` once destroyed: close() must not leave it hanging.
        await Promise.race([idb.whenSynced, aborted(this.#closing.signal)])
      })
      .catch((cause: unknown) => {
        this.#fail(
          `IndexedDB is unavailable (${describe(cause)}); keeping this room in memory`,
          cause,
        )
      })
  }

  /** Stops writing and closes the database once its pending writes are done. */
  async destroy(): Promise<void> {
    this.#closing.abort()
    // A failed open was reported through `whenLoaded` already.
    await this.#idb?.destroy().catch(() => {})
  }

  readonly #writeFailed = (event: Event): void => {
    const cause = (event.target as IDBRequest | IDBTransaction | null)?.error
    this.#fail(
      `an IndexedDB write failed (${describe(cause)}); keeping further changes in memory`,
      cause,
    )
  }

  #fail(message: string, cause: unknown): void {
    if (this.#closing.signal.aborted) return
    this.#onError(new AccordError('persistence-failed', message, { cause }))
    // Once a write failed the next ones would too, each with an unhandled rejection inside
    // y-indexeddb: stop writing. Everything stays in the in-memory document.
    void this.destroy().catch(() => {})
  }
}

/**
 * Opens (creating if needed) and closes the database, so that y-indexeddb's own open is known
 * to succeed. The stores are y-indexeddb's: a database created here without them would be
 * opened by y-indexeddb without an upgrade and fail.
 */
function probe(name: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') throw new Error('no indexedDB in this environment')
    // May throw (e.g. SecurityError in a sandboxed frame), which rejects before any timer exists.
    const request = indexedDB.open(name)
    const settle = (error?: Error): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else resolve()
    }
    const onAbort = (): void => settle(new Error('closed'))
    const timer = setTimeout(() => settle(new Error('opening it timed out')), OPEN_TIMEOUT_MS)
    signal.addEventListener('abort', onAbort)
    request.onupgradeneeded = () => {
      request.result.createObjectStore('updates', { autoIncrement: true })
      request.result.createObjectStore('custom')
    }
    // Also reached after a timeout or a `blocked` we gave up on: only the close matters then.
    request.onsuccess = () => {
      request.result.close()
      settle()
    }
    request.onerror = () => settle(request.error ?? new Error('the open request failed'))
    request.onblocked = () => settle(new Error('another tab holds an older version open'))
  })
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
