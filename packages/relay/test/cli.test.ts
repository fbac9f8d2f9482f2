import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CloseCode } from '@accord/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { LevelStorage } from '../src/storage/index.js'
import { RawSocket } from './support/accord-socket.js'
import { type StockClient, stockClient, synced, waitFor } from './support/clients.js'
import { type RelayProcess, spawnRelay, tempDir } from './support/relay.js'

/*
 * The `accord-relay` CLI exactly as an operator runs it: the built `dist/cli.js` in a child
 * process. Build first (`npx turbo run build --filter=@accord/relay`).
 */

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const STARTUP_MS = 30_000

const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Runs the CLI to completion (for options that exit at once). */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`accord-relay ${args.join(' ')} did not exit:\n${stdout}${stderr}`))
    }, STARTUP_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Spawns the relay and registers its SIGKILL (if still running) for after the test. */
async function relay(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RelayProcess> {
  const started = await spawnRelay(args, env)
  cleanups.push(async () => {
    if (started.child.exitCode === null && started.child.signalCode === null)
      started.child.kill('SIGKILL')
    await started.exited
  })
  return started
}

async function dataDir(): Promise<string> {
  const dir = await tempDir('accord-cli-')
  cleanups.push(() => dir.remove())
  return dir.path
}

function client(url: string, room: string, doc?: Y.Doc): StockClient {
  const stock = stockClient(url, room, doc)
  cleanups.push(() => stock.destroy())
  return stock
}

/** Pino's JSON log lines of the process so far (other lines are skipped). */
function logLines(relayProcess: RelayProcess): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = []
  for (const line of relayProcess.output().split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      // a partial line still being written
    }
  }
  return lines
}

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') return reject(new Error('no port'))
      server.close(() => resolve(address.port))
    })
  })
}

/** Reads a room straight from a (closed) relay's LevelDB directory. */
async function readStoredRoom(path: string, room: string): Promise<Y.Doc> {
  const storage = new LevelStorage({ path })
  await storage.open()
  try {
    const stored = await storage.load(room)
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const update of stored.log) Y.applyUpdate(doc, update)
    return doc
  } finally {
    await storage.close()
  }
}

describe('accord-relay CLI', { timeout: 60_000 }, () => {
  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await runCli(['--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: accord-relay')
    for (const option of [
      '--host',
      '--port',
      '--data',
      '--log-level',
      '--commit-delay-ms',
      'ACCORD_PORT',
      'ACCORD_DATA_DIR',
    ])
      expect(stdout).toContain(option)
  })

  it('an unknown option exits 2 with a message and the usage', async () => {
    const { code, stdout, stderr } = await runCli(['--no-such-option'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/no-such-option/)
    expect(stderr).toContain('Usage: accord-relay')
    expect(stdout).toBe('')
  })

  it.each([['not-a-port'], ['70000'], ['-1'], ['12.5']])(
    '--port=%s exits 2 with a message',
    async (port) => {
      const { code, stderr } = await runCli([`--port=${port}`])
      expect(code).toBe(2)
      expect(stderr).toContain('--port must be an integer')
      expect(stderr).toContain(port)
    },
  )

  // A mistyped level is a usage error like a bad port: exit 2 naming the option, no stack of
  // pino internals ("default level:bogus must be included in custom levels", exit 1).
  it('an invalid --log-level exits 2 with a message', async () => {
    const { code, stderr } = await runCli(['--log-level', 'bogus', '--port', '0'])
    expect(stderr).toContain('--log-level')
    expect(stderr).toContain('bogus')
    expect(code).toBe(2)
  })

  it('--commit-delay-ms holds acknowledgements for the window; out of range exits 2', async () => {
    const refused = await runCli(['--commit-delay-ms', '5000', '--port', '0'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--commit-delay-ms')

    const relayProcess = await relay(['--data', await dataDir(), '--commit-delay-ms', '300'])
    const socket = await RawSocket.accord(relayProcess.url, 'delayed')
    cleanups.push(() => socket.close())
    const doc = new Y.Doc()
    doc.on('update', (update: Uint8Array) => socket.sendUpdate(update))
    const sent = performance.now()
    doc.getText('t').insert(0, 'held for the window')
    await waitFor(() => socket.acked() === 1, 'the update to be acknowledged')
    expect(performance.now() - sent).toBeGreaterThanOrEqual(290)
  })

  it('an invalid ACCORD_PORT exits 2 with a message', async () => {
    const { code, stderr } = await runCli([], { ACCORD_PORT: 'eighty' })
    expect(code).toBe(2)
    expect(stderr).toContain('--port must be an integer')
    expect(stderr).toContain('eighty')
  })

  it('honours ACCORD_PORT and ACCORD_DATA_DIR', async () => {
    const port = await freePort()
    const data = join(await dataDir(), 'from-env')
    const relayProcess = await relay([], { ACCORD_PORT: String(port), ACCORD_DATA_DIR: data })
    expect(relayProcess.port).toBe(port)

    const writer = client(relayProcess.url, 'env/room')
    await synced(writer, STARTUP_MS)
    writer.doc.getText('text').insert(0, 'stored where ACCORD_DATA_DIR says')
    const reader = client(relayProcess.url, 'env/room')
    await waitFor(
      () => reader.doc.getText('text').toString() === 'stored where ACCORD_DATA_DIR says',
      'the reader to receive the edit',
    )
    writer.destroy()
    reader.destroy()
    relayProcess.child.kill('SIGTERM')
    expect(await relayProcess.exited).toBe(0)

    expect(existsSync(join(data, 'CURRENT'))).toBe(true)
    const stored = await readStoredRoom(data, 'env/room')
    expect(stored.getText('text').toString()).toBe('stored where ACCORD_DATA_DIR says')
    stored.destroy()
  })

  it('logs one line per connection open and close, with the room', async () => {
    const relayProcess = await relay(['--data', await dataDir()])
    const room = 'logs/some room/ü'
    const stock = client(relayProcess.url, encodeURI(room))
    await synced(stock, STARTUP_MS)
    const opened = () =>
      logLines(relayProcess).filter((l) => l.msg === 'connection opened' && l.room === room)
    const closed = () =>
      logLines(relayProcess).filter((l) => l.msg === 'connection closed' && l.room === room)
    await waitFor(() => opened().length === 1, 'the "connection opened" line')
    expect(closed()).toHaveLength(0)

    stock.destroy()
    await waitFor(() => closed().length === 1, 'the "connection closed" line')
    const [line] = closed()
    expect(line).toMatchObject({ room, connection: opened()[0]?.connection })
    expect(typeof line?.code).toBe('number')
    expect(line).toHaveProperty('reason')
    expect(opened()).toHaveLength(1)
  })

  it.each([['SIGTERM' as const], ['SIGINT' as const]])(
    '%s stores pending updates, closes clients with 1001 and exits 0',
    async (signal) => {
      const data = await dataDir()
      const first = await relay(['--data', data])
      const room = 'shutdown/room'

      const observer = client(first.url, room)
      await synced(observer, STARTUP_MS)
      const observerCloseCodes: number[] = []
      observer.provider.on('connection-close', (event: CloseEvent | null) => {
        if (event) observerCloseCodes.push(event.code)
      })

      const raw = await RawSocket.accord(first.url, room)
      const doc = new Y.Doc()
      cleanups.push(() => {
        raw.close()
        doc.destroy()
      })
      doc.on('update', (update: Uint8Array) => raw.sendUpdate(update))
      const list = doc.getArray<number>('numbers')
      const COUNT = 200
      for (let i = 0; i < COUNT; i++) list.push([i])

      // The relay has applied every update (it broadcasts before it writes): terminate it now,
      // whether or not the writes and their acks have happened yet.
      await waitFor(
        () => observer.doc.getArray('numbers').length === COUNT,
        'the observer to receive every update',
      )
      first.child.kill(signal)
      await raw.waitForClose(STARTUP_MS)
      expect(raw.closeCode).toBe(CloseCode.goingAway)
      expect(await first.exited).toBe(0)
      await waitFor(() => observerCloseCodes.length > 0, 'the stock client to see the close')
      expect(observerCloseCodes[0]).toBe(CloseCode.goingAway)
      observer.destroy()
      expect(logLines(first).some((l) => String(l.msg).startsWith(signal))).toBe(true)

      const second = await relay(['--data', data])
      const fresh = client(second.url, room)
      await synced(fresh, STARTUP_MS)
      expect(fresh.doc.getArray<number>('numbers').toArray()).toEqual(
        Array.from({ length: COUNT }, (_, i) => i),
      )
    },
  )

  it('GET /healthz and GET /readyz answer 200 with JSON', async () => {
    const relayProcess = await relay(['--data', await dataDir()])
    const base = `http://127.0.0.1:${relayProcess.port}`

    const health = await fetch(`${base}/healthz`)
    expect(health.status).toBe(200)
    expect(health.headers.get('content-type')).toMatch(/application\/json/)
    expect(await health.json()).toMatchObject({ status: 'ok' })

    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(200)
    expect(ready.headers.get('content-type')).toMatch(/application\/json/)
    expect(await ready.json()).toMatchObject({ status: 'ready', storage: 'open' })
  })
})
