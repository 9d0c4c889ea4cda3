import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { cageBenchmark, fromMilli, isOnTick, priceCage, priceCageMilli, roundMilliToTick, roundToTick, tickSize, toMilli } from '@/lib/market'
import { quote } from './helpers'

describe('roundToTick', () => {
  it.each([
    ['600000', 10.005, 'down', 10],
    ['600000', 10.005, 'up', 10.01],
    ['600000', 10.005, 'nearest', 10.01], // half-up, never banker's
    ['600000', 10.015, 'nearest', 10.02],
    ['600000', 10.0149, 'nearest', 10.01],
    ['600000', 10.01, 'down', 10.01],
    ['600000', 10.01, 'up', 10.01],
    ['600000', 9.2649, 'nearest', 9.26], // no double rounding through mills
    ['600000', 1.005, 'nearest', 1.01],
    ['510300', 3.1234, 'down', 3.123],
    ['510300', 3.1234, 'up', 3.124],
    ['510300', 3.1235, 'nearest', 3.124],
    ['159915', 0.4885, 'nearest', 0.489],
  ] as const)('%s %s %s → %s', (code, price, mode, want) => {
    expect(roundToTick(code, price, mode)).toBe(want)
  })

  it('tick sizes', () => {
    expect(tickSize('600000')).toBe(0.01)
    expect(tickSize('688111')).toBe(0.01)
    expect(tickSize('920118')).toBe(0.01)
    expect(tickSize('510300')).toBe(0.001)
    expect(tickSize('159915')).toBe(0.001)
  })

  it('rejects negative and non-finite prices', () => {
    expect(() => roundToTick('600000', -1, 'down')).toThrow()
    expect(() => roundToTick('600000', Number.POSITIVE_INFINITY, 'down')).toThrow()
  })

  it('always lands on a tick, within one tick, in the requested direction', () => {
    fc.assert(
      fc.property(fc.constantFrom('600000', '510300'), fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom('down', 'up', 'nearest') as fc.Arbitrary<'down' | 'up' | 'nearest'>, (code, micro, mode) => {
        const price = micro / 1_000_000
        const out = roundToTick(code, price, mode)
        const tMilli = code === '510300' ? 1 : 10
        expect(isOnTick(toMilli(out), tMilli)).toBe(true)
        expect(Math.abs(out - price)).toBeLessThanOrEqual(tMilli / 1000 + 1e-9)
        if (mode === 'down') expect(out).toBeLessThanOrEqual(price + 1e-12)
        if (mode === 'up') expect(out).toBeGreaterThanOrEqual(price - 1e-12)
      }),
    )
  })

  it('integer rounding helper', () => {
    expect(roundMilliToTick(10_005, 10, 'nearest')).toBe(10_010)
    expect(roundMilliToTick(10_004, 10, 'nearest')).toBe(10_000)
    expect(roundMilliToTick(10_001, 10, 'up')).toBe(10_010)
    expect(roundMilliToTick(10_009, 10, 'down')).toBe(10_000)
  })
})

describe('priceCage (a-share-rules §6)', () => {
  it('main board: max(2 %, 10 ticks)', () => {
    // benchmark 10.00: 2 % = 10.20, 10 ticks = 10.10 → buy cap 10.20; sell floor min(9.80, 9.90) = 9.80
    expect(priceCage('600000', 'buy', 10)).toEqual({ min: null, max: 10.2, verified: true })
    expect(priceCage('600000', 'sell', 10)).toEqual({ min: 9.8, max: null, verified: true })
    // cheap stock 2.00: 2 % = 2.04, 10 ticks = 2.10 → 2.10; sell: min(1.96, 1.90) = 1.90
    expect(priceCage('000001', 'buy', 2)).toMatchObject({ max: 2.1 })
    expect(priceCage('000001', 'sell', 2)).toMatchObject({ min: 1.9 })
    // ChiNext uses the same rule
    expect(priceCage('300750', 'buy', 2)).toMatchObject({ max: 2.1 })
  })

  it('STAR: pure 2 %, rounded toward the benchmark', () => {
    expect(priceCage('688111', 'buy', 2)).toMatchObject({ max: 2.04 })
    expect(priceCage('688111', 'sell', 2)).toMatchObject({ min: 1.96 })
    // 228.59 × 1.02 = 233.1618 → 233.16 (down); × 0.98 = 224.0182 → 224.02 (up)
    expect(priceCage('688111', 'buy', 228.59)).toMatchObject({ max: 233.16 })
    expect(priceCage('688111', 'sell', 228.59)).toMatchObject({ min: 224.02 })
  })

  it('BJ and funds use the conservative reading and say it is unverified', () => {
    expect(priceCage('920118', 'buy', 10)).toEqual({ min: null, max: 10.2, verified: false })
    expect(priceCage('510300', 'buy', 3)).toEqual({ min: null, max: 3.06, verified: false })
    // fund: 10 ticks of 0.001 is narrower than 2 %, so 2 % wins
    expect(priceCage('510300', 'sell', 3)).toMatchObject({ min: 2.94 })
  })

  it('never extends beyond the daily limits', () => {
    expect(priceCage('600000', 'buy', 10.15, { up: 10.19, down: 8.33 })).toMatchObject({ max: 10.19 })
    expect(priceCage('600000', 'sell', 8.4, { up: 10.19, down: 8.33 })).toMatchObject({ min: 8.33 })
  })

  it('property: the buy cap is ≥ benchmark + 1 tick-ish and ≤ the wider rule; tick aligned', () => {
    fc.assert(
      fc.property(fc.constantFrom('600000', '300750', '688111', '920118', '510300'), fc.integer({ min: 100, max: 1_000_000 }), (code, ticks) => {
        const t = code === '510300' ? 1 : 10
        const b = ticks * t
        const buy = priceCageMilli(code, 'buy', b).maxMilli!
        const sell = priceCageMilli(code, 'sell', b).minMilli!
        expect(buy % t).toBe(0)
        expect(sell % t).toBe(0)
        expect(buy).toBeGreaterThanOrEqual(b)
        expect(sell).toBeLessThanOrEqual(b)
        expect(buy * 100).toBeLessThanOrEqual(Math.max(b * 102, (b + 10 * t) * 100))
        expect(sell * 100).toBeGreaterThanOrEqual(Math.min(b * 98, (b - 10 * t) * 100))
        if (code === '688111') {
          expect(buy * 100).toBeLessThanOrEqual(b * 102)
          expect(sell * 100).toBeGreaterThanOrEqual(b * 98)
        }
      }),
    )
  })
})

describe('cageBenchmark', () => {
  it('best opposite, else best same side, else last', () => {
    const q = quote({ last: 10, bids: [{ price: 9.99, volume: 1 }], asks: [{ price: 10.01, volume: 1 }] })
    expect(cageBenchmark('buy', q)).toBe(10.01)
    expect(cageBenchmark('sell', q)).toBe(9.99)
    expect(cageBenchmark('buy', { ...q, asks: [] })).toBe(9.99)
    expect(cageBenchmark('sell', { ...q, bids: [] })).toBe(10.01)
    expect(cageBenchmark('sell', { ...q, bids: [], asks: [] })).toBe(10)
    expect(cageBenchmark('sell', { ...q, bids: [], asks: [], last: 0 })).toBeNull()
    expect(fromMilli(toMilli(cageBenchmark('buy', q)!))).toBe(10.01)
  })
})
