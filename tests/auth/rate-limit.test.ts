// The sign-in limiter: per account regardless of the (client-controlled) address, counted when an
// attempt starts so parallel guesses are limited too, and a correct password does not get through
// a closed window.
import { describe, expect, it } from 'vitest'
import { createSignInLimiter, SIGN_IN_MAX_PER_ACCOUNT, SIGN_IN_WINDOW_MS, SlidingWindowLimiter } from '@/lib/auth/rate-limit'

const T0 = 1_800_000_000_000

describe('sign-in limiter', () => {
  it('refuses the 6th attempt in the window, whatever address the request claims', () => {
    const l = createSignInLimiter()
    for (let i = 0; i < SIGN_IN_MAX_PER_ACCOUNT; i++) {
      const a = l.begin('a@example.com', `10.0.0.${i}`, T0 + i)
      expect(a.retryAfterMs).toBe(0)
      a.finish(false)
    }
    const sixth = l.begin('a@example.com', '10.9.9.9', T0 + 10)
    expect(sixth.retryAfterMs).toBe(SIGN_IN_WINDOW_MS - 10)
    // Refused even when this one would have had the right password: finish(true) changes nothing.
    sixth.finish(true)
    expect(l.begin('a@example.com', '10.9.9.10', T0 + 20).retryAfterMs).toBeGreaterThan(0)
    // Another account is not affected.
    expect(l.begin('b@example.com', '10.0.0.1', T0 + 20).retryAfterMs).toBe(0)
    // Once the first attempt leaves the window, one more is allowed.
    expect(l.begin('a@example.com', '10.0.0.1', T0 + SIGN_IN_WINDOW_MS + 1).retryAfterMs).toBe(0)
  })

  it('counts an attempt when it starts: parallel attempts cannot all pass before the first one fails', () => {
    const l = createSignInLimiter()
    const started = Array.from({ length: 30 }, (_, i) => l.begin('a@example.com', 'local', T0 + i))
    expect(started.filter((a) => a.retryAfterMs === 0)).toHaveLength(SIGN_IN_MAX_PER_ACCOUNT)
  })

  it('a correct password clears the account count and gives back its address slot', () => {
    const l = createSignInLimiter({ perAccount: 5, perAddress: 3, windowMs: SIGN_IN_WINDOW_MS })
    l.begin('a@example.com', 'ip', T0).finish(false)
    l.begin('a@example.com', 'ip', T0 + 1).finish(false)
    l.begin('a@example.com', 'ip', T0 + 2).finish(true)
    // Account cleared; the address has 2 failures counted, not 3.
    expect(l.begin('c@example.com', 'ip', T0 + 3).retryAfterMs).toBe(0)
    expect(l.begin('d@example.com', 'ip', T0 + 4).retryAfterMs).toBeGreaterThan(0)
  })

  it('limits one address across accounts', () => {
    const l = createSignInLimiter({ perAccount: 5, perAddress: 3, windowMs: 1000 })
    for (let i = 0; i < 3; i++) l.begin(`u${i}@example.com`, 'ip', T0).finish(false)
    expect(l.begin('u9@example.com', 'ip', T0 + 1).retryAfterMs).toBe(999)
    expect(l.begin('u9@example.com', 'other', T0 + 1).retryAfterMs).toBe(0)
  })

  it('sweeps idle keys so a flood of distinct e-mails does not grow memory without bound', () => {
    const w = new SlidingWindowLimiter({ max: 5, windowMs: 1000 })
    for (let i = 0; i < 10_001; i++) w.hit(`k${i}`, T0)
    w.hit('late', T0 + 5000)
    expect((w as unknown as { hits: Map<string, number[]> }).hits.size).toBe(1)
  })
})
