import type { Duplex } from 'node:stream'
import { CloseCode, closeCodeName, encodeAck, encodeError, Feature } from '@accord/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import type { Access } from './auth/room-access.js'
import { type Limits, TokenBucket } from './limits.js'

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
  /** The per-connection message rate limit. */
  readonly bucket: TokenBucket
  /** The per-connection presence (awareness) update rate limit. */
  readonly presenceBucket: TokenBucket
  /** Answers deferred by `throttle`, per kind, and when each kind was last answered. */
  readonly #answeredAt = new Map<string, number>()
  readonly #deferred = new Map<string, NodeJS.Timeout>()
  /** Size of the last full state sent: the client may still be reading it (see `send`). */
  #stateBytes = 0
  #expiry: NodeJS.Timeout | undefined
  /** Cuts a closed connection whose client does not answer the close frame. */
  #closeTimer: NodeJS.Timeout | undefined
  #closed = false
  /** Set once the relay refused the connection: its frames are dropped unread. */
  ignoresInput = false

  constructor(
    readonly socket: WebSocket,
    readonly room: string,
    readonly ip: string,
    readonly log: FastifyBaseLogger,
    private readonly limits: Limits,
  ) {
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst)
    this.presenceBucket = new TokenBucket(limits.presencePerSecond, limits.presenceBurst)
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

  /**
   * Queues `frame` unless the client stopped reading: a connection whose queue already holds
   * more than `maxBufferedBytes` beyond the last full state it was sent (which a slow client
   * may legitimately still be downloading) is dropped, so that what the relay holds for one
   * connection stays bounded whatever it asks for.
   */
  send(frame: Uint8Array, state = false): void {
    if (!this.isOpen) return
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes + this.#stateBytes) {
      this.close(CloseCode.slowConsumer, 'the connection does not read what it is sent')
      // A close frame would wait behind the queue it did not read: free the queue now.
      this.socket.terminate()
      return
    }
    if (state) this.#stateBytes = frame.length
    this.socket.send(frame)
    this.sentSinceBeat = true
  }

  /**
   * Runs `answer` now, or (if this kind was answered less than `answerIntervalMs` ago) once
   * that interval has passed; a later request of the same kind replaces a deferred one. A
   * client asking again and again for the room's state or presence gets it once per interval.
   */
  throttle(kind: string, answer: () => void): void {
    const wait =
      (this.#answeredAt.get(kind) ?? -Infinity) + this.limits.answerIntervalMs - performance.now()
    clearTimeout(this.#deferred.get(kind))
    if (wait <= 0) {
      this.#deferred.delete(kind)
      this.#answeredAt.set(kind, performance.now())
      answer()
      return
    }
    const timer = setTimeout(() => {
      this.#deferred.delete(kind)
      this.#answeredAt.set(kind, performance.now())
      if (this.isOpen) answer()
    }, wait)
    this.#deferred.set(kind, timer)
  }

  /** Closes the connection with `unauthorized` when its credentials expire (epoch ms). */
  expireAt(epochMs: number): void {
    // setTimeout takes at most 2^31 - 1 ms (~24.8 days); a longer token is checked again then.
    const delay = Math.min(epochMs - Date.now(), 2 ** 31 - 1)
    this.#expiry = setTimeout(
      () => {
        if (Date.now() >= epochMs) this.close(CloseCode.unauthorized, 'the token expired')
        else this.expireAt(epochMs)
      },
      Math.max(delay, 0),
    )
    this.#expiry.unref()
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

  /**
   * The largest data frame ws will read from this client; a larger one makes ws close the
   * connection with 1009 as soon as its header arrives, before buffering any of it. ws keeps
   * the setting private (`maxPayload` is per server); the receiver reads it per frame.
   */
  limitFrames(maxBytes: number): void {
    const receiver = (this.socket as unknown as { _receiver?: { _maxPayload: number } })._receiver
    if (receiver !== undefined) receiver._maxPayload = maxBytes
  }

  /**
   * Closes with a named Accord close code; the reason is logged and sent to the client. Past a
   * refusal (anything but going away, after which frames still in flight are applied and
   * flushed), what the client still sends is ignored.
   */
  close(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    if (code !== CloseCode.goingAway) {
      this.ignoresInput = true
      // ws reads on until the client answers the close (up to 30 s): read nothing big
      // meanwhile, and do not wait that long.
      this.limitFrames(1)
      this.#closeTimer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref()
    }
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
    clearTimeout(this.#expiry)
    clearTimeout(this.#closeTimer)
    for (const timer of this.#deferred.values()) clearTimeout(timer)
    this.#deferred.clear()
  }
}

/** How long a client closed by the relay has to answer the close frame before it is cut. */
const CLOSE_GRACE_MS = 2_000

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text)
  if (bytes.length <= maxBytes) return text
  return bytes
    .subarray(0, maxBytes)
    .toString()
    .replace(/\uFFFD$/, '')
}
