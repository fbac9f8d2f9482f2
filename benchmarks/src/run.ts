/**
 * The benchmark suite: `npm run bench [-- --quick] [-- --only <workload>] [-- --runs N]`.
 * Starts each server as its own process, drives it from a separate load-generator process,
 * writes results/latest.json, results/latest.md and one SVG chart per workload.
 *
 * Extra flags: `--servers accord,raw` (subset), `--rates 20,40` (fan-out rates per writer),
 * `--profile [rate]` (CPU-profile Accord under the fan-out load and print its top self-time
 * functions).
 */
import { execFileSync } from 'node:child_process'
import * as crypto from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { summarizeHeap } from './heap.js'
import { runLoad } from './load/spawn.js'
import { summarizeProfile } from './profile.js'
import {
  ALL_SERVERS,
  BENCH_ROOT,
  RAW_LOG_DIR,
  type RunningServer,
  SERVER_LABELS,
  type ServerKind,
  STORES_DATA,
  setAccordArgs,
  startServer,
} from './servers/index.js'
import { median, round } from './stats.js'
import { barChart, lineChart } from './svg-chart.js'
import { hasTaskset, httpGetJson, sleep, waitForIdle } from './util.js'
import type { ColdLoadResult, PushResult } from './workloads/coldload.js'
import type { ConvergenceResult } from './workloads/convergence.js'
import type { FanoutResult } from './workloads/fanout.js'
import type { RoomsResult } from './workloads/rooms.js'
import type { StorageResult } from './workloads/storage.js'
import { STORAGE_SYSTEMS, storageReport, storageWorkload } from './workloads/storage-report.js'

const WORKLOADS = ['fanout', 'rooms', 'coldload', 'durability', 'convergence', 'storage'] as const
type Workload = (typeof WORKLOADS)[number]

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string' },
    servers: { type: 'string' },
    rates: { type: 'string' },
    'accord-args': { type: 'string' },
    report: { type: 'string' },
    profile: { type: 'string' },
    heap: { type: 'string' },
  },
  strict: true,
})
const quick = values.quick ?? false
const config = quick
  ? {
      runs: 1,
      writers: 20,
      rates: [40, 160],
      windowMs: 1_500,
      roomCounts: [500],
      coldLimit: 20_000,
      ackRate: 80,
      ackWindowMs: 2_000,
      syncWritesVariant: false,
      warmUpMs: 500,
      warmUpPasses: 1,
      storageItems: [1_000],
      storageEdits: 50,
    }
  : {
      runs: 3,
      writers: 20,
      rates: [20, 40, 80, 160, 320, 640],
      windowMs: 3_000,
      roomCounts: [2_000, 10_000],
      coldLimit: Number.POSITIVE_INFINITY,
      ackRate: 80,
      ackWindowMs: 5_000,
      syncWritesVariant: true,
      warmUpMs: 2_000,
      warmUpPasses: 3,
      storageItems: [1_000, 10_000, 100_000],
      storageEdits: 200,
    }
if (values.runs !== undefined) config.runs = Math.max(1, Number(values.runs))
if (values.rates !== undefined) {
  config.rates = values.rates
    .split(',')
    .map(Number)
    .sort((a, b) => a - b)
}
if (values['accord-args'] !== undefined)
  setAccordArgs(values['accord-args'].split(/\s+/).filter(Boolean))
const only = values.only as Workload | undefined
if (only !== undefined && !WORKLOADS.includes(only)) {
  console.error(`--only must be one of ${WORKLOADS.join(', ')}`)
  process.exit(2)
}
const servers: ServerKind[] = values.servers
  ? (values.servers.split(',') as ServerKind[])
  : ALL_SERVERS
const peers = servers.filter((s) => s !== 'accord')
const RESULTS_DIR = path.join(BENCH_ROOT, 'results')
const SLO_P99_MS = 50
const STOP_P99_MS = 250
const LOAD_TIMEOUT = 240_000

const log = (message: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
const rotate = <T>(items: T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length] as T)

// ---------------------------------------------------------------- machine and versions

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown'
  let nproc = os.cpus().length
  try {
    nproc = Number(execFileSync('nproc').toString().trim())
  } catch {}
  return {
    nproc,
    cpuModel: model.trim(),
    memoryGB: round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    taskset: hasTaskset(),
    loadAverageAtStart: os.loadavg().map(round),
  }
}

function versionOf(name: string): string {
  const candidates = [
    path.join(BENCH_ROOT, 'node_modules', name, 'package.json'),
    path.join(BENCH_ROOT, '..', 'node_modules', name, 'package.json'),
  ]
  for (const file of candidates) {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
    } catch {}
  }
  return 'unknown'
}

function versions() {
  const out: Record<string, string> = {}
  for (const name of [
    '@accord/relay',
    '@accord/state',
    '@syncedstore/core',
    '@hocuspocus/server',
    '@y/websocket-server',
    'y-leveldb',
    'yjs',
    'ws',
    'level',
    'fastify',
  ])
    out[name] = versionOf(name)
  try {
    const yws = path.dirname(fileURLToPath(import.meta.resolve('@y/websocket-server/package.json')))
    out['y-leveldb (used by @y/websocket-server)'] = (
      JSON.parse(
        readFileSync(path.join(yws, 'node_modules', 'y-leveldb', 'package.json'), 'utf8'),
      ) as { version: string }
    ).version
  } catch {}
  return out
}

/** Fingerprint of the relay build under test (the relay may be rebuilt while we measure). */
function relayBuild(): { sha1: string; newest: string } {
  const { createHash } = crypto
  const hash = createHash('sha1')
  let newest = 0
  for (const entry of ['@accord/relay', '@accord/protocol']) {
    const dir = path.dirname(fileURLToPath(import.meta.resolve(entry)))
    const walk = (d: string): void => {
      for (const name of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        const full = path.join(d, name.name)
        if (name.isDirectory()) walk(full)
        else if (name.name.endsWith('.js')) {
          hash.update(readFileSync(full))
          newest = Math.max(newest, statSync(full).mtimeMs)
        }
      }
    }
    walk(dir)
  }
  return { sha1: hash.digest('hex').slice(0, 12), newest: new Date(newest).toISOString() }
}

// ---------------------------------------------------------------- workloads

async function withServer<T>(
  kind: ServerKind,
  f: (server: RunningServer) => Promise<T>,
  extraArgs: string[] = [],
): Promise<T> {
  const server = await startServer(kind, { extraArgs })
  try {
    return await f(server)
  } finally {
    await server.stop()
    server.cleanup()
  }
}

/**
 * Unmeasured fan-outs in rooms of their own, before the measured ones: a server spends its
 * first seconds compiling its hot paths (the more it does per message, the longer), and that
 * would otherwise be charged to whichever rate is measured first. Two rates, because the
 * lowest one (an update per turn) and the busy ones (many per turn) exercise different paths;
 * three passes of both, because with one, Accord's 20/s CPU still fell over the next four
 * windows (its optimising compiler's background threads were still at work: 540 → ~400 ms per
 * 1,000 updates), and with three it no longer did.
 */
async function warmUp(kind: ServerKind, server: RunningServer): Promise<void> {
  for (let pass = 0; pass < config.warmUpPasses; pass++) {
    for (const rate of new Set([config.rates[0] as number, 80])) {
      await runLoad<FanoutResult>({
        workload: 'fanout',
        kind,
        url: server.url,
        serverPid: server.pid,
        room: `warm-up-${pass}-${rate}`,
        writers: config.writers,
        rate,
        windowMs: config.warmUpMs,
        acks: kind === 'accord',
      })
      await sleep(300)
    }
  }
}

/**
 * Every server runs at once (each idle but for its own window), and the windows of one rate
 * follow each other before the next rate: the ratios compare windows seconds apart, not ramps a
 * minute apart. On this shared VM the other tenants' load moves on a scale of tens of seconds,
 * and with whole ramps in turn it had set single-run CPU ratios anywhere in 1.2–2.8×. Before
 * each window every server must have gone quiet: a peer that fell behind (y-websocket at
 * 320/s answers seconds late, and y-leveldb writes on for tens of seconds) would otherwise
 * share the server core with the next server's window.
 */
async function fanout(run: number): Promise<Record<string, FanoutResult[]>> {
  const order = rotate(servers, run)
  const running = new Map<ServerKind, RunningServer>()
  const out: Record<string, FanoutResult[]> = {}
  try {
    for (const kind of order) {
      const server = await startServer(kind)
      running.set(kind, server)
      await warmUp(kind, server)
      await waitForIdle(server.pid, 500, 60_000)
      out[kind] = []
    }
    const ramping = new Set(order)
    for (const rate of config.rates) {
      for (const kind of order) {
        if (!ramping.has(kind)) continue
        const server = running.get(kind) as RunningServer
        const result = await runLoad<FanoutResult>(
          {
            workload: 'fanout',
            kind,
            url: server.url,
            serverPid: server.pid,
            room: `fanout-${run}-${rate}`,
            writers: config.writers,
            rate,
            windowMs: config.windowMs,
            acks: kind === 'accord',
          },
          LOAD_TIMEOUT,
        )
        out[kind]?.push(result)
        log(
          `fanout run ${run + 1} ${kind} ${rate}/s: p50 ${round(result.p50)} ms p99 ${round(result.p99)} ms lost ${result.lost}/${result.sent} cpu/1k ${round(result.cpuPer1k)} ms load-gen ${round(result.loadCpuPct)}% others ${round(result.otherCpuPct)}%${kind === 'accord' ? ` ack p99 ${round(result.ackP99)} ms` : ''}`,
        )
        if (result.p99 > STOP_P99_MS || result.lost > result.sent * 0.01) ramping.delete(kind)
        // Every server, not only this one: a backlogged peer works on long after its window.
        for (const other of running.values()) await waitForIdle(other.pid, 300, 120_000)
      }
    }
  } finally {
    for (const server of running.values()) {
      await server.stop()
      server.cleanup()
    }
  }
  return out
}

/** Highest rate with p99 < 50 ms and nothing lost, all lower rates passing too. */
function maxSustainable(points: FanoutResult[]): number {
  let best = 0
  for (const p of [...points].sort((a, b) => a.rate - b.rate)) {
    if (p.p99 < SLO_P99_MS && p.lost === 0) best = p.rate
    else break
  }
  return best
}

async function rooms(
  run: number,
): Promise<Record<string, (RoomsResult & { residentAfter: number | null })[]>> {
  const out: Record<string, (RoomsResult & { residentAfter: number | null })[]> = {}
  for (const kind of rotate(
    servers.filter((s) => s !== 'raw' || true),
    run,
  )) {
    out[kind] = []
    // The largest K takes minutes on some peers: it is measured in the first run only.
    const counts = run === 0 ? config.roomCounts : config.roomCounts.slice(0, 1)
    for (const count of counts) {
      const result = await withServer(kind, async (server) => {
        const r = await runLoad<RoomsResult>(
          {
            workload: 'rooms',
            kind,
            url: server.url,
            serverPid: server.pid,
            prefix: `rooms-${run}`,
            rooms: count,
          },
          LOAD_TIMEOUT,
        )
        let residentAfter: number | null = null
        if (kind === 'accord') {
          const ready = (await httpGetJson(`http://127.0.0.1:${server.port}/readyz`)) as {
            rooms: number
          }
          residentAfter = ready.rooms
        }
        return { ...r, residentAfter }
      })
      log(
        `rooms run ${run + 1} ${kind} K=${count}: ${round(result.perRoomKB)} KB/room (RSS ${round(result.rssBeforeMB)} -> ${round(result.rssConnectedMB)} -> ${round(result.rssAfterMB)} MB) connect ${round(result.connectMs)} ms${result.residentAfter !== null ? ` resident after ${result.residentAfter}` : ''}`,
      )
      out[kind].push(result)
    }
  }
  return out
}

interface ColdRun {
  push: PushResult | null
  load: ColdLoadResult | null
}

/**
 * Run 0 pushes the trace into every server (the push is timed once: it takes minutes on some
 * peers); every run then restarts the storing servers on that data and times a cold load.
 */
const pushed = new Map<ServerKind, { dataDir: string; port: number; push: PushResult }>()

/** Pushes the automerge-paper trace into room `paper` of a running server. */
function pushTrace(kind: ServerKind, server: { url: string; pid: number }, limit: number) {
  return runLoad<PushResult>(
    {
      workload: 'coldload-push',
      kind,
      url: server.url,
      serverPid: server.pid,
      room: 'paper',
      trace: 'automerge-paper.json.gz',
      limit,
    },
    600_000,
  )
}

async function coldload(run: number): Promise<Record<string, ColdRun>> {
  const out: Record<string, ColdRun> = {}
  const limit = Number.isFinite(config.coldLimit) ? config.coldLimit : 1e9
  for (const kind of rotate(servers, run)) {
    let push: PushResult | null = null
    if (!pushed.has(kind)) {
      const first = await startServer(kind)
      try {
        push = await pushTrace(kind, first, limit)
        const idleMs = await waitForIdle(first.pid, 1_000, 300_000)
        log(
          `coldload ${kind}: pushed ${push.updates} updates in ${round(push.pushMs)} ms (client produced them in ${round(push.produceMs)} ms); server busy ${idleMs} ms more`,
        )
      } finally {
        await first.stop(60_000)
      }
      pushed.set(kind, { dataDir: first.dataDir, port: first.port, push })
      if (!STORES_DATA[kind]) first.cleanup()
    }
    let load: ColdLoadResult | null = null
    const stored = pushed.get(kind)
    if (STORES_DATA[kind] && stored !== undefined) {
      const server = await startServer(kind, { dataDir: stored.dataDir, port: stored.port })
      try {
        await sleep(200)
        load = await runLoad<ColdLoadResult>(
          {
            workload: 'coldload-load',
            kind,
            url: server.url,
            room: 'paper',
            textLength: stored.push.textLength,
            textSha1: stored.push.textSha1,
            timeoutMs: 120_000,
          },
          200_000,
        )
        log(
          `coldload run ${run + 1} ${kind}: cold load ${round(load.loadMs)} ms (open ${round(load.openMs)} ms, first frame ${round(load.firstFrameMs)} ms, client apply alone ${round(load.clientApplyMs)} ms), ${load.bytesReceived} bytes, complete ${load.complete}`,
        )
      } finally {
        await server.stop(60_000)
      }
    }
    out[kind] = { push, load }
  }
  return out
}

function cleanupPushed(): void {
  for (const { dataDir } of pushed.values()) rmSync(dataDir, { recursive: true, force: true })
}

async function durability(run: number): Promise<Record<string, FanoutResult>> {
  const out: Record<string, FanoutResult> = {}
  const variants: [string, string[]][] = [['default', []]]
  if (config.syncWritesVariant) variants.push(['--sync-writes', ['--sync-writes']])
  for (const [name, args] of rotate(variants, run)) {
    out[name] = await withServer(
      'accord',
      async (server) => {
        await warmUp('accord', server)
        return runLoad<FanoutResult>({
          workload: 'fanout',
          kind: 'accord',
          url: server.url,
          serverPid: server.pid,
          room: `durability-${run}`,
          writers: config.writers,
          rate: config.ackRate,
          windowMs: config.ackWindowMs,
          acks: true,
        })
      },
      args,
    )
    const r = out[name] as FanoutResult
    log(
      `durability run ${run + 1} accord ${name}: ${config.writers * config.ackRate}/s ack p50 ${round(r.ackP50)} ms p99 ${round(r.ackP99)} ms unacked ${r.unacked}; others ${round(r.otherCpuPct)}%`,
    )
  }
  return out
}

async function convergence(): Promise<Record<string, ConvergenceResult>> {
  const out: Record<string, ConvergenceResult> = {}
  for (const kind of servers) {
    out[kind] = await withServer(kind, (server) =>
      runLoad<ConvergenceResult>({
        workload: 'convergence',
        kind,
        url: server.url,
        room: 'friendsforever',
        trace: 'friendsforever.json.gz',
        timeoutMs: 120_000,
      }),
    )
    const r = out[kind] as ConvergenceResult
    log(
      `convergence ${kind}: ${r.txns} txns in ${round(r.ms)} ms identical ${r.identical} equals endContent ${r.equalsEndContent}${r.error ? ` error ${r.error}` : ''}`,
    )
  }
  return out
}

function printProfile(title: string, file: string): ReturnType<typeof summarizeProfile> {
  const summary = summarizeProfile(file, 30)
  console.log(
    `\n## ${title}\n\nbusy ${round(100 - summary.idlePct)}% of the profile, GC ${summary.gcPct}% of busy\n`,
  )
  console.log('| self ms | % of busy | function | where |\n| ---: | ---: | --- | --- |')
  for (const f of summary.functions)
    console.log(`| ${f.selfMs} | ${f.selfPct} | ${f.name} | ${f.where} |`)
  console.log('\n| self ms | % of busy | package |\n| ---: | ---: | --- |')
  for (const p of summary.packages) console.log(`| ${p.selfMs} | ${p.selfPct} | ${p.name} |`)
  if (summary.relayInclusive.length > 0) {
    console.log(
      '\n| inclusive ms | % of busy | relay function | where |\n| ---: | ---: | --- | --- |',
    )
    for (const f of summary.relayInclusive)
      console.log(`| ${f.selfMs} | ${f.selfPct} | ${f.name} | ${f.where} |`)
    console.log(
      '\n| self ms | % of busy | leaf function | called from (nearest Accord frames) |\n| ---: | ---: | --- | --- |',
    )
    for (const f of summary.attribution)
      console.log(`| ${f.selfMs} | ${f.selfPct} | ${f.name} | ${f.where} |`)
  }
  return summary
}

function profileFile(dir: string): string {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no profile written in ${dir}`)
  return path.join(dir, file)
}

/**
 * `--profile <rate>` (fan-out at that rate per writer), `--profile push` (the trace push) or
 * `--profile coldload` (the restarted server during a cold load). Profiles go to
 * results/raw/profile/, summaries to results/profile-<what>.json and stdout.
 */
async function profile(spec: string, windowMs: number): Promise<void> {
  const what = Number.isFinite(Number(spec)) ? 'fanout' : spec
  const rate = Number(spec) || 160
  const root = path.join(RAW_LOG_DIR, 'profile', what)
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
  const summaries: Record<string, unknown> = {}
  const limit = Number.isFinite(config.coldLimit) ? config.coldLimit : 1e9
  for (const kind of servers) {
    const dir = path.join(root, kind)
    const prof = ['--cpu-prof', `--cpu-prof-dir=${dir}`]
    if (what === 'fanout') {
      const server = await startServer(kind, { nodeFlags: prof })
      let result: FanoutResult
      try {
        result = await runLoad<FanoutResult>({
          workload: 'fanout',
          kind,
          url: server.url,
          serverPid: server.pid,
          room: 'profile',
          writers: config.writers,
          rate,
          windowMs,
          acks: kind === 'accord',
        })
      } finally {
        await server.stop()
        server.cleanup()
      }
      const { timeline: _t, ...rest } = result
      log(
        `profile ${kind} fan-out ${rate}/s: p99 ${round(result.p99)} ms cpu/1k ${round(result.cpuPer1k)} ms ack p99 ${round(result.ackP99)} ms`,
      )
      summaries[kind] = {
        fanout: rest,
        profile: printProfile(
          `${kind}: fan-out, ${rate}/s per writer x ${config.writers} writers, ${windowMs / 1000} s`,
          profileFile(dir),
        ),
      }
    } else if (what === 'push' || what === 'coldload') {
      const first = await startServer(kind, what === 'push' ? { nodeFlags: prof } : {})
      let push: PushResult
      try {
        push = await pushTrace(kind, first, limit)
        await waitForIdle(first.pid, 1_000, 300_000)
      } finally {
        await first.stop(60_000)
      }
      log(
        `profile ${kind} push: ${push.updates} updates in ${round(push.pushMs)} ms (produce ${round(push.produceMs)} ms)`,
      )
      let load: ColdLoadResult | null = null
      if (what === 'coldload' && STORES_DATA[kind]) {
        const second = await startServer(kind, {
          dataDir: first.dataDir,
          port: first.port,
          nodeFlags: prof,
        })
        try {
          await sleep(200)
          load = await runLoad<ColdLoadResult>({
            workload: 'coldload-load',
            kind,
            url: second.url,
            room: 'paper',
            textLength: push.textLength,
            textSha1: push.textSha1,
            timeoutMs: 120_000,
          })
        } finally {
          await second.stop(60_000)
        }
        log(
          `profile ${kind} cold load: ${round(load.loadMs)} ms (client apply ${round(load.clientApplyMs)} ms)`,
        )
      }
      first.cleanup()
      if (what === 'push' || load !== null)
        summaries[kind] = {
          push,
          load,
          profile: printProfile(`${kind}: ${what}`, profileFile(dir)),
        }
    } else {
      throw new Error('--profile takes a rate, "push" or "coldload"')
    }
  }
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(
    path.join(RESULTS_DIR, `profile-${what}.json`),
    `${JSON.stringify(summaries, null, 2)}\n`,
  )
}

/** `--heap <K>`: heap snapshot of each server with K rooms connected; top constructors per room. */
async function heap(count: number): Promise<void> {
  const out: Record<string, unknown> = {}
  for (const kind of servers) {
    const server = await startServer(kind, { nodeFlags: ['--heapsnapshot-signal=SIGUSR2'] })
    let result: RoomsResult
    try {
      result = await runLoad<RoomsResult>(
        {
          workload: 'rooms',
          kind,
          url: server.url,
          serverPid: server.pid,
          prefix: 'heap',
          rooms: count,
          snapshotDir: server.dataDir,
        },
        LOAD_TIMEOUT,
      )
    } finally {
      await server.stop()
    }
    const file = readdirSync(server.dataDir).find((f) => f.endsWith('.heapsnapshot'))
    if (file === undefined) throw new Error(`no heap snapshot from ${kind}`)
    const summary = summarizeHeap(path.join(server.dataDir, file), 30)
    server.cleanup()
    out[kind] = { rooms: result, heap: summary }
    console.log(
      `\n## ${kind}: heap with ${count} rooms connected — ${round(summary.totalBytes / 1024 / 1024)} MB live heap, RSS ${round(result.rssConnectedMB)} MB (${round(result.perRoomKB)} KB/room by RSS)\n`,
    )
    console.log(
      '| bytes per room | count per room | self MB | name |\n| ---: | ---: | ---: | --- |',
    )
    for (const e of summary.entries)
      console.log(
        `| ${Math.round(e.selfBytes / count)} | ${round(e.count / count)} | ${round(e.selfBytes / 1024 / 1024)} | ${e.name} |`,
      )
  }
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(path.join(RESULTS_DIR, 'heap.json'), `${JSON.stringify(out, null, 2)}\n`)
}

// ---------------------------------------------------------------- summaries, tables, charts

const fmt = (v: number | null | undefined, digits = 3): string => {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a'
  if (!Number.isFinite(v)) return '∞'
  if (Math.abs(v) >= 100) return String(Math.round(v))
  return String(Number(v.toPrecision(digits)))
}
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN
const x = (v: number) => (Number.isNaN(v) ? 'n/a' : `${fmt(v)}×`)

interface Results {
  meta: Record<string, unknown>
  fanout?: Record<string, FanoutResult[]>[]
  rooms?: Record<string, (RoomsResult & { residentAfter: number | null })[]>[]
  coldload?: Record<string, ColdRun>[]
  durability?: Record<string, FanoutResult>[]
  convergence?: Record<string, ConvergenceResult>
  storage?: StorageResult[][]
}

function report(results: Results): {
  markdown: string
  summary: Record<string, unknown>
  charts: Record<string, string>
} {
  const md: string[] = []
  const summary: Record<string, unknown> = {}
  const charts: Record<string, string> = {}
  const runs = (results.meta.runs as number) ?? 1

  if (results.fanout) {
    const byServer: Record<string, Map<number, FanoutResult[]>> = {}
    for (const run of results.fanout)
      for (const [kind, points] of Object.entries(run))
        for (const p of points) {
          byServer[kind] ??= new Map()
          const list = byServer[kind].get(p.rate) ?? []
          list.push(p)
          byServer[kind].set(p.rate, list)
        }
    const med = (kind: string, rate: number, key: keyof FanoutResult) =>
      median((byServer[kind]?.get(rate) ?? []).map((p) => p[key] as number))
    const maxes: Record<string, number[]> = {}
    for (const run of results.fanout)
      for (const [kind, points] of Object.entries(run))
        maxes[kind] = [...(maxes[kind] ?? []), maxSustainable(points)]
    md.push(
      `### 1. Fan-out (${config.writers} writers + 1 observer, one room; medians of ${runs} run(s))\n`,
    )
    md.push(
      '| server | rate/writer | total/s | p50 ms | p99 ms | lost | server CPU ms / 1k updates | load-gen CPU % | other processes CPU % |',
    )
    md.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for (const kind of servers)
      for (const rate of config.rates) {
        if (!byServer[kind]?.has(rate)) continue
        const n = byServer[kind].get(rate)?.length ?? 0
        md.push(
          `| ${kind} | ${rate} | ${rate * config.writers} | ${fmt(med(kind, rate, 'p50'))} | ${fmt(med(kind, rate, 'p99'))} | ${fmt(med(kind, rate, 'lost'))} | ${fmt(med(kind, rate, 'cpuPer1k'))} | ${fmt(med(kind, rate, 'loadCpuPct'))} | ${fmt(med(kind, rate, 'otherCpuPct'))}${n < runs ? ` (${n} run${n > 1 ? 's' : ''})` : ''} |`,
        )
      }
    md.push('')
    md.push(
      `Max sustainable rate per writer (p99 < ${SLO_P99_MS} ms, nothing lost), median of runs: ${servers.map((k) => `**${k}** ${fmt(median(maxes[k] ?? []))}/s`).join(', ')}.\n`,
    )
    // Ratios per run, then medians.
    const perRun = (f: (run: Record<string, FanoutResult[]>) => number) =>
      median(results.fanout!.map(f))
    const at = (
      run: Record<string, FanoutResult[]>,
      kind: string,
      rate: number,
      key: keyof FanoutResult,
    ) => (run[kind]?.find((p) => p.rate === rate)?.[key] as number | undefined) ?? Number.NaN
    const fanoutRatios: Record<string, Record<string, number>> = {}
    md.push(
      '| Accord vs | max sustainable (≥ 2× best peer) | CPU / 1k at 80/s (target ≤ 1.5× floor) | p99 at 80/s (target ≤ 2× floor) | CPU / 1k at 20/s |',
    )
    md.push('| --- | ---: | ---: | ---: | ---: |')
    for (const peer of peers) {
      const r = {
        maxSustainable: perRun((run) =>
          ratio(maxSustainable(run.accord ?? []), maxSustainable(run[peer] ?? [])),
        ),
        cpuAt80: perRun((run) =>
          ratio(at(run, 'accord', 80, 'cpuPer1k'), at(run, peer, 80, 'cpuPer1k')),
        ),
        p99At80: perRun((run) => ratio(at(run, 'accord', 80, 'p99'), at(run, peer, 80, 'p99'))),
        cpuAt20: perRun((run) =>
          ratio(at(run, 'accord', 20, 'cpuPer1k'), at(run, peer, 20, 'cpuPer1k')),
        ),
      }
      fanoutRatios[peer] = r
      md.push(
        `| ${peer} | ${x(r.maxSustainable)} | ${x(r.cpuAt80)} | ${x(r.p99At80)} | ${x(r.cpuAt20)} |`,
      )
    }
    md.push('')
    summary.fanout = {
      maxSustainable: Object.fromEntries(Object.entries(maxes).map(([k, v]) => [k, median(v)])),
      ratios: fanoutRatios,
    }
    const rateSeries = (key: keyof FanoutResult) =>
      servers.map((kind) => ({
        name: kind,
        points: [...(byServer[kind]?.keys() ?? [])]
          .sort((a, b) => a - b)
          .map((rate) => [rate, med(kind, rate, key)] as [number, number]),
      }))
    charts['fanout-latency.svg'] = lineChart({
      title: `Fan-out: p99 latency vs rate (${config.writers} writers, 1 room)`,
      xLabel: 'updates/s per writer',
      yLabel: 'p99 send → observer applied (ms)',
      series: rateSeries('p99'),
      logX: true,
      logY: true,
      guides: [{ y: SLO_P99_MS, label: `${SLO_P99_MS} ms` }],
    })
    charts['fanout-cpu.svg'] = lineChart({
      title: 'Fan-out: server CPU per 1,000 updates',
      xLabel: 'updates/s per writer',
      yLabel: 'CPU ms per 1,000 updates',
      series: rateSeries('cpuPer1k'),
      logX: true,
    })
  }

  if (results.rooms) {
    md.push(`### 2. Many rooms (one connection per room; medians of ${runs} run(s))\n`)
    md.push(
      '| server | rooms | runs | RSS before MB | RSS connected MB | KB per room | RSS after all left MB | left per room KB | rooms resident after | connect all ms |',
    )
    md.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    const get = (kind: string, count: number) =>
      results
        .rooms!.map((run) => run[kind]?.find((r) => r.rooms === count))
        .filter((r) => r !== undefined)
    const memRatios: Record<string, Record<string, number>> = {}
    for (const kind of servers)
      for (const count of config.roomCounts) {
        const rs = get(kind, count)
        if (rs.length === 0) continue
        const m = (key: keyof RoomsResult) => median(rs.map((r) => r[key] as number))
        const resident = rs[0]?.residentAfter
        md.push(
          `| ${kind} | ${count} | ${rs.length} | ${fmt(m('rssBeforeMB'))} | ${fmt(m('rssConnectedMB'))} | ${fmt(m('perRoomKB'))} | ${fmt(m('rssAfterMB'))} | ${fmt(m('leftPerRoomKB'))} | ${resident === null || resident === undefined ? 'not exposed' : rs.map((r) => r.residentAfter).join(', ')} | ${fmt(m('connectMs'))} |`,
        )
      }
    md.push('')
    md.push(
      '| Accord KB/room vs (target ≤ 0.6× best peer) | ' +
        config.roomCounts.map((k) => `K = ${k}`).join(' | ') +
        ' |',
    )
    md.push('| --- | ' + config.roomCounts.map(() => '---:').join(' | ') + ' |')
    for (const peer of peers) {
      const cells = config.roomCounts.map((count) => {
        const r = median(
          results.rooms!.map((run) =>
            ratio(
              run.accord?.find((q) => q.rooms === count)?.perRoomKB ?? Number.NaN,
              run[peer]?.find((q) => q.rooms === count)?.perRoomKB ?? Number.NaN,
            ),
          ),
        )
        memRatios[peer] = { ...memRatios[peer], [`K${count}`]: r }
        return x(r)
      })
      md.push(`| ${peer} | ${cells.join(' | ')} |`)
    }
    md.push('')
    summary.rooms = { ratios: memRatios }
    charts['rooms-memory.svg'] = barChart({
      title: 'Many rooms: server memory per connected room',
      yLabel: 'KB of RSS per room',
      groups: config.roomCounts.map((count) => ({
        label: `${count} rooms`,
        bars: servers.map((kind) => ({
          name: kind,
          value: median(get(kind, count).map((r) => r.perRoomKB)),
        })),
      })),
    })
  }

  if (results.coldload) {
    const pushes = Object.fromEntries(
      servers.map((kind) => [
        kind,
        results.coldload!.map((run) => run[kind]?.push).find((p) => p) ?? null,
      ]),
    ) as Record<string, PushResult | null>
    md.push(
      `### 3. Cold load of automerge-paper after a restart (push: one run; cold load: medians of ${runs} restart(s))\n`,
    )
    md.push(
      '| server | updates pushed | client produce ms | push ms | push / produce (target ≤ 1.2) | cold load ms, median (target ≤ 100) | each restart ms (1st, 2nd, …) | client apply alone ms | bytes received | complete |',
    )
    md.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    const cold: Record<string, number> = {}
    for (const kind of servers) {
      const push = pushes[kind]
      if (push === null || push === undefined) continue
      const loads = results.coldload
        .map((run) => run[kind]?.load)
        .filter((l) => l !== null && l !== undefined)
      cold[kind] = median(loads.map((l) => (l.complete ? l.loadMs : Number.NaN)))
      md.push(
        `| ${kind} | ${push.updates} | ${fmt(push.produceMs)} | ${fmt(push.pushMs)} | ${fmt(push.pushVsProduce)} | ${STORES_DATA[kind] ? fmt(cold[kind]) : 'n/a (stores nothing)'} | ${loads.length ? loads.map((l) => fmt(l.loadMs)).join(', ') : 'n/a'} | ${loads.length ? fmt(median(loads.map((l) => l.clientApplyMs))) : 'n/a'} | ${loads.length ? fmt(median(loads.map((l) => l.bytesReceived))) : 'n/a'} | ${loads.length ? loads.map((l) => (l.complete ? 'yes' : 'NO')).join(', ') : 'n/a'} |`,
      )
    }
    md.push('')
    const speedup = median(
      results.coldload.map((run) =>
        ratio(
          run['y-websocket']?.load?.loadMs ?? Number.NaN,
          run.accord?.load?.loadMs ?? Number.NaN,
        ),
      ),
    )
    const firstSpeedup = ratio(
      results.coldload[0]?.['y-websocket']?.load?.loadMs ?? Number.NaN,
      results.coldload[0]?.accord?.load?.loadMs ?? Number.NaN,
    )
    md.push(
      `Cold load: Accord is ${x(speedup)} faster than y-websocket + y-leveldb (target ≥ 3×; median of per-restart ratios), ${x(firstSpeedup)} on the first restart after the push. y-leveldb merges a room's stored updates into one the first time it loads it, so its later restarts load a compacted room like Accord's.\n`,
    )
    summary.coldload = {
      coldLoadMs: cold,
      speedupVsYWebsocket: speedup,
      speedupVsYWebsocketFirstRestart: firstSpeedup,
      pushVsProduce: Object.fromEntries(
        Object.entries(pushes).map(([k, p]) => [k, p?.pushVsProduce ?? null]),
      ),
    }
    charts['coldload.svg'] = barChart({
      title: 'Cold load of automerge-paper: restart, then connect → full text',
      yLabel: 'ms (log scale)',
      logY: true,
      groups: [
        {
          label: 'cold load',
          bars: servers.map((kind) => ({
            name: kind,
            value: STORES_DATA[kind] ? (cold[kind] ?? Number.NaN) : Number.NaN,
            note: STORES_DATA[kind] ? undefined : 'stores nothing',
          })),
        },
        {
          label: 'push of the trace',
          bars: servers.map((kind) => ({ name: kind, value: pushes[kind]?.pushMs ?? Number.NaN })),
        },
        {
          label: 'client produces the updates',
          bars: servers.map((kind) => ({
            name: kind,
            value: pushes[kind]?.produceMs ?? Number.NaN,
          })),
        },
      ],
    })
  }

  if (results.durability) {
    md.push(
      `### 4. Durable acknowledgements (Accord only; ${config.writers} writers × ${config.ackRate}/s = ${config.writers * config.ackRate} updates/s; medians of ${runs} run(s))\n`,
    )
    md.push(
      '| variant | ack p50 ms | ack p99 ms (target ≤ 20) | ack max ms | unacked | broadcast p99 ms | server CPU ms / 1k | other processes CPU % |',
    )
    md.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    const variants = [...new Set(results.durability.flatMap((r) => Object.keys(r)))]
    const ack: Record<string, number> = {}
    for (const v of variants) {
      const rs = results.durability.map((r) => r[v]).filter((r) => r !== undefined)
      const m = (key: keyof FanoutResult) => median(rs.map((r) => r[key] as number))
      ack[v] = m('ackP99')
      md.push(
        `| ${v} | ${fmt(m('ackP50'))} | ${fmt(m('ackP99'))} | ${fmt(m('ackMax'))} | ${fmt(m('unacked'))} | ${fmt(m('p99'))} | ${fmt(m('cpuPer1k'))} | ${fmt(m('otherCpuPct'))} |`,
      )
    }
    md.push(
      '\nThe peers have no durable acknowledgement (hocuspocus sends a SyncStatus after applying an update in memory; y-websocket sends nothing), so there is nothing to compare against.\n',
    )
    summary.durability = { ackP99: ack }
    charts['durability.svg'] = barChart({
      title: `Accord: durable ack latency at ${config.writers * config.ackRate} updates/s`,
      yLabel: 'ms',
      groups: variants.map((v) => {
        const rs = results.durability!.map((r) => r[v]).filter((r) => r !== undefined)
        return {
          label: v,
          bars: [
            { name: 'ack p50', value: median(rs.map((r) => r.ackP50)) },
            { name: 'ack p99', value: median(rs.map((r) => r.ackP99)) },
            { name: 'broadcast p99', value: median(rs.map((r) => r.p99)) },
          ],
        }
      }),
    })
  }

  if (results.convergence) {
    md.push('### 5. Convergence (friendsforever, two authors as two clients)\n')
    md.push('| server | txns | ms | identical | equals endContent | error |')
    md.push('| --- | ---: | ---: | --- | --- | --- |')
    for (const [kind, r] of Object.entries(results.convergence))
      md.push(
        `| ${kind} | ${r.txns} | ${fmt(r.ms)} | ${r.identical ? 'yes' : 'NO'} | ${r.equalsEndContent ? 'yes' : 'NO'} | ${r.error ?? ''} |`,
      )
    md.push('')
    charts['convergence.svg'] = barChart({
      title: 'Convergence: friendsforever replayed by two clients',
      yLabel: 'ms to replay and converge',
      groups: [
        {
          label: 'friendsforever',
          bars: Object.entries(results.convergence).map(([kind, r]) => ({
            name: kind,
            value: r.ms,
            note: `${fmt(r.ms)} ms ${r.identical && r.equalsEndContent ? '✓' : '✗'}`,
          })),
        },
      ],
    })
  }
  if (results.storage) {
    const storage = storageReport(results.storage, STORAGE_SYSTEMS)
    md.push(storage.markdown)
    summary.storage = storage.summary
  }
  return { markdown: md.join('\n'), summary, charts }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = Date.now()
  if (values.report !== undefined) {
    // Tables and charts again from a saved run (after a change to the report, or to restore them).
    const { summary: _summary, ...saved } = JSON.parse(readFileSync(values.report, 'utf8'))
    publish(saved as Results)
    return
  }
  if (values.heap !== undefined) {
    await heap(Number(values.heap) || 1000)
    return
  }
  if (values.profile !== undefined) {
    await profile(values.profile, quick ? 4_000 : 12_000)
    return
  }
  const results: Results = {
    meta: {
      mode: quick ? 'quick' : 'full',
      runs: config.runs,
      config,
      servers: Object.fromEntries(servers.map((s) => [s, SERVER_LABELS[s]])),
      machine: machine(),
      versions: versions(),
      relayBuildAtStart: relayBuild(),
      accordArgs: values['accord-args'] ?? '',
      startedAt: new Date(started).toISOString(),
    },
  }
  log(
    `mode ${results.meta.mode}, ${config.runs} run(s), servers ${servers.join(', ')}, taskset ${hasTaskset()}`,
  )
  const want = (w: Workload) => only === undefined || only === w
  for (let run = 0; run < config.runs; run++) {
    if (want('fanout')) results.fanout = [...(results.fanout ?? []), await fanout(run)]
    if (want('rooms')) results.rooms = [...(results.rooms ?? []), await rooms(run)]
    if (want('coldload')) results.coldload = [...(results.coldload ?? []), await coldload(run)]
    if (want('durability') && servers.includes('accord'))
      results.durability = [...(results.durability ?? []), await durability(run)]
    if (want('storage'))
      results.storage = [
        ...(results.storage ?? []),
        await storageWorkload(run, config.storageItems, config.storageEdits, log),
      ]
  }
  cleanupPushed()
  if (want('convergence')) results.convergence = await convergence()
  results.meta.durationS = Math.round((Date.now() - started) / 1000)
  results.meta.loadAverageAtEnd = os.loadavg().map(round)
  results.meta.relayBuildAtEnd = relayBuild()
  const changed =
    (results.meta.relayBuildAtStart as { sha1: string }).sha1 !==
    (results.meta.relayBuildAtEnd as { sha1: string }).sha1
  results.meta.relayChangedDuringRun = changed
  if (changed) log('WARNING: the relay build changed during the run; these results mix two builds')

  publish(results)
}

/** Writes the tables, charts and JSON of `results` (just measured, or read back by --report). */
function publish(results: Results): void {
  const { markdown, summary, charts } = report(results)
  // A quick run is a smoke test (CI runs one): it never replaces the published full results.
  const outDir = results.meta.mode === 'quick' ? path.join(RESULTS_DIR, 'quick') : RESULTS_DIR
  // One workload alone (`--only storage`) is published beside the full run, not over it.
  const name = only === undefined ? 'latest' : `latest-${only}`
  mkdirSync(outDir, { recursive: true })
  writeFileSync(
    path.join(outDir, `${name}.json`),
    `${JSON.stringify({ ...results, summary }, null, 2)}\n`,
  )
  const build = results.meta.relayBuildAtStart as { sha1: string; newest: string }
  const accordArgs = results.meta.accordArgs as string | undefined
  const header = `Mode ${results.meta.mode}, ${results.meta.runs} run(s), ${results.meta.startedAt}, ${results.meta.durationS} s; load average at start ${(results.meta.machine as { loadAverageAtStart: number[] }).loadAverageAtStart.join(' ')}, at end ${(results.meta.loadAverageAtEnd as number[]).join(' ')}. Relay build ${build.sha1} (dist of ${build.newest})${accordArgs ? `, Accord run with \`${accordArgs}\`` : ''}${results.meta.relayChangedDuringRun ? ' — **WARNING: the relay was rebuilt during this run; results mix two builds**' : ''}.\n\n`
  writeFileSync(path.join(outDir, `${name}.md`), header + markdown)
  for (const [name, svg] of Object.entries(charts)) writeFileSync(path.join(outDir, name), svg)
  console.log(header + markdown)
  log(
    `wrote ${path.relative(BENCH_ROOT, outDir)}/${name}.json, ${name}.md and ${Object.keys(charts).length} charts (run of ${results.meta.durationS} s)`,
  )
}

main().catch((error: Error) => {
  console.error(error)
  process.exit(1)
})
