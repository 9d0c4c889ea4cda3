// DingPan sells only what it manages, and only what the exchange accepts (issue 12, item 7): an
// odd-lot remainder after a partial exit goes out as the whole remainder when it is all the broker
// can sell; beside shares DingPan does not manage, only its whole lots go out (the odd part cannot
// be sold alone) — never a quantity validateQuantity (the exchange's rule) refuses.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { checkManagedQuantity, legalExitQuantity, validateQuantity } from '@/lib/market'
import { managedPosition } from '@/lib/services/trading/monitor-input'

describe('legalExitQuantity', () => {
  it.each([
    // code, managed, broker sellable, expected
    ['600000.SH', 1_000, 1_000, 1_000],
    ['600000.SH', 50, 50, 50], // the odd remainder of a partial exit, all the broker holds: whole
    ['600000.SH', 350, 350, 350],
    ['600000.SH', 350, 1_350, 300], // beside 1,000 manual shares: the whole lots only
    ['600000.SH', 50, 1_050, 0], // an odd remainder beside manual shares: nothing DingPan may sell alone
    ['600000.SH', 1_000, 400, 400], // T+1: only what is sellable today
    ['600000.SH', 1_050, 400, 400],
    ['600000.SH', 0, 100, 0],
    ['600000.SH', 100, 0, 0],
    ['688111.SH', 250, 250, 250],
    ['688111.SH', 250, 1_250, 250], // STAR: any quantity from 200
    ['688111.SH', 150, 1_150, 0],
    ['688111.SH', 150, 150, 150],
    ['300750.SZ', 1_230, 5_000, 1_200],
  ] as const)('%s managed %i, sellable %i → %i', (code, managed, sellable, expected) => {
    expect(legalExitQuantity(code, managed, sellable)).toBe(expected)
  })

  it('never a quantity the exchange refuses, never more than managed or sellable', () => {
    const codes = ['600000.SH', '000001.SZ', '300750.SZ', '688111.SH', '920001.BJ']
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }), (code, managed, sellable) => {
        const q = legalExitQuantity(code, managed, sellable)
        expect(q).toBeGreaterThanOrEqual(0)
        expect(q).toBeLessThanOrEqual(Math.min(managed, sellable))
        if (q > 0) expect(validateQuantity(code, 'sell', q, { sellable })).toEqual({ ok: true })
      }),
    )
  })
})

describe('managedPosition: the exit sells the managed shares the exchange accepts', () => {
  it('a partial exit left 50 managed shares and the broker holds only those: the whole 50', () => {
    expect(managedPosition({ code: '600000.SH', positionQty: 50 }, { volume: 50, canUseVolume: 50 })).toEqual({ volume: 50, canUseVolume: 50 })
  })
  it('beside 1,000 shares the trader bought by hand: only the whole lots of the managed 350', () => {
    expect(managedPosition({ code: '600000.SH', positionQty: 350 }, { volume: 1_350, canUseVolume: 1_350 })).toEqual({ volume: 350, canUseVolume: 300 })
  })
  it('an odd remainder beside manual shares: held, but nothing sellable by DingPan (no refused order)', () => {
    expect(managedPosition({ code: '600000.SH', positionQty: 50 }, { volume: 1_050, canUseVolume: 1_050 })).toEqual({ volume: 50, canUseVolume: 0 })
  })
  it('unknown broker position: unknown', () => {
    expect(managedPosition({ code: '600000.SH', positionQty: 50 }, null)).toBeNull()
  })
})

describe('checkManagedQuantity (mark managed: the form and the API)', () => {
  it.each([
    ['600000.SH', 1_050, 1_050, true, null],
    ['600000.SH', 1_000, 1_050, true, null],
    ['600000.SH', 1_100, 1_050, false, 'QTY_ABOVE_HELD'],
    ['600000.SH', 1_020, 1_050, false, 'QTY_NOT_SELLABLE_LOTS'],
    ['600000.SH', 50, 1_050, false, 'QTY_NOT_SELLABLE_LOTS'],
    ['600000.SH', 0, 1_050, false, 'QTY_NOT_POSITIVE_INTEGER'],
    ['600000.SH', 1.5, 1_050, false, 'QTY_NOT_POSITIVE_INTEGER'],
    ['688111.SH', 201, 1_050, true, null],
    ['688111.SH', 150, 1_050, false, 'QTY_NOT_SELLABLE_LOTS'],
  ] as const)('%s: %d of %d held → %s', (code, qty, held, ok, why) => {
    const r = checkManagedQuantity(code, qty, held)
    expect(r.ok).toBe(ok)
    if (!r.ok) expect(r.code).toBe(why)
  })
})
