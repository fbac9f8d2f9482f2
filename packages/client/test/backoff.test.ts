import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../src/index.js'

describe('backoffDelay', () => {
  it('grows exponentially between half and all of the ceiling, and is capped', () => {
    const options = { initialDelay: 100, maxDelay: 1_000 }
    expect(backoffDelay(0, options, () => 0)).toBe(50)
    expect(backoffDelay(0, options, () => 1)).toBe(100)
    expect(backoffDelay(2, options, () => 0)).toBe(200)
    expect(backoffDelay(2, options, () => 1)).toBe(400)
    expect(backoffDelay(10, options, () => 1)).toBe(1_000)
    expect(backoffDelay(10_000, options, () => 0)).toBe(500)
  })

  it('spreads clients out', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(3)))
    expect(delays.size).toBeGreaterThan(1)
  })
})
