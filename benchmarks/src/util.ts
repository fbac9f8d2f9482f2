import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
})()

/** CPU time (user + system) of a process in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1000) / CLOCK_TICKS
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(status)
  return match ? Number(match[1]) * 1024 : Number.NaN
}

/** Waits until the process has used (almost) no CPU for `quietMs`, or `timeoutMs` passed. */
export async function waitForIdle(pid: number, quietMs = 600, timeoutMs = 60_000): Promise<number> {
  const start = Date.now()
  let last = processCpuMs(pid)
  let quietSince = Date.now()
  while (Date.now() - start < timeoutMs) {
    await sleep(100)
    const now = processCpuMs(pid)
    if (now - last > 5) quietSince = Date.now()
    last = now
    if (Date.now() - quietSince >= quietMs) return Date.now() - start
  }
  return Date.now() - start
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const start = Date.now()
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() - start > timeoutMs)
      throw new Error(`port ${port} did not open in ${timeoutMs} ms`)
    await sleep(50)
  }
}

export async function httpGetJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () => {
          try {
            resolve(JSON.parse(body))
          } catch (error) {
            reject(error)
          }
        })
      })
      .on('error', reject)
  })
}

let tasksetChecked: boolean | null = null
export function hasTaskset(): boolean {
  if (tasksetChecked === null) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'])
      tasksetChecked = os.cpus().length >= 2
    } catch {
      tasksetChecked = false
    }
  }
  return tasksetChecked
}

/** Prefixes a command with `taskset -c <core>` when pinning is possible. */
export function pinned(core: number, command: string, args: string[]): [string, string[]] {
  if (!hasTaskset()) return [command, args]
  return ['taskset', ['-c', String(core), command, ...args]]
}

/** Cores: the server gets core 0, the load generator core 1 (when there are two or more). */
export const SERVER_CORE = 0
export const LOAD_CORE = 1

/** CPU time used by the whole machine (all cores, all processes) in ms, from /proc/stat. */
export function systemBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string
  const f = line.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)
  return (busy * 1000) / CLOCK_TICKS
}
