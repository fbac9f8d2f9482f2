export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 250. */
  initialDelay?: number
  /** Upper bound of any delay, in ms. Default 10 000. */
  maxDelay?: number
}

/**
 * Delay before reconnect attempt number `failures` (0-based): exponential, capped, and
 * randomised to between half and all of that ("equal jitter"), so that the clients of a relay
 * that restarts do not all come back in the same millisecond.
 */
export function backoffDelay(
  failures: number,
  { initialDelay = 250, maxDelay = 10_000 }: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelay, initialDelay * 2 ** Math.min(failures, 30))
  return ceiling / 2 + (random() * ceiling) / 2
}
