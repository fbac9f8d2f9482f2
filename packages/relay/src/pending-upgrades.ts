import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * Sockets between their HTTP upgrade request and the websocket handler. A client that hangs up
 * in that window is never seen by @fastify/websocket (Fastify skips the handler of an aborted
 * request), so its socket would stay half-open for good: a leaked descriptor, and a
 * `server.close()` that never returns. This destroys such sockets.
 *
 * Its listeners are shared by every socket (an emitter calls them with itself as `this`), so
 * that the handover can remove them: the socket lives as long as its connection.
 */
export class PendingUpgrades {
  readonly #sockets = new Set<Duplex>()
  readonly #onClose: (this: Duplex) => void
  #closed = false

  constructor(server: Server) {
    const sockets = this.#sockets
    this.#onClose = function () {
      sockets.delete(this)
    }
    server.on('upgrade', this.#onUpgrade)
  }

  /** The websocket handler took the socket over: from now on `ws` owns its lifecycle. */
  handedOver(request: IncomingMessage): void {
    const socket = request.socket
    if (!this.#sockets.delete(socket)) return
    socket.off('end', destroyOnEnd)
    socket.off('close', this.#onClose)
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
    socket.on('end', destroyOnEnd)
    socket.on('close', this.#onClose)
  }
}

/** A pending socket whose client hung up (the listener goes at the handover). */
function destroyOnEnd(this: Duplex): void {
  this.destroy()
}
