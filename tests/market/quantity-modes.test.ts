/**
 * Quantity modes (issue 14): exits never sell more than is sellable or held, only whole lots unless
 * the whole sellable remainder goes; entries by amount or shares stay within the amount, the
 * shares, the position cap and the cash, in valid lots.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { BOARD_RULES, boardOf, exitQuantityFor, sizeOrder, validateQuantity, type ExitQuantityMode } from '@/lib/market'
import { at, quote } from './helpers'

const codes = ['600000.SH', '000001.SZ', '300750.SZ', '688001.SH', '510300.SH'] as const
const NOW = at('10:00')

const exitMode = fc.oneof(
  fc.constant<ExitQuantityMode>({ kind: 'ALL' }),
  fc.integer({ min: 1, max: 10_000 }).map((bp): ExitQuantityMode => ({ kind: 'PCT', bp })),
  fc.integer({ min: 1, max: 100_000 }).map((shares): ExitQuantityMode => ({ kind: 'SHARES', shares })),
)

describe('exitQuantityFor', () => {
  it('examples: whole lots, odd remainder only with everything, at least one lot', () => {
    expect(exitQuantityFor('600000.SH', { kind: 'ALL' }, 1050, 1050)).toBe(1050)
    expect(exitQuantityFor('600000.SH', { kind: 'PCT', bp: 5000 }, 1050, 1050)).toBe(500)
    expect(exitQuantityFor('600000.SH', { kind: 'PCT', bp: 1000 }, 1050, 1050)).toBe(100)
    expect(exitQuantityFor('600000.SH', { kind: 'PCT', bp: 1000 }, 300, 300)).toBe(100) // 30 → one lot
    expect(exitQuantityFor('600000.SH', { kind: 'SHARES', shares: 250 }, 1000, 1000)).toBe(200)
    expect(exitQuantityFor('600000.SH', { kind: 'SHARES', shares: 5000 }, 1000, 600)).toBe(600) // T+1: sellable only
    expect(exitQuantityFor('600000.SH', { kind: 'PCT', bp: 5000 }, 50, 50)).toBe(50) // the odd remainder is all that is left
    expect(exitQuantityFor('600000.SH', { kind: 'SHARES', shares: 120 }, 150, 150)).toBe(100) // whole lots; the odd 50 goes whole later, when it is all that is left
    expect(exitQuantityFor('600000.SH', { kind: 'ALL' }, 1000, 0)).toBe(0)
  })

  it('never more than sellable or held; whole lots unless it clears the sellable; sells something whenever a lot or the whole sellable can go', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), exitMode, fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 0, max: 200_000 }), (code, mode, held, sellableRaw) => {
        const sellable = Math.min(sellableRaw, held)
        const q = exitQuantityFor(code, mode, held, sellable)
        const lot = BOARD_RULES[boardOf(code)].sellLot
        expect(q).toBeGreaterThanOrEqual(0)
        expect(q).toBeLessThanOrEqual(sellable)
        expect(q).toBeLessThanOrEqual(held)
        if (q > 0) expect(validateQuantity(code, 'sell', q, { sellable, limitOrder: false }).ok || q > BOARD_RULES[boardOf(code)].maxMarketQty).toBe(true)
        if (q > 0 && q !== sellable) expect(q).toBeGreaterThanOrEqual(lot)
        if (sellable > 0) expect(q).toBeGreaterThan(0)
        if (mode.kind === 'ALL') expect(q).toBe(sellable)
        if (mode.kind === 'SHARES' && q !== sellable && mode.shares >= lot) expect(q).toBeLessThanOrEqual(mode.shares)
      }),
      { numRuns: 3000 },
    )
  })
})

describe('sizeOrder with quantity modes', () => {
  const q = quote({ last: 10, prevClose: 10, bids: [{ price: 9.99, volume: 1 }], asks: [{ price: 10, volume: 1 }] })
  const base = { code: '600000', kind: 'ENTRY' as const, quote: q, now: NOW, sizing: { maxPositionPct: 0.2, minTradeAmount: 1000 } }

  it('fixed amount: the largest whole-lot buy within the amount (and the cap)', () => {
    expect(sizeOrder({ ...base, account: { totalAsset: 1_000_000, cash: 1_000_000 }, entryMode: { kind: 'AMOUNT', yuan: 12_345 } })).toMatchObject({ ok: true, quantity: 1200 })
    // The cap still binds: 20 % of 50 000 = 10 000.
    expect(sizeOrder({ ...base, account: { totalAsset: 50_000, cash: 50_000 }, entryMode: { kind: 'AMOUNT', yuan: 30_000 } })).toMatchObject({ ok: true, quantity: 1000 })
  })

  it('fixed shares: whole lots of the shares, within the cap and the cash', () => {
    expect(sizeOrder({ ...base, account: { totalAsset: 1_000_000, cash: 1_000_000 }, entryMode: { kind: 'SHARES', shares: 750 } })).toMatchObject({ ok: true, quantity: 700 })
    expect(sizeOrder({ ...base, account: { totalAsset: 1_000_000, cash: 1_000_000 }, entryMode: { kind: 'SHARES', shares: 50 } })).toMatchObject({ ok: false, code: 'SIZE_BELOW_ONE_LOT' })
  })

  it('property: an entry never exceeds the amount, the shares, the cap or the cash, in valid lots', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 5_000_000 }), fc.integer({ min: 0, max: 5_000_000 }), fc.oneof(fc.integer({ min: 1, max: 500_000 }).map((yuan) => ({ kind: 'AMOUNT' as const, yuan })), fc.integer({ min: 1, max: 100_000 }).map((shares) => ({ kind: 'SHARES' as const, shares }))), (asset, cash, mode) => {
        const r = sizeOrder({ ...base, account: { totalAsset: asset, cash }, entryMode: mode })
        if (!r.ok) return
        expect(validateQuantity('600000.SH', 'buy', r.quantity).ok).toBe(true)
        expect(r.value).toBeLessThanOrEqual(asset * 0.2 + 1e-9)
        expect(r.value + r.estFees.total).toBeLessThanOrEqual(cash + 1e-9)
        if (mode.kind === 'AMOUNT') expect(r.value).toBeLessThanOrEqual(mode.yuan + 1e-9)
        else expect(r.quantity).toBeLessThanOrEqual(mode.shares)
      }),
      { numRuns: 1000 },
    )
  })

  it('exit by % of the position sells whole lots of what is sellable', () => {
    const sell = { code: '600000', kind: 'TAKE_PROFIT' as const, quote: q, now: NOW, account: { totalAsset: 0, cash: 0 } }
    expect(sizeOrder({ ...sell, position: { volume: 1050, canUseVolume: 1050 }, exitMode: { kind: 'PCT', bp: 5000 } })).toMatchObject({ ok: true, quantity: 500 })
    expect(sizeOrder({ ...sell, position: { volume: 1050, canUseVolume: 1050 } })).toMatchObject({ ok: true, quantity: 1050 })
    expect(sizeOrder({ ...sell, position: { volume: 1050, canUseVolume: 1050 }, exitMode: { kind: 'SHARES', shares: 300 } })).toMatchObject({ ok: true, quantity: 300 })
  })
})
