import type { AddressInfo } from 'node:net'
import {
  createRelayServer,
  MemoryStorage,
  type RelayServerOptions,
  type Storage,
} from '@accord/relay'
import { afterEach } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { type Client, type ClientOptions, createClient } from '../src/index.js'

export interface TestRelay {
  url: string
  port: number
  storage: Storage
  /** Stops the relay (idempotent). */
  stop(): Promise<void>
  /** Starts it again on the same port with the same storage. */
  restart(): Promise<void>
}

/**
 * Relays, clients and fake servers made through these helpers are closed after each test of
 * the file that calls `useCleanup()`.
 */
const cleanups: (() => Promise<void>)[] = []

export function useCleanup(): void {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
}

export async function startRelay(
  storage: Storage = new MemoryStorage(),
  options: RelayServerOptions = {},
): Promise<TestRelay> {
  let app: Awaited<ReturnType<typeof createRelayServer>> | undefined
  const listen = async (port: number): Promise<number> => {
    app = await createRelayServer({ storage, logger: false, ...options })
    await app.listen({ host: '127.0.0.1', port })
    return (app.server.address() as AddressInfo).port
  }
  const port = await listen(0)
  const relay: TestRelay = {
    url: `ws://127.0.0.1:${port}`,
    port,
    storage,
    async stop() {
      const running = app
      app = undefined
      await running?.close()
    },
    async restart() {
      await relay.stop()
      await listen(port)
    },
  }
  cleanups.push(() => relay.stop())
  return relay
}

/** A client as the tests want it by default: Node's `ws`, no IndexedDB, no cross-tab sync, quick retries. */
export function testClient(url: string, options: Partial<ClientOptions> = {}): Client {
  const client = createClient({
    url,
    WebSocket,
    persistence: false,
    crossTab: false,
    backoff: { initialDelay: 5, maxDelay: 20 },
    ...options,
  })
  cleanups.push(() => client.close())
  return client
}

/** A bare WebSocket server that lets `onConnection` decide what happens to each socket. */
export async function fakeServer(
  onConnection: (socket: WebSocket, url: string) => void,
): Promise<{ url: string; connections: string[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const connections: string[] = []
  server.on('connection', (socket, request) => {
    connections.push(request.url ?? '')
    onConnection(socket, request.url ?? '')
  })
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate()
        server.close(() => resolve())
      }),
  )
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, connections }
}

let roomCounter = 0
/** A room name no other test uses (IndexedDB is shared by the whole test file). */
export function uniqueRoom(prefix = 'room'): string {
  return `${prefix}/${process.pid}-${++roomCounter}`
}
