import { encodeAwareness, encodeAwarenessUpdate } from '@accord/protocol'
import type { Connection } from './connection.js'

/**
 * An awareness update with no entries: every y-websocket client accepts it and nothing
 * changes. Stock clients drop a connection after 30 s without a message (WebSocket pings are
 * invisible to browser code), so a quiet connection gets this instead.
 */
const KEEPALIVE = encodeAwareness(encodeAwarenessUpdate([]))

/**
 * One timer for all connections: each beat terminates sockets that did not answer the
 * previous ping, pings the rest, and sends a keepalive frame to those that received nothing
 * since the previous beat. A client therefore hears from the relay at least every two beats.
 */
export function startHeartbeat(
  connections: ReadonlySet<Connection>,
  intervalMs: number,
): () => void {
  const timer = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.log.info(
          { room: connection.room, connection: connection.id },
          'no pong: terminating dead connection',
        )
        connection.socket.terminate()
        continue
      }
      connection.alive = false
      connection.socket.ping()
      if (!connection.sentSinceBeat) connection.send(KEEPALIVE)
      connection.sentSinceBeat = false
    }
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
