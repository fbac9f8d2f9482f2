// `npm start`'s server (examples/serve.js) as a process: prints the URLs, serves the apps under
// their sub-paths and the relay under /sync, and stops cleanly with exit code 0 on SIGTERM.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, test } from 'vitest'
import { removeDataDir, tempDataDir } from '../../e2e-support/server.js'

const serveJs = fileURLToPath(new URL('../../serve.js', import.meta.url))
let child
let dataDir

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  await removeDataDir(dataDir)
})

test('serve.js prints its URLs, serves the examples and the relay, and exits 0 on SIGTERM', async () => {
  dataDir = await tempDataDir()
  child = spawn(process.execPath, [serveJs, '--host', '127.0.0.1', '--data', dataDir], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )

  await expect.poll(() => output, { timeout: 20_000 }).toMatch(/Ctrl-C stops/)
  const origin = /Accord examples on (http:\/\/[^/\s]+)\//.exec(output)?.[1]
  expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  for (const name of ['board', 'live-poll', 'dashboard'])
    expect(output).toContain(`${origin}/${name}/`)

  const index = await fetch(`${origin}/`)
  expect(index.status).toBe(200)
  const html = await index.text()
  for (const name of ['board', 'live-poll', 'dashboard'])
    expect(html).toContain(`href="./${name}/"`)

  const ready = await fetch(`${origin}/sync/readyz`)
  expect(await ready.json()).toMatchObject({ status: 'ready', storage: 'open' })

  // Built by this package's globalSetup, so served here; without the slash it redirects.
  const app = await fetch(`${origin}/dashboard/`)
  expect(app.status).toBe(200)
  expect(await app.text()).toContain('./assets/')
  const bare = await fetch(`${origin}/dashboard`, { redirect: 'manual' })
  expect(bare.status).toBe(301)
  expect(bare.headers.get('location')).toBe('/dashboard/')

  child.kill('SIGTERM')
  expect(await exited).toEqual({ code: 0, signal: null })
  expect(output).toContain('Stopped.')
})
