/**
 * WebSocket close codes the relay uses. Every close the relay initiates carries one of these
 * and a short human-readable reason.
 *
 * The stock y-websocket client (v3) treats 4400–4499 as permanent (it stops reconnecting and
 * emits `closed`) and everything else as transient. The codes are chosen to match that: an
 * unauthorized or forbidden client must not hammer the relay, while a rate-limited client or one
 * that met a storage failure should come back later.
 */
export const CloseCode = {
  /** The relay is shutting down; reconnect to another instance or later. */
  goingAway: 1001,
  /** A frame is larger than the relay's `maxMessageBytes`. */
  messageTooBig: 1009,
  /** An unexpected server error. */
  internalError: 1011,
  /** A frame could not be decoded, carried an invalid Yjs update, or had an unknown type. */
  badMessage: 4400,
  /** No credentials, or credentials that are invalid or expired. */
  unauthorized: 4401,
  /** Valid credentials without access to this room. */
  forbidden: 4403,
  /** Accepting the update would grow the room past its size limit. */
  roomTooBig: 4413,
  /**
   * The update is over a cost limit: nesting too deep, too many sub-documents or delete-set
   * ranges, or too much that refers to items the room does not have.
   */
  updateTooComplex: 4414,
  /** A presence (awareness) state is larger than the relay allows. */
  presenceTooBig: 4415,
  /** The room name is empty, too long, or contains control characters. */
  invalidRoomName: 4422,
  /** The relay could not store an update; nothing from this connection is acknowledged. */
  storageFailure: 4500,
  /** The relay is at a connection or room limit; try again later. */
  overloaded: 4503,
  /** The connection did not read what the relay sent it fast enough; reconnect. */
  slowConsumer: 4508,
  /** The room's stored history cannot be loaded; it is quarantined until an operator acts. */
  roomQuarantined: 4510,
  /** The connection sent messages faster than its rate limit allows. */
  rateLimited: 4529,
} as const

export type CloseCodeName = keyof typeof CloseCode
export type CloseCodeValue = (typeof CloseCode)[CloseCodeName]

const namesByCode = new Map<number, CloseCodeName>(
  Object.entries(CloseCode).map(([name, code]) => [code, name as CloseCodeName]),
)

/** The name of an Accord close code, or undefined for codes Accord does not define. */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return namesByCode.get(code)
}

/** Close codes after which reconnecting cannot help (mirrors y-websocket's default). */
export function isPermanentClose(code: number): boolean {
  return code >= 4400 && code < 4500
}
