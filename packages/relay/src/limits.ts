import { isIPv6 } from 'node:net'

/** Hardening limits; every one has a safe default and a CLI flag. */
export interface Limits {
  /** Open connections in total. Default 10,000. */
  maxConnections: number
  /** Open connections from one IP address. Default 200. */
  maxConnectionsPerIp: number
  /** Rooms in memory at once. Default 10,000. */
  maxLoadedRooms: number
  /** Stored bytes per room (snapshot + log); an update beyond it is refused. Default 64 MiB. */
  maxRoomBytes: number
  /** Sustained messages per second per connection (token bucket refill). Default 1,000. */
  messagesPerSecond: number
  /** Messages a connection may send in a burst (token bucket size). Default 5,000. */
  messageBurst: number
  /** Time a connection may take to authenticate. Default 10 s. */
  authTimeoutMs: number
  /** Bytes a connection may send before it is authenticated (frames and queue). Default 64 KiB. */
  maxPreAuthBytes: number
  /** Deepest nesting of types in types, or of values in values, an update may create. Default 256. */
  maxNestingDepth: number
  /** Sub-documents per room. Default 1,000. */
  maxSubdocs: number
  /** Delete-set ranges per update. Default 250,000. */
  maxDeleteRanges: number
  /** Structs and deletions per room that refer to items the room does not have. Default 10,000. */
  maxPending: number
  /** Bytes queued to a connection beyond the last state it was sent; past it, it is dropped. Default 16 MiB. */
  maxBufferedBytes: number
  /** A connection's sync step 1 and query-awareness are answered at most once per this. Default 1 s. */
  answerIntervalMs: number
  /** Bytes of one presence (awareness) state. Default 64 KiB. */
  maxPresenceBytes: number
  /** Bytes of all presence states of a room. Default 1 MiB. */
  maxRoomPresenceBytes: number
  /** Sustained presence updates per second per connection (token bucket refill). Default 60. */
  presencePerSecond: number
  /** Presence updates a connection may send in a burst. Default 300. */
  presenceBurst: number
}

export const DEFAULT_LIMITS: Limits = {
  maxConnections: 10_000,
  maxConnectionsPerIp: 200,
  maxLoadedRooms: 10_000,
  maxRoomBytes: 64 * 1024 * 1024,
  messagesPerSecond: 1_000,
  messageBurst: 5_000,
  authTimeoutMs: 10_000,
  maxPreAuthBytes: 64 * 1024,
  maxNestingDepth: 256,
  maxSubdocs: 1_000,
  maxDeleteRanges: 250_000,
  maxPending: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  answerIntervalMs: 1_000,
  maxPresenceBytes: 64 * 1024,
  maxRoomPresenceBytes: 1024 * 1024,
  presencePerSecond: 60,
  presenceBurst: 300,
}

/** A token bucket: `take()` is false once the connection outran its rate. */
export class TokenBucket {
  #tokens: number
  #updatedAt = performance.now()

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    this.#tokens = burst
  }

  take(): boolean {
    const now = performance.now()
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + ((now - this.#updatedAt) * this.ratePerSecond) / 1000,
    )
    this.#updatedAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}

/**
 * Counts open connections in total and per IP address. An IPv6 client usually holds a whole
 * /64 (and can pick any address in it), so IPv6 addresses count per /64 prefix.
 */
export class ConnectionCounter {
  readonly #perIp = new Map<string, number>()
  #total = 0

  constructor(private readonly limits: Pick<Limits, 'maxConnections' | 'maxConnectionsPerIp'>) {}

  /** Why a connection from `ip` cannot be admitted, or null after counting it in. */
  admit(address: string): string | null {
    if (this.#total >= this.limits.maxConnections) return 'the relay is at its connection limit'
    const ip = addressKey(address)
    const fromIp = this.#perIp.get(ip) ?? 0
    if (fromIp >= this.limits.maxConnectionsPerIp) return 'too many connections from this address'
    this.#total++
    this.#perIp.set(ip, fromIp + 1)
    return null
  }

  release(address: string): void {
    const ip = addressKey(address)
    this.#total--
    const fromIp = (this.#perIp.get(ip) ?? 1) - 1
    if (fromIp === 0) this.#perIp.delete(ip)
    else this.#perIp.set(ip, fromIp)
  }
}

/** The key an address is counted under: IPv4 as it is, IPv6 by its /64 prefix. */
export function addressKey(address: string): string {
  if (!isIPv6(address) || address.startsWith('::ffff:')) return address
  // Expand "::" so that the first four groups are the prefix.
  const [head = '', tail] = address.split('::')
  const groups = head === '' ? [] : head.split(':')
  if (tail !== undefined) {
    const rest = tail === '' ? [] : tail.split(':')
    groups.push(...Array(8 - groups.length - rest.length).fill('0'), ...rest)
  }
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`
}
