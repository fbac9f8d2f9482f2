/** What went wrong, as a stable string an app can switch on. */
export type AccordErrorCode =
  /** The relay closed the connection as unauthorized (4401); reconnecting stopped. */
  | 'unauthorized'
  /** The relay closed the connection as forbidden for this room (4403); reconnecting stopped. */
  | 'forbidden'
  /** The relay refused the connection for another permanent reason (4400–4499). */
  | 'rejected'
  /** The `token` function threw or rejected; the connection is retried with backoff. */
  | 'token-failed'
  /** The relay reported an error (an ERROR message). */
  | 'relay-error'
  /** The relay refused to store our changes (read-only access); they stay on this device. */
  | 'write-rejected'
  /** The relay does not acknowledge writes, so `syncStatus` can never become 'saved'. */
  | 'acks-unsupported'
  /** A frame from the relay or a peer could not be decoded; it was ignored. */
  | 'protocol-error'
  /** IndexedDB could not be opened or written; the room keeps working in memory. */
  | 'persistence-failed'
  /** The room was closed while the operation was pending. */
  | 'room-closed'
  /**
   * The room stores another kind of value than this client expects at a key (a list where it
   * expects an object, say): a client of another version, or a bug. Nothing is overwritten.
   */
  | 'shape-mismatch'

export class AccordError extends Error {
  override readonly name = 'AccordError'
  readonly code: AccordErrorCode
  /** The WebSocket close code or relay error code behind this error, if any. */
  readonly closeCode: number | undefined

  constructor(
    code: AccordErrorCode,
    message: string,
    options: { closeCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.closeCode = options.closeCode
  }
}
