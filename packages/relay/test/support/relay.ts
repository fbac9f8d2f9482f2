import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { createRelayServer, type RelayServerOptions } from '../../src/index.js'

export interface TestRelay {
  app: FastifyInstance
  url: string
  port: number
  close(): Promise<void>
}

/** An in-process relay on 127.0.0.1 and a free port. */
export async function startRelay(options: RelayServerOptions = {}, port = 0): Promise<TestRelay> {
  const app = await createRelayServer({ logger: false, ...options })
  await app.listen({ host: '127.0.0.1', port })
  const address = app.server.address() as AddressInfo
  return {
    app,
    port: address.port,
    url: `ws://127.0.0.1:${address.port}`,
    close: () => app.close(),
  }
}

/** A fresh directory under the OS temp dir, and a function that removes it. */
export async function tempDir(
  prefix = 'accord-test-',
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

export interface RelayProcess {
  child: ChildProcess
  url: string
  port: number
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>
}

/**
 * The built CLI (`dist/cli.js`) as a child process, exactly as an operator runs it. Resolves
 * once it listens, on a free port (read back from Fastify's "listening" log line) unless `args`
 * or `env` name one.
 */
export function spawnRelay(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RelayProcess> {
  // Port 0 unless the test chose one: the CLI's default (1234) may be taken on the machine.
  const choosesPort = args.some((a) => a.startsWith('--port')) || env.ACCORD_PORT !== undefined
  const port = choosesPort ? [] : ['--port', '0']
  const child = spawn(process.execPath, [CLI, '--host', '127.0.0.1', ...port, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  )
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (match) {
        child.stdout?.off('data', onData)
        child.stdout?.on('data', (more: Buffer) => {
          output += more.toString()
        })
        const port = Number(match[1])
        resolve({ child, port, url: `ws://127.0.0.1:${port}`, output: () => output, exited })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    exited.then((code) => reject(new Error(`relay exited (${code}) before listening:\n${output}`)))
  })
}

/** A pino destination that keeps every log line, for tests about what is (not) logged. */
export function captureLogs(): { stream: Writable; text(): string } {
  let logs = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString()
      done()
    },
  })
  return { stream, text: () => logs }
}
