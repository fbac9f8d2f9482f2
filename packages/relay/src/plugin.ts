import { CloseCode } from '@accord/protocol'
import websocket from '@fastify/websocket'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { RawData, WebSocket } from 'ws'
import { Connection } from './connection.js'
import { startHeartbeat } from './heartbeat.js'
import type { Room } from './room.js'
import { roomNameProblem } from './room-name.js'
import { RoomRegistry } from './room-registry.js'
import type { CompactionPolicy } from './room-writer.js'
import { LevelStorage } from './storage/level-storage.js'
import type { Storage } from './storage/storage.js'

export interface AccordRelayOptions {
  /** Where rooms are stored. Default: LevelDB in `dataDir`. The relay opens and closes it. */
  storage?: Storage
  /** Data directory of the default LevelDB storage. Default `./data`. */
  dataDir?: string
  /** fsync every write of the default storage (survives power loss, not only crashes). */
  syncWrites?: boolean
  /** Largest accepted frame, in bytes; larger ones close the connection with 1009. Default 16 MiB. */
  maxMessageBytes?: number
  /** Heartbeat period: dead sockets are dropped after two, quiet clients get a keepalive. Default 7.5 s. */
  heartbeatIntervalMs?: number
  /** When a room's update log is folded into a snapshot. */
  compaction?: Partial<CompactionPolicy>
  /** Path prefix of the websocket and health routes, e.g. `/sync`. Default none. */
  prefix?: string
}

/** What the plugin exposes on the Fastify instance as `app.accord`. */
export interface AccordRelay {
  readonly storage: Storage
  /** Rooms in memory right now. */
  readonly loadedRooms: number
  /** Open websocket connections. */
  readonly connections: number
}

declare module 'fastify' {
  interface FastifyInstance {
    accord: AccordRelay
  }
}

export const DEFAULTS = {
  dataDir: './data',
  maxMessageBytes: 16 * 1024 * 1024,
  heartbeatIntervalMs: 7_500,
  compaction: { maxLogEntries: 10_000, minLogBytes: 256 * 1024 } satisfies CompactionPolicy,
}

async function accordRelay(app: FastifyInstance, options: AccordRelayOptions): Promise<void> {
  const storage =
    options.storage ??
    new LevelStorage({
      path: options.dataDir ?? DEFAULTS.dataDir,
      sync: options.syncWrites ?? false,
    })
  await storage.open()
  const rooms = new RoomRegistry(
    storage,
    { ...DEFAULTS.compaction, ...options.compaction },
    app.log,
  )
  const connections = new Set<Connection>()
  const stopHeartbeat = startHeartbeat(
    connections,
    options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
  )
  let closing = false

  app.decorate('accord', {
    storage,
    get loadedRooms() {
      return rooms.size
    },
    get connections() {
      return connections.size
    },
  } satisfies AccordRelay)

  // Shutdown: refuse newcomers, write everything queued, then tell clients we are going away.
  app.addHook('preClose', async () => {
    closing = true
    stopHeartbeat()
    await rooms.flushAll()
    for (const connection of connections)
      connection.close(CloseCode.goingAway, 'the relay is shutting down')
  })
  app.addHook('onClose', async () => {
    await storage.close()
  })

  function onSocket(socket: WebSocket, request: FastifyRequest): void {
    const name = (request.params as { '*': string })['*']
    const problem = roomNameProblem(name)
    if (problem !== null) {
      request.log.warn({ room: name.slice(0, 100) }, `rejecting connection: ${problem}`)
      socket.close(CloseCode.invalidRoomName, problem)
      return
    }
    if (closing) {
      socket.close(CloseCode.goingAway, 'the relay is shutting down')
      return
    }
    const connection = new Connection(socket, name, request.log)
    connections.add(connection)
    request.log.info({ room: name, connection: connection.id, ip: request.ip }, 'connection opened')

    // Attached before any await: frames that arrive while the room loads are queued, in order.
    let room: Room | null = null
    let queued: Uint8Array[] | null = []
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        connection.close(CloseCode.badMessage, 'text frames are not part of the protocol')
        return
      }
      const frame = data as Buffer
      if (room !== null) room.receive(connection, frame)
      else queued?.push(frame)
    })

    const lease = rooms.acquire(name)
    socket.on('close', (code: number, reason: Buffer) => {
      connections.delete(connection)
      connection.markClosed()
      queued = null
      room?.leave(connection)
      lease.release()
      request.log.info(
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

    lease.room.then(
      (loaded) => {
        if (!connection.isOpen || queued === null) return
        room = loaded
        loaded.join(connection)
        for (const frame of queued) loaded.receive(connection, frame)
        queued = null
      },
      (error: Error) => {
        request.log.error({ room: name, err: error }, 'loading the room failed')
        connection.close(CloseCode.storageFailure, 'the relay could not load this room')
      },
    )
  }

  await app.register(
    async (routes) => {
      if (!routes.hasDecorator('websocketServer')) {
        await routes.register(websocket, {
          options: {
            maxPayload: options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
            perMessageDeflate: false,
          },
          errorHandler: (error, socket, request) => {
            // ws has already closed the socket with the right code (1009 for oversized frames).
            request.log.warn(
              { err: error, room: (request.params as { '*'?: string })['*'] },
              'websocket error',
            )
            if (socket.readyState === socket.OPEN)
              socket.close(CloseCode.internalError, 'websocket error')
          },
          preClose: (done) => {
            // Our own preClose hook closes the connections; only stop accepting here.
            routes.websocketServer.close(() => done())
          },
        })
      }
      routes.get('/healthz', async () => ({ status: 'ok' }))
      routes.get('/readyz', async (_request, reply) => {
        const ready = storage.isOpen() && !closing
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'unavailable',
          storage: storage.isOpen() ? 'open' : 'closed',
          rooms: rooms.size,
          connections: connections.size,
        })
      })
      routes.get('/*', { websocket: true }, onSocket)
    },
    { prefix: options.prefix ?? '' },
  )
}

/** The relay as a Fastify plugin: `app.register(accordRelay, options)`. */
export default fp(accordRelay, { fastify: '5.x', name: '@accord/relay' })
