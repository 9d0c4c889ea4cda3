/**
 * Ex-rights days in the price model: that day's previous close is the reference price
 * (close − cash) / (1 + bonus) on the tick, the limits are built on it and the path starts from it.
 */
import { describe, expect, it } from 'vitest'
import { limitPricesMilli, shanghaiTime } from '@/lib/market'
import { exRightsReferenceMilli, PriceModel, STEPS_PER_DAY } from '@/lib/paper/price-model'
import { DAY, NEXT_DAY } from './helpers'

describe('paper exchange: ex-rights open', () => {
  it('reference price: 10派3 and 10转10, half-up on the tick', () => {
    expect(exRightsReferenceMilli(10_000, { day: NEXT_DAY, cash: 0.3 }, 10)).toBe(9_700)
    expect(exRightsReferenceMilli(10_010, { day: NEXT_DAY, bonus: 1 }, 10)).toBe(5_010) // 5.005 → 5.01
    expect(exRightsReferenceMilli(9_200, { day: NEXT_DAY, cash: 0.2, bonus: 0.5 }, 10)).toBe(6_000)
  })

  it('the ex-day quote carries the reference as previous close and limits built on it; other days are unchanged', () => {
    const plain = new PriceModel({ seed: 42, baseDay: DAY, scenarios: {}, overrides: {} })
    const m = new PriceModel({ seed: 42, baseDay: DAY, scenarios: {}, overrides: {} })
    m.setExRights('600000.SH', { day: NEXT_DAY, cash: 0.5 })
    const close = plain.dayPath('600000.SH', DAY).price[STEPS_PER_DAY]!
    expect(m.dayPath('600000.SH', DAY).price[STEPS_PER_DAY]).toBe(close)
    const ref = exRightsReferenceMilli(close, { day: NEXT_DAY, cash: 0.5 }, 10)
    const q = m.quote('600000.SH', shanghaiTime(NEXT_DAY, '09:20'))
    expect(Math.round(q.prevClose * 1000)).toBe(ref)
    const l = limitPricesMilli('600000.SH', ref, { date: NEXT_DAY })!
    expect([Math.round(q.limitUp! * 1000), Math.round(q.limitDown! * 1000)]).toEqual([l.upMilli, l.downMilli])
    const open = m.quote('600000.SH', shanghaiTime(NEXT_DAY, '09:31'))
    expect(open.open).toBeLessThan(close / 1000 - 0.3)
    // Clearing it restores the plain path.
    m.setExRights('600000.SH', null)
    expect(m.quote('600000.SH', shanghaiTime(NEXT_DAY, '09:20')).prevClose).toBe(plain.quote('600000.SH', shanghaiTime(NEXT_DAY, '09:20')).prevClose)
  })
})
