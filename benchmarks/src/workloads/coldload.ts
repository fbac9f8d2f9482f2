/**
 * Workload 3 — cold load: push a real editing trace (one update per txn, produced by a real
 * Y.Doc before the timed window) into a room, restart the server on the same data, and time a
 * new client from connect to the full text; count the bytes it received. Also times the push:
 * Accord until the last durable ACK, the stock servers until they answer a sync round trip sent
 * after the last update, the raw relay until an observer received every frame.
 */
import * as Y from 'yjs'
import { BenchClient } from '../load/client.js'
import { loadTrace, produceUpdates, sha1 } from '../load/traces.js'
import type { ServerKind } from '../servers/index.js'
import { processCpuMs, sleep } from '../util.js'

export interface PushTask {
  workload: 'coldload-push'
  kind: ServerKind
  url: string
  serverPid: number
  room: string
  trace: string
  limit: number
}

export interface PushResult {
  kind: ServerKind
  updates: number
  produceMs: number
  pushMs: number
  pushVsProduce: number
  serverCpuMs: number
  textLength: number
  textSha1: string
}

export async function pushLoad(task: PushTask): Promise<PushResult> {
  const trace = loadTrace(task.trace)
  const { updates, produceMs, text } = produceUpdates(trace, task.limit)
  trace.txns.length = 0
  const client = new BenchClient(task.kind, task.url, task.room, { acks: task.kind === 'accord' })
  let observer: BenchClient | null = null
  if (task.kind === 'raw') {
    observer = new BenchClient(task.kind, task.url, task.room)
    await observer.opened
  }
  await client.opened
  await client.synced
  const frames = updates.map((u) => client.encodeUpdate(u))
  updates.length = 0
  await sleep(200)

  const cpu0 = processCpuMs(task.serverPid)
  const start = performance.now()
  // Send as fast as the socket takes it, yielding now and then so acks are read meanwhile.
  for (let i = 0; i < frames.length; i++) {
    client.sendFrame(frames[i] as Uint8Array)
    if (i % 2_000 === 1_999) {
      while (client.bufferedAmount > 4 * 1024 * 1024) await sleep(1)
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  if (task.kind === 'accord') {
    const target = client.updateFramesSent
    while (client.acked < target) await sleep(1)
  } else if (observer !== null) {
    while (observer.framesReceived < frames.length) await sleep(1)
  } else {
    await client.roundTrip()
  }
  const pushMs = performance.now() - start
  const cpu1 = processCpuMs(task.serverPid)
  await client.close()
  await observer?.close()
  return {
    kind: task.kind,
    updates: frames.length,
    produceMs,
    pushMs,
    pushVsProduce: pushMs / produceMs,
    serverCpuMs: cpu1 - cpu0,
    textLength: text.length,
    textSha1: sha1(text),
  }
}

/**
 * The load generator is a fresh process: left cold, V8 compiles Yjs's decoder while the timed
 * update arrives (a cold process takes ~60 ms to apply automerge-paper, a warm one 10-25 ms),
 * and that would be counted against whichever server is being timed. Loading a document of
 * similar size from another trace first, until V8 has optimised the decoder (five loads of a
 * fifth of it were not enough: ~40 ms extra remained in the timed window), makes the figure
 * the restarted server's plus a client in steady state. Nothing of the timed document is cached.
 */
function warmUpClient(): void {
  const trace = loadTrace('seph-blog1.json.gz')
  const { updates } = produceUpdates(trace)
  const source = new Y.Doc()
  for (const update of updates) Y.applyUpdate(source, update)
  const snapshot = Y.encodeStateAsUpdate(source)
  for (let i = 0; i < 20; i++) {
    const replica = new Y.Doc()
    Y.applyUpdate(replica, snapshot)
    sha1(replica.getText('text').toString())
    replica.destroy()
  }
  source.destroy()
}

export interface ColdLoadTask {
  workload: 'coldload-load'
  kind: ServerKind
  url: string
  room: string
  textLength: number
  textSha1: string
  timeoutMs: number
}

export interface ColdLoadResult {
  kind: ServerKind
  loadMs: number
  bytesReceived: number
  framesReceived: number
  complete: boolean
  textLength: number
  /** Time the client alone needs to apply what it received (re-applied afterwards, warm). */
  clientApplyMs: number
  /** From `new WebSocket()` to the socket's open event, and to the first frame received. */
  openMs: number
  firstFrameMs: number
}

export async function coldLoad(task: ColdLoadTask): Promise<ColdLoadResult> {
  warmUpClient()
  const doc = new Y.Doc()
  const text = doc.getText('text')
  let done: (() => void) | null = null
  const finished = new Promise<void>((resolve) => {
    done = resolve
  })
  const start = performance.now()
  let loadMs = Number.NaN
  let complete = false
  const received: Uint8Array[] = []
  const client = new BenchClient(task.kind, task.url, task.room, {
    stateVector: () => Y.encodeStateVector(doc),
    onUpdate: (update) => {
      received.push(update)
      Y.applyUpdate(doc, update)
      if (text.length === task.textLength && sha1(text.toString()) === task.textSha1) {
        loadMs = performance.now() - start
        complete = true
        done?.()
      }
    },
  })
  // The server's share: connect -> open -> its first frame (step 2, the whole room, for a
  // client with an empty replica). The rest of loadMs is the client applying what it got.
  let openMs = Number.NaN
  let firstFrameMs = Number.NaN
  client.socket.prependOnceListener('open', () => {
    openMs = performance.now() - start
  })
  client.socket.prependOnceListener('message', () => {
    firstFrameMs = performance.now() - start
  })
  await Promise.race([finished, sleep(task.timeoutMs)])
  // Bytes that arrive right after completion (e.g. a second copy) still count as received.
  await sleep(200)
  await client.close()
  let clientApplyMs = Number.NaN
  for (let i = 0; i < 3; i++) {
    const again = new Y.Doc()
    const t0 = performance.now()
    for (const update of received) Y.applyUpdate(again, update)
    again.getText('text').toString()
    clientApplyMs = Math.min(
      Number.isNaN(clientApplyMs) ? Number.POSITIVE_INFINITY : clientApplyMs,
      performance.now() - t0,
    )
    again.destroy()
  }
  return {
    kind: task.kind,
    clientApplyMs,
    loadMs,
    openMs,
    firstFrameMs,
    bytesReceived: client.bytesReceived,
    framesReceived: client.framesReceived,
    complete,
    textLength: text.length,
  }
}
