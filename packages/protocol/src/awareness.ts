import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { ProtocolError } from './protocol-error.js'

/**
 * One client's entry in a y-protocols awareness update. `state` is kept as the JSON text it
 * travels as, so a relay can store and forward it without parsing; `"null"` means the client
 * left.
 */
export interface AwarenessEntry {
  clientId: number
  clock: number
  state: string
}

export const AWARENESS_REMOVED = 'null'

/** @throws {ProtocolError} when the payload is not a well-formed awareness update. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update)
  try {
    const count = decoding.readVarUint(decoder)
    // Each entry takes at least 3 bytes: a count beyond that is a lie, not a reason to loop.
    if (count > update.length) throw new ProtocolError(`awareness update claims ${count} entries`)
    const entries: AwarenessEntry[] = new Array(count)
    for (let i = 0; i < count; i++) {
      entries[i] = {
        clientId: decoding.readVarUint(decoder),
        clock: decoding.readVarUint(decoder),
        state: decoding.readVarString(decoder),
      }
    }
    if (decoding.hasContent(decoder)) throw new ProtocolError('awareness update has trailing bytes')
    return entries
  } catch (error) {
    if (error instanceof ProtocolError) throw error
    throw new ProtocolError(`malformed awareness update: ${(error as Error).message}`)
  }
}

export function encodeAwarenessUpdate(entries: Iterable<AwarenessEntry>): Uint8Array {
  const list = Array.isArray(entries) ? entries : [...entries]
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, list.length)
  for (const { clientId, clock, state } of list) {
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, state)
  }
  return encoding.toUint8Array(encoder)
}
