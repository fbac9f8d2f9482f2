import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CloseCode, encodeAwareness, encodeAwarenessUpdate } from '@accord/protocol'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { signToken } from '../src/auth/jwt.js'
import { MemoryStorage, type RelayServerOptions } from '../src/index.js'
import { RawSocket } from './support/accord-socket.js'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { captureLogs, startRelay, type TestRelay, tempDir } from './support/relay.js'

const SECRET = 'test-secret-of-reasonable-length'
let relay: TestRelay
let storage: MemoryStorage
const sockets: RawSocket[] = []
const stock: StockClient[] = []
const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close()
  for (const c of stock.splice(0)) c.destroy()
  await relay?.close()
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function start(options: RelayServerOptions = { auth: { secret: SECRET } }): Promise<void> {
  storage = new MemoryStorage()
  relay = await startRelay({ storage, ...options })
}

const token = (sub: string, ...rooms: string[]) =>
  signToken({ secret: SECRET, sub, rooms, expiresIn: '1h' })

async function raw(room: string, jwt?: string): Promise<RawSocket> {
  const socket = new RawSocket(relay.url, jwt === undefined ? room : `${room}?token=${jwt}`)
  sockets.push(socket)
  return socket
}

async function refusedWith(room: string, jwt: string | undefined, code: number): Promise<void> {
  const socket = await raw(room, jwt)
  await socket.waitForClose()
  expect(socket.closeCode).toBe(code)
  // Refused before any room data: not even the relay's sync step 1.
  expect(socket.messages).toEqual([])
}

describe('JWT authentication', () => {
  it('refuses missing, garbage, badly signed and expired tokens as unauthorized', async () => {
    await start()
    const expired = await new SignJWT({ rooms: ['**:write'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('late')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(SECRET))
    const forged = await signToken({
      secret: 'another-secret',
      sub: 'eve',
      rooms: ['**:write'],
      expiresIn: '1h',
    })
    await refusedWith('board/1', undefined, CloseCode.unauthorized)
    await refusedWith('board/1', 'not.a.jwt', CloseCode.unauthorized)
    await refusedWith('board/1', forged, CloseCode.unauthorized)
    await refusedWith('board/1', expired, CloseCode.unauthorized)
  })

  it('refuses a valid token without a grant for the room as forbidden', async () => {
    await start()
    const jwt = await token('alice', 'board/*:write')
    await refusedWith('poll/1', jwt, CloseCode.forbidden)
    // `*` stops at `/`; `**` does not.
    await refusedWith('board/1/deep', jwt, CloseCode.forbidden)
    const deep = await raw('org/7/a/b', await token('alice', 'org/7/**:read'))
    await deep.waitFor((m) => m.type === 'sync-step1', 'the relay’s step 1')
  })

  it('lets a writer sync through a stock provider with ?token=', async () => {
    await start()
    const jwt = await token('alice', 'board/*:write')
    const a = stockClient(relay.url, 'board/1', new Y.Doc(), true, { token: jwt })
    const b = stockClient(relay.url, 'board/1', new Y.Doc(), true, { token: jwt })
    stock.push(a, b)
    await Promise.all([synced(a), synced(b)])
    a.doc.getText('t').insert(0, 'hi')
    await waitFor(() => b.doc.getText('t').toString() === 'hi', 'b to receive')
  })

  it('accepts the token as a subprotocol and echoes `accord`', async () => {
    await start()
    const jwt = await token('alice', 'board/*:write')
    const socket = new WebSocket(`${relay.url}/board/1`, ['accord', `accord-token.${jwt}`])
    const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()))
    const firstMessage = new Promise<void>((resolve) => socket.once('message', () => resolve()))
    await opened
    expect(socket.protocol).toBe('accord')
    await firstMessage
    socket.close()
  })

  it('verifies asymmetric tokens with a PEM public key or a JWKS file', async () => {
    const dir = await tempDir()
    cleanups.push(dir.remove)
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    const pem = join(dir.path, 'key.pem')
    const jwks = join(dir.path, 'keys.json')
    await writeFile(pem, await exportSPKI(publicKey))
    await writeFile(
      jwks,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }),
    )
    const jwt = await new SignJWT({ rooms: ['r:write'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('bob')
      .setExpirationTime('5m')
      .sign(privateKey)
    for (const publicKeyFile of [pem, jwks]) {
      await start({ auth: { publicKeyFile } })
      const ok = await raw('r', jwt)
      await ok.waitFor((m) => m.type === 'sync-step1', `a sync with ${publicKeyFile}`)
      await refusedWith('r', await token('bob', 'r:write'), CloseCode.unauthorized)
      await relay.close()
    }
  })

  it('never logs the token', async () => {
    const logs = captureLogs()
    storage = new MemoryStorage()
    relay = await startRelay({
      storage,
      auth: { secret: SECRET },
      logger: { level: 'trace', stream: logs.stream },
    })
    const jwt = await token('alice', 'x:read')
    const ok = await raw('x', jwt)
    await ok.waitFor((m) => m.type === 'sync-step1', 'a sync')
    await refusedWith('y', jwt, CloseCode.forbidden)
    ok.close()
    await waitFor(() => logs.text().includes('connection closed'), 'the close to be logged')
    expect(logs.text()).toContain('"room":"x"')
    expect(logs.text()).not.toContain(jwt)
    expect(logs.text()).not.toContain(jwt.split('.')[2])
  })
})

describe('custom authenticate', () => {
  it('replaces the JWT default and decides access per room', async () => {
    await start({
      auth: { secret: SECRET },
      authenticate: ({ request, room }) => {
        const user = request.headers['x-user']
        if (typeof user !== 'string') return null
        return { userId: user, access: room.startsWith(`${user}/`) ? 'write' : 'none' }
      },
    })
    const mine = new WebSocket(`${relay.url}/ann/notes`, { headers: { 'x-user': 'ann' } })
    await new Promise((resolve) => mine.once('message', resolve))
    mine.close()
    const theirs = new WebSocket(`${relay.url}/bob/notes`, { headers: { 'x-user': 'ann' } })
    const code = await new Promise((resolve) => theirs.once('close', resolve))
    expect(code).toBe(CloseCode.forbidden)
    await refusedWith('ann/notes', await token('ann', '**:write'), CloseCode.unauthorized)
  })

  it('closes as unauthorized when authentication outlasts the pre-auth timeout', async () => {
    await start({ authenticate: () => new Promise(() => {}), limits: { authTimeoutMs: 50 } })
    await refusedWith('slow', undefined, CloseCode.unauthorized)
  })
})

describe('read-only access', () => {
  it('syncs and sees presence, but its updates are never applied, stored or broadcast', async () => {
    await start()
    const writer = stockClient(relay.url, 'doc', new Y.Doc(), true, {
      token: await token('w', 'doc:write'),
    })
    stock.push(writer)
    await synced(writer)
    writer.doc.getText('t').insert(0, 'original')
    writer.provider.awareness.setLocalStateField('name', 'writer')

    const reader = await RawSocket.accord(relay.url, `doc?token=${await token('r', 'doc:read')}`)
    sockets.push(reader)
    const readerDoc = new Y.Doc()
    reader.sendStep1(Y.encodeStateVector(readerDoc))
    const step2 = await reader.waitFor((m) => m.type === 'sync-step2', 'the reader’s sync')
    if (step2.type === 'sync-step2') Y.applyUpdate(readerDoc, step2.update)
    expect(readerDoc.getText('t').toString()).toBe('original')
    await reader.waitFor((m) => m.type === 'awareness', 'the writer’s presence')

    readerDoc.on('update', (update: Uint8Array) => reader.sendUpdate(update))
    readerDoc.getText('t').insert(0, 'vandalised ')
    const refusal = await reader.waitFor((m) => m.type === 'error', 'the write refusal')
    expect(refusal).toMatchObject({ type: 'error', code: CloseCode.forbidden })
    expect(reader.acked()).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(writer.doc.getText('t').toString()).toBe('original')
    writer.destroy()
    stock.splice(0)
    reader.close()
    await waitFor(() => relay.app.accord.loadedRooms === 0, 'the room to unload')
    const stored = await storage.load('doc')
    const check = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(check, stored.snapshot)
    for (const update of stored.log) Y.applyUpdate(check, update)
    expect(check.getText('t').toString()).toBe('original')
  })
})

describe('presence identity', () => {
  it('stamps the authenticated user on every state and lets nobody speak for another client', async () => {
    await start()
    const bob = stockClient(relay.url, 'room', new Y.Doc(), true, {
      token: await token('bob', 'room:write'),
    })
    stock.push(bob)
    await synced(bob)
    bob.provider.awareness.setLocalState({ name: 'Bob' })

    const mallory = await RawSocket.accord(
      relay.url,
      `room?token=${await token('mallory', 'room:write')}`,
    )
    sockets.push(mallory)
    await mallory.waitFor((m) => m.type === 'awareness', 'bob’s presence')
    const bobId = bob.doc.clientID
    mallory.send(
      encodeAwareness(
        encodeAwarenessUpdate([
          { clientId: 999, clock: 1, state: JSON.stringify({ name: 'Mallory', userId: 'bob' }) },
          { clientId: bobId, clock: 1_000, state: JSON.stringify({ name: 'Bob (hacked)' }) },
        ]),
      ),
    )
    await waitFor(
      () => bob.provider.awareness.getStates().has(999),
      'mallory’s presence to reach bob',
    )
    expect(bob.provider.awareness.getStates().get(999)).toEqual({
      name: 'Mallory',
      userId: 'mallory',
    })
    expect(bob.provider.awareness.getLocalState()).toEqual({ name: 'Bob' })
  })
})

describe('an open relay', () => {
  it('warns once at start that anyone can read and write', async () => {
    const logs = captureLogs()
    relay = await startRelay({
      storage: new MemoryStorage(),
      logger: { level: 'info', stream: logs.stream },
    })
    expect(logs.text().match(/no authentication configured/g)).toHaveLength(1)
  })
})
