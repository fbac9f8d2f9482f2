#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DEFAULTS } from './plugin.js'
import { createRelayServer } from './server.js'

const USAGE = `accord-relay: sync Yjs rooms over WebSockets and store them durably in LevelDB

Usage: accord-relay [options]

Options (each also read from the environment variable shown):
  --host <host>              interface to listen on        ACCORD_HOST       (default localhost)
  --port <port>              port to listen on             ACCORD_PORT       (default 1234)
  --data <dir>               LevelDB data directory        ACCORD_DATA_DIR   (default ./data)
  --log-level <level>        fatal|error|warn|info|debug   ACCORD_LOG_LEVEL  (default info)
  --max-message-bytes <n>    largest accepted frame        ACCORD_MAX_MESSAGE_BYTES (default 16 MiB)
  --sync-writes              fsync every write (survive power loss, not only crashes)
                                                           ACCORD_SYNC_WRITES=1
  -h, --help                 show this help
  -v, --version              show the version

Clients connect to ws://<host>:<port>/<room>; the room may contain '/'.
GET /healthz answers while the process is alive, GET /readyz while storage is open.
SIGTERM or SIGINT writes every pending update, closes clients with 1001 and exits 0.`

class UsageError extends Error {}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'log-level': { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'sync-writes': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    strict: true,
  })
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    host: values.host ?? env.ACCORD_HOST ?? 'localhost',
    port: integer('port', values.port ?? env.ACCORD_PORT ?? '1234', 0, 65_535),
    dataDir: values.data ?? env.ACCORD_DATA_DIR ?? DEFAULTS.dataDir,
    logLevel: values['log-level'] ?? env.ACCORD_LOG_LEVEL ?? 'info',
    maxMessageBytes: integer(
      'max-message-bytes',
      values['max-message-bytes'] ??
        env.ACCORD_MAX_MESSAGE_BYTES ??
        String(DEFAULTS.maxMessageBytes),
      1,
      2 ** 31,
    ),
    syncWrites: values['sync-writes'] ?? env.ACCORD_SYNC_WRITES === '1',
  }
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`)
  }
  return value
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>
  try {
    options = parseOptions(process.argv.slice(2), process.env)
  } catch (error) {
    process.stderr.write(`accord-relay: ${(error as Error).message}\n\n${USAGE}\n`)
    process.exit(2)
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (options.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    process.stdout.write(`${pkg.version}\n`)
    return
  }

  const app = await createRelayServer({
    logger: { level: options.logLevel },
    dataDir: options.dataDir,
    syncWrites: options.syncWrites,
    maxMessageBytes: options.maxMessageBytes,
  })
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      app.log.warn(`${signal} again: exiting without waiting`)
      process.exit(1)
    }
    stopping = true
    app.log.info(`${signal}: writing pending updates and closing connections`)
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))

  await app.listen({ host: options.host, port: options.port })
  app.log.info({ dataDir: options.dataDir, syncWrites: options.syncWrites }, 'accord relay ready')
}

main().catch((error: Error) => {
  process.stderr.write(`accord-relay: ${error.message}\n`)
  process.exit(1)
})
