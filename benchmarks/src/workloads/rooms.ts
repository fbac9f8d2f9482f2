/**
 * Workload 2 — many rooms: K rooms with one connection each (each connection writes one small
 * update so the room has content). Server memory per room = RSS growth / K; after every client
 * disconnects, how much RSS is left, and (Accord) how many rooms are still resident.
 */
import * as Y from 'yjs'
import { BenchClient, openMany } from '../load/client.js'
import type { ServerKind } from '../servers/index.js'
import { processCpuMs, processRssBytes, sleep, waitForIdle } from '../util.js'

export interface RoomsTask {
  workload: 'rooms'
  kind: ServerKind
  url: string
  serverPid: number
  prefix: string
  rooms: number
  /** When set: while all rooms are connected, send SIGUSR2 (heap snapshot) and wait for the file. */
  snapshotDir?: string
}

export interface RoomsResult {
  kind: ServerKind
  rooms: number
  rssBeforeMB: number
  rssConnectedMB: number
  rssAfterMB: number
  perRoomKB: number
  /** RSS still above the baseline after everyone left, per room that was open. */
  leftPerRoomKB: number
  connectMs: number
  serverCpuMs: number
  loadCpuPct: number
}

const MB = 1024 * 1024

export async function roomsLoad(task: RoomsTask): Promise<RoomsResult> {
  const doc = new Y.Doc()
  let update: Uint8Array = new Uint8Array()
  doc.on('update', (u: Uint8Array) => {
    update = u
  })
  doc.getMap('meta').set('title', 'a small room with a title and nothing else yet')

  await waitForIdle(task.serverPid, 300, 5_000)
  const rssBefore = processRssBytes(task.serverPid)
  const cpu0 = processCpuMs(task.serverPid)
  const load0 = process.cpuUsage()
  const start = performance.now()
  const clients = await openMany(
    (i) =>
      new BenchClient(task.kind, task.url, `${task.prefix}-${i}`, {
        acks: task.kind === 'accord',
      }),
    task.rooms,
    64,
  )
  for (const client of clients) client.sendFrame(client.encodeUpdate(update))
  // Every room has its update: Accord acks it; the others answer a sync round trip after it.
  if (task.kind === 'accord') {
    while (clients.some((c) => c.acked < c.updateFramesSent)) await sleep(20)
  } else if (task.kind !== 'raw') {
    for (let i = 0; i < clients.length; i += 500)
      await Promise.all(clients.slice(i, i + 500).map((c) => c.roundTrip()))
  }
  const connectMs = performance.now() - start
  const loadUsage = process.cpuUsage(load0)
  await waitForIdle(task.serverPid, 500, 20_000)
  const rssConnected = processRssBytes(task.serverPid)
  const cpu1 = processCpuMs(task.serverPid)
  if (task.snapshotDir !== undefined) {
    const { readdirSync, statSync } = await import('node:fs')
    const before = new Set(readdirSync(task.snapshotDir))
    process.kill(task.serverPid, 'SIGUSR2')
    for (let i = 0; i < 600; i++) {
      await sleep(500)
      const file = readdirSync(task.snapshotDir).find(
        (f) => f.endsWith('.heapsnapshot') && !before.has(f),
      )
      if (file !== undefined) {
        const size = statSync(`${task.snapshotDir}/${file}`).size
        await sleep(1000)
        if (statSync(`${task.snapshotDir}/${file}`).size === size) break
      }
    }
  }

  for (let i = 0; i < clients.length; i += 1000)
    await Promise.all(clients.slice(i, i + 1000).map((c) => c.close()))
  await sleep(500)
  await waitForIdle(task.serverPid, 1_000, 30_000)
  const rssAfter = processRssBytes(task.serverPid)
  return {
    kind: task.kind,
    rooms: task.rooms,
    rssBeforeMB: rssBefore / MB,
    rssConnectedMB: rssConnected / MB,
    rssAfterMB: rssAfter / MB,
    perRoomKB: (rssConnected - rssBefore) / task.rooms / 1024,
    leftPerRoomKB: (rssAfter - rssBefore) / task.rooms / 1024,
    connectMs,
    serverCpuMs: cpu1 - cpu0,
    loadCpuPct: ((loadUsage.user + loadUsage.system) / 1000 / connectMs) * 100,
  }
}
