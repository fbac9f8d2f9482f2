import { describe, expect, it } from 'vitest'
import {
  ALL_FEATURES,
  CloseCode,
  closeCodeName,
  decodeAwarenessUpdate,
  decodeMessage,
  encodeAck,
  encodeAuthDenied,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodeError,
  encodeEvent,
  encodeHello,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  isPermanentClose,
  PROTOCOL_VERSION,
  ProtocolError,
} from '../src/index.js'

const bytes = (...values: number[]) => new Uint8Array(values)

describe('round trips', () => {
  it.each([
    [encodeSyncStep1(bytes(1, 2, 3)), { type: 'sync-step1', stateVector: bytes(1, 2, 3) }],
    [encodeSyncStep2(bytes(0, 0)), { type: 'sync-step2', update: bytes(0, 0) }],
    [encodeSyncUpdate(bytes(9)), { type: 'sync-update', update: bytes(9) }],
    [encodeAwareness(bytes(0)), { type: 'awareness', update: bytes(0) }],
    [encodeQueryAwareness(), { type: 'query-awareness' }],
    [encodeAuthDenied('no'), { type: 'auth-denied', reason: 'no' }],
    [encodeHello(PROTOCOL_VERSION, ALL_FEATURES), { type: 'hello', version: 1, features: 7 }],
    [encodeAck(300), { type: 'ack', count: 300 }],
    [encodeEvent('ping', bytes(7)), { type: 'event', name: 'ping', data: bytes(7), from: '' }],
    [
      encodeEvent('ping', bytes(7), 'alice'),
      { type: 'event', name: 'ping', data: bytes(7), from: 'alice' },
    ],
    [encodeError(4413, 'too big'), { type: 'error', code: 4413, reason: 'too big' }],
  ])('%#', (frame, expected) => {
    expect(decodeMessage(frame)).toEqual(expected)
  })

  it('uses the stock y-websocket byte layout', () => {
    expect([...encodeSyncUpdate(bytes(5, 6))]).toEqual([0, 2, 2, 5, 6])
    expect([...encodeSyncStep1(bytes())]).toEqual([0, 0, 0])
    expect([...encodeQueryAwareness()]).toEqual([3])
    expect([...encodeAck(1)]).toEqual([101, 1])
  })

  it('awareness entries keep their JSON text', () => {
    const entries = [
      { clientId: 1, clock: 4, state: '{"name":"ada"}' },
      { clientId: 300_000, clock: 0, state: 'null' },
    ]
    expect(decodeAwarenessUpdate(encodeAwarenessUpdate(entries))).toEqual(entries)
  })
})

describe('malformed frames throw ProtocolError', () => {
  it.each([
    ['an empty frame', bytes()],
    ['an unknown type', bytes(42)],
    ['an unknown sync type', bytes(0, 7, 0)],
    ['a truncated varint', bytes(0, 2, 0x80)],
    ['a length prefix larger than the frame', bytes(0, 2, 10, 1, 2)],
    ['trailing bytes', bytes(0, 2, 1, 5, 99)],
    ['a varint beyond 53 bits', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
    ['a sync message with no payload', bytes(0, 0)],
  ])('%s', (_name, frame) => {
    expect(() => decodeMessage(frame)).toThrow(ProtocolError)
  })

  it('never reads past the frame into the buffer around it', () => {
    // A frame that is a view into a larger buffer, claiming 4 bytes while holding 1.
    const pool = bytes(0, 2, 4, 1, 2, 3, 4, 5)
    const frame = pool.subarray(0, 4)
    expect(() => decodeMessage(frame)).toThrow(ProtocolError)
  })

  it('returns payloads that are copies, not views', () => {
    const frame = encodeSyncUpdate(bytes(1, 2, 3))
    const message = decodeMessage(frame)
    frame.fill(0)
    expect(message).toEqual({ type: 'sync-update', update: bytes(1, 2, 3) })
  })

  it('rejects awareness updates that lie about their size', () => {
    expect(() => decodeAwarenessUpdate(bytes(200))).toThrow(ProtocolError)
    expect(() => decodeAwarenessUpdate(bytes(1, 1, 1, 5, 65))).toThrow(ProtocolError)
    expect(() => decodeAwarenessUpdate(bytes(0, 0))).toThrow(ProtocolError)
  })
})

describe('close codes', () => {
  it('names every code and marks 44xx permanent like y-websocket', () => {
    expect(closeCodeName(CloseCode.unauthorized)).toBe('unauthorized')
    expect(closeCodeName(1000)).toBeUndefined()
    expect(isPermanentClose(CloseCode.forbidden)).toBe(true)
    expect(isPermanentClose(CloseCode.rateLimited)).toBe(false)
    expect(isPermanentClose(CloseCode.goingAway)).toBe(false)
    expect(new Set(Object.values(CloseCode)).size).toBe(Object.keys(CloseCode).length)
  })
})
