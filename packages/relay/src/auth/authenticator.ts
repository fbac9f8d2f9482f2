import type { FastifyRequest } from 'fastify'
import type { Access } from './room-access.js'

/** Who is connecting and what they may do in the room they asked for. */
export interface Identity {
  userId: string
  access: Access
  /** When the credentials expire (ms since the epoch): the connection is closed then (4401). */
  expiresAt?: number
}

export interface AuthenticateContext {
  request: FastifyRequest
  room: string
  /** The token from `?token=` or the `Sec-WebSocket-Protocol` header, if any. */
  token: string | undefined
}

/**
 * Decides who a connection is. Return null (or throw) for "unauthorized"; return an identity
 * with `access: 'none'` for "forbidden". Pass one as the plugin's `authenticate` option for
 * custom schemes (session cookies, an API call); it replaces the JWT default.
 */
export type Authenticate = (
  context: AuthenticateContext,
) => Identity | null | Promise<Identity | null>

/** Marks a protocol entry that carries a token: browsers cannot set headers on a WebSocket. */
export const TOKEN_PROTOCOL_PREFIX = 'accord-token.'
/** The subprotocol the relay selects when a client offers it (browsers require one echoed back). */
export const ACCORD_PROTOCOL = 'accord'

/** The token a client sent, from `?token=` or a `accord-token.<token>` subprotocol entry. */
export function tokenFrom(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined
  if (typeof query?.token === 'string' && query.token.length > 0) return query.token
  const header = request.headers['sec-websocket-protocol']
  if (typeof header !== 'string') return undefined
  for (const entry of header.split(',')) {
    const trimmed = entry.trim()
    if (trimmed.startsWith(TOKEN_PROTOCOL_PREFIX))
      return trimmed.slice(TOKEN_PROTOCOL_PREFIX.length)
  }
  return undefined
}
