import * as Y from 'yjs'
import type { Storage } from './storage/storage.js'

export interface Recovery {
  /** Everything that applies, as one Yjs update (state as of the stored history). */
  update: Uint8Array
  /** Stored updates applied, and those skipped (with why), in stored order: snapshot first. */
  applied: number
  skipped: Array<{ index: number; bytes: number; error: string }>
}

/**
 * What can be recovered of a room whose stored history does not load (a quarantined room): its
 * snapshot and log applied one by one, skipping those that fail. Yjs may leave a document half
 * changed when an update throws, so after a failure the document is rebuilt from the updates
 * that applied. The stored data is only read.
 */
export async function recoverRoom(storage: Storage, room: string): Promise<Recovery> {
  const stored = await storage.load(room)
  const updates = stored.snapshot === null ? stored.log : [stored.snapshot, ...stored.log]
  const good: Uint8Array[] = []
  const skipped: Recovery['skipped'] = []
  let doc = new Y.Doc()
  updates.forEach((update, index) => {
    try {
      Y.applyUpdate(doc, update)
      good.push(update)
    } catch (error) {
      skipped.push({ index, bytes: update.length, error: (error as Error).message })
      doc.destroy()
      doc = new Y.Doc()
      for (const applied of good) Y.applyUpdate(doc, applied)
    }
  })
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return { update, applied: good.length, skipped }
}
