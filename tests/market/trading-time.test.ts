import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { addTradingSeconds, inTradingTime, shanghaiTime, tradingSecondsBetween } from '@/lib/market'

const T = (hhmm: string, day = '2026-09-14') => shanghaiTime(day, hhmm)

describe('trading time (continuous sessions of trading days)', () => {
  it('an order placed at 11:29 with a 120 s timeout is due at 13:01, not at 13:00:00', () => {
    const at = T('11:29')
    expect(addTradingSeconds(at, 120).toISOString()).toBe(T('13:01').toISOString())
    expect(tradingSecondsBetween(at, T('13:00'))).toBe(60)
    expect(tradingSecondsBetween(at, T('13:01'))).toBe(120)
  })

  it('overnight: 14:56 + 120 s is the next trading day 09:31; Friday to Monday skips the weekend', () => {
    expect(addTradingSeconds(T('14:56'), 120).toISOString()).toBe(T('09:31', '2026-09-15').toISOString())
    expect(addTradingSeconds(T('14:56', '2026-09-18'), 120).toISOString()).toBe(T('09:31', '2026-09-21').toISOString())
    // National Day holiday: 2026-09-30 (Wed) → 2026-10-08 (Thu)
    expect(addTradingSeconds(T('14:56', '2026-09-30'), 120).toISOString()).toBe(T('09:31', '2026-10-08').toISOString())
  })

  it('a start outside the sessions counts from the next open; inside, it is plain addition', () => {
    expect(addTradingSeconds(T('08:00'), 30).toISOString()).toBe(T('09:30:30').toISOString())
    expect(addTradingSeconds(T('12:00'), 60).toISOString()).toBe(T('13:01').toISOString())
    expect(addTradingSeconds(T('10:00'), 90).toISOString()).toBe(T('10:01:30').toISOString())
    expect(inTradingTime(T('11:30'))).toBe(false)
    expect(inTradingTime(T('13:00'))).toBe(true)
    expect(inTradingTime(T('10:00', '2026-09-19'))).toBe(false)
  })

  it('property: addTradingSeconds inverts tradingSecondsBetween and never precedes the start', () => {
    const start = Date.parse('2026-09-10T00:00:00Z')
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 * 86400 }), fc.integer({ min: 1, max: 4 * 3600 * 3 }), (offsetSec, seconds) => {
        const from = new Date(start + offsetSec * 1000)
        const due = addTradingSeconds(from, seconds)
        expect(due.getTime()).toBeGreaterThanOrEqual(from.getTime() + 0)
        expect(due.getTime()).toBeGreaterThanOrEqual(from.getTime() + Math.min(seconds, 1) * 1000 - 1000)
        expect(tradingSecondsBetween(from, due)).toBe(seconds)
        // one second earlier, the timeout has not run out yet
        expect(tradingSecondsBetween(from, new Date(due.getTime() - 1000))).toBeLessThan(seconds)
        expect(inTradingTime(new Date(due.getTime() - 1))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
