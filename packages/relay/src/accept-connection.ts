import { CloseCode } from '@accord/protocol'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { RawData, WebSocket } from 'ws'
import { type Authenticate, type Identity, tokenFrom } from './auth/authenticator.js'
import { Connection } from './connection.js'
import type { ConnectionCounter, Limits } from './limits.js'
import type { Room } from './room.js'
import { roomNameProblem } from './room-name.js'
import { QuarantinedRoomError, type RoomLease, type RoomRegistry } from './room-registry.js'

export interface RelayState {
  /** The app's logger; lines about a connection carry its room and connection id. */
  log: FastifyBaseLogger
  rooms: RoomRegistry
  connections: Set<Connection>
  counter: ConnectionCounter
  limits: Limits
  maxMessageBytes: number
  /** Null on an open relay: everyone may write everywhere. */
  authenticate: Authenticate | null
  /** Browser origins allowed to connect; null allows all. */
  allowedOrigins: ReadonlySet<string> | null
  closing: boolean
}

const OPEN_ACCESS: Identity = { userId: '', access: 'write' }

/**
 * The life of one websocket: admission (room name, origin, connection limits), then
 * authentication, then the room. Frames that arrive before the room is ready are queued in
 * order: the handler is attached before anything asynchronous happens.
 *
 * `request` is read here and handed to authentication, but never captured by the socket's
 * listeners (see `serve`): they live as long as the connection, and through the request would
 * keep its headers, IncomingMessage and child logger in memory as long.
 */
export function acceptConnection(
  socket: WebSocket,
  request: FastifyRequest,
  relay: RelayState,
): void {
  const name = (request.params as { '*': string })['*']
  const refusal = admissionProblem(name, request, relay)
  if (refusal !== null) {
    request.log.warn(
      { room: name.slice(0, 100), ip: request.ip, code: refusal.code },
      `refusing connection: ${refusal.reason}`,
    )
    socket.close(refusal.code, refusal.reason)
    return
  }
  const connection = new Connection(socket, name, request.ip, relay.log, relay.limits)
  // Until it is authenticated, a connection may not make the relay hold more than a few KiB.
  connection.limitFrames(Math.min(relay.limits.maxPreAuthBytes, relay.maxMessageBytes))
  relay.connections.add(connection)
  relay.log.info(
    { room: name, connection: connection.id, ip: connection.ip, reqId: request.id },
    'connection opened',
  )
  const enter = serve(connection, relay)
  identify(request, name, relay)
    .then(enter)
    .catch((error: Error) => {
      relay.log.warn(
        { room: name, connection: connection.id, err: error.message },
        'authentication failed',
      )
      connection.close(CloseCode.unauthorized, 'authentication failed')
    })
}

/**
 * Attaches the socket's listeners: frames are queued until the room is ready, then go to it.
 * Returns what lets the connection into its room once authentication has decided.
 */
function serve(
  connection: Connection,
  relay: RelayState,
): (identity: Identity | null) => Promise<void> | void {
  const { socket, room: name } = connection
  let room: Room | null = null
  let lease: RoomLease | null = null
  let queued: Uint8Array[] | null = []
  let queuedBytes = 0
  // Before authentication a few KiB; after it, until the room is ready, one large sync.
  let maxQueuedBytes = relay.limits.maxPreAuthBytes
  // @fastify/websocket's error listener closes over the request and its reply; replaced by one
  // that does not, so that they can be collected once the handshake is over.
  socket.removeAllListeners('error')
  socket.on('error', (error: Error) =>
    closeOnWebsocketError(socket, error, relay.log, { room: name, connection: connection.id }),
  )
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (connection.ignoresInput) {
      // Refused: whatever it still sends is dropped.
    } else if (!connection.bucket.take()) {
      connection.close(CloseCode.rateLimited, 'too many messages; slow down')
    } else if (!isBinary) {
      connection.close(CloseCode.badMessage, 'text frames are not part of the protocol')
    } else if (room !== null) {
      room.receive(connection, data as Buffer)
    } else if (queued !== null) {
      // Before the room is ready a client has no reason to send more than one large sync.
      queuedBytes += (data as Buffer).length
      if (queuedBytes > maxQueuedBytes) {
        queued = null
        connection.close(CloseCode.rateLimited, 'too much data before the room was ready')
      } else {
        queued.push(data as Buffer)
      }
    }
  })

  socket.on('close', (code: number, reason: Buffer) => {
    relay.connections.delete(connection)
    relay.counter.release(connection.ip)
    connection.markClosed()
    queued = null
    room?.leave(connection)
    lease?.release()
    relay.log.info(
      {
        room: name,
        connection: connection.id,
        code,
        reason: reason.toString(),
        durationMs: Date.now() - connection.openedAt,
      },
      'connection closed',
    )
  })

  return (identity) => {
    if (!connection.isOpen) return
    if (identity === null) {
      return connection.close(CloseCode.unauthorized, 'missing, invalid or expired token')
    }
    if (identity.access === 'none') {
      return connection.close(CloseCode.forbidden, `no access to room "${name}"`)
    }
    if (identity !== OPEN_ACCESS) connection.userId = identity.userId
    connection.access = identity.access
    if (identity.expiresAt !== undefined) connection.expireAt(identity.expiresAt)
    connection.limitFrames(relay.maxMessageBytes)
    maxQueuedBytes = 2 * relay.maxMessageBytes
    if (!relay.rooms.has(name) && relay.rooms.size >= relay.limits.maxLoadedRooms) {
      return connection.close(CloseCode.overloaded, 'the relay is at its room limit')
    }
    lease = relay.rooms.acquire(name)
    return lease.room.then(
      (loaded) => {
        if (!connection.isOpen || queued === null) return
        room = loaded
        loaded.join(connection)
        for (const frame of queued) loaded.receive(connection, frame)
        queued = null
      },
      (error: Error) => {
        if (error instanceof QuarantinedRoomError) {
          connection.close(CloseCode.roomQuarantined, 'this room cannot be loaded; ask an operator')
          return
        }
        relay.log.error({ room: name, err: error }, 'loading the room failed')
        connection.close(CloseCode.storageFailure, 'the relay could not load this room')
      },
    )
  }
}

/** A websocket error; ws has already closed the socket with the right code (1009: too big). */
export function closeOnWebsocketError(
  socket: WebSocket,
  error: Error,
  log: FastifyBaseLogger,
  fields: { room: string | undefined; connection?: number },
): void {
  log.warn({ err: error, ...fields }, 'websocket error')
  if (socket.readyState === socket.OPEN) socket.close(CloseCode.internalError, 'websocket error')
}

function admissionProblem(
  name: string,
  request: FastifyRequest,
  relay: RelayState,
): { code: number; reason: string } | null {
  const problem = roomNameProblem(name)
  if (problem !== null) return { code: CloseCode.invalidRoomName, reason: problem }
  if (relay.closing) return { code: CloseCode.goingAway, reason: 'the relay is shutting down' }
  const origin = request.headers.origin
  if (relay.allowedOrigins !== null && origin !== undefined && !relay.allowedOrigins.has(origin)) {
    return { code: CloseCode.forbidden, reason: `origin ${origin} is not allowed` }
  }
  const limited = relay.counter.admit(request.ip)
  return limited === null ? null : { code: CloseCode.overloaded, reason: limited }
}

/** The connection's identity, or null; fails if authentication outlasts the pre-auth timeout. */
async function identify(
  request: FastifyRequest,
  room: string,
  relay: RelayState,
): Promise<Identity | null> {
  if (relay.authenticate === null) return OPEN_ACCESS
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('authentication timed out')),
      relay.limits.authTimeoutMs,
    )
  })
  try {
    return await Promise.race([
      relay.authenticate({ request, room, token: tokenFrom(request) }),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}
