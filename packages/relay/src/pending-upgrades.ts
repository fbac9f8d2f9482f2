import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * Sockets between their HTTP upgrade request and the websocket handler. A client that hangs up
 * in that window is never seen by @fastify/websocket (Fastify skips the handler of an aborted
 * request), so its socket would stay half-open for good: a leaked descriptor, and a
 * `server.close()` that never returns. This destroys such sockets.
 */
export class PendingUpgrades {
  readonly #sockets = new Set<Duplex>()
  #closed = false

  constructor(server: Server) {
    server.on('upgrade', this.#onUpgrade)
  }

  /** The websocket handler took the socket over: from now on `ws` owns its lifecycle. */
  handedOver(request: IncomingMessage): void {
    this.#sockets.delete(request.socket)
  }

  /** At shutdown: handshakes in flight, or arriving later, cannot complete anyway. */
  destroyAll(): void {
    this.#closed = true
    for (const socket of this.#sockets) socket.destroy()
  }

  readonly #onUpgrade = (_request: IncomingMessage, socket: Duplex): void => {
    // The peer's FIN may have arrived with the request itself, before this event.
    if (this.#closed || socket.readableEnded) {
      socket.destroy()
      return
    }
    this.#sockets.add(socket)
    socket.once('end', () => {
      if (this.#sockets.has(socket)) socket.destroy()
    })
    socket.once('close', () => this.#sockets.delete(socket))
  }
}
