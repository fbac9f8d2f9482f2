/**
 * Thrown while handling a frame to close its connection with a specific close code (room too
 * big, write refused...). Malformed input throws `ProtocolError` instead, which closes with
 * `badMessage`.
 */
export class Rejection extends Error {
  override readonly name = 'Rejection'

  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}
