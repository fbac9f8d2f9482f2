import {
  ALL_FEATURES,
  encodeHello,
  MessageType,
  PROTOCOL_VERSION,
  SyncType,
} from '@accord/protocol'
import * as decoding from 'lib0/decoding'

/** A WebSocket constructor: the browser's `WebSocket`, or the one from `ws` in Node. */
export type WebSocketClass = new (url: string, protocols?: string | string[]) => unknown

export interface SocketHooks {
  /** The socket opened; HELLO has already been sent on it. */
  opened(): void
  /** An update-carrying frame (sync step 2 or sync update) was sent on the socket. */
  updateSent(kind: 'step2' | 'update'): void
}

/**
 * Wraps the WebSocket class handed to y-websocket, which has no hook for outgoing frames. The
 * relay's ACK counts the update frames of one connection, so the only reliable place to count
 * them is `send` itself. HELLO goes out from an `open` listener registered in the constructor,
 * i.e. before y-websocket's `onopen` sends sync step 1: the relay learns what we understand
 * before it answers anything.
 */
export function instrumentedSocketClass(
  Base: WebSocketClass,
  hooks: SocketHooks,
): typeof WebSocket {
  // `ws` implements the browser interface that y-websocket and this wrapper use.
  const Socket = Base as typeof WebSocket
  return class AccordSocket extends Socket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('open', () => {
        this.send(encodeHello(PROTOCOL_VERSION, ALL_FEATURES))
        hooks.opened()
      })
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      super.send(data)
      const kind = data instanceof Uint8Array ? updateKind(data) : undefined
      if (kind !== undefined) hooks.updateSent(kind)
    }
  }
}

function updateKind(frame: Uint8Array): 'step2' | 'update' | undefined {
  const decoder = decoding.createDecoder(frame)
  if (decoding.readVarUint(decoder) !== MessageType.sync) return undefined
  const sub = decoding.readVarUint(decoder)
  if (sub === SyncType.step2) return 'step2'
  if (sub === SyncType.update) return 'update'
  return undefined
}
