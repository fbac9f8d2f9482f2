/**
 * A raw `ws` client speaking each server's wire protocol, with no provider in between:
 * - accord, y-websocket, raw: y-websocket frames (`varUint type` first); Accord clients may send
 *   HELLO (type 100) to get ACK (101) frames;
 * - hocuspocus: the same messages prefixed with `varString documentName`, authenticated with an
 *   Auth (2) Token message first; the server answers step 1 with step 2 + its own step 1 (type 4)
 *   and sends SyncStatus (8) after every update.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import type { ServerKind } from '../servers/index.js'

const SYNC = 0
const HOCUS_AUTH = 2
const HOCUS_SYNC_REPLY = 4
const HELLO = 100
const ACK = 101
const STEP1 = 0
const STEP2 = 1
const UPDATE = 2
const EMPTY_UPDATE = new Uint8Array([0, 0])
const EMPTY_STATE_VECTOR = new Uint8Array([0])

export interface ClientOptions {
  /** Send HELLO with Feature.acks (Accord only). */
  acks?: boolean
  /** Called with every Yjs update received (step 2 or update). */
  onUpdate?: (update: Uint8Array) => void
  /** Called with every ACK count received. */
  onAck?: (count: number) => void
  /** Our state vector for step 1 (default: empty). */
  stateVector?: () => Uint8Array
  /** What we answer to the server's step 1 (default: an empty update). */
  answerStep1?: (stateVector: Uint8Array) => Uint8Array
  /** Skip the sync handshake entirely (the raw relay forwards everything). */
  noHandshake?: boolean
  /** After the handshake, ignore everything but ACKs (cheap receive path for pure writers). */
  lightweight?: boolean
}

export class BenchClient {
  readonly socket: WebSocket
  /** Update-carrying frames sent (step 2 + update): the unit of Accord acknowledgements. */
  updateFramesSent = 0
  bytesReceived = 0
  framesReceived = 0
  acked = 0
  readonly #prefix: Uint8Array | null
  #syncedResolve: (() => void) | null = null
  #syncedReject: ((error: Error) => void) | null = null
  /** Close code and reason, once closed. */
  closeInfo: string | null = null
  readonly synced: Promise<void>
  readonly opened: Promise<void>
  closed = false
  /** Set once synced when nothing but ACKs matters (no onUpdate handler). */
  #lightweight = false

  constructor(
    readonly kind: ServerKind,
    baseUrl: string,
    readonly room: string,
    readonly options: ClientOptions = {},
  ) {
    if (kind === 'hocuspocus') {
      const encoder = encoding.createEncoder()
      encoding.writeVarString(encoder, room)
      this.#prefix = encoding.toUint8Array(encoder)
    } else {
      this.#prefix = null
    }
    const url = kind === 'hocuspocus' ? baseUrl : `${baseUrl}/${encodeURIComponent(room)}`
    this.socket = new WebSocket(url, { perMessageDeflate: false })
    this.socket.binaryType = 'nodebuffer'
    this.synced = new Promise((resolve, reject) => {
      this.#syncedResolve = resolve
      this.#syncedReject = reject
    })
    this.synced.catch(() => {})
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve())
      this.socket.once('error', reject)
    })
    this.socket.on('error', () => {})
    this.socket.on('close', (code: number, reason: Buffer) => {
      this.closed = true
      this.closeInfo = `${code} ${reason.toString()}`
      this.#syncedReject?.(new Error(`${kind} closed the connection to ${room}: ${this.closeInfo}`))
    })
    this.socket.on('open', () => this.#onOpen())
    this.socket.on('message', (data: Buffer) => this.#onMessage(data))
  }

  #frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
    const encoder = encoding.createEncoder()
    if (this.#prefix !== null) encoding.writeUint8Array(encoder, this.#prefix)
    write(encoder)
    return encoding.toUint8Array(encoder)
  }

  #onOpen(): void {
    if (this.options.noHandshake || this.kind === 'raw') {
      this.#syncedResolve?.()
      this.#syncedReject = null
      if (this.options.onUpdate === undefined && this.options.lightweight) this.#lightweight = true
      return
    }
    if (this.kind === 'hocuspocus') {
      this.socket.send(
        this.#frame((e) => {
          encoding.writeVarUint(e, HOCUS_AUTH)
          encoding.writeVarUint(e, 0) // token
          encoding.writeVarString(e, '')
        }),
      )
    }
    if (this.kind === 'accord' && this.options.acks) {
      this.socket.send(
        this.#frame((e) => {
          encoding.writeVarUint(e, HELLO)
          encoding.writeVarUint(e, 1) // protocol version
          encoding.writeVarUint(e, 1) // Feature.acks
        }),
      )
    }
    const sv = this.options.stateVector?.() ?? EMPTY_STATE_VECTOR
    this.socket.send(
      this.#frame((e) => {
        encoding.writeVarUint(e, SYNC)
        encoding.writeVarUint(e, STEP1)
        encoding.writeVarUint8Array(e, sv)
      }),
    )
  }

  #onMessage(data: Buffer): void {
    this.framesReceived++
    this.bytesReceived += data.length
    // Fast path for pure writers once synced: they only care about ACKs (a 1-byte type, 101).
    if (this.#lightweight) {
      if (this.#prefix === null && data[0] === ACK) {
        const count = decoding.readVarUint(decoding.createDecoder(data.subarray(1)))
        this.acked = count
        this.options.onAck?.(count)
      }
      return
    }
    const decoder = decoding.createDecoder(data)
    if (this.#prefix !== null) decoding.readVarString(decoder)
    const type = decoding.readVarUint(decoder)
    if (type === SYNC || type === HOCUS_SYNC_REPLY) {
      const sub = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      if (sub === STEP1) {
        const answer = this.options.answerStep1?.(payload) ?? EMPTY_UPDATE
        this.#sendSync(STEP2, answer)
      } else {
        this.options.onUpdate?.(payload)
        if (sub === STEP2) {
          this.#syncedResolve?.()
          this.#syncedReject = null
          if (this.options.onUpdate === undefined && this.options.lightweight)
            this.#lightweight = true
        }
      }
    } else if (type === ACK && this.kind === 'accord') {
      const count = decoding.readVarUint(decoder)
      this.acked = count
      this.options.onAck?.(count)
    }
  }

  #sendSync(sub: number, update: Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    this.socket.send(
      this.#frame((e) => {
        encoding.writeVarUint(e, SYNC)
        encoding.writeVarUint(e, sub)
        encoding.writeVarUint8Array(e, update)
      }),
    )
    this.updateFramesSent++
  }

  /** Encodes an update frame once; send it with `sendFrame` (encoding is kept out of timed windows). */
  encodeUpdate(update: Uint8Array): Uint8Array {
    return this.#frame((e) => {
      encoding.writeVarUint(e, SYNC)
      encoding.writeVarUint(e, UPDATE)
      encoding.writeVarUint8Array(e, update)
    })
  }

  /** Sends a pre-encoded update frame; returns its number (for acks). */
  sendFrame(frame: Uint8Array): number {
    this.socket.send(frame)
    return ++this.updateFramesSent
  }

  /** Sends a sync step 1 and resolves when the server's step 2 answer arrives. */
  async roundTrip(): Promise<void> {
    const answered = new Promise<void>((resolve, reject) => {
      this.#syncedResolve = resolve
      this.#syncedReject = reject
    })
    this.socket.send(
      this.#frame((e) => {
        encoding.writeVarUint(e, SYNC)
        encoding.writeVarUint(e, STEP1)
        encoding.writeVarUint8Array(e, this.options.stateVector?.() ?? EMPTY_STATE_VECTOR)
      }),
    )
    await answered
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount
  }

  close(): Promise<void> {
    if (this.closed || this.socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve())
      this.socket.close()
      setTimeout(() => {
        this.socket.terminate()
        resolve()
      }, 3000).unref()
    })
  }
}

/** Opens `count` clients with at most `concurrency` handshakes in flight. */
export async function openMany(
  make: (index: number) => BenchClient,
  count: number,
  concurrency = 100,
): Promise<BenchClient[]> {
  const clients: BenchClient[] = new Array(count)
  let next = 0
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++
      const client = make(index)
      clients[index] = client
      await client.opened
      await client.synced
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return clients
}
