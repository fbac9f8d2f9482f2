import type * as Y from 'yjs'

/**
 * - `saved`: every local change is on the relay's disk (trivially so before the first change).
 * - `saving`: connected, and some local changes still wait for the relay's acknowledgement.
 * - `offline-changes`: not connected, and some local changes exist only on this device (and in
 *   IndexedDB, when persistence is on); they are uploaded on reconnect.
 * - `rejected`: the relay refused to store local changes (read-only access); they exist only on
 *   this device and will not be saved by this connection.
 */
export type SyncStatus = 'saved' | 'saving' | 'offline-changes' | 'rejected'

/**
 * Counts local changes and the relay's durable acknowledgements of them.
 *
 * Changes are numbered as they happen. Every update frame sent on a socket is recorded with the
 * number of local changes it makes durable once acknowledged:
 * - a sync step 2 (our answer to the relay's step 1 after connecting) holds everything the relay
 *   lacked, so it covers every change so far (changes the relay already had came in earlier
 *   frames, which the relay writes before this one);
 * - a sync update covers every change so far too, but only once this socket's step 2 went out:
 *   before that, changes made offline are not on this socket yet.
 * ACK(n) then means: every change covered by the first n frames is saved.
 */
export class SaveTracker {
  readonly #doc: Y.Doc
  readonly #isRemote: (origin: unknown) => boolean
  readonly #onChange: () => void
  #changes = 0
  #saved = 0
  #framesSent = 0
  #stepTwoSent = false
  #rejected = false
  #pending: { frame: number; changes: number }[] = []

  /**
   * Transactions applied by the provider are remote; everything else is local, including what
   * IndexedDB loads: it may hold offline edits of an earlier session that never reached the
   * relay, and our step 2 after connecting makes it durable either way.
   */
  constructor(doc: Y.Doc, isRemote: (origin: unknown) => boolean, onChange: () => void) {
    this.#doc = doc
    this.#isRemote = isRemote
    this.#onChange = onChange
    doc.on('afterTransaction', this.#onTransaction)
  }

  /** Number of local changes so far. */
  get changes(): number {
    return this.#changes
  }

  /** Number of local changes the relay has acknowledged as durable. */
  get saved(): number {
    return this.#saved
  }

  /** Local changes the relay has not yet acknowledged as durable. */
  get unsaved(): number {
    return this.#changes - this.#saved
  }

  status(connected: boolean): SyncStatus {
    if (this.#saved === this.#changes) return 'saved'
    if (this.#rejected) return 'rejected'
    return connected ? 'saving' : 'offline-changes'
  }

  /** The relay refused a write on this connection: nothing after it will be acknowledged. */
  writeRejected(): void {
    this.#rejected = true
    this.#onChange()
  }

  connectionOpened(): void {
    this.#rejected = false
    this.#framesSent = 0
    this.#stepTwoSent = false
    this.#pending = []
  }

  updateSent(kind: 'step2' | 'update'): void {
    this.#framesSent++
    if (kind === 'step2') this.#stepTwoSent = true
    if (this.#stepTwoSent) this.#pending.push({ frame: this.#framesSent, changes: this.#changes })
  }

  acked(count: number): void {
    const before = this.#saved
    // Entries are in frame order and their change counts never decrease.
    for (let next = this.#pending[0]; next !== undefined && next.frame <= count; ) {
      this.#saved = next.changes
      this.#pending.shift()
      next = this.#pending[0]
    }
    if (this.#saved !== before) this.#onChange()
  }

  destroy(): void {
    this.#doc.off('afterTransaction', this.#onTransaction)
  }

  // `afterTransaction` runs before `update`, i.e. before y-websocket sends the change, so the
  // frame carrying a change always finds it counted.
  readonly #onTransaction = (transaction: Y.Transaction): void => {
    if (this.#isRemote(transaction.origin) || !changedDocument(transaction)) return
    this.#changes++
    this.#onChange()
  }
}

/** The condition under which Yjs emits an `update` for a transaction. */
function changedDocument(transaction: Y.Transaction): boolean {
  if (transaction.deleteSet.clients.size > 0) return true
  for (const [client, clock] of transaction.afterState) {
    if (transaction.beforeState.get(client) !== clock) return true
  }
  return false
}
