import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_ATTEMPTS, nextDelayMs, shouldRetry } from '@/lib/notify'

describe('backoff', () => {
  it('grows exponentially without jitter, then stops at the cap', () => {
    const d = (n: number) => nextDelayMs(n, { baseMs: 1000, factor: 2, maxMs: 30_000, jitter: 0 })
    expect([1, 2, 3, 4, 5, 6, 7, 50, 5000].map(d)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000])
  })

  it('defaults: 5 s first, capped at 10 min, DEFAULT_MAX_ATTEMPTS = 8', () => {
    expect(nextDelayMs(1, { jitter: 0 })).toBe(5000)
    expect(nextDelayMs(100, { jitter: 0 })).toBe(600_000)
    expect(DEFAULT_MAX_ATTEMPTS).toBe(8)
  })

  it('jitter draws from [(1 − jitter)·nominal, nominal]', () => {
    expect(nextDelayMs(3, { baseMs: 1000, jitter: 0.5, random: () => 0 })).toBe(4000)
    expect(nextDelayMs(3, { baseMs: 1000, jitter: 0.5, random: () => 0.999999 })).toBe(2000)
    expect(nextDelayMs(3, { baseMs: 1000, jitter: 0.5, random: () => 0.5 })).toBe(3000)
  })

  it('property: always within [0, cap] (or the Retry-After floor), never NaN', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        (attempt, r, baseMs, maxMs) => {
          const d = nextDelayMs(attempt, { baseMs, maxMs, random: () => r })
          expect(Number.isFinite(d)).toBe(true)
          expect(d).toBeGreaterThanOrEqual(0)
          expect(d).toBeLessThanOrEqual(maxMs)
        },
      ),
    )
  })

  it('Retry-After is a floor, clamped to maxRetryAfterMs', () => {
    expect(nextDelayMs(1, { jitter: 0, retryAfterMs: 60_000 })).toBe(60_000)
    expect(nextDelayMs(1, { jitter: 0, retryAfterMs: 1000 })).toBe(5000)
    expect(nextDelayMs(1, { jitter: 0, retryAfterMs: 10 * 3_600_000, maxRetryAfterMs: 3_600_000 })).toBe(3_600_000)
  })

  it('shouldRetry: only retryable failures below the attempt budget', () => {
    expect(shouldRetry({ ok: false, retryable: true }, 1)).toBe(true)
    expect(shouldRetry({ ok: false, retryable: true }, DEFAULT_MAX_ATTEMPTS)).toBe(false)
    expect(shouldRetry({ ok: false, retryable: false }, 1)).toBe(false)
    expect(shouldRetry({ ok: true }, 1)).toBe(false)
  })
})
