import type { AddressInfo } from 'node:net'
import { type Client, type ClientOptions, createClient, type Room } from '@accord/client'
import { createRelayServer, MemoryStorage } from '@accord/relay'
import { cleanup } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach } from 'vitest'
import { WebSocket } from 'ws'
import { AccordProvider, RoomProvider } from '../src/index.js'

const cleanups: (() => Promise<void> | void)[] = []
const relays = new Set<string>()
const rooms = new Set<Room>()

/** Unmounts rendered trees, then closes the clients and relays made here, after each test. */
export function cleanupAfterEach(): void {
  afterEach(async () => {
    // A socket closed in the middle of its handshake can leave the relay's `close()` hanging
    // (reproduced with a bare `ws` client too; a relay issue), so let handshakes finish first.
    await Promise.all([...rooms].map((room) => room.whenSynced().catch(() => {})))
    rooms.clear()
    relays.clear()
    cleanup()
    for (const close of cleanups.splice(0).reverse()) await close()
  })
}

export async function startRelay() {
  const app = await createRelayServer({ storage: new MemoryStorage(), logger: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  cleanups.push(() => app.close())
  const url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  relays.add(url)
  return { app, url }
}

/** Node's `ws`, no IndexedDB, no cross-tab shortcut (everything goes through the relay). */
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
  if (!relays.has(url)) return client
  const open = client.room.bind(client)
  client.room = <P extends object>(name: string) => {
    const room = open<P>(name)
    rooms.add(room as unknown as Room)
    return room
  }
  return client
}

/** `ui` inside the providers of `client` and room `name`. */
export function inRoom(client: Client, name: string, ui: ReactNode): ReactNode {
  return (
    <AccordProvider client={client}>
      <RoomProvider name={name}>{ui}</RoomProvider>
    </AccordProvider>
  )
}

let roomCount = 0
export function uniqueRoom(prefix = 'room'): string {
  return `${prefix}/${process.pid}-${++roomCount}`
}
