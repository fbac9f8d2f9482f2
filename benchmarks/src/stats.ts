/** Small statistics helpers. Inputs are never mutated. */

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

/** Percentile by nearest rank on a sorted copy (p in 0..100). NaN for an empty input. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const s = sorted(values)
  const rank = Math.ceil((p / 100) * s.length)
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))] as number
}

/** Percentile of an already sorted array (no copy). */
export function percentileSorted(s: readonly number[], p: number): number {
  if (s.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * s.length)
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))] as number
}

/** Median; for an even count the mean of the two middle values. NaN values are ignored. */
export function median(values: readonly number[]): number {
  const s = sorted(values.filter((v) => !Number.isNaN(v)))
  if (s.length === 0) return Number.NaN
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  let total = 0
  for (const v of values) total += v
  return total / values.length
}

export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const s = sorted(latencies)
  return {
    count: s.length,
    p50: percentileSorted(s, 50),
    p90: percentileSorted(s, 90),
    p99: percentileSorted(s, 99),
    max: s.length > 0 ? (s[s.length - 1] as number) : Number.NaN,
  }
}

/** Rounds for display/JSON: keeps 3 significant digits below 100, integers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value
  if (Math.abs(value) >= 100) return Math.round(value)
  return Number(value.toPrecision(3))
}
