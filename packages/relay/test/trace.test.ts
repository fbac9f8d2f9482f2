import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { startRelay, type TestRelay, tempDir } from './support/relay.js'

/*
 * A real editing trace (the automerge paper, 259,778 keystrokes) replayed keystroke by
 * keystroke as Yjs updates through the relay on LevelDB: a second client ends with the final
 * text, and so does a fresh client after the relay restarts on the same data directory.
 */

const TRACES_DIR =
  process.env.ACCORD_TRACES_DIR ??
  fileURLToPath(new URL('../../../../shared/data/editing-traces/', import.meta.url))

interface Trace {
  startContent?: string
  endContent: string
  txns: Array<{ patches: Array<[number, number, string]> }>
}

/** Patches applied between two yields to the event loop, so relay and receiver keep up. */
const CHUNK = 2_000

const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function loadTrace(name: string): Promise<Trace> {
  const path = join(TRACES_DIR, name)
  const trace = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as Trace
  return trace
}

/** Waits until `text` holds exactly `expected` (cheap length check first). */
function textEquals(text: Y.Text, expected: string, what: string, timeoutMs: number) {
  return waitFor(
    () => text.length === expected.length && text.toString() === expected,
    what,
    timeoutMs,
  )
}

describe('editing trace: automerge-paper', () => {
  it('replays through the relay, reaches a second client and survives a restart', {
    timeout: 120_000,
  }, async () => {
    const trace = await loadTrace('automerge-paper.json.gz')
    const patches = trace.txns.flatMap((txn) => txn.patches)
    expect(patches.length).toBe(259_778)

    const data = await tempDir('accord-trace-')
    cleanups.push(() => data.remove())
    const relays: TestRelay[] = []
    cleanups.push(async () => {
      for (const relay of relays) await relay.close().catch(() => undefined)
    })

    const first = await startRelay({ dataDir: data.path })
    relays.push(first)
    const clients: StockClient[] = []
    cleanups.push(() => {
      for (const client of clients) client.destroy()
    })
    const writer = stockClient(first.url, 'traces/automerge-paper')
    const reader = stockClient(first.url, 'traces/automerge-paper')
    clients.push(writer, reader)
    await Promise.all([synced(writer, 10_000), synced(reader, 10_000)])

    // One patch, one transaction, one update, one frame.
    const text = writer.doc.getText('text')
    let updates = 0
    writer.doc.on('update', () => updates++)
    if (trace.startContent) text.insert(0, trace.startContent)
    for (let start = 0; start < patches.length; start += CHUNK) {
      for (const [pos, del, ins] of patches.slice(start, start + CHUNK)) {
        writer.doc.transact(() => {
          if (del > 0) text.delete(pos, del)
          if (ins !== '') text.insert(pos, ins)
        })
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(updates).toBe(patches.length + (trace.startContent ? 1 : 0))
    expect(text.toString()).toBe(trace.endContent)

    await textEquals(
      reader.doc.getText('text'),
      trace.endContent,
      'the reader to get endContent',
      90_000,
    )

    // Clients leave, the relay flushes and stops, then starts again on the same directory.
    for (const client of clients.splice(0)) client.destroy()
    await first.close()
    relays.splice(0)

    const second = await startRelay({ dataDir: data.path })
    relays.push(second)
    const fresh = stockClient(second.url, 'traces/automerge-paper')
    clients.push(fresh)
    await synced(fresh, 30_000)
    const restored = fresh.doc.getText('text')
    expect(restored.length).toBe(trace.endContent.length)
    expect(restored.toString()).toBe(trace.endContent)
  })
})
