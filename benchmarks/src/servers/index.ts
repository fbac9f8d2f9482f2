import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, pinned, SERVER_CORE, waitForPort } from '../util.js'

/** The servers under test. `raw` is the floor: a forwarding relay that decodes and stores nothing. */
export type ServerKind = 'accord' | 'y-websocket' | 'hocuspocus' | 'raw'
export const ALL_SERVERS: ServerKind[] = ['accord', 'y-websocket', 'hocuspocus', 'raw']

export const SERVER_LABELS: Record<ServerKind, string> = {
  accord: 'Accord relay (LevelDB, acks)',
  'y-websocket': '@y/websocket-server + y-leveldb',
  hocuspocus: '@hocuspocus/server (defaults, in memory)',
  raw: 'raw forwarding relay (floor)',
}

/** Which servers keep the data across a restart. */
export const STORES_DATA: Record<ServerKind, boolean> = {
  accord: true,
  'y-websocket': true,
  hocuspocus: false,
  raw: false,
}

const here = path.dirname(fileURLToPath(import.meta.url))
export const BENCH_ROOT = path.resolve(here, '../..')
export const RAW_LOG_DIR = path.join(BENCH_ROOT, 'results', 'raw')

function accordCli(): string {
  // The relay's public entry is dist/index.js; its `accord-relay` bin is dist/cli.js beside it.
  return path.join(path.dirname(fileURLToPath(import.meta.resolve('@accord/relay'))), 'cli.js')
}

/**
 * One client machine opens every benchmark connection, and the trace push sends 260k messages
 * on one connection: the relay's per-IP, total, room and rate limits are raised the way an
 * operator would for such a deployment (only flags this relay build knows are passed).
 */
const ACCORD_BENCH_LIMITS: [string, string][] = [
  ['--max-connections', '1000000'],
  ['--max-connections-per-ip', '1000000'],
  ['--max-rooms', '1000000'],
  ['--rate-limit', '10000000'],
  ['--rate-burst', '10000000'],
]

/** Extra flags for every Accord server of the run (`--accord-args`), e.g. `--commit-delay-ms 0`. */
let accordRunArgs: string[] = []
export function setAccordArgs(args: string[]): void {
  accordRunArgs = args
}

let accordFlags: string[] | null = null
export function accordLimitFlags(): string[] {
  if (accordFlags === null) {
    let help = ''
    try {
      help = execFileSync(process.execPath, [accordCli(), '--help']).toString()
    } catch {}
    accordFlags = ACCORD_BENCH_LIMITS.filter(([flag]) => help.includes(`${flag} `)).flat()
  }
  return accordFlags
}

function yWebsocketBin(): string {
  const pkgPath = fileURLToPath(import.meta.resolve('@y/websocket-server/package.json'))
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> }
  return path.join(path.dirname(pkgPath), pkg.bin['y-websocket-server'] as string)
}

export interface ServerOptions {
  /** Existing data directory (to restart on the same data); a fresh temp dir otherwise. */
  dataDir?: string
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[]
  /** Extra CLI flags (Accord only), e.g. `--sync-writes`. */
  extraArgs?: string[]
  /** Port to reuse (restart); a free one otherwise. */
  port?: number
}

export interface RunningServer {
  readonly kind: ServerKind
  readonly pid: number
  readonly port: number
  readonly url: string
  readonly dataDir: string
  /** Graceful stop (SIGTERM), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>
  /** Deletes the data directory (after stop). */
  cleanup(): void
}

export async function startServer(
  kind: ServerKind,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort())
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), `accord-bench-${kind}-`))
  const nodeFlags = options.nodeFlags ?? []
  let script: string
  let args: string[] = []
  const env: NodeJS.ProcessEnv = { ...process.env }
  switch (kind) {
    case 'accord':
      // As an operator runs it: the CLI, LevelDB in --data, default log level (info).
      script = accordCli()
      args = [
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--data',
        dataDir,
        ...accordLimitFlags(),
        ...accordRunArgs,
        ...(options.extraArgs ?? []),
      ]
      break
    case 'y-websocket':
      // As its README says: HOST=... PORT=... YPERSISTENCE=./dbDir npx y-websocket
      script = yWebsocketBin()
      env.HOST = '127.0.0.1'
      env.PORT = String(port)
      env.YPERSISTENCE = dataDir
      break
    case 'hocuspocus':
      script = path.join(here, 'hocuspocus-launcher.js')
      env.PORT = String(port)
      break
    case 'raw':
      script = path.join(here, 'raw-relay.js')
      env.PORT = String(port)
      break
  }
  const [command, commandArgs] = pinned(SERVER_CORE, process.execPath, [
    ...nodeFlags,
    script,
    ...args,
  ])
  mkdirSync(RAW_LOG_DIR, { recursive: true })
  const log = createWriteStream(path.join(RAW_LOG_DIR, `${kind}.log`), { flags: 'a' })
  const child: ChildProcess = spawn(command, commandArgs, {
    env,
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
  })
  try {
    await Promise.race([
      waitForPort(port),
      exit.then(() => {
        throw new Error(`${kind} exited during startup (see ${RAW_LOG_DIR}/${kind}.log)`)
      }),
    ])
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  const pid = child.pid as number
  return {
    kind,
    pid,
    port,
    url: `ws://127.0.0.1:${port}`,
    dataDir,
    async stop(graceMs = 15_000) {
      if (exited) return
      child.kill('SIGTERM')
      // Not sleep(): its timer would keep the suite's process alive for graceMs after the exit.
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exit
      clearTimeout(kill)
    },
    cleanup() {
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
