import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { RawSocket } from './support/accord-socket.js'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { type RelayProcess, spawnRelay, tempDir } from './support/relay.js'

/*
 * The durability contract under SIGKILL: the relay runs as the real CLI in a child process,
 * several Accord writers stream real Yjs updates and record which of them the relay
 * acknowledged, the relay is killed mid-stream, restarted on the same data directory, and every
 * acknowledged update must be in the room a fresh stock client receives.
 */

const ROOMS = ['crash/alpha', 'crash/beta']
const WRITERS_PER_ROOM = 2
/** Acks every writer must have seen before the kill, so that it lands mid-stream. */
const ACKS_BEFORE_KILL = 150
/** Updates each writer sends per event-loop turn. */
const BURST = 10

interface Writer {
  name: string
  room: string
  doc: Y.Doc
  raw: RawSocket
  /** `items[n - 1]` is the item carried by update frame n. */
  items: string[]
  stopped: boolean
  done: Promise<void>
}

const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function kill(relay: RelayProcess): Promise<number | string> {
  if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGKILL')
  return relay.exited
}

async function startWriter(url: string, room: string, name: string): Promise<Writer> {
  const raw = await RawSocket.accord(url, room)
  const doc = new Y.Doc()
  const items: string[] = []
  const list = doc.getArray<string>('items')
  let current = ''
  doc.on('update', (update: Uint8Array) => {
    const frame = raw.sendUpdate(update)
    // One push is one transaction is one update is one frame.
    if (frame !== items.length + 1) throw new Error(`${name}: frame ${frame} out of step`)
    items.push(current)
  })
  const writer: Writer = { name, room, doc, raw, items, stopped: false, done: Promise.resolve() }
  writer.done = (async () => {
    let next = 0
    while (!writer.stopped && raw.socket.readyState === WebSocket.OPEN) {
      for (let i = 0; i < BURST; i++) {
        current = `${name}#${next++}`
        list.push([current])
      }
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  })()
  return writer
}

describe('crash: SIGKILL mid-stream', () => {
  it('loses no acknowledged update', { timeout: 120_000 }, async () => {
    const data = await tempDir('accord-crash-')
    cleanups.push(() => data.remove())

    const first = await spawnRelay(['--data', data.path])
    cleanups.push(() => kill(first).then(() => undefined))

    const writers: Writer[] = []
    cleanups.push(() => {
      for (const writer of writers) {
        writer.stopped = true
        writer.raw.close()
        writer.doc.destroy()
      }
    })
    for (const room of ROOMS) {
      for (let i = 0; i < WRITERS_PER_ROOM; i++) {
        writers.push(await startWriter(first.url, room, `${room}:w${i}`))
      }
    }

    // Kill once every writer has some acknowledged updates, while all of them keep writing.
    await waitFor(
      () => writers.every((w) => w.raw.acked() >= ACKS_BEFORE_KILL),
      `${ACKS_BEFORE_KILL} acks for every writer`,
      60_000,
    )
    first.child.kill('SIGKILL')
    expect(await first.exited).toBe('SIGKILL')
    await Promise.all(writers.map((w) => w.raw.waitForClose(10_000)))
    for (const writer of writers) writer.stopped = true
    await Promise.all(writers.map((w) => w.done))

    // No more acks can arrive: what each writer holds now is the relay's final word.
    const acked = new Map(writers.map((w) => [w, w.raw.acked()]))
    for (const writer of writers) {
      expect(acked.get(writer)).toBeLessThanOrEqual(writer.items.length)
    }
    // The kill landed mid-stream: some sent updates were never acknowledged.
    const totalSent = writers.reduce((sum, w) => sum + w.items.length, 0)
    const totalAcked = writers.reduce((sum, w) => sum + (acked.get(w) ?? 0), 0)
    expect(totalSent).toBeGreaterThan(totalAcked)

    const second = await spawnRelay(['--data', data.path])
    cleanups.push(() => kill(second).then(() => undefined))

    const report: string[] = []
    const lost: Record<string, string[]> = {}
    let totalPresent = 0
    for (const room of ROOMS) {
      const reader: StockClient = stockClient(second.url, room)
      cleanups.push(() => reader.destroy())
      await synced(reader, 30_000)
      const present = new Set(reader.doc.getArray<string>('items').toArray())
      for (const writer of writers.filter((w) => w.room === room)) {
        const count = acked.get(writer) ?? 0
        const missing = writer.items.slice(0, count).filter((item) => !present.has(item))
        const stored = writer.items.filter((item) => present.has(item)).length
        totalPresent += stored
        report.push(
          `${writer.name}: sent ${writer.items.length}, acked ${count}, present after restart ${stored}`,
        )
        lost[writer.name] = missing
      }
    }
    report.push(
      `total: sent ${totalSent}, acked ${totalAcked}, present after restart ${totalPresent}`,
    )
    console.log(`crash test counts\n  ${report.join('\n  ')}`)
    // Every acknowledged update survived the crash (lost lists acknowledged items not found).
    expect(lost).toEqual(Object.fromEntries(writers.map((w) => [w.name, []])))
  })
})
