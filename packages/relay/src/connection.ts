import type { Duplex } from 'node:stream'
import { closeCodeName, encodeAck, encodeError, Feature } from '@accord/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import type { Access } from './auth/room-access.js'
import type { TokenBucket } from './limits.js'

let nextConnectionId = 1

/**
 * One client socket in one room. Holds what the relay must remember per connection: the
 * Accord features it asked for, how many update frames it sent (the unit of acknowledgement),
 * the awareness client ids it speaks for, and liveness for the heartbeat.
 */
export class Connection {
  readonly id = nextConnectionId++
  readonly openedAt = Date.now()
  /** The authenticated user (undefined on an open relay): stamped on presence and events. */
  userId: string | undefined = undefined
  /** What this connection may do in its room; read-only connections never write. */
  access: Access = 'write'
  /** Accord extension features granted after HELLO; 0 for stock y-websocket clients. */
  features = 0
  /** Update-carrying frames (sync step 2 / update) received so far; acks count these. */
  updateFrames = 0
  /** Awareness client ids this connection announced (null before the first); removed on close. */
  awarenessIds: Set<number> | null = null
  /** Set by a pong, cleared by each heartbeat ping: false at the next beat means dead. */
  alive = true
  /** Set by every send, cleared by each heartbeat: false means the client needs a keepalive. */
  sentSinceBeat = false
  #closed = false

  constructor(
    readonly socket: WebSocket,
    readonly room: string,
    readonly ip: string,
    readonly log: FastifyBaseLogger,
    /** The per-connection message rate limit. */
    readonly bucket: TokenBucket,
  ) {
    socket.on('pong', () => {
      this.alive = true
    })
  }

  get isOpen(): boolean {
    return !this.#closed && this.socket.readyState === this.socket.OPEN
  }

  has(feature: number): boolean {
    return (this.features & feature) !== 0
  }

  send(frame: Uint8Array): void {
    if (!this.isOpen) return
    this.socket.send(frame)
    this.sentSinceBeat = true
  }

  /**
   * Holds this connection's outgoing frames in the socket until `uncork()`, so several frames
   * leave in one write. ws keeps its underlying socket private; cork() nests with ws's own.
   */
  cork(): void {
    ;(this.socket as unknown as { _socket?: Duplex })._socket?.cork()
  }

  uncork(): void {
    ;(this.socket as unknown as { _socket?: Duplex })._socket?.uncork()
  }

  /** Tells an Accord client that its first `count` update frames are on disk. */
  acknowledge(count: number): void {
    if (this.has(Feature.acks)) this.send(encodeAck(count))
  }

  /** Explains a refused request to an Accord client without closing the connection. */
  explain(code: number, reason: string): void {
    if (this.has(Feature.errors)) this.send(encodeError(code, reason))
  }

  /** Closes with a named Accord close code; the reason is logged and sent to the client. */
  close(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    const level = code === 1001 ? 'debug' : 'warn'
    this.log[level](
      { room: this.room, connection: this.id, code, codeName: closeCodeName(code), reason },
      'closing connection',
    )
    // Close reasons are limited to 123 bytes by RFC 6455.
    this.socket.close(code, truncateUtf8(reason, 123))
  }

  markClosed(): void {
    this.#closed = true
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text)
  if (bytes.length <= maxBytes) return text
  return bytes
    .subarray(0, maxBytes)
    .toString()
    .replace(/\uFFFD$/, '')
}
