import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { AuthType, MessageType, SyncType } from './message-types.js'
import { ProtocolError } from './protocol-error.js'

/** Every message of the stock y-websocket protocol and of Accord's extensions, decoded. */
export type Message =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'auth-denied'; reason: string }
  | { type: 'hello'; version: number; features: number }
  | { type: 'ack'; count: number }
  | { type: 'event'; name: string; data: Uint8Array; from: string }
  | { type: 'error'; code: number; reason: string }

/**
 * Decodes one frame. Byte payloads in the result are copies, never views of `frame`: a
 * WebSocket frame is often a slice of a larger pooled buffer, and a view would both pin that
 * buffer and let a lying length prefix read past the frame.
 *
 * @throws {ProtocolError} when the frame is truncated, has trailing bytes, an unknown type or
 *   sub-type, or an integer that does not fit.
 */
export function decodeMessage(frame: Uint8Array): Message {
  const decoder = decoding.createDecoder(frame)
  let message: Message
  try {
    message = readMessage(decoder)
  } catch (error) {
    if (error instanceof ProtocolError) throw error
    throw new ProtocolError(`malformed frame: ${(error as Error).message}`)
  }
  if (decoding.hasContent(decoder)) {
    throw new ProtocolError(`malformed frame: ${frame.length - decoder.pos} trailing bytes`)
  }
  return message
}

function readMessage(decoder: decoding.Decoder): Message {
  const type = decoding.readVarUint(decoder)
  switch (type) {
    case MessageType.sync:
      return readSync(decoder)
    case MessageType.awareness:
      return { type: 'awareness', update: readBytes(decoder) }
    case MessageType.queryAwareness:
      return { type: 'query-awareness' }
    case MessageType.auth: {
      const sub = decoding.readVarUint(decoder)
      if (sub !== AuthType.permissionDenied) throw new ProtocolError(`unknown auth type ${sub}`)
      return { type: 'auth-denied', reason: decoding.readVarString(decoder) }
    }
    case MessageType.hello:
      return {
        type: 'hello',
        version: decoding.readVarUint(decoder),
        features: decoding.readVarUint(decoder),
      }
    case MessageType.ack:
      return { type: 'ack', count: decoding.readVarUint(decoder) }
    case MessageType.event: {
      const name = decoding.readVarString(decoder)
      const data = readBytes(decoder)
      // `from` is filled in by the relay; a client leaves it out.
      const from = decoding.hasContent(decoder) ? decoding.readVarString(decoder) : ''
      return { type: 'event', name, data, from }
    }
    case MessageType.error:
      return {
        type: 'error',
        code: decoding.readVarUint(decoder),
        reason: decoding.readVarString(decoder),
      }
    default:
      throw new ProtocolError(`unknown message type ${type}`)
  }
}

function readSync(decoder: decoding.Decoder): Message {
  const sub = decoding.readVarUint(decoder)
  switch (sub) {
    case SyncType.step1:
      return { type: 'sync-step1', stateVector: readBytes(decoder) }
    case SyncType.step2:
      return { type: 'sync-step2', update: readBytes(decoder) }
    case SyncType.update:
      return { type: 'sync-update', update: readBytes(decoder) }
    default:
      throw new ProtocolError(`unknown sync message type ${sub}`)
  }
}

function readBytes(decoder: decoding.Decoder): Uint8Array {
  return decoding.readVarUint8Array(decoder).slice()
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

function syncFrame(sub: number, payload: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.sync)
    encoding.writeVarUint(e, sub)
    encoding.writeVarUint8Array(e, payload)
  })
}

/** `sync step 1`: "here is my state vector, send me what I miss". */
export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array =>
  syncFrame(SyncType.step1, stateVector)

/** `sync step 2`: the answer to a step 1, an update holding what the asker missed. */
export const encodeSyncStep2 = (update: Uint8Array): Uint8Array => syncFrame(SyncType.step2, update)

/** `sync update`: an incremental Yjs update. */
export const encodeSyncUpdate = (update: Uint8Array): Uint8Array =>
  syncFrame(SyncType.update, update)

/** An awareness update (y-protocols/awareness encoding) wrapped in its frame. */
export const encodeAwareness = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.awareness)
    encoding.writeVarUint8Array(e, update)
  })

export const encodeQueryAwareness = (): Uint8Array =>
  frame((e) => encoding.writeVarUint(e, MessageType.queryAwareness))

/** y-websocket's "permission denied" auth message, understood by stock clients. */
export const encodeAuthDenied = (reason: string): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.auth)
    encoding.writeVarUint(e, AuthType.permissionDenied)
    encoding.writeVarString(e, reason)
  })

export const encodeHello = (version: number, features: number): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.hello)
    encoding.writeVarUint(e, version)
    encoding.writeVarUint(e, features)
  })

/** "The first `count` update frames you sent on this connection are on disk." */
export const encodeAck = (count: number): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.ack)
    encoding.writeVarUint(e, count)
  })

/** An ephemeral event. Clients omit `from`; the relay sets it to the sender's identity. */
export const encodeEvent = (name: string, data: Uint8Array, from?: string): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.event)
    encoding.writeVarString(e, name)
    encoding.writeVarUint8Array(e, data)
    if (from !== undefined) encoding.writeVarString(e, from)
  })

export const encodeError = (code: number, reason: string): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.error)
    encoding.writeVarUint(e, code)
    encoding.writeVarString(e, reason)
  })
