import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Connections that have not sent a request yet. Browsers open such speculative connections
 * ahead of requests they expect to make. Node 20's `server.close()` does not count them as idle
 * (nodejs/node#63452, fixed upstream by #63470) and waits for them until the headers timeout:
 * a relay asked to stop while a browser had one open hung for a minute or more. At shutdown
 * they are destroyed; having sent nothing, they carry nothing to lose.
 *
 * A socket leaves the set with its first request (or upgrade), so the set holds only the few
 * connections between accept and first request, never the relay's websockets.
 */
export class SilentSockets {
  readonly #sockets = new Set<Socket>()
  readonly #forget: (this: Socket) => void
  #closed = false

  constructor(server: Server) {
    const sockets = this.#sockets
    this.#forget = function () {
      sockets.delete(this)
    }
    server.on('connection', this.#onConnection)
    server.on('request', this.#onRequest)
    server.on('upgrade', this.#onRequest)
  }

  /** At shutdown: every connection still silent, and any that arrives from now on. */
  destroyAll(): void {
    this.#closed = true
    for (const socket of this.#sockets) if (socket.bytesRead === 0) socket.destroy()
  }

  readonly #onConnection = (socket: Socket): void => {
    if (this.#closed) {
      socket.destroy()
      return
    }
    this.#sockets.add(socket)
    socket.on('close', this.#forget)
  }

  readonly #onRequest = (request: IncomingMessage): void => {
    const socket = request.socket
    if (this.#sockets.delete(socket)) socket.off('close', this.#forget)
  }
}
