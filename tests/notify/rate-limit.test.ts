import { describe, expect, it } from 'vitest'
import { SlidingWindowRateLimiter } from '@/lib/notify'

function clock(start = 1_700_000_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('sliding-window rate limiter', () => {
  it('the 21st DingTalk message within a minute is told to wait until the oldest leaves the window', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now })
    for (let i = 0; i < 20; i++) {
      expect(rl.tryAcquire('DINGTALK', 'robot-1')).toEqual({ ok: true })
      c.advance(1000)
    }
    // t = 20 s; the first send (t = 0) leaves the window at t = 60 s.
    expect(rl.tryAcquire('DINGTALK', 'robot-1')).toEqual({ ok: false, waitMs: 40_000 })
    expect(rl.check('DINGTALK', 'robot-1')).toBe(40_000)
    c.advance(39_999)
    expect(rl.tryAcquire('DINGTALK', 'robot-1')).toEqual({ ok: false, waitMs: 1 })
    c.advance(1)
    expect(rl.tryAcquire('DINGTALK', 'robot-1')).toEqual({ ok: true })
    // The next slot frees when the second send (t = 1 s) leaves: at 61 s.
    expect(rl.check('DINGTALK', 'robot-1')).toBe(1000)
  })

  it('a refused attempt is not counted (waiting never makes the wait longer)', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now })
    for (let i = 0; i < 20; i++) rl.tryAcquire('WECOM', 'r')
    for (let i = 0; i < 50; i++) expect(rl.tryAcquire('WECOM', 'r')).toEqual({ ok: false, waitMs: 60_000 })
    c.advance(60_000)
    expect(rl.tryAcquire('WECOM', 'r').ok).toBe(true)
  })

  it('instances are independent; check() records nothing', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now })
    for (let i = 0; i < 20; i++) rl.tryAcquire('DINGTALK', 'a')
    expect(rl.check('DINGTALK', 'a')).toBeGreaterThan(0)
    for (let i = 0; i < 100; i++) expect(rl.check('DINGTALK', 'b')).toBe(0)
    expect(rl.tryAcquire('DINGTALK', 'b')).toEqual({ ok: true })
  })

  it('Feishu has two windows: 5 per second and 100 per minute', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now })
    for (let i = 0; i < 5; i++) expect(rl.tryAcquire('FEISHU', 'bot').ok).toBe(true)
    expect(rl.tryAcquire('FEISHU', 'bot')).toEqual({ ok: false, waitMs: 1000 })
    let sent = 5
    while (sent < 100) {
      c.advance(1000)
      for (let i = 0; i < 5 && sent < 100; i++, sent++) expect(rl.tryAcquire('FEISHU', 'bot').ok).toBe(true)
    }
    c.advance(1000) // t = 20 s, 100 sends in the last minute
    const r = rl.tryAcquire('FEISHU', 'bot')
    expect(r).toEqual({ ok: false, waitMs: 40_000 })
  })

  it('unlimited by default for email/webhook; configurable per instance', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now })
    for (let i = 0; i < 500; i++) expect(rl.tryAcquire('EMAIL', 'smtp').ok).toBe(true)
    rl.setLimits('EMAIL', 'smtp2', [{ max: 2, windowMs: 10_000 }])
    expect(rl.tryAcquire('EMAIL', 'smtp2').ok).toBe(true)
    c.advance(3000)
    expect(rl.tryAcquire('EMAIL', 'smtp2').ok).toBe(true)
    expect(rl.tryAcquire('EMAIL', 'smtp2')).toEqual({ ok: false, waitMs: 7000 })
    expect(() => rl.setLimits('EMAIL', 'x', [{ max: 0, windowMs: 1 }])).toThrow(RangeError)
  })

  it('after a limit is tightened, the wait is until enough old sends leave the window', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now })
    rl.setLimits('WEBHOOK', 'w', [{ max: 20, windowMs: 60_000 }])
    for (let i = 0; i < 10; i++) {
      expect(rl.tryAcquire('WEBHOOK', 'w').ok).toBe(true)
      c.advance(1000)
    }
    // t = 10 s, sends at 0..9 s; now at most 3 per minute: the send at 7 s must leave first (t = 67 s).
    rl.setLimits('WEBHOOK', 'w', [{ max: 3, windowMs: 60_000 }])
    expect(rl.check('WEBHOOK', 'w')).toBe(57_000)
  })

  it('constructor limits override the defaults per channel type', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now, limits: { BARK: [{ max: 1, windowMs: 5000 }] } })
    expect(rl.tryAcquire('BARK', 'phone').ok).toBe(true)
    expect(rl.tryAcquire('BARK', 'phone')).toEqual({ ok: false, waitMs: 5000 })
  })

  it('blockFor (platform throttle) holds every send until it expires', () => {
    const c = clock()
    const rl = new SlidingWindowRateLimiter({ now: c.now })
    rl.blockFor('DINGTALK', 'robot', 600_000)
    expect(rl.tryAcquire('DINGTALK', 'robot')).toEqual({ ok: false, waitMs: 600_000 })
    c.advance(599_000)
    expect(rl.check('DINGTALK', 'robot')).toBe(1000)
    c.advance(1000)
    expect(rl.tryAcquire('DINGTALK', 'robot').ok).toBe(true)
    rl.blockFor('DINGTALK', 'robot', 5000)
    rl.reset('DINGTALK', 'robot')
    expect(rl.check('DINGTALK', 'robot')).toBe(0)
  })
})
