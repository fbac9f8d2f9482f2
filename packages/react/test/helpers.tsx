import type { AddressInfo } from 'node:net'
import { type Client, type ClientOptions, createClient } from '@accord/client'
import { createRelayServer, MemoryStorage } from '@accord/relay'
import { cleanup } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach } from 'vitest'
import { WebSocket } from 'ws'
import { AccordProvider, RoomProvider } from '../src/index.js'

const cleanups: (() => Promise<void> | void)[] = []

/** Unmounts rendered trees, then closes the clients and relays made here, after each test. */
export function cleanupAfterEach(): void {
  afterEach(async () => {
    cleanup()
    for (const close of cleanups.splice(0).reverse()) await close()
  })
}

export async function startRelay() {
  const app = await createRelayServer({ storage: new MemoryStorage(), logger: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  cleanups.push(() => app.close())
  const url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`
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
