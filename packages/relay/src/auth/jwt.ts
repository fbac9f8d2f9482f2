import { readFile } from 'node:fs/promises'
import {
  type CryptoKey,
  createLocalJWKSet,
  importSPKI,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  type KeyObject,
  SignJWT,
} from 'jose'
import type { Authenticate } from './authenticator.js'
import { accessTo, type Grant, parseGrant } from './room-access.js'

/** Where JWT signatures are checked against: a shared HS256 secret, or a public key / JWKS. */
export type JwtKeySource = { secret: string } | { publicKeyFile: string }

/**
 * The default authenticator: a JWT with `sub` (the user id), `rooms` (a list of
 * `"<pattern>:read|write"` grants) and `exp`. A missing, malformed, badly signed or expired
 * token is unauthorized; a valid one without a grant for the room is forbidden.
 */
export async function jwtAuthenticator(source: JwtKeySource): Promise<Authenticate> {
  const verify = await verifier(source)
  return async ({ room, token }) => {
    if (token === undefined) return null
    let payload: JWTPayload
    try {
      payload = await verify(token)
    } catch {
      return null
    }
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null
    const grants = grantsOf(payload.rooms)
    if (grants === null) return null
    return { userId: payload.sub, access: accessTo(room, grants), expiresAt: payload.exp * 1000 }
  }
}

function grantsOf(claim: unknown): Grant[] | null {
  if (!Array.isArray(claim) || !claim.every((g) => typeof g === 'string')) return null
  try {
    return claim.map(parseGrant)
  } catch {
    return null
  }
}

async function verifier(source: JwtKeySource): Promise<(token: string) => Promise<JWTPayload>> {
  if ('secret' in source) {
    const key = new TextEncoder().encode(source.secret)
    return async (token) => (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload
  }
  const text = await readFile(source.publicKeyFile, 'utf8')
  if (text.trimStart().startsWith('{')) {
    const keys = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet)
    return async (token) => (await jwtVerify(token, keys)).payload
  }
  const algorithm = /BEGIN PUBLIC KEY/.test(text) ? await spkiAlgorithm(text) : undefined
  if (algorithm === undefined) {
    throw new Error(`${source.publicKeyFile} is neither a PEM public key nor a JWKS (JSON) file`)
  }
  const key: CryptoKey | KeyObject = await importSPKI(text, algorithm)
  return async (token) => (await jwtVerify(token, key, { algorithms: [algorithm] })).payload
}

/** The JWS algorithm a PEM key is for: RS256, ES256 or EdDSA, tried in that order. */
async function spkiAlgorithm(pem: string): Promise<string | undefined> {
  for (const algorithm of ['RS256', 'ES256', 'EdDSA']) {
    try {
      await importSPKI(pem, algorithm)
      return algorithm
    } catch {}
  }
  return undefined
}

/** Signs an HS256 token for `accord-relay token` and for tests. */
export function signToken(options: {
  secret: string
  sub: string
  rooms: string[]
  expiresIn: string
}): Promise<string> {
  for (const grant of options.rooms) parseGrant(grant)
  return new SignJWT({ rooms: options.rooms })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn)
    .sign(new TextEncoder().encode(options.secret))
}
