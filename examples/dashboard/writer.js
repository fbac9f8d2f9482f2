#!/usr/bin/env node
// The dashboard's data source: a plain Node process that writes live metrics into an Accord
// room every second. No socket rooms, no events to design: it appends to a shared list, and
// every open dashboard (and every dashboard that opens later) sees the same list.
//
//   node examples/dashboard/writer.js [ws://localhost:1234/sync] [room]
//
// `examples/serve.js` runs it in-process with `startMetricsWriter()`.
import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os'
import { resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { createClient } from '@accord/client'
import { WebSocket } from 'ws'

/** How many samples the room keeps: two minutes at one per second. */
export const MAX_SAMPLES = 120

/**
 * @param {{ url: string, room?: string, intervalMs?: number,
 *   extra?: () => Record<string, number> }} options
 * @returns {{ room: import('@accord/client').Room, close(): Promise<void> }}
 */
export function startMetricsWriter({
  url,
  room: roomName = 'dashboard/metrics',
  intervalMs = 1000,
  extra,
}) {
  // In Node: pass a WebSocket class, no IndexedDB. The relay stores the history.
  const client = createClient({ url, WebSocket, persistence: false })
  const room = client.room(roomName)
  const samples = room.list('samples')
  const source = room.map('source')

  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  let lastCpu = cpuTimes()

  room.whenSynced().then(
    () =>
      source.update({
        hostname: hostname(),
        node: process.version,
        cpus: cpus().length,
        intervalMs,
        startedAt: Date.now(),
      }),
    () => {}, // closed before the first sync
  )

  const tick = () => {
    const cpu = cpuTimes()
    const busy = cpu.busy - lastCpu.busy
    const total = cpu.total - lastCpu.total
    lastCpu = cpu
    const sample = {
      t: Date.now(),
      cpu: round(total > 0 ? (100 * busy) / total : 0),
      memory: round((100 * (totalmem() - freemem())) / totalmem()),
      load: round(loadavg()[0] ?? 0, 2),
      lagMs: round(loop.mean / 1e6, 2),
      heapMb: round(process.memoryUsage().heapUsed / 2 ** 20),
      ...extra?.(),
    }
    loop.reset()
    // One transaction: one update on the wire, one re-render on every dashboard.
    room.transact(() => {
      samples.push(sample)
      const excess = samples.length - MAX_SAMPLES
      if (excess > 0) samples.delete(0, excess)
    })
  }
  // The first sample comes after one interval: CPU usage is measured over it.
  const timer = setInterval(tick, intervalMs)

  return {
    room,
    async close() {
      clearInterval(timer)
      loop.disable()
      // Give the last sample a chance to reach the relay's disk, without hanging if it is gone.
      if (room.status === 'connected') {
        await Promise.race([room.whenSaved().catch(() => {}), sleep(1000)])
      }
      await client.close()
    },
  }
}

function cpuTimes() {
  let busy = 0
  let total = 0
  for (const { times } of cpus()) {
    const sum = times.user + times.nice + times.sys + times.irq + times.idle
    total += sum
    busy += sum - times.idle
  }
  return { busy, total }
}

// NaN (an event-loop histogram without measurements) would reach the charts: write 0 instead.
const round = (value, digits = 1) =>
  Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : 0
const sleep = (ms) => new Promise((done) => setTimeout(done, ms).unref())

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const url = process.argv[2] ?? 'ws://localhost:1234/sync'
  const writer = startMetricsWriter({ url, room: process.argv[3] })
  writer.room.on('status', (status) => console.log(`relay: ${status}`))
  console.log(`Writing metrics to ${url}/${writer.room.name} every second. Ctrl-C stops.`)
  const stop = () => writer.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
