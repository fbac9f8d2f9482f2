import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import * as Y from 'yjs'

const here = path.dirname(fileURLToPath(import.meta.url))
/** ../shared/data/editing-traces relative to the repository root. */
export const TRACES_DIR = path.resolve(here, '../../../../shared/data/editing-traces')

export type Patch = [number, number, string]
export interface Txn {
  patches: Patch[]
  agent?: number
  parents?: number[]
}
export interface Trace {
  endContent: string
  txns: Txn[]
  numAgents?: number
}

export function loadTrace(name: string): Trace {
  const file = path.join(TRACES_DIR, name)
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Trace
}

export function applyPatches(text: Y.Text, patches: readonly Patch[]): void {
  for (const [pos, del, ins] of patches) {
    if (del > 0) text.delete(pos, del)
    if (ins.length > 0) text.insert(pos, ins)
  }
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}

/**
 * Replays the first `limit` transactions of a linear trace on a Y.Doc, one transaction per
 * txn = one update, and returns the updates, how long the client took to produce them and the
 * resulting text.
 */
export function produceUpdates(
  trace: Trace,
  limit = trace.txns.length,
): { updates: Uint8Array[]; produceMs: number; text: string } {
  // Warm the JIT on a throwaway doc first, so the timed replay measures steady-state Yjs.
  const warm = new Y.Doc()
  const warmText = warm.getText('text')
  warm.on('update', () => {})
  for (let i = 0; i < Math.min(5_000, trace.txns.length); i++)
    warm.transact(() => applyPatches(warmText, (trace.txns[i] as Txn).patches))
  warm.destroy()
  const doc = new Y.Doc()
  const text = doc.getText('text')
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => {
    updates.push(update)
  })
  const count = Math.min(limit, trace.txns.length)
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const txn = trace.txns[i] as Txn
    doc.transact(() => applyPatches(text, txn.patches))
  }
  const produceMs = performance.now() - start
  const result = { updates, produceMs, text: text.toString() }
  doc.destroy()
  return result
}
