import {
  ALL_FEATURES,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodeEvent,
  encodeHello,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  PROTOCOL_VERSION,
} from '@accord/protocol'
import WebSocket from 'ws'
import * as Y from 'yjs'
import {
  bigStateVector,
  deletion,
  ghostDeletes,
  nestedMaps,
  nestedValue,
  subdocs,
} from './hostile.js'

/** A seeded PRNG (mulberry32): a failing campaign can be replayed with its seed. */
export function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Valid frames of every kind, with real Yjs content: what the mutators start from. */
export function corpus(): Uint8Array[] {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  doc.getText('t').insert(0, 'hello fuzz')
  doc.getMap('m').set('k', { nested: [1, 2, 3] })
  doc.getArray('a').push([1, 'two', new Uint8Array([3])])
  doc.getText('t').delete(0, 2)
  return [
    ...updates.map(encodeSyncUpdate),
    encodeSyncStep2(Y.encodeStateAsUpdate(doc)),
    encodeSyncStep1(Y.encodeStateVector(doc)),
    encodeAwareness(
      encodeAwarenessUpdate([{ clientId: 7, clock: 3, state: '{"cursor":{"x":1}}' }]),
    ),
    encodeQueryAwareness(),
    encodeHello(PROTOCOL_VERSION, ALL_FEATURES),
    encodeEvent('ping', new TextEncoder().encode('{"a":1}')),
  ]
}

type Mutator = (frame: Uint8Array, rand: () => number) => Uint8Array
const at = (length: number, rand: () => number) => Math.floor(rand() * Math.max(length, 1))
const byte = (rand: () => number) => Math.floor(rand() * 256)

/** Each mutation is one way a frame goes wrong on the wire or in a hostile client. */
export const MUTATORS: Record<string, Mutator> = {
  bitFlip: (f, r) => {
    const out = f.slice()
    const i = at(out.length, r)
    out[i] = (out[i] as number) ^ (1 << Math.floor(r() * 8))
    return out
  },
  truncate: (f, r) => f.slice(0, at(f.length, r)),
  duplicateBytes: (f, r) => {
    const i = at(f.length, r)
    const n = 1 + at(8, r)
    return new Uint8Array([...f.subarray(0, i + n), ...f.subarray(i)])
  },
  reorderBytes: (f, r) => {
    const out = f.slice()
    for (let k = 0; k < 3; k++) {
      const i = at(out.length, r)
      const j = at(out.length, r)
      ;[out[i], out[j]] = [out[j] as number, out[i] as number]
    }
    return out
  },
  hugeVarint: (f, r) => {
    const i = at(f.length, r)
    const huge = Array.from({ length: 6 + at(6, r) }, () => 0x80 | byte(r))
    return new Uint8Array([...f.subarray(0, i), ...huge, 0x7f, ...f.subarray(i)])
  },
  wrongType: (f, r) => {
    const out = f.slice()
    out[0] = [2, 4, 99, 104, 127, 255][at(6, r)] as number
    return out
  },
  randomBytes: (_f, r) => Uint8Array.from({ length: at(200, r) }, () => byte(r)),
  randomTail: (f, r) =>
    new Uint8Array([
      ...f.subarray(0, at(f.length, r)),
      ...Array.from({ length: at(40, r) }, () => byte(r)),
    ]),
}

/**
 * Structure-aware frames: valid Yjs and protocol, built to cost the relay (the attacks of issue
 * #21), at random scales around the relay's limits, so that some are accepted and stored and
 * the rest refused. Byte mutation alone almost never produces one.
 */
export const GENERATORS: Record<string, (rand: () => number) => Uint8Array> = {
  deepNesting: (r) => encodeSyncUpdate(nestedMaps(client(r), 50 + at(3_000, r))),
  deleteRoot: (r) => encodeSyncUpdate(deletion(client(r), 1 + at(10, r))),
  nestedValue: (r) => encodeSyncUpdate(nestedValue(client(r), 50 + at(3_000, r))),
  subdocs: (r) => encodeSyncUpdate(subdocs(client(r), 1 + at(2_000, r))),
  hugeDeleteSet: (r) =>
    encodeSyncUpdate(ghostDeletes(client(r), 1 + at(r() < 0.1 ? 300_000 : 5_000, r))),
  bigStateVector: (r) => encodeSyncStep1(bigStateVector(1 + at(50_000, r))),
  awarenessFlood: (r) =>
    encodeAwareness(
      encodeAwarenessUpdate(
        Array.from({ length: 1 + at(500, r) }, (_, i) => ({
          clientId: at(1_000, r) + i,
          clock: 1 + at(5, r),
          state: JSON.stringify({ pad: 'p'.repeat(at(r() < 0.1 ? 100_000 : 200, r)) }),
        })),
      ),
    ),
}

/** Few client ids, so that generated frames build on each other (chains, deletes of them). */
const client = (rand: () => number) => 1_000 + at(8, rand)

/** Share of a campaign's frames that come from GENERATORS rather than mutation. */
const GENERATED_SHARE = 0.03

export interface CampaignResult {
  /** Frames the relay demonstrably handled: answered the probe after them, or closed on them. */
  frames: number
  connections: number
  closeCodes: Map<number, number>
}

/** After each mutated frame: "send me what I miss". A reply means the frame before was handled. */
const PROBE = encodeSyncStep1(new Uint8Array([0]))
const isStep2 = (data: Buffer) => data[0] === 0 && data[1] === 1

/**
 * Sends `total` mutated frames to `room` over `parallel` connections, each followed by a probe,
 * so that every frame counted was really processed: either the relay answered the probe behind
 * it, or it closed the connection (as it should for most frames) and a new one takes over.
 */
export async function runCampaign(
  url: string,
  room: string,
  total: number,
  seed: number,
  parallel = 8,
): Promise<CampaignResult> {
  const rand = random(seed)
  const base = corpus()
  const names = Object.keys(MUTATORS)
  const generators = Object.values(GENERATORS)
  const result: CampaignResult = { frames: 0, connections: 0, closeCodes: new Map() }
  const nextFrame = (): Uint8Array => {
    if (rand() < GENERATED_SHARE) {
      return (generators[at(generators.length, rand)] as (r: () => number) => Uint8Array)(rand)
    }
    const mutate = MUTATORS[names[at(names.length, rand)] as string] as Mutator
    return mutate(base[at(base.length, rand)] as Uint8Array, rand)
  }
  const connection = () =>
    new Promise<void>((resolve, reject) => {
      result.connections++
      const socket = new WebSocket(`${url}/${room}`)
      socket.on('error', () => {})
      let timer: NodeJS.Timeout | undefined
      const sendNext = () => {
        clearTimeout(timer)
        if (result.frames >= total) return socket.close()
        const frame = nextFrame()
        socket.send(frame)
        socket.send(PROBE)
        result.frames++
        // A relay that neither answers nor closes is a bug: name the frame instead of hanging.
        timer = setTimeout(() => {
          socket.terminate()
          reject(
            new Error(`no answer and no close after frame ${Buffer.from(frame).toString('hex')}`),
          )
        }, 15_000)
      }
      socket.on('open', sendNext)
      socket.on('message', (data: Buffer) => {
        if (isStep2(data)) sendNext()
      })
      socket.on('close', (code) => {
        clearTimeout(timer)
        result.closeCodes.set(code, (result.closeCodes.get(code) ?? 0) + 1)
        resolve()
      })
    })
  const worker = async (): Promise<void> => {
    while (result.frames < total) await connection()
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return result
}
