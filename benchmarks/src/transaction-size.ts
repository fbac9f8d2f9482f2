/**
 * Isolated measurement behind the relay's UPDATES_PER_TRANSACTION: applies every automerge-paper
 * update to a fresh Y.Doc, N updates per Yjs transaction, for several N. Run after a build:
 * `node benchmarks/dist/transaction-size.js [N ...]` (default 1 16 32 64 2000 20000).
 */
import * as Y from 'yjs'
import { loadTrace, produceUpdates } from './load/traces.js'

const sizes = process.argv.slice(2).map(Number)
const { updates } = produceUpdates(loadTrace('automerge-paper.json.gz'))
for (const size of sizes.length > 0 ? sizes : [1, 16, 32, 64, 2_000, 20_000]) {
  const doc = new Y.Doc()
  const start = performance.now()
  for (let i = 0; i < updates.length; i += size) {
    doc.transact(() => {
      for (const update of updates.slice(i, i + size)) Y.applyUpdate(doc, update)
    })
  }
  const ms = performance.now() - start
  console.log(`${size} per transaction: ${Math.round(ms)} ms for ${updates.length} updates`)
  doc.destroy()
}
