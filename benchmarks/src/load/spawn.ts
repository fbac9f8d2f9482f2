import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LOAD_CORE, pinned } from '../util.js'

const here = path.dirname(fileURLToPath(import.meta.url))

export interface LoadTask {
  workload: string
  [key: string]: unknown
}

/**
 * Runs one load task in a separate process (pinned to its own core) and returns its result.
 * The load process prints `RESULT <json>` as its last line; everything else is passed through
 * to our stderr.
 */
export async function runLoad<R>(
  task: LoadTask,
  timeoutMs = 300_000,
  nodeFlags: string[] = [],
): Promise<R> {
  const [command, args] = pinned(LOAD_CORE, process.execPath, [
    '--max-old-space-size=2048',
    ...nodeFlags,
    path.join(here, 'main.js'),
    JSON.stringify(task),
  ])
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '))
  if (line === undefined) {
    throw new Error(`load task ${task.workload} failed (exit ${code}): ${stdout.slice(-2000)}`)
  }
  return JSON.parse(line.slice('RESULT '.length)) as R
}
