import {
  ALL_FEATURES,
  decodeMessage,
  encodeHello,
  encodeSyncStep1,
  encodeSyncUpdate,
  type Message,
  PROTOCOL_VERSION,
} from '@accord/protocol'
import WebSocket from 'ws'
import { waitFor } from './clients.js'

/**
 * A raw websocket speaking the protocol frame by frame, for tests that need to see exactly
 * what the relay sends (acks, close codes) or to send what no well-behaved client would.
 */
export class RawSocket {
  readonly messages: Message[] = []
  readonly socket: WebSocket
  closeCode: number | null = null
  closeReason = ''
  /** Update frames sent so far: what an ack counts. */
  updatesSent = 0
  readonly opened: Promise<void>

  constructor(url: string, room: string) {
    this.socket = new WebSocket(`${url}/${room}`)
    this.socket.on('message', (data: Buffer) =>
      this.messages.push(decodeMessage(new Uint8Array(data))),
    )
    this.socket.on('close', (code, reason) => {
      this.closeCode = code
      this.closeReason = reason.toString()
    })
    this.socket.on('error', () => {})
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve())
      this.socket.once('error', reject)
    })
  }

  /** Opens and says HELLO asking for every Accord feature; resolves when the relay answers. */
  static async accord(url: string, room: string): Promise<RawSocket> {
    const raw = new RawSocket(url, room)
    await raw.opened
    raw.send(encodeHello(PROTOCOL_VERSION, ALL_FEATURES))
    await raw.waitFor((m) => m.type === 'hello', 'HELLO from the relay')
    return raw
  }

  send(frame: Uint8Array | string): void {
    this.socket.send(frame)
  }

  sendUpdate(update: Uint8Array): number {
    this.send(encodeSyncUpdate(update))
    return ++this.updatesSent
  }

  sendStep1(stateVector: Uint8Array): void {
    this.send(encodeSyncStep1(stateVector))
  }

  /** The highest ack received so far (0 if none). */
  acked(): number {
    let count = 0
    for (const m of this.messages) if (m.type === 'ack' && m.count > count) count = m.count
    return count
  }

  async waitFor(
    match: (message: Message) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Message> {
    await waitFor(() => this.messages.some(match), what, timeoutMs)
    return this.messages.find(match) as Message
  }

  waitForClose(timeoutMs?: number): Promise<void> {
    return waitFor(() => this.closeCode !== null, 'the socket to close', timeoutMs)
  }

  close(): void {
    this.socket.close()
  }
}
