/**
 * Hocuspocus as its README starts it, with its defaults (no extensions: documents live in
 * memory only and are gone after a restart). `PORT=1234 node dist/servers/hocuspocus-launcher.js`
 */
import { Server } from '@hocuspocus/server'

const server = new Server({ port: Number(process.env.PORT ?? '1234'), address: '127.0.0.1' })
await server.listen()
