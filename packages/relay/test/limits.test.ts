import { CloseCode } from '@accord/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { MemoryStorage, type RelayServerOptions } from '../src/index.js'
import { addressKey } from '../src/limits.js'
import { RawSocket } from './support/accord-socket.js'
import { waitFor } from './support/clients.js'
import { GatedStorage } from './support/gated-storage.js'
import { startRelay, type TestRelay } from './support/relay.js'

let relay: TestRelay
let storage: MemoryStorage
const sockets: RawSocket[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close()
  await relay?.close()
})

async function start(options: RelayServerOptions): Promise<void> {
  storage = new MemoryStorage()
  relay = await startRelay({ storage, ...options })
}

async function open(room: string): Promise<RawSocket> {
  const socket = new RawSocket(relay.url, room)
  sockets.push(socket)
  await socket.opened
  return socket
}

async function closedWith(socket: RawSocket, code: number): Promise<void> {
  await socket.waitForClose()
  expect(socket.closeCode).toBe(code)
}

describe('hardening limits', () => {
  it('refuses an update that would grow the room past its size, and stores nothing of it', async () => {
    await start({ limits: { maxRoomBytes: 2_000 } })
    const socket = await RawSocket.accord(relay.url, 'small')
    sockets.push(socket)
    const doc = new Y.Doc()
    doc.on('update', (update: Uint8Array) => socket.sendUpdate(update))
    doc.getText('t').insert(0, 'fits')
    await waitFor(() => socket.acked() === 1, 'the small update to be saved')
    doc.getText('t').insert(0, 'x'.repeat(5_000))
    await closedWith(socket, CloseCode.roomTooBig)
    await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room to unload')
    const stored = await storage.load('small')
    const check = new Y.Doc()
    for (const update of stored.log) Y.applyUpdate(check, update)
    if (stored.snapshot) Y.applyUpdate(check, stored.snapshot)
    expect(check.getText('t').toString()).toBe('fits')
  })

  it('limits connections per IP and in total', async () => {
    await start({ limits: { maxConnectionsPerIp: 2 } })
    await open('a')
    await open('b')
    await closedWith(await open('c'), CloseCode.overloaded)
    await relay.close()

    await start({ limits: { maxConnections: 1 } })
    const first = await open('a')
    await closedWith(await open('a'), CloseCode.overloaded)
    first.close()
    await waitFor(() => relay.app.accord.connections === 0, 'the first to leave')
    const again = await open('a')
    await again.waitFor((m) => m.type === 'sync-step1', 'a slot to be free again')
  })

  it('counts IPv6 addresses per /64, IPv4 addresses each', () => {
    expect(addressKey('2001:db8::1')).toBe(addressKey('2001:db8:0:0:ffff::2'))
    expect(addressKey('2001:db8::1')).not.toBe(addressKey('2001:db8:0:1::1'))
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1')
    expect(addressKey('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1')
  })

  it('closes a connection that outruns its message rate', async () => {
    await start({ limits: { messagesPerSecond: 10, messageBurst: 20 } })
    const socket = await open('chatty')
    for (let i = 0; i < 50; i++) socket.send(new Uint8Array([3]))
    await closedWith(socket, CloseCode.rateLimited)
  })

  it('limits rooms in memory', async () => {
    await start({ limits: { maxLoadedRooms: 2 } })
    await (await open('one')).waitFor((m) => m.type === 'sync-step1', 'room one')
    await (await open('two')).waitFor((m) => m.type === 'sync-step1', 'room two')
    await closedWith(await open('three'), CloseCode.overloaded)
    // A room already in memory still takes connections.
    await (await open('two')).waitFor((m) => m.type === 'sync-step1', 'room two again')
  })

  it('closes a connection that sends too much before its room is ready', async () => {
    const storage = new GatedStorage()
    relay = await startRelay({ storage, maxMessageBytes: 1_000 })
    storage.gateLoads = true
    storage.closeGate()
    const socket = await open('slow')
    await waitFor(() => storage.loads === 1, 'the load to start')
    // 2 × maxMessageBytes may wait for the room; a third frame's worth may not.
    for (let i = 0; i < 3; i++) socket.send(new Uint8Array(900))
    await closedWith(socket, CloseCode.rateLimited)
    storage.openGate()
  })

  it('accepts only allowed browser origins', async () => {
    await start({ allowedOrigins: ['https://app.example'] })
    const denied = new WebSocket(`${relay.url}/r`, { origin: 'https://evil.example' })
    expect(await new Promise((resolve) => denied.once('close', resolve))).toBe(CloseCode.forbidden)
    const allowed = new WebSocket(`${relay.url}/r`, { origin: 'https://app.example' })
    await new Promise((resolve) => allowed.once('message', resolve))
    allowed.close()
    // Non-browser clients send no Origin and are not affected.
    await (await open('r')).waitFor((m) => m.type === 'sync-step1', 'a client without Origin')
  })
})
