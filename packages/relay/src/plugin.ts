import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { CloseCode } from '@accord/protocol'
import websocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { acceptConnection, closeOnWebsocketError, type RelayState } from './accept-connection.js'
import { ACCORD_PROTOCOL, type Authenticate } from './auth/authenticator.js'
import { type JwtKeySource, jwtAuthenticator } from './auth/jwt.js'
import type { Connection } from './connection.js'
import { startHeartbeat } from './heartbeat.js'
import { ConnectionCounter, DEFAULT_LIMITS, type Limits } from './limits.js'
import { PendingUpgrades } from './pending-upgrades.js'
import { RoomRegistry } from './room-registry.js'
import type { CompactionPolicy } from './room-writer.js'
import { SilentSockets } from './silent-sockets.js'
import { LevelStorage } from './storage/level-storage.js'
import type { Storage } from './storage/storage.js'

export interface AccordRelayOptions {
  /** Where rooms are stored. Default: LevelDB in `dataDir`. The relay opens and closes it. */
  storage?: Storage
  /** Data directory of the default LevelDB storage. Default `./data`. */
  dataDir?: string
  /** fsync every write of the default storage (survives power loss, not only crashes). */
  syncWrites?: boolean
  /**
   * Group commit window, in ms: a room's write starts at most this long after the oldest update
   * it carries arrived (sooner once 8 are queued), so the window's updates share one write.
   * Acknowledgements wait as long; broadcasts never do. Default 10; 0 writes each event-loop
   * turn's updates at the end of the turn.
   */
  commitDelayMs?: number
  /** Largest accepted frame, in bytes; larger ones close the connection with 1009. Default 16 MiB. */
  maxMessageBytes?: number
  /** Heartbeat period: dead sockets are dropped after two, quiet clients get a keepalive. Default 7.5 s. */
  heartbeatIntervalMs?: number
  /** When a room's update log is folded into a snapshot. */
  compaction?: Partial<CompactionPolicy>
  /** Path prefix of the websocket and health routes, e.g. `/sync`. Default none. */
  prefix?: string
  /** Verify JWTs (`sub`, `rooms`, `exp`) with an HS256 secret or a public key / JWKS file. */
  auth?: JwtKeySource
  /** A custom authentication scheme; replaces `auth`. */
  authenticate?: Authenticate
  /** Browser origins allowed to connect (exact `Origin` values). Default: any. */
  allowedOrigins?: string[]
  /** Connection, room, size and rate limits; see `Limits`. */
  limits?: Partial<Limits>
}

/** What the plugin exposes on the Fastify instance as `app.accord`. */
export interface AccordRelay {
  readonly storage: Storage
  /** Rooms in memory right now. */
  readonly loadedRooms: number
  /** Open websocket connections. */
  readonly connections: number
  /** Rooms whose stored history could not be loaded, and why; they are not served. */
  readonly quarantinedRooms: ReadonlyMap<string, string>
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
  commitDelayMs: 10,
  compaction: { maxLogEntries: 10_000, minLogBytes: 256 * 1024 } satisfies CompactionPolicy,
}

async function accordRelay(app: FastifyInstance, options: AccordRelayOptions): Promise<void> {
  const authenticate =
    options.authenticate ?? (options.auth ? await jwtAuthenticator(options.auth) : null)
  if (authenticate === null) {
    app.log.warn(
      'no authentication configured: anyone who can reach this relay can read and write every room',
    )
  }
  const storage =
    options.storage ??
    new LevelStorage({
      path: options.dataDir ?? DEFAULTS.dataDir,
      sync: options.syncWrites ?? false,
    })
  await storage.open()
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes
  const relay: RelayState = {
    log: app.log,
    rooms: new RoomRegistry(
      storage,
      {
        ...DEFAULTS.compaction,
        ...options.compaction,
        commitDelayMs: options.commitDelayMs ?? DEFAULTS.commitDelayMs,
      },
      limits,
      app.log,
    ),
    connections: new Set<Connection>(),
    counter: new ConnectionCounter(limits),
    limits,
    maxMessageBytes,
    authenticate,
    allowedOrigins: options.allowedOrigins ? new Set(options.allowedOrigins) : null,
    closing: false,
  }
  const pendingUpgrades = new PendingUpgrades(app.server)
  const silentSockets = new SilentSockets(app.server)
  const stopHeartbeat = startHeartbeat(
    relay.connections,
    options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
  )

  app.decorate('accord', {
    storage,
    get loadedRooms() {
      return relay.rooms.size
    },
    get connections() {
      return relay.connections.size
    },
    quarantinedRooms: relay.rooms.quarantined,
  } satisfies AccordRelay)

  // Shutdown: refuse newcomers, write everything queued, then tell clients we are going away.
  app.addHook('preClose', async () => {
    relay.closing = true
    stopHeartbeat()
    pendingUpgrades.destroyAll()
    silentSockets.destroyAll()
    await relay.rooms.flushAll()
    for (const connection of relay.connections)
      connection.close(CloseCode.goingAway, 'the relay is shutting down')
  })
  app.addHook('onClose', async () => {
    await storage.close()
  })

  await app.register(
    async (routes) => {
      if (!routes.hasDecorator('websocketServer')) {
        await routes.register(websocket, {
          options: {
            maxPayload: maxMessageBytes,
            perMessageDeflate: false,
            // Browsers fail a connection that offered subprotocols unless one is echoed back;
            // clients that send their token as a subprotocol also offer `accord`.
            handleProtocols: (protocols) =>
              protocols.has(ACCORD_PROTOCOL) ? ACCORD_PROTOCOL : false,
          },
          // Until acceptConnection replaces it, and for errors thrown by the route handler.
          errorHandler: (error, socket, request) =>
            closeOnWebsocketError(socket, error, request.log, {
              room: (request.params as { '*'?: string })['*'],
            }),
          preClose: (done) => {
            // Our own preClose hook closes the connections; only stop accepting here.
            routes.websocketServer.close(() => done())
          },
        })
      }
      routes.get('/healthz', async () => ({ status: 'ok' }))
      routes.get('/readyz', async (_request, reply) => {
        const ready = storage.isOpen() && !relay.closing
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'unavailable',
          storage: storage.isOpen() ? 'open' : 'closed',
          rooms: relay.rooms.size,
          connections: relay.connections.size,
          quarantinedRooms: relay.rooms.quarantined.size,
        })
      })
      routes.get('/*', { websocket: true }, (socket, request) => {
        pendingUpgrades.handedOver(request.raw)
        detachUpgradeResponse(request.raw)
        acceptConnection(socket, request, relay)
      })
    },
    { prefix: options.prefix ?? '' },
  )
}

/**
 * @fastify/websocket routes the upgrade through Fastify with a ServerResponse assigned to the
 * socket, and Node keeps it as `socket._httpMessage` for as long as the socket lives: with it
 * the IncomingMessage and its headers, Fastify's Reply and Request and their child logger. The
 * handshake is complete and the reply hijacked, so nothing writes to it any more; detaching it
 * lets all of that be collected. (Upgraded sockets are no longer in the HTTP server's
 * connection list, so `server.close()` does not treat them as idle because of this.)
 */
function detachUpgradeResponse(request: IncomingMessage): void {
  // No socket under `app.injectWS()`, whose request is a plain object.
  const socket = request.socket as (Socket & { _httpMessage?: ServerResponse | null }) | undefined
  socket?._httpMessage?.detachSocket(socket)
}

/** The relay as a Fastify plugin: `app.register(accordRelay, options)`. */
export default fp(accordRelay, { fastify: '5.x', name: '@accord/relay' })
