/**
 * Levels relative to cost: tick-valid, on the safe side of the asked percentage, and on the right
 * side of the cost, for every cost, percentage and board.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { resolveLevelsMilli, stopLossFromCostMilli, takeProfitFromCostMilli, validateMonitorLevels } from '@/lib/market'

const codes = ['600000.SH', '000001.SZ', '510300.SH', '300750.SZ'] as const
const tickOf = (code: string) => (code.startsWith('5') ? 1 : 10)

describe('relative levels', () => {
  it('resolve to a tick-valid price: take-profit ≥ cost × (1 + x) and above cost; stop-loss ≥ cost × (1 − y) and below cost', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.integer({ min: 100, max: 2_000_000 }), fc.integer({ min: 1, max: 9_999 }), fc.integer({ min: 1, max: 100_000 }), (code, costMilli, slBp, tpBp) => {
        const tick = tickOf(code)
        const tp = takeProfitFromCostMilli(code, costMilli, tpBp)
        const sl = stopLossFromCostMilli(code, costMilli, slBp)
        expect(tp % tick).toBe(0)
        expect(sl % tick).toBe(0)
        expect(tp).toBeGreaterThan(costMilli)
        expect(tp * 10_000).toBeGreaterThanOrEqual(costMilli * (10_000 + tpBp))
        // the least such tick: one tick lower is below the target or not above the cost
        expect((tp - tick) * 10_000 < costMilli * (10_000 + tpBp) || tp - tick <= costMilli).toBe(true)
        expect(sl).toBeLessThan(costMilli)
        expect(sl).toBeGreaterThan(0)
        // the loss is never more than asked (unless one tick below cost already is, or the floor of one tick)
        expect(sl * 10_000 >= costMilli * (10_000 - slBp) || sl === (Math.ceil(costMilli / tick) - 1) * tick || sl === tick).toBe(true)
      }),
    )
  })

  it('examples: 8 % / 5 % of 9.053 average on a 0.01 tick', () => {
    expect(takeProfitFromCostMilli('600000.SH', 9_053, 800)).toBe(9_780) // 9.77724 → 9.78
    expect(stopLossFromCostMilli('600000.SH', 9_053, 500)).toBe(8_610) // 8.60035 → 8.61
    expect(stopLossFromCostMilli('600000.SH', 9_000, 1)).toBe(8_990) // never at the cost
    expect(takeProfitFromCostMilli('510300.SH', 4_000, 1)).toBe(4_001)
  })

  it('before the fill, resolved against the entry zone, they keep the level order the monitor checks', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.integer({ min: 1_000, max: 200_000 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 9_000 }), fc.integer({ min: 1, max: 50_000 }), (code, low0, width, slBp, tpBp) => {
        const tick = tickOf(code)
        const low = low0 - (low0 % tick)
        const high = low + width * tick
        const r = resolveLevelsMilli(code, { takeProfitBp: tpBp, stopLossBp: slBp }, { takeProfitMilli: 1, stopLossMilli: 1, entryLowMilli: low, entryHighMilli: high }, null)
        const errs = validateMonitorLevels({ entryLow: low / 1000, entryHigh: high / 1000, takeProfit: r.takeProfitMilli / 1000, stopLoss: r.stopLossMilli / 1000, trailingStopPct: null, episode: 1 })
        expect(errs).toEqual([])
      }),
    )
  })

  it('absolute levels stay as stored; a held cost replaces the zone for relative ones', () => {
    const abs = { takeProfitMilli: 9_500, stopLossMilli: 8_800, entryLowMilli: 9_000, entryHighMilli: 9_100 }
    expect(resolveLevelsMilli('600000.SH', { takeProfitBp: null, stopLossBp: null }, abs, 9_050)).toEqual({ takeProfitMilli: 9_500, stopLossMilli: 8_800 })
    expect(resolveLevelsMilli('600000.SH', { takeProfitBp: 1_000, stopLossBp: null }, abs, null)).toEqual({ takeProfitMilli: 10_010, stopLossMilli: 8_800 })
    expect(resolveLevelsMilli('600000.SH', { takeProfitBp: 1_000, stopLossBp: 300 }, abs, 9_050)).toEqual({ takeProfitMilli: 9_960, stopLossMilli: 8_780 })
  })
})
