/**
 * Percentages are typed as percentages (5 means 5 %) in the stock form, the API, the quote
 * preview and the replay; storage keeps fractions (basis points), so the boundary converts.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { percentField, percentText } from '@/lib/schemas/fields'
import { stockInputSchema } from '@/lib/schemas/stock'
import { quotePreviewSchema } from '@/lib/schemas/preview'
import { replayRequestSchema } from '@/lib/schemas/replay'

const base = { code: '600000', name: '浦发银行', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50' }
const messages = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]))

describe('percent fields', () => {
  it('reads 5 as 5 % (0.05 stored) in the stock schema, with "%" accepted and fractions of a percent kept', () => {
    const s = stockInputSchema.parse({ ...base, trailingStopPct: '5', quant: { maxPositionPct: '20%', hysteresisPct: '0.5' } })
    expect(s.trailingStopPct).toBe(0.05)
    expect(s.quant.maxPositionPct).toBe(0.2)
    expect(s.quant.hysteresisPct).toBe(0.005)
    expect(stockInputSchema.parse({ ...base, trailingStopPct: 1.1 }).trailingStopPct).toBe(0.011)
    // Defaults are the stored fractions (20 % and 0.5 %), unchanged.
    const d = stockInputSchema.parse(base)
    expect(d.quant.maxPositionPct).toBe(0.2)
    expect(d.quant.hysteresisPct).toBe(0.005)
    expect(d.trailingStopPct).toBeNull()
    expect(stockInputSchema.parse({ ...base, trailingStopPct: '' }).trailingStopPct).toBeNull()
  })

  it('refuses out of range, finer than 0.01 % and non-numbers with the field\'s own message', () => {
    expect(messages(stockInputSchema.safeParse({ ...base, trailingStopPct: '150' }))).toEqual({ trailingStopPct: 'percent.range' })
    expect(messages(stockInputSchema.safeParse({ ...base, trailingStopPct: '0.001' }))).toEqual({ trailingStopPct: 'percent.precision' })
    expect(messages(stockInputSchema.safeParse({ ...base, trailingStopPct: 'abc' }))).toEqual({ trailingStopPct: 'percent.notNumber' })
    // positive but below the precision's tolerance: refused as out of range, never stored as 0 %
    for (const tiny of ['1e-9', 5e-324]) expect(messages(stockInputSchema.safeParse({ ...base, trailingStopPct: tiny }))).toEqual({ trailingStopPct: 'percent.range' })
    expect(messages(stockInputSchema.safeParse({ ...base, quant: { maxPositionPct: '0' } }))).toEqual({ 'quant.maxPositionPct': 'percent.range' })
    expect(messages(stockInputSchema.safeParse({ ...base, quant: { hysteresisPct: '25' } }))).toEqual({ 'quant.hysteresisPct': 'hysteresis.range' })
  })

  it('round-trips every basis point: stored fraction → shown percent → parsed fraction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (bp) => {
        const fraction = bp / 10_000
        const shown = percentText(fraction)
        expect(Number(shown)).toBeCloseTo(bp / 100, 10)
        expect(percentField(100).parse(shown)).toBe(fraction)
      }),
    )
    expect(percentText(null)).toBe('')
    expect(percentText(0.05)).toBe('5')
  })

  it('the quote preview and the replay take the same units', () => {
    const p = quotePreviewSchema.parse({ code: '600000', trailingStopPct: '5', quant: { maxPositionPct: '20' } })
    expect(p.trailingStopPct).toBe(0.05)
    expect(p.quant.maxPositionPct).toBe(0.2)
    const r = replayRequestSchema.safeParse({ ...base, code: '600000.SH', trailingStopPct: '4', range: '20', bar: 'day', cash: 100000 })
    expect(r.success && r.data.trailingStopPct).toBe(0.04)
  })

  it('a body that is not an object (JSON null, a number, a list) is refused as invalid, never thrown on', () => {
    for (const body of [null, 3, 'x', []]) expect(stockInputSchema.safeParse(body).success).toBe(false)
  })
})
