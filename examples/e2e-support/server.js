// The examples server for end-to-end tests: 127.0.0.1, a free port, a temporary data dir, and a
// way to stop and restart the relay on the same port and data (the offline tests need it).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startExamplesServer } from '../serve.js'

export async function tempDataDir() {
  return mkdtemp(join(tmpdir(), 'accord-e2e-'))
}

export async function removeDataDir(dataDir) {
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
}

/**
 * Starts the examples server. `port: 0` (default) picks a free one; pass the previous server's
 * port and dataDir to restart it in place.
 *
 * @param {{ dataDir?: string, port?: number, writer?: boolean, writerIntervalMs?: number }} [options]
 */
export async function startServer({ dataDir, port = 0, writer = false, writerIntervalMs } = {}) {
  // Right after a close, the port can take a moment to be free again.
  for (let attempt = 0; ; attempt++) {
    try {
      return await startExamplesServer({
        host: '127.0.0.1',
        port,
        dataDir,
        writer,
        writerIntervalMs,
        logger: false,
      })
    } catch (error) {
      if (error?.code !== 'EADDRINUSE' || attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
