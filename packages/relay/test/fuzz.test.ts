import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawSocket } from './support/accord-socket.js'
import { stockClient, synced, waitFor } from './support/clients.js'
import { runCampaign } from './support/fuzz.js'
import { captureLogs, startRelay, type TestRelay, tempDir } from './support/relay.js'

/** CI runs 20,000 frames; `npm run fuzz -w @accord/relay` runs a longer campaign. */
const FRAMES = Number(process.env.ACCORD_FUZZ_FRAMES ?? 20_000)
const SEED = Number(process.env.ACCORD_FUZZ_SEED ?? 1)
const ROOMS = ['fuzz/a', 'fuzz/b']

/** Heap in use after a full collection (vitest.config.ts runs workers with --expose-gc). */
function collectedHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with --expose-gc (see vitest.config.ts)')
  gc()
  return process.memoryUsage().heapUsed
}

let relay: TestRelay
let dir: Awaited<ReturnType<typeof tempDir>>
/** Relay errors (a room that failed, an unexpected exception) are printed after the run. */
const logs = captureLogs()
const relayOptions = () => ({
  logger: { level: 'error', stream: logs.stream },
  dataDir: dir.path,
  // The campaign is one client hammering; the rate limits and the answer interval (its probe
  // is a step 1 after every frame) are tested elsewhere.
  limits: {
    messagesPerSecond: 1_000_000,
    messageBurst: 1_000_000,
    presencePerSecond: 1_000_000,
    presenceBurst: 1_000_000,
    maxConnectionsPerIp: 1_000,
    answerIntervalMs: 0,
  },
})

beforeAll(async () => {
  dir = await tempDir('accord-fuzz-')
  relay = await startRelay(relayOptions())
})

afterAll(async () => {
  await relay.close()
  await dir.remove()
})

describe(`fuzzing the relay with ${FRAMES} mutated frames (seed ${SEED})`, () => {
  it(
    'keeps serving, keeps data loadable, and does not grow without bound',
    async () => {
      // Content that must survive the campaign.
      const keeper = stockClient(relay.url, ROOMS[0] as string)
      await synced(keeper)
      keeper.doc.getText('t').insert(0, 'survivor')
      keeper.destroy()
      await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room to unload')
      const heapBefore = collectedHeap()

      const results = await Promise.all(
        ROOMS.map((room, i) => runCampaign(relay.url, room, FRAMES / ROOMS.length, SEED + i)),
      )
      const frames = results.reduce((sum, r) => sum + r.frames, 0)
      const codes = new Map<number, number>()
      for (const r of results)
        for (const [code, n] of r.closeCodes) codes.set(code, (codes.get(code) ?? 0) + n)
      console.log(
        `fuzz: ${frames} frames over ${results.reduce((s, r) => s + r.connections, 0)} connections; close codes`,
        Object.fromEntries(codes),
      )
      if (logs.text() !== '') console.log(`fuzz: relay errors:\n${logs.text()}`)
      expect(frames).toBeGreaterThanOrEqual(FRAMES)

      // The relay is up and idle again: no connection or room left behind.
      const health = await relay.app.inject({ method: 'GET', url: '/readyz' })
      expect(health.statusCode).toBe(200)
      await waitFor(
        () => relay.app.accord.connections === 0 && relay.app.accord.loadedRooms === 0,
        'the relay to be idle',
        10_000,
      )
      // Nothing the campaign created may stay reachable: after a full collection the heap is
      // back near where it started (the bound allows for JIT and allocator noise).
      const heapGrowth = collectedHeap() - heapBefore
      console.log(`fuzz: heap grew by ${(heapGrowth / 1024 / 1024).toFixed(1)} MiB`)
      expect(heapGrowth).toBeLessThan(64 * 1024 * 1024)

      // A good client in the fuzzed room still syncs, and the stored rooms load after a restart.
      const good = stockClient(relay.url, ROOMS[0] as string)
      await synced(good)
      expect(good.doc.getText('t').toString()).toContain('survivor')
      good.destroy()
      await relay.close()
      relay = await startRelay(relayOptions())
      for (const room of ROOMS) {
        const reader = await RawSocket.accord(relay.url, room)
        await reader.waitFor((m) => m.type === 'sync-step1', `stored room ${room} to load`)
        expect(reader.closeCode).toBeNull()
        reader.close()
      }
    },
    Math.max(300_000, FRAMES * 5),
  )
})
