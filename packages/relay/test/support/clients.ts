import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

/** Polls `predicate` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export interface StockClient {
  doc: Y.Doc
  provider: WebsocketProvider
  /** Bytes of every message received over the websocket. */
  bytesReceived(): number
  destroy(): void
}

/**
 * The stock y-websocket provider with the `ws` polyfill: no Accord code on the client side.
 * Cross-tab BroadcastChannel is off so that only the relay can carry updates.
 */
export function stockClient(
  url: string,
  room: string,
  doc = new Y.Doc(),
  connect = true,
  params: Record<string, string> = {},
): StockClient {
  let received = 0
  class CountingWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols)
      // The provider sets binaryType 'arraybuffer', so data arrives as an ArrayBuffer.
      this.on('message', (data: ArrayBuffer | Buffer) => {
        received += data.byteLength
      })
    }
  }
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: CountingWebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect,
    params,
  })
  return {
    doc,
    provider,
    bytesReceived: () => received,
    destroy: () => {
      provider.destroy()
      doc.destroy()
    },
  }
}

export function synced(client: StockClient, timeoutMs?: number): Promise<void> {
  return waitFor(() => client.provider.synced, 'the provider to sync', timeoutMs)
}
