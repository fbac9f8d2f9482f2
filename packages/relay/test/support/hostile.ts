import { readFileSync } from 'node:fs'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { RawSocket } from './accord-socket.js'
import { waitFor } from './clients.js'

/**
 * Hand-made Yjs v1 updates of the kinds an attacker sends: each is a few bytes per struct on the
 * wire and far more for whoever applies it. Written with lib0 directly, since building them
 * with Yjs would cost the test what they cost the relay.
 */

function structs(
  client: number,
  count: number,
  write: (e: encoding.Encoder, i: number) => void,
  clock = 0,
) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, count)
  encoding.writeVarUint(e, client)
  encoding.writeVarUint(e, clock)
  for (let i = 0; i < count; i++) write(e, i)
  return e
}

/**
 * A chain of Y.Maps `depth` deep, each the `c` entry of the one before: from root map `root`,
 * or, with `from`, continuing a chain of the same client that ends at clock `from - 1`.
 */
export function nestedMaps(client: number, depth: number, from = 0): Uint8Array {
  const e = structs(
    client,
    depth,
    (e, i) => {
      encoding.writeUint8(e, 7 | 0x20) // ContentType, with a parentSub (map key)
      if (i === 0 && from === 0) {
        encoding.writeVarUint(e, 1)
        encoding.writeVarString(e, 'root')
      } else {
        encoding.writeVarUint(e, 0)
        encoding.writeVarUint(e, client)
        encoding.writeVarUint(e, from + i - 1)
      }
      encoding.writeVarString(e, 'c')
      encoding.writeVarUint(e, 1) // YMap
    },
    from,
  )
  encoding.writeVarUint(e, 0)
  return encoding.toUint8Array(e)
}

/** An update deleting the first `length` clocks of `client`. */
export function deletion(client: number, length = 1): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, client)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, length)
  return encoding.toUint8Array(e)
}

/** `count` sub-documents in root array `a`, each a few bytes. */
export function subdocs(client: number, count: number): Uint8Array {
  const e = structs(client, count, (e, i) => {
    if (i === 0) {
      encoding.writeUint8(e, 9)
      encoding.writeVarUint(e, 1)
      encoding.writeVarString(e, 'a')
    } else {
      encoding.writeUint8(e, 9 | 0x80)
      encoding.writeVarUint(e, client)
      encoding.writeVarUint(e, i - 1)
    }
    encoding.writeVarString(e, `d${i}`)
    encoding.writeUint8(e, 118) // options: {}
    encoding.writeVarUint(e, 0)
  })
  encoding.writeVarUint(e, 0)
  return encoding.toUint8Array(e)
}

/** A delete set of `ranges` one-clock ranges of `client`, which never wrote anything. */
export function ghostDeletes(client: number, ranges: number): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, client)
  encoding.writeVarUint(e, ranges)
  for (let i = 0; i < ranges; i++) {
    encoding.writeVarUint(e, i * 2)
    encoding.writeVarUint(e, 1)
  }
  return encoding.toUint8Array(e)
}

/** One ContentAny value: arrays in arrays, `depth` deep. */
export function nestedValue(client: number, depth: number): Uint8Array {
  const e = structs(client, 1, (e) => {
    encoding.writeUint8(e, 8)
    encoding.writeVarUint(e, 1)
    encoding.writeVarString(e, 'a')
    encoding.writeVarUint(e, 1)
    for (let i = 0; i < depth; i++) {
      encoding.writeUint8(e, 117)
      encoding.writeVarUint(e, 1)
    }
    encoding.writeUint8(e, 126)
  })
  encoding.writeVarUint(e, 0)
  return encoding.toUint8Array(e)
}

/** A state vector naming `clients` clients. */
export function bigStateVector(clients: number): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, clients)
  for (let i = 0; i < clients; i++) {
    encoding.writeVarUint(e, i + 1)
    encoding.writeVarUint(e, 1_000_000)
  }
  return encoding.toUint8Array(e)
}

/** Peak and current resident memory of a process, in MiB (Linux). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024
  return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') }
}

/**
 * A writer and a reader in a room of their own, measuring how long each of the writer's
 * updates takes to reach the reader through the relay: what every other room experiences while
 * an attack runs.
 */
export async function bystander(url: string, room = 'bystander') {
  const writer = await RawSocket.accord(url, room)
  const reader = await RawSocket.accord(url, room)
  await reader.waitFor((m) => m.type === 'sync-step1', 'the bystander room')
  const sentAt: number[] = []
  const latencies: number[] = []
  reader.socket.on('message', (data: Buffer) => {
    if (data[0] === 0 && data[1] === 2) latencies.push(performance.now() - (sentAt.shift() ?? 0))
  })
  const doc = new Y.Doc()
  doc.on('update', (update: Uint8Array) => {
    sentAt.push(performance.now())
    writer.sendUpdate(update)
  })
  const timer = setInterval(() => doc.getArray('a').push([latencies.length]), 20)
  return {
    /** Stops; resolves with the latencies' p99 and count once the last update arrived. */
    async stop(): Promise<{ p99: number; count: number; lost: number }> {
      clearInterval(timer)
      await waitFor(() => sentAt.length === 0, 'the last bystander update', 15_000).catch(() => {})
      writer.close()
      reader.close()
      const sorted = [...latencies].sort((a, b) => a - b)
      const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Infinity
      return { p99, count: latencies.length, lost: sentAt.length }
    },
  }
}
