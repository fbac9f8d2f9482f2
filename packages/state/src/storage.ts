import * as Y from 'yjs'
import { canonicalJson, toStored } from './convert.js'
import { childPath, ShapeMismatchError } from './errors.js'
import { META, ROOT, SCHEMA_VERSION } from './layout.js'
import type { LiveObject } from './live-object.js'
import { LiveText } from './live-text.js'
import { Nodes } from './nodes.js'
import type { Snapshot } from './types.js'

/** The transaction origin of initial storage, so undo and save tracking can tell it apart. */
export const INITIAL_STORAGE_ORIGIN = Symbol('accord initial storage')

/**
 * A document's typed storage: `root` to read and write, `snapshot()` to render, `subscribe`
 * to hear of changes (once per transaction that changed storage). `S` is the storage shape,
 * declared once; it may be an interface.
 */
export class Storage<S extends object = Record<string, unknown>> {
  readonly doc: Y.Doc
  readonly root: LiveObject<S>
  readonly #nodes: Nodes
  readonly #type: Y.Map<unknown>
  readonly #listeners = new Set<(snapshot: Snapshot<S>) => void>()

  constructor(doc: Y.Doc) {
    this.doc = doc
    this.#type = doc.getMap(ROOT)
    this.#nodes = new Nodes(doc)
    this.root = this.#nodes.live(this.#type, '') as LiveObject<S>
    doc.on('afterTransaction', this.#afterTransaction)
  }

  /** The whole storage, frozen, with structural sharing: untouched subtrees keep identity. */
  readonly snapshot = (): Snapshot<S> => this.#nodes.snapshot(this.#type) as Snapshot<S>

  readonly subscribe = (listener: (snapshot: Snapshot<S>) => void): (() => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Runs `fn` as one transaction: one update, one notification. */
  transact<R>(fn: (root: LiveObject<S>) => R): R {
    let result: R | undefined
    this.doc.transact(() => {
      result = fn(this.root)
    })
    return result as R
  }

  /**
   * Writes the defaults of every top-level field that storage does not have yet. Each field's
   * default is written as the same Yjs update on every client (a client id and content that
   * depend only on the field's name and default), so clients that do this at once, online or
   * offline, write identical items that merge into one. Returns the fields whose stored kind
   * differs from their default's (a list where an object is expected, say).
   */
  initialize(initial: Partial<S>): ShapeMismatchError[] {
    const mismatches: ShapeMismatchError[] = []
    for (const [key, value] of Object.entries(initial)) {
      if (value === undefined) continue
      if (this.#type.has(key)) {
        const expected = kindOf(value)
        const found = kindOf(this.#type.get(key))
        if (expected !== found) mismatches.push(new ShapeMismatchError(key, expected, found))
        continue
      }
      Y.applyUpdate(this.doc, deterministicUpdate(ROOT, key, value), INITIAL_STORAGE_ORIGIN)
    }
    if (!this.doc.getMap(META).has('schema')) {
      Y.applyUpdate(
        this.doc,
        deterministicUpdate(META, 'schema', SCHEMA_VERSION),
        INITIAL_STORAGE_ORIGIN,
      )
    }
    return mismatches
  }

  dispose(): void {
    this.doc.off('afterTransaction', this.#afterTransaction)
    this.#nodes.dispose()
    this.#listeners.clear()
  }

  readonly #afterTransaction = (transaction: Y.Transaction): void => {
    if (this.#listeners.size === 0 || !touches(transaction, this.#type)) return
    const snapshot = this.snapshot()
    for (const listener of this.#listeners) listener(snapshot)
  }
}

/** Whether a transaction changed anything under `root`. */
function touches(transaction: Y.Transaction, root: Y.Map<unknown>): boolean {
  // biome-ignore lint/suspicious/noExplicitAny: Yjs types are invariant in their event type
  const type = root as unknown as Y.AbstractType<any>
  return transaction.changedParentTypes.has(type) || transaction.changed.has(type)
}

/** `map.set(key, value)` as written by a client whose id depends only on what it writes. */
function deterministicUpdate(map: string, key: string, value: unknown): Uint8Array {
  const writer = new Y.Doc({ gc: false })
  writer.clientID = fnv1a(`${map}\u0000${key}\u0000${canonicalJson(value)}`)
  writer.getMap(map).set(key, toStored(value, childPath('', key)))
  return Y.encodeStateAsUpdate(writer)
}

/** 32-bit FNV-1a: a stable client id for a default (0 is avoided). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0 || 1
}

function kindOf(value: unknown): string {
  if (value instanceof LiveText || value instanceof Y.Text) return 'text'
  if (Array.isArray(value) || value instanceof Y.Array) return 'list'
  if (value instanceof Y.Map || (typeof value === 'object' && value !== null)) return 'object'
  return 'value'
}
