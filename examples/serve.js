#!/usr/bin/env node
// The examples on one origin: the Accord relay under /sync, each example's built app under
// /<name>/, an index page at /, and the dashboard's metrics writer. `npm start` runs this.
//
//   node examples/serve.js [--port 1234] [--host localhost] [--data ./data]
//
// Importable too (the end-to-end tests do): `startExamplesServer({ port, host, dataDir })`.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createRelayServer } from '@accord/relay'
import fastifyStatic from '@fastify/static'
import { startMetricsWriter } from './dashboard/writer.js'

const here = dirname(fileURLToPath(import.meta.url))

export const EXAMPLES = [
  {
    name: 'board',
    title: 'Board',
    blurb: 'A collaborative task board in React: cards, columns, presence, undo, offline.',
  },
  {
    name: 'live-poll',
    title: 'Live poll',
    blurb: 'Create a poll, share the link, watch the bars move. No framework.',
  },
  {
    name: 'dashboard',
    title: 'Dashboard',
    blurb: 'A Node process writes metrics every second; the page charts them live.',
  },
]

/** Where the relay lives, as seen from a page served by this server. */
export const RELAY_PREFIX = '/sync'
export const DASHBOARD_ROOM = 'dashboard/metrics'

/**
 * Starts the relay, the static apps and (unless `writer: false`) the dashboard's metrics writer.
 * Resolves once listening; `close()` stops the writer, flushes the relay's writes and closes.
 *
 * @param {{ port?: number, host?: string, dataDir?: string, writer?: boolean,
 *   writerIntervalMs?: number, logger?: boolean | object }} [options]
 */
export async function startExamplesServer(options = {}) {
  const {
    port = 1234,
    host = 'localhost',
    dataDir = join(here, '..', 'data'),
    writer = true,
    writerIntervalMs = 1000,
    logger = false,
  } = options

  const app = await createRelayServer({ dataDir, prefix: RELAY_PREFIX, logger })

  let decorateReply = true
  for (const example of EXAMPLES) {
    const root = join(here, example.name, 'dist')
    example.built = existsSync(join(root, 'index.html'))
    if (!example.built) continue
    await app.register(fastifyStatic, {
      root,
      prefix: `/${example.name}/`,
      decorateReply,
      // Hashed assets never change; the page and its service worker are always revalidated.
      setHeaders(res, path) {
        res.setHeader(
          'cache-control',
          path.endsWith('.html') || path.endsWith('sw.js')
            ? 'no-cache'
            : 'public, max-age=31536000, immutable',
        )
      },
    })
    decorateReply = false
    app.get(`/${example.name}`, async (_request, reply) => reply.redirect(`/${example.name}/`, 301))
  }

  app.get('/', async (_request, reply) => reply.type('text/html').send(indexPage()))
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())

  try {
    await app.listen({ port, host })
  } catch (error) {
    await app.close()
    throw error
  }
  const address = app.server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`
  const relayUrl = `ws://${origin.slice('http://'.length)}${RELAY_PREFIX}`

  let metrics = null
  if (writer) {
    metrics = startMetricsWriter({
      url: relayUrl,
      room: DASHBOARD_ROOM,
      intervalMs: writerIntervalMs,
      extra: () => ({ connections: app.accord.connections }),
    })
  }

  let closing = null
  return {
    app,
    port: actualPort,
    origin,
    relayUrl,
    examples: EXAMPLES.map((example) => ({ ...example, url: `${origin}/${example.name}/` })),
    close() {
      closing ??= (async () => {
        await metrics?.close()
        await app.close() // the relay writes every queued update before this resolves
      })()
      return closing
    },
  }
}

function indexPage() {
  const cards = EXAMPLES.map(
    (example) => `
      <a class="card${example.built ? '' : ' missing'}" href="./${example.name}/">
        <h2>${example.title}</h2>
        <p>${example.blurb}</p>
        ${example.built ? '' : '<p class="warn">Not built: run <code>npm run build</code>.</p>'}
      </a>`,
  ).join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accord examples</title>
<style>
  :root { color-scheme: light; font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; background: #f6f7fb; color: #1c2030; }
  main { max-width: 880px; margin: 0 auto; padding: 56px 24px; }
  h1 { font-size: 28px; margin: 0 0 8px; letter-spacing: -0.02em; }
  .lead { color: #5b6178; margin: 0 0 32px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 16px; }
  .card { display: block; background: #fff; border: 1px solid #e4e6ef; border-radius: 14px; padding: 20px;
          text-decoration: none; color: inherit; transition: box-shadow .15s, transform .15s; }
  .card:hover { box-shadow: 0 8px 24px rgba(28, 32, 48, .08); transform: translateY(-2px); }
  .card h2 { margin: 0 0 6px; font-size: 18px; color: #4f46e5; }
  .card p { margin: 0; color: #5b6178; line-height: 1.45; }
  .missing { opacity: .6; }
  .warn { margin-top: 8px !important; color: #b45309 !important; }
  footer { margin-top: 32px; color: #8a90a6; font-size: 14px; }
  code { background: #eef0f7; padding: 1px 5px; border-radius: 4px; }
</style>
</head>
<body>
<main>
  <h1>Accord examples</h1>
  <p class="lead">Open any of them in two windows (or two browsers) and watch them collaborate.
  Stop the server and keep editing: your changes stay on the device and sync when it is back.</p>
  <div class="grid">${cards}
  </div>
  <footer>Relay: <code>${RELAY_PREFIX}/&lt;room&gt;</code> on this origin, data in LevelDB.</footer>
</main>
</body>
</html>`
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(
      'Usage: node examples/serve.js [--port 1234] [--host localhost] [--data ./data]\n' +
        'Environment: PORT, HOST, ACCORD_DATA_DIR, ACCORD_LOG_LEVEL (relay logs, default error).',
    )
    return
  }
  const port = Number(values.port ?? process.env.PORT ?? 1234)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid port: ${values.port ?? process.env.PORT}`)
    process.exit(2)
  }
  const dataDir = resolve(values.data ?? process.env.ACCORD_DATA_DIR ?? join(here, '..', 'data'))
  const server = await startExamplesServer({
    port,
    host: values.host ?? process.env.HOST ?? 'localhost',
    dataDir,
    logger: { level: process.env.ACCORD_LOG_LEVEL ?? 'error' },
  })

  console.log(`\n  Accord examples on ${server.origin}/\n`)
  for (const example of server.examples) {
    const note = example.built ? '' : '   (not built: run `npm run build`)'
    console.log(`    ${example.title.padEnd(10)} ${example.url}${note}`)
  }
  console.log(`\n  Relay      ${server.relayUrl}/<room>   data in ${dataDir}`)
  console.log('  No authentication: anyone who can reach this port can edit every room.')
  console.log('  Open a URL in two windows to see them collaborate. Ctrl-C stops.\n')

  let stopping = false
  const stop = async (signal) => {
    if (stopping) {
      console.log(`\n  ${signal} again: exiting now.`)
      process.exit(1)
    }
    stopping = true
    console.log(`\n  ${signal}: saving and stopping…`)
    try {
      await server.close()
      console.log('  Stopped. Every acknowledged change is on disk.')
      process.exit(0)
    } catch (error) {
      console.error('  Stopping failed:', error)
      process.exit(1)
    }
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(
      error?.code === 'EADDRINUSE' ? `  ${error.message}: set PORT to another port.` : error,
    )
    process.exit(1)
  })
}
