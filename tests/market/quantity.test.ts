import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { floorBuyQuantity, validateQuantity } from '@/lib/market'

const ok = { ok: true }

describe('validateQuantity: buys', () => {
  it.each([
    ['600000', 100, true],
    ['600000', 200, true],
    ['600000', 150, false],
    ['600000', 99, false],
    ['000001', 1_000_000, true],
    ['000001', 1_000_100, false],
    ['300750', 300_000, true],
    ['300750', 300_100, false],
    ['688111', 200, true],
    ['688111', 201, true],
    ['688111', 150, false],
    ['688111', 199, false],
    ['688111', 100_000, true],
    ['688111', 100_001, false],
    ['920118', 100, true],
    ['920118', 101, true],
    ['920118', 99, false],
    ['510300', 100, true],
    ['510300', 150, false],
  ] as const)('%s buy %i → %s', (code, qty, valid) => {
    expect(validateQuantity(code, 'buy', qty).ok).toBe(valid)
  })

  it('names the numbers in both languages', () => {
    const r = validateQuantity('688111', 'buy', 150)
    expect(r).toMatchObject({ ok: false, code: 'QTY_BELOW_MIN_BUY' })
    if (!r.ok) {
      expect(r.reason).toBe('科创板买入数量须≥200股, 收到150股')
      expect(r.message).toBe(r.reason)
      expect(r.messageEn).toContain('200')
      expect(r.messageEn).toContain('150')
    }
  })

  it('per-order maxima differ for market orders', () => {
    expect(validateQuantity('300750', 'buy', 200_000)).toEqual(ok)
    expect(validateQuantity('300750', 'buy', 200_000, { limitOrder: false })).toMatchObject({ ok: false, code: 'QTY_ABOVE_MAX_PER_ORDER' })
    expect(validateQuantity('688111', 'buy', 60_000, { limitOrder: false })).toMatchObject({ ok: false, code: 'QTY_ABOVE_MAX_PER_ORDER' })
    expect(validateQuantity('688111', 'buy', 50_000, { limitOrder: false })).toEqual(ok)
    expect(validateQuantity('600000', 'buy', 1_000_000, { limitOrder: false })).toEqual(ok)
  })

  it.each([0, -100, 100.5, Number.NaN, Number.POSITIVE_INFINITY, '100' as unknown as number])('rejects %s', (q) => {
    expect(validateQuantity('600000', 'buy', q)).toMatchObject({ ok: false, code: 'QTY_NOT_POSITIVE_INTEGER' })
  })
})

describe('validateQuantity: sells', () => {
  it.each([
    // code, qty, sellable, valid
    ['600000', 100, 5000, true],
    ['600000', 5000, 5000, true],
    ['600000', 150, 5000, false], // odd lot that does not clear the holding
    ['600000', 50, 5050, false], // brief: sub-lot only when it equals sellable
    ['600000', 5050, 5050, true], // clears the odd remainder together with whole lots
    ['600000', 50, 50, true],
    ['600000', 5100, 5050, false], // more than sellable
    ['600000', 100, 0, false], // T+1: nothing sellable
    ['688111', 250, 1000, true], // STAR: ≥200 in steps of 1
    ['688111', 150, 1000, false],
    ['688111', 150, 150, true],
    ['688111', 900, 1000, true], // leaves 100, which must later go out in one order
    ['920118', 101, 1000, true],
    ['920118', 99, 1000, false],
    ['920118', 99, 99, true],
    ['300750', 300_100, 400_000, false], // above the per-order max even if sellable
  ] as const)('%s sell %i of %i sellable → %s', (code, qty, sellable, valid) => {
    expect(validateQuantity(code, 'sell', qty, { sellable }).ok).toBe(valid)
  })

  it('explains T+1', () => {
    const r = validateQuantity('600000', 'sell', 1000, { sellable: 0 })
    expect(r).toMatchObject({ ok: false, code: 'QTY_EXCEEDS_SELLABLE' })
    if (!r.ok) expect(r.message).toContain('T+1')
  })

  it('without a sellable figure only whole lots can be sold', () => {
    expect(validateQuantity('600000', 'sell', 300)).toEqual(ok)
    expect(validateQuantity('600000', 'sell', 50)).toMatchObject({ ok: false, code: 'QTY_ODD_LOT_SELL' })
  })

  it('property: a sell never exceeds sellable, and a valid sell is whole lots or clears everything', () => {
    fc.assert(
      fc.property(fc.constantFrom('600000', '300750', '688111', '920118', '510300'), fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 0, max: 2_000_000 }), (code, qty, sellable) => {
        const r = validateQuantity(code, 'sell', qty, { sellable })
        if (r.ok) {
          expect(qty).toBeLessThanOrEqual(sellable)
          const lot = code === '688111' ? 200 : 100
          const stepBoard = code === '688111' || code === '920118'
          expect(qty === sellable || (stepBoard ? qty >= lot : qty % lot === 0)).toBe(true)
        }
        if (qty > sellable) expect(r.ok).toBe(false)
      }),
    )
  })
})

describe('floorBuyQuantity', () => {
  it('rounds down to a valid size', () => {
    expect(floorBuyQuantity('600000', 1234)).toBe(1200)
    expect(floorBuyQuantity('600000', 99)).toBe(0)
    expect(floorBuyQuantity('688111', 1234)).toBe(1234)
    expect(floorBuyQuantity('688111', 199)).toBe(0)
    expect(floorBuyQuantity('300750', 1_000_000)).toBe(300_000)
    expect(floorBuyQuantity('300750', 1_000_000, false)).toBe(150_000)
  })
  it('property: result is 0 or passes validateQuantity', () => {
    fc.assert(
      fc.property(fc.constantFrom('600000', '300750', '688111', '920118', '510300'), fc.integer({ min: 0, max: 3_000_000 }), fc.boolean(), (code, n, limitOrder) => {
        const q = floorBuyQuantity(code, n, limitOrder)
        if (q > 0) expect(validateQuantity(code, 'buy', q, { limitOrder }).ok).toBe(true)
        expect(q).toBeLessThanOrEqual(n)
      }),
    )
  })
})
