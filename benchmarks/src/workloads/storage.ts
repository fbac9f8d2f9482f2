/**
 * Issue #16: a room of N list items with 5 fields; one remote field edit applied on a reader
 * and the new snapshot produced, timed; and the reader's heap per item, with and without the
 * binding. Runs in a load process of its own, started with `--expose-gc` (one per N, so one
 * size's heap and JIT state cannot leak into another's).
 */
import { performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { percentileSorted, sorted } from '../stats.js'
import { type Edit, type Field, type Item, SYSTEMS, type SystemName } from './storage-systems.js'

export interface StorageTask {
  items: number
  /** Measured edits per system, after `warmUp` unmeasured ones. */
  edits: number
  warmUp: number
  /** A system stops being measured after this much time in its timed edits (SyncedStore at 100k). */
  budgetMs: number
  systems: SystemName[]
  seed: number
}

export interface SystemResult {
  system: SystemName
  items: number
  edits: number
  /** Y.applyUpdate of one field edit + the new snapshot, in ms. */
  p50: number
  p95: number
  max: number
  applyP50: number
  snapshotP50: number
  /** Building the binding and its first snapshot (O(N) for everyone). */
  firstSnapshotMs: number
  /** Reader's heap per item: the document alone, then with the binding and one snapshot. */
  rawDocBytesPerItem: number
  boundBytesPerItem: number
  /** Every snapshot had the edit at the right item and field. */
  correct: boolean
}

export interface StorageResult {
  items: number
  systems: SystemResult[]
}

const FIELDS: Field[] = ['title', 'done', 'priority', 'assignee', 'estimate']

/** mulberry32: the same items and edits for every system and run of a seed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function makeItems(count: number, next: () => number): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    title: `Task ${i}: ${next().toString(36).slice(2, 12)}`,
    done: next() < 0.5,
    priority: Math.floor(next() * 5),
    assignee: `user-${Math.floor(next() * 50)}`,
    estimate: Math.round(next() * 400) / 10,
  }))
}

/** Random field edits; each changes its field's value (a write of the same value may be no update). */
function makeEdits(count: number, items: readonly Item[], next: () => number): Edit[] {
  const done = items.map((item) => item.done)
  return Array.from({ length: count }, (_, k) => {
    const index = Math.floor(next() * items.length)
    const field = FIELDS[Math.floor(next() * FIELDS.length)] as Field
    let value: Item[Field] = `edit ${k}`
    if (field === 'done') value = done[index] = !done[index]
    else if (field === 'priority' || field === 'estimate') value = 1_000 + k
    return { index, field, value }
  })
}

/** The writer's document as one update, then one update per edit made on top of it. */
function write(system: SystemName, items: Item[], edits: Edit[]) {
  const doc = new Y.Doc()
  const edit = SYSTEMS[system].fill(doc, items)
  const state = Y.encodeStateAsUpdate(doc)
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (const e of edits) edit(e)
  if (updates.length !== edits.length) throw new Error(`${system}: one update per edit expected`)
  doc.destroy()
  return { state, updates }
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error('the storage workload needs node --expose-gc')
  collect()
  collect()
}
/** After a turn of the event loop, so that weak references and finalizers let go too. */
const heapUsed = async (): Promise<number> => {
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  return process.memoryUsage().heapUsed
}

interface Reader {
  system: SystemName
  doc: Y.Doc
  snapshot: () => readonly Item[]
  current: readonly Item[]
  updates: Uint8Array[]
  times: { total: number[]; apply: number[]; snapshot: number[] }
  spentMs: number
  correct: boolean
  result: Omit<SystemResult, 'edits' | 'p50' | 'p95' | 'max' | 'applyP50' | 'snapshotP50'>
}

/** Builds a reader's doc and binding, measuring its heap on the way (all else is allocated). */
async function read(
  system: SystemName,
  items: number,
  state: Uint8Array,
  updates: Uint8Array[],
): Promise<Reader> {
  const base = await heapUsed()
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  const raw = (await heapUsed()) - base
  const started = performance.now()
  const snapshot = SYSTEMS[system].bind(doc)
  const current = snapshot()
  const firstSnapshotMs = performance.now() - started
  const bound = (await heapUsed()) - base
  if (current.length !== items) throw new Error(`${system}: ${current.length} items read`)
  const reader: Reader = {
    system,
    doc,
    snapshot,
    current,
    updates,
    times: { total: [], apply: [], snapshot: [] },
    spentMs: 0,
    correct: true,
    result: {
      system,
      items,
      firstSnapshotMs,
      rawDocBytesPerItem: raw / items,
      boundBytesPerItem: bound / items,
      correct: true,
    },
  }
  return reader
}

function applyEdit(reader: Reader, k: number, edit: Edit, measured: boolean): void {
  const t0 = performance.now()
  Y.applyUpdate(reader.doc, reader.updates[k] as Uint8Array)
  const t1 = performance.now()
  reader.current = reader.snapshot()
  const t2 = performance.now()
  if (reader.current[edit.index]?.[edit.field] !== edit.value) reader.correct = false
  if (!measured) return
  reader.times.total.push(t2 - t0)
  reader.times.apply.push(t1 - t0)
  reader.times.snapshot.push(t2 - t1)
  reader.spentMs += t2 - t0
}

function summarize(reader: Reader): SystemResult {
  const total = sorted(reader.times.total)
  return {
    ...reader.result,
    edits: total.length,
    p50: percentileSorted(total, 50),
    p95: percentileSorted(total, 95),
    max: total[total.length - 1] ?? Number.NaN,
    applyP50: percentileSorted(sorted(reader.times.apply), 50),
    snapshotP50: percentileSorted(sorted(reader.times.snapshot), 50),
    correct: reader.correct,
  }
}

export async function storageLoad(task: StorageTask): Promise<StorageResult> {
  const next = random(task.seed)
  const items = makeItems(task.items, next)
  const edits = makeEdits(task.warmUp + task.edits, items, next)
  const written = task.systems.map((system) => ({ system, ...write(system, items, edits) }))
  // Every reader stays alive so that the edits can be interleaved: edit k on each system in
  // turn, so the other tenants of the machine weigh on all of them alike.
  const readers: Reader[] = []
  for (const { system, state, updates } of written)
    readers.push(await read(system, task.items, state, updates))
  for (let k = 0; k < edits.length; k++) {
    const measured = k >= task.warmUp
    for (const reader of readers) {
      if (reader.spentMs > task.budgetMs) continue
      applyEdit(reader, k, edits[k] as Edit, measured)
    }
  }
  return { items: task.items, systems: readers.map(summarize) }
}
