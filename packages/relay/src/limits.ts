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
}

export const DEFAULT_LIMITS: Limits = {
  maxConnections: 10_000,
  maxConnectionsPerIp: 200,
  maxLoadedRooms: 10_000,
  maxRoomBytes: 64 * 1024 * 1024,
  messagesPerSecond: 1_000,
  messageBurst: 5_000,
  authTimeoutMs: 10_000,
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

/** Counts open connections in total and per IP address. */
export class ConnectionCounter {
  readonly #perIp = new Map<string, number>()
  #total = 0

  constructor(private readonly limits: Pick<Limits, 'maxConnections' | 'maxConnectionsPerIp'>) {}

  /** Why a connection from `ip` cannot be admitted, or null after counting it in. */
  admit(ip: string): string | null {
    if (this.#total >= this.limits.maxConnections) return 'the relay is at its connection limit'
    const fromIp = this.#perIp.get(ip) ?? 0
    if (fromIp >= this.limits.maxConnectionsPerIp) return 'too many connections from this address'
    this.#total++
    this.#perIp.set(ip, fromIp + 1)
    return null
  }

  release(ip: string): void {
    this.#total--
    const fromIp = (this.#perIp.get(ip) ?? 1) - 1
    if (fromIp === 0) this.#perIp.delete(ip)
    else this.#perIp.set(ip, fromIp)
  }
}
