/** Longest room name accepted, in UTF-8 bytes. */
export const MAX_ROOM_NAME_BYTES = 512

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/

/**
 * Why `name` cannot be a room name, or null when it can. Names may contain `/`, so a room is
 * the whole path after the relay's prefix.
 */
export function roomNameProblem(name: string): string | null {
  if (name.length === 0) return 'the room name is empty'
  if (Buffer.byteLength(name) > MAX_ROOM_NAME_BYTES)
    return `the room name is longer than ${MAX_ROOM_NAME_BYTES} bytes`
  if (CONTROL_CHARACTERS.test(name)) return 'the room name contains control characters'
  return null
}
