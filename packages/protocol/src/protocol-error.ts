/** Thrown by every decoder in this package when a frame is not a well-formed message. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
}
