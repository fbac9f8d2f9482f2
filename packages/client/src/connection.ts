import {
  CloseCode,
  closeCodeName,
  decodeMessage,
  encodeEvent,
  Feature,
  isPermanentClose,
  MessageType,
  ProtocolError,
} from '@accord/protocol'
import type * as decoding from 'lib0/decoding'
import type { Awareness } from 'y-protocols/awareness'
import { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { type BackoffOptions, backoffDelay } from './backoff.js'
import { Emitter } from './emitter.js'
import { AccordError } from './errors.js'
import { instrumentedSocketClass, type WebSocketClass } from './socket.js'

/**
 * - `connecting`: fetching a token or opening the socket.
 * - `connected`: the socket is open.
 * - `offline`: not connected; a retry is scheduled (sooner when the browser comes back online).
 * - `unauthorized` / `forbidden` / `rejected`: the relay refused us for good; no more retries.
 * - `closed`: `close()` was called.
 */
export type RoomStatus =
  | 'connecting'
  | 'connected'
  | 'offline'
  | 'unauthorized'
  | 'forbidden'
  | 'rejected'
  | 'closed'

/**
 * A token, or a function returning a fresh one; the function is called on every connect, and
 * again shortly before a JWT it returned expires (the relay closes a connection whose token
 * expired), to reconnect with the fresh one.
 */
export type TokenSource = string | (() => string | Promise<string>)

export interface ConnectionOptions {
  url: string
  room: string
  doc: Y.Doc
  awareness: Awareness
  WebSocket: WebSocketClass
  token: TokenSource | undefined
  crossTab: boolean
  backoff: BackoffOptions
}

interface ConnectionEvents {
  status(status: RoomStatus): void
  /** Received the relay's sync step 2: we have everything it had when we connected. */
  synced(): void
  /** A new socket opened: update frame and ack counting starts again from zero. */
  opened(): void
  updateSent(kind: 'step2' | 'update'): void
  ack(count: number): void
  /** The relay refused to store an update of ours (read-only access). */
  writeRejected(): void
  event(name: string, data: Uint8Array, from: string): void
  error(error: AccordError): void
}

const EXTENSION_TYPES = [MessageType.hello, MessageType.ack, MessageType.event, MessageType.error]

/**
 * One room's link to the relay: y-websocket's `WebsocketProvider` for the stock protocol, plus
 * Accord's extensions (HELLO, ACK, EVENT, ERROR) and a retry policy of our own. y-websocket's
 * backoff has no jitter, ignores the `online` event and reuses the URL it was given, so this
 * class decides when to (re)connect and the provider only ever connects when told to.
 */
export class Connection extends Emitter<ConnectionEvents> {
  readonly #provider: WebsocketProvider
  readonly #token: TokenSource | undefined
  readonly #backoff: BackoffOptions
  #status: RoomStatus = 'connecting'
  /** Features the relay granted on the current socket. */
  #features = 0
  /** Consecutive attempts that did not get as far as a sync; drives the backoff. */
  #failures = 0
  /** Incremented per attempt, so that a token arriving after close() or a newer attempt is dropped. */
  #attempt = 0
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #refreshTimer: ReturnType<typeof setTimeout> | undefined
  #stopped = false

  constructor(options: ConnectionOptions) {
    super()
    this.#token = options.token
    this.#backoff = options.backoff
    const Socket = instrumentedSocketClass(options.WebSocket, {
      opened: () => {
        this.#features = 0
        this.emit('opened')
      },
      updateSent: (kind) => this.emit('updateSent', kind),
    })
    this.#provider = new WebsocketProvider(options.url, roomPath(options.room), options.doc, {
      connect: false,
      awareness: options.awareness,
      WebSocketPolyfill: Socket,
      disableBc: !options.crossTab,
      // After every close y-websocket schedules its own reconnect timer. #onClose turns that
      // timer into a no-op; a zero delay makes it fire at once instead of keeping Node alive.
      maxBackoffTime: 0,
    })
    for (const type of EXTENSION_TYPES) {
      this.#provider.messageHandlers[type] = (_encoder, decoder) => this.#receive(decoder)
    }
    this.#provider.on('status', ({ status }) => {
      if (status === 'connected') this.#setStatus('connected')
    })
    this.#provider.on('sync', (synced) => {
      if (!synced) return
      this.#failures = 0
      this.emit('synced')
    })
    this.#provider.on('connection-close', (event) => this.#onClose(event))
    // Other tabs of this origin sync through a BroadcastChannel, with or without the relay.
    this.#provider.connectBc()
    globalThis.addEventListener?.('online', this.#online)
    // Not synchronously: whoever created us must get the chance to listen for errors first.
    queueMicrotask(() => void this.#connect())
  }

  get status(): RoomStatus {
    return this.#status
  }

  /** True while we hold everything the relay had when the current socket connected. */
  get synced(): boolean {
    return this.#provider.synced
  }

  /** Whether a transaction with this origin was applied by the provider (relay or other tab). */
  isRemote(origin: unknown): boolean {
    return origin === this.#provider
  }

  /** Sends an ephemeral event; false when not connected or the relay does not relay events. */
  sendEvent(name: string, data: Uint8Array): boolean {
    const ws = this.#provider.ws
    if (ws === null || ws.readyState !== ws.OPEN || !(this.#features & Feature.events)) return false
    ws.send(encodeEvent(name, data))
    return true
  }

  /**
   * Connects again now, with a fresh token: after the relay refused us (the user signed in
   * again, got access) or to skip the rest of a backoff. Does nothing once closed.
   */
  reconnect(): void {
    if (this.#status === 'closed') return
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    if (this.#stopped) globalThis.addEventListener?.('online', this.#online)
    this.#stopped = false
    this.#failures = 0
    if (this.#provider.ws !== null) this.#provider.disconnect()
    void this.#connect()
  }

  close(): void {
    if (this.#status === 'closed') return
    this.#stopped = true
    clearTimeout(this.#retryTimer)
    clearTimeout(this.#refreshTimer)
    globalThis.removeEventListener?.('online', this.#online)
    this.#provider.destroy()
    this.#setStatus('closed')
  }

  async #connect(): Promise<void> {
    this.#retryTimer = undefined
    if (this.#stopped) return
    const attempt = ++this.#attempt
    this.#setStatus('connecting')
    let token: string | undefined
    try {
      token = typeof this.#token === 'function' ? await this.#token() : this.#token
    } catch (cause) {
      if (attempt !== this.#attempt || this.#stopped) return
      this.emit('error', new AccordError('token-failed', 'the token function failed', { cause }))
      this.#scheduleRetry()
      return
    }
    if (attempt !== this.#attempt || this.#stopped) return
    this.#provider.params = token === undefined ? {} : { token }
    this.#provider.connect()
    this.#refreshBeforeExpiry(token)
  }

  /** With a token function and a JWT with `exp`: reconnects with a fresh token before it expires. */
  #refreshBeforeExpiry(token: string | undefined): void {
    clearTimeout(this.#refreshTimer)
    const expiresAt = token === undefined ? undefined : expiryOf(token)
    if (typeof this.#token !== 'function' || expiresAt === undefined) return
    const lifetime = expiresAt - Date.now()
    // Never sooner than a second: a token function handing out expired tokens must not spin.
    const delay = Math.max(lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 5), 1_000)
    // At most ~24.8 days (setTimeout's limit); a longer token is refreshed then.
    this.#refreshTimer = setTimeout(() => this.reconnect(), Math.min(delay, 2 ** 31 - 1))
  }

  #onClose(event: CloseEvent | null): void {
    clearTimeout(this.#refreshTimer)
    // We decide about reconnecting; this keeps the timer y-websocket just scheduled a no-op.
    this.#provider.shouldConnect = false
    if (this.#stopped) return
    if (event !== null && isPermanentClose(event.code)) {
      this.#refused(event.code, event.reason)
    } else {
      this.#scheduleRetry()
    }
  }

  #refused(code: number, reason: string): void {
    const status =
      code === CloseCode.unauthorized
        ? 'unauthorized'
        : code === CloseCode.forbidden
          ? 'forbidden'
          : 'rejected'
    this.#stopped = true
    globalThis.removeEventListener?.('online', this.#online)
    this.#setStatus(status)
    const why = `${closeCodeName(code) ?? `close code ${code}`}${reason ? `: ${reason}` : ''}`
    this.emit(
      'error',
      new AccordError(status, `the relay refused the connection (${why}); not reconnecting`, {
        closeCode: code,
      }),
    )
  }

  #scheduleRetry(): void {
    this.#setStatus('offline')
    const delay = backoffDelay(this.#failures++, this.#backoff)
    this.#retryTimer = setTimeout(() => void this.#connect(), delay)
  }

  /** The network is back: waiting out the rest of the backoff would only waste time. */
  readonly #online = (): void => {
    if (this.#retryTimer === undefined) return
    clearTimeout(this.#retryTimer)
    this.#failures = 0
    void this.#connect()
  }

  #receive(decoder: decoding.Decoder): void {
    const frame = decoder.arr
    decoder.pos = frame.length
    let message: ReturnType<typeof decodeMessage>
    try {
      message = decodeMessage(frame)
    } catch (cause) {
      if (!(cause instanceof ProtocolError)) throw cause
      this.emit('error', new AccordError('protocol-error', cause.message, { cause }))
      return
    }
    switch (message.type) {
      case 'hello':
        this.#features = message.features
        if (!(message.features & Feature.acks)) {
          this.emit(
            'error',
            new AccordError('acks-unsupported', 'the relay does not acknowledge durable writes'),
          )
        }
        break
      case 'ack':
        this.emit('ack', message.count)
        break
      case 'event':
        this.emit('event', message.name, message.data, message.from)
        break
      case 'error':
        if (message.code === CloseCode.forbidden) {
          this.emit('writeRejected')
          this.emit(
            'error',
            new AccordError('write-rejected', `the relay refused our changes: ${message.reason}`, {
              closeCode: message.code,
            }),
          )
        } else {
          this.emit(
            'error',
            new AccordError('relay-error', `relay error: ${message.reason}`, {
              closeCode: message.code,
            }),
          )
        }
        break
    }
  }

  #setStatus(status: RoomStatus): void {
    if (status === this.#status) return
    this.#status = status
    this.emit('status', status)
  }
}

/** How long before its expiry a token is refreshed (at most a fifth of its lifetime). */
const REFRESH_MARGIN_MS = 30_000

/** A JWT's `exp` in ms since the epoch, or undefined for anything else. */
function expiryOf(token: string): number | undefined {
  const payload = token.split('.')[1]
  if (payload === undefined) return undefined
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as unknown
    const exp = (claims as { exp?: unknown } | null)?.exp
    return typeof exp === 'number' ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

/** Room names may contain `/`, which the relay reads as part of the name; the rest is escaped. */
function roomPath(room: string): string {
  return room.split('/').map(encodeURIComponent).join('/')
}
