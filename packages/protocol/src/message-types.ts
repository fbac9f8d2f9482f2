/**
 * Message type numbers. The first varUint of every frame is one of these.
 *
 * 0–3 are the stock y-websocket protocol (y-protocols sync, awareness, auth). Accord's
 * extensions start at 100 so that upstream can grow without colliding, and are only ever sent
 * to connections that announced themselves with HELLO: stock clients log unknown types as
 * errors.
 */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  hello: 100,
  ack: 101,
  event: 102,
  error: 103,
} as const

/** Sub-types of a `sync` message (y-protocols/sync). */
export const SyncType = {
  step1: 0,
  step2: 1,
  update: 2,
} as const

/** Sub-types of an `auth` message (y-protocols/auth). */
export const AuthType = {
  permissionDenied: 0,
} as const

/** Version of the Accord extensions, exchanged in HELLO. */
export const PROTOCOL_VERSION = 1

/**
 * Features a client asks for in HELLO and the relay grants in its reply. A bit set, so that a
 * newer client can ask an older relay and learn what it got.
 */
export const Feature = {
  /** ACK messages: how many of my update frames are durably stored. */
  acks: 1,
  /** EVENT messages: ephemeral room broadcast. */
  events: 2,
  /** ERROR messages: non-fatal errors explained before or instead of a close. */
  errors: 4,
} as const

export const ALL_FEATURES = Feature.acks | Feature.events | Feature.errors
