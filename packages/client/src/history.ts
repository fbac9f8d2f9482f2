import * as Y from 'yjs'
import { ListenerSet } from './emitter.js'

export interface HistorySnapshot {
  readonly canUndo: boolean
  readonly canRedo: boolean
}

/**
 * Undo/redo of this replica's own changes (Y.UndoManager over the whole document). Changes
 * that came from the relay, another tab or IndexedDB are never undone. Edits made within
 * `captureTimeout` ms of each other are undone together; `stopCapturing()` draws a line.
 */
export class History {
  readonly #manager: Y.UndoManager
  readonly #listeners = new ListenerSet<[HistorySnapshot]>()
  #snapshot: HistorySnapshot = Object.freeze({ canUndo: false, canRedo: false })

  constructor(doc: Y.Doc, captureTimeout?: number) {
    this.#manager = new Y.UndoManager(doc, {
      // Only transactions without an origin are ours: the provider and y-indexeddb apply theirs
      // with themselves as the origin.
      trackedOrigins: new Set([null]),
      // With the whole document as scope, Yjs would record empty transactions too (opening a
      // root type makes one), leaving an undo step that does nothing.
      captureTransaction: (transaction) => transaction.changed.size > 0,
      captureTimeout,
    })
    for (const event of ['stack-item-added', 'stack-item-popped', 'stack-cleared'] as const) {
      this.#manager.on(event, this.#changed)
    }
  }

  /** The same object until `canUndo` or `canRedo` changes. */
  readonly get = (): HistorySnapshot => this.#snapshot

  readonly subscribe = (listener: (snapshot: HistorySnapshot) => void): (() => void) =>
    this.#listeners.add(listener)

  undo(): void {
    this.#manager.undo()
  }

  redo(): void {
    this.#manager.redo()
  }

  canUndo(): boolean {
    return this.#manager.canUndo()
  }

  canRedo(): boolean {
    return this.#manager.canRedo()
  }

  /** The next change starts a new undo step, however soon it comes. */
  stopCapturing(): void {
    this.#manager.stopCapturing()
  }

  /** Forgets all undo and redo steps. */
  clear(): void {
    this.#manager.clear()
  }

  dispose(): void {
    this.#manager.destroy()
    this.#listeners.clear()
  }

  readonly #changed = (): void => {
    const canUndo = this.canUndo()
    const canRedo = this.canRedo()
    if (canUndo === this.#snapshot.canUndo && canRedo === this.#snapshot.canRedo) return
    this.#snapshot = Object.freeze({ canUndo, canRedo })
    this.#listeners.emit(this.#snapshot)
  }
}
