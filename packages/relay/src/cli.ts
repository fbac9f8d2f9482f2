// First: V8's young-generation setting must apply before the relay's modules allocate.
import './young-generation.js'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { signToken } from './auth/jwt.js'
import { DEFAULT_LIMITS, type Limits } from './limits.js'
import { DEFAULTS } from './plugin.js'
import { recoverRoom } from './recover-room.js'
import { createRelayServer, type RelayServerOptions } from './server.js'
import { LevelStorage } from './storage/level-storage.js'

class UsageError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** One flag of `accord-relay`: its environment variable, default and help line. */
interface Setting {
  flag: string
  env: string
  help: string
  kind: 'string' | 'integer' | 'boolean'
  fallback?: string
}

/** The `Limits` each limit flag sets, the range it accepts, and its help line. */
const LIMIT_FLAGS: Array<
  [flag: string, key: keyof Limits, min: number, max: number, help: string]
> = [
  ['max-room-bytes', 'maxRoomBytes', 1, Number.MAX_SAFE_INTEGER, 'largest stored room'],
  ['max-connections', 'maxConnections', 1, 1e7, 'open connections in total'],
  [
    'max-connections-per-ip',
    'maxConnectionsPerIp',
    1,
    1e7,
    'open connections per IP (IPv6: per /64)',
  ],
  ['max-rooms', 'maxLoadedRooms', 1, 1e7, 'rooms in memory at once'],
  ['rate-limit', 'messagesPerSecond', 1, 1e7, 'messages per second per connection'],
  ['rate-burst', 'messageBurst', 1, 1e7, 'message burst per connection'],
  ['auth-timeout-ms', 'authTimeoutMs', 1, 3_600_000, 'time allowed to authenticate'],
  [
    'max-pre-auth-bytes',
    'maxPreAuthBytes',
    1,
    2 ** 31,
    'bytes a connection may send before it is authenticated',
  ],
  [
    'max-nesting-depth',
    'maxNestingDepth',
    2,
    10_000,
    'deepest nesting of types or values in an update',
  ],
  ['max-subdocs', 'maxSubdocs', 0, 1e7, 'sub-documents per room'],
  ['max-delete-ranges', 'maxDeleteRanges', 1, 1e9, 'delete-set ranges per update'],
  [
    'max-pending',
    'maxPending',
    0,
    1e9,
    'structs and deletions per room waiting for items it lacks',
  ],
  [
    'max-buffered-bytes',
    'maxBufferedBytes',
    1,
    2 ** 31,
    'bytes queued to a slow connection before it is dropped',
  ],
  [
    'answer-interval-ms',
    'answerIntervalMs',
    0,
    60_000,
    "answer a connection's sync step 1 / query awareness at most once per this",
  ],
  ['max-presence-bytes', 'maxPresenceBytes', 2, 2 ** 31, 'bytes of one presence state'],
  [
    'max-room-presence-bytes',
    'maxRoomPresenceBytes',
    2,
    2 ** 31,
    'bytes of all presence states of a room',
  ],
  ['presence-rate', 'presencePerSecond', 1, 1e7, 'presence updates per second per connection'],
  ['presence-burst', 'presenceBurst', 1, 1e7, 'presence update burst per connection'],
]

const SETTINGS: Setting[] = [
  {
    flag: 'host',
    env: 'ACCORD_HOST',
    kind: 'string',
    fallback: 'localhost',
    help: 'interface to listen on',
  },
  {
    flag: 'port',
    env: 'ACCORD_PORT',
    kind: 'integer',
    fallback: '1234',
    help: 'port to listen on (0: any free port)',
  },
  {
    flag: 'data',
    env: 'ACCORD_DATA_DIR',
    kind: 'string',
    fallback: DEFAULTS.dataDir,
    help: 'LevelDB data directory',
  },
  {
    flag: 'log-level',
    env: 'ACCORD_LOG_LEVEL',
    kind: 'string',
    fallback: 'info',
    help: LOG_LEVELS.join('|'),
  },
  {
    flag: 'sync-writes',
    env: 'ACCORD_SYNC_WRITES',
    kind: 'boolean',
    help: 'fsync every write (survive power loss)',
  },
  {
    flag: 'commit-delay-ms',
    env: 'ACCORD_COMMIT_DELAY_MS',
    kind: 'integer',
    fallback: String(DEFAULTS.commitDelayMs),
    help: 'group commit window: updates of this many ms share a write (acks wait as long)',
  },
  {
    flag: 'auth-secret',
    env: 'ACCORD_AUTH_SECRET',
    kind: 'string',
    help: 'verify HS256 JWTs with this secret',
  },
  {
    flag: 'auth-public-key',
    env: 'ACCORD_AUTH_PUBLIC_KEY',
    kind: 'string',
    help: 'verify JWTs with a PEM public key or JWKS file',
  },
  {
    flag: 'allowed-origins',
    env: 'ACCORD_ALLOWED_ORIGINS',
    kind: 'string',
    help: 'comma-separated browser Origins allowed (default: any)',
  },
  {
    flag: 'max-message-bytes',
    env: 'ACCORD_MAX_MESSAGE_BYTES',
    kind: 'integer',
    fallback: String(DEFAULTS.maxMessageBytes),
    help: 'largest accepted frame',
  },
  ...LIMIT_FLAGS.map(
    ([flag, key, , , help]): Setting => ({
      flag,
      env: `ACCORD_${flag.toUpperCase().replaceAll('-', '_')}`,
      kind: 'integer',
      fallback: String(DEFAULT_LIMITS[key]),
      help,
    }),
  ),
]

const USAGE = `accord-relay: sync Yjs rooms over WebSockets and store them durably in LevelDB

Usage: accord-relay [options]
       accord-relay export --data <dir> --room <name> --out <file>   (relay stopped)
       accord-relay token --secret <s> --sub <user> --room '<pattern>:<read|write>' [--room ...] [--expires 1h]

Options (each also read from the environment variable shown):
${SETTINGS.map((s) => {
  const meta = { string: ' <value>', integer: ' <n>', boolean: '' }[s.kind]
  const env = `${s.env}${s.kind === 'boolean' ? '=1' : ''}`
  return (
    `  --${s.flag}${meta}`.padEnd(33) +
    `${s.help}${s.fallback ? ` (default ${s.fallback})` : ''}\n${' '.repeat(33)}${env}`
  )
}).join('\n')}
  -h, --help                     show this help
  -v, --version                  show the version

Clients connect to ws://<host>:<port>/<room>; the room may contain '/'.
Tokens travel as ?token=<jwt> or as a 'accord-token.<jwt>' WebSocket subprotocol.
GET /healthz answers while the process is alive, GET /readyz while storage is open.
SIGTERM or SIGINT writes every pending update, closes clients with 1001 and exits 0.`

/** Flag values, falling back to the environment, then to the default. */
function readSettings(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(
        SETTINGS.map((s) => [
          s.flag,
          { type: s.kind === 'boolean' ? 'boolean' : 'string' } as const,
        ]),
      ),
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    strict: true,
  })
  const text = (flag: string): string | undefined => {
    const setting = SETTINGS.find((s) => s.flag === flag) as Setting
    const value = (values as Record<string, unknown>)[flag]
    if (setting.kind === 'boolean')
      return value === true || env[setting.env] === '1' ? '1' : undefined
    return (value as string | undefined) ?? env[setting.env] ?? setting.fallback
  }
  const integer = (flag: string, min: number, max: number): number => {
    const raw = text(flag) as string
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${raw}"`)
    }
    return value
  }
  const logLevel = text('log-level') as string
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  }
  const secret = text('auth-secret')
  const publicKeyFile = text('auth-public-key')
  if (secret !== undefined && publicKeyFile !== undefined) {
    throw new UsageError('give --auth-secret or --auth-public-key, not both')
  }
  const limits = Object.fromEntries(
    LIMIT_FLAGS.map(([flag, key, min, max]) => [key, integer(flag, min, max)]),
  ) as unknown as Limits
  const origins = text('allowed-origins')
  const server: RelayServerOptions = {
    logger: { level: logLevel },
    dataDir: text('data') as string,
    syncWrites: text('sync-writes') === '1',
    commitDelayMs: integer('commit-delay-ms', 0, 1_000),
    maxMessageBytes: integer('max-message-bytes', 1, 2 ** 31),
    limits,
    ...(secret !== undefined && { auth: { secret } }),
    ...(publicKeyFile !== undefined && { auth: { publicKeyFile } }),
    ...(origins !== undefined && { allowedOrigins: origins.split(',').map((o) => o.trim()) }),
  }
  return {
    help: values.help === true,
    version: values.version === true,
    host: text('host') as string,
    port: integer('port', 0, 65_535),
    server,
  }
}

async function serve(argv: string[]): Promise<void> {
  const settings = readSettings(argv, process.env)
  if (settings.help) return void process.stdout.write(`${USAGE}\n`)
  if (settings.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    return void process.stdout.write(`${pkg.version}\n`)
  }
  const app = await createRelayServer(settings.server)
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
  await app.listen({ host: settings.host, port: settings.port })
  app.log.info(
    { dataDir: settings.server.dataDir, syncWrites: settings.server.syncWrites },
    'accord relay ready',
  )
}

/** `accord-relay token`: mints an HS256 token for development and scripts. */
async function token(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      secret: { type: 'string' },
      sub: { type: 'string' },
      room: { type: 'string', multiple: true },
      expires: { type: 'string' },
    },
    strict: true,
  })
  const secret = values.secret ?? process.env.ACCORD_AUTH_SECRET
  if (secret === undefined || values.sub === undefined || values.room === undefined) {
    throw new UsageError(
      'token needs --secret (or ACCORD_AUTH_SECRET), --sub and at least one --room',
    )
  }
  try {
    const jwt = await signToken({
      secret,
      sub: values.sub,
      rooms: values.room,
      expiresIn: values.expires ?? '1h',
    })
    process.stdout.write(`${jwt}\n`)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/**
 * `accord-relay export`: writes what applies of a room's stored history (a quarantined room's,
 * say) as one Yjs update, and reports what it skipped. Reads the data directory only; LevelDB
 * allows one process at a time, so the relay must be stopped.
 */
async function exportRoom(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, room: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  })
  if (values.room === undefined || values.out === undefined) {
    throw new UsageError('export needs --room and --out (and --data unless it is ./data)')
  }
  const storage = new LevelStorage({ path: values.data ?? DEFAULTS.dataDir })
  await storage.open()
  try {
    const { update, applied, skipped } = await recoverRoom(storage, values.room)
    writeFileSync(values.out, update)
    process.stdout.write(
      `${JSON.stringify({ room: values.room, out: values.out, bytes: update.length, applied, skipped })}\n`,
    )
  } finally {
    await storage.close()
  }
}

const [command, ...rest] = process.argv.slice(2)
const run =
  command === 'token'
    ? token(rest)
    : command === 'export'
      ? exportRoom(rest)
      : serve(process.argv.slice(2))
run.catch((error: Error) => {
  const usage =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  process.stderr.write(`accord-relay: ${error.message}${usage ? `\n\n${USAGE}` : ''}\n`)
  process.exit(usage ? 2 : 1)
})
