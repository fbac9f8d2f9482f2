import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify'
import relay, { type AccordRelayOptions } from './plugin.js'

export interface RelayServerOptions extends AccordRelayOptions {
  /** Fastify's logger option (pino). Default: info level. */
  logger?: FastifyServerOptions['logger']
}

/**
 * A Fastify app with nothing but the relay registered: what the CLI runs and what tests use.
 * Call `listen()` on it; `close()` flushes every pending write before it resolves.
 */
export async function createRelayServer(
  options: RelayServerOptions = {},
): Promise<FastifyInstance> {
  const { logger = { level: 'info' }, ...relayOptions } = options
  // The relay logs its own line per connection; Fastify's per-request lines would double them.
  const app = Fastify({ logger, logController: new LogController({ disableRequestLogging: true }) })
  await app.register(relay, relayOptions)
  return app
}
