import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  cageBenchmark,
  estimateFeesMilli,
  isOnTick,
  limitPricesMilli,
  priceCageMilli,
  priceOrder,
  sizeOrder,
  tickMilliOf,
  toMilli,
  validateQuantity,
  type PriceMode,
  type Quote,
} from '@/lib/market'
import { at, quote } from './helpers'

const NOW = at('10:00')

describe('priceOrder', () => {
  const q = quote({ last: 10, prevClose: 10, bids: [{ price: 9.99, volume: 100 }], asks: [{ price: 10.01, volume: 100 }] })

  it('TRIGGER_PRICE: limit at the trigger price ± ticks', () => {
    expect(priceOrder({ code: '600000', side: 'buy', quote: q, now: NOW, mode: 'TRIGGER_PRICE', triggerPrice: 9.95 })).toMatchObject({ ok: true, priceType: 'limit', xtPriceType: 11, price: 9.95 })
    expect(priceOrder({ code: '600000', side: 'sell', quote: q, now: NOW, mode: 'TRIGGER_PRICE', triggerPrice: 12, offsetTicks: 2 })).toMatchObject({ ok: true, price: 11, notes: [expect.objectContaining({ code: 'PRICE_CLAMPED_TO_LIMIT' })] })
    // without triggerPrice: the last price
    expect(priceOrder({ code: '600000', side: 'buy', quote: q, now: NOW, mode: 'TRIGGER_PRICE' })).toMatchObject({ price: 10 })
  })

  it('LATEST_OFFSET moves toward the aggressive side', () => {
    expect(priceOrder({ code: '600000', side: 'buy', quote: q, now: NOW, mode: 'LATEST_OFFSET', offsetTicks: 3 })).toMatchObject({ price: 10.03 })
    expect(priceOrder({ code: '600000', side: 'sell', quote: q, now: NOW, mode: 'LATEST_OFFSET', offsetTicks: 3 })).toMatchObject({ price: 9.97 })
  })

  it('BEST_OPPOSITE: ask1 to buy, bid1 to sell', () => {
    expect(priceOrder({ code: '600000', side: 'buy', quote: q, now: NOW, mode: 'BEST_OPPOSITE', offsetTicks: 2 })).toMatchObject({ price: 10.03 })
    expect(priceOrder({ code: '600000', side: 'sell', quote: q, now: NOW, mode: 'BEST_OPPOSITE', offsetTicks: 5 })).toMatchObject({ price: 9.94 })
  })

  it('rounds toward the passive side', () => {
    const f = quote({ code: '600000.SH', last: 10 })
    expect(priceOrder({ code: '600000', side: 'buy', quote: f, now: NOW, mode: 'TRIGGER_PRICE', triggerPrice: 9.957 })).toMatchObject({ price: 9.95 })
    expect(priceOrder({ code: '600000', side: 'sell', quote: f, now: NOW, mode: 'TRIGGER_PRICE', triggerPrice: 9.951 })).toMatchObject({ price: 9.96 })
  })

  it('limit-down with no bids: a valid clamped sell at the limit, and says so', () => {
    const ld = quote({ last: 9, prevClose: 10, bids: [], asks: [{ price: 9, volume: 1_000_000 }], limitUp: 11, limitDown: 9 })
    const r = priceOrder({ code: '600000', side: 'sell', quote: ld, now: NOW, mode: 'BEST_OPPOSITE', offsetTicks: 5 })
    expect(r).toMatchObject({ ok: true, price: 9 })
    if (r.ok) expect(r.notes.map((n) => n.code)).toContain('BOOK_NO_BIDS')
  })

  it('limit-up with no asks: bids at the highest valid price, and says so', () => {
    const lu = quote({ last: 11, prevClose: 10, bids: [{ price: 11, volume: 1_000_000 }], asks: [], limitUp: 11, limitDown: 9 })
    const r = priceOrder({ code: '600000', side: 'buy', quote: lu, now: NOW, mode: 'BEST_OPPOSITE' })
    expect(r).toMatchObject({ ok: true, price: 11 })
    if (r.ok) expect(r.notes.map((n) => n.code)).toContain('BOOK_NO_ASKS')
  })

  it('clamps into the STAR 2 % cage', () => {
    const s = quote({ code: '688111.SH', last: 100, prevClose: 100, bids: [{ price: 99.99, volume: 2 }], asks: [{ price: 100, volume: 2 }] })
    // 100 ticks above last is 101.00, still inside the cage (ask1 100 × 1.02 = 102)
    expect(priceOrder({ code: '688111', side: 'buy', quote: s, now: NOW, mode: 'LATEST_OFFSET', offsetTicks: 100 })).toMatchObject({ ok: true, price: 101, cageBound: 102 })
    const r = priceOrder({ code: '688111', side: 'buy', quote: s, now: NOW, mode: 'TRIGGER_PRICE', triggerPrice: 105 })
    expect(r).toMatchObject({ ok: true, price: 102, cageBound: 102 })
    if (r.ok) expect(r.notes.map((n) => n.code)).toContain('PRICE_CLAMPED_TO_CAGE')
    // sell floor: bid1 99.99 × 0.98 = 97.9902, rounded up to the tick → 98.00
    const sell = priceOrder({ code: '688111', side: 'sell', quote: s, now: NOW, mode: 'TRIGGER_PRICE', triggerPrice: 95 })
    expect(sell).toMatchObject({ ok: true, price: 98, cageBound: 98 })
  })

  it('MARKET: exchange type in continuous trading, with a protective price', () => {
    const sh = priceOrder({ code: '600000', side: 'sell', quote: q, now: NOW, mode: 'MARKET', offsetTicks: 5 })
    expect(sh).toMatchObject({ ok: true, priceType: 'market', xtPriceType: 42, price: 9.94 })
    const sz = priceOrder({ code: '000001', side: 'buy', quote: { ...q, code: '000001.SZ' }, now: NOW, mode: 'MARKET' })
    expect(sz).toMatchObject({ ok: true, priceType: 'market', xtPriceType: 47 })
  })

  it('MARKET falls back to a marketable limit in auctions and on BJ', () => {
    const auction = priceOrder({ code: '600000', side: 'sell', quote: q, now: at('14:58'), mode: 'MARKET', offsetTicks: 5 })
    expect(auction).toMatchObject({ ok: true, priceType: 'limit', xtPriceType: 11, price: 9.94 })
    if (auction.ok) expect(auction.notes.map((n) => n.code)).toContain('MARKET_FALLBACK_TO_LIMIT')
    const bj = priceOrder({ code: '920118', side: 'sell', quote: { ...q, code: '920118.BJ' }, now: NOW, mode: 'MARKET', offsetTicks: 5 })
    expect(bj).toMatchObject({ ok: true, priceType: 'limit', xtPriceType: 11 })
    if (bj.ok) expect(bj.notes.map((n) => n.code)).toEqual(expect.arrayContaining(['MARKET_FALLBACK_TO_LIMIT', 'CAGE_RULE_UNVERIFIED']))
  })

  it('prefers published limits and notes a disagreement', () => {
    // ex-rights day: reference price differs from the raw previous close
    const ex = quote({ last: 9, prevClose: 10, limitUp: 9.9, limitDown: 8.1, bids: [{ price: 8.99, volume: 1 }], asks: [{ price: 9, volume: 1 }] })
    const r = priceOrder({ code: '600000', side: 'buy', quote: ex, now: NOW, mode: 'LATEST_OFFSET', offsetTicks: 100 })
    expect(r).toMatchObject({ ok: true, limits: { up: 9.9, down: 8.1 } })
    if (r.ok) {
      expect(r.price).toBeLessThanOrEqual(9.9)
      expect(r.notes.map((n) => n.code)).toContain('LIMITS_PUBLISHED_DIFFER')
    }
  })

  it('funds price at 0.001', () => {
    const f = quote({ code: '510300.SH', last: 3.456, prevClose: 3.45, bids: [{ price: 3.455, volume: 1 }], asks: [{ price: 3.456, volume: 1 }] })
    expect(priceOrder({ code: '510300', side: 'sell', quote: f, now: NOW, mode: 'BEST_OPPOSITE', offsetTicks: 3 })).toMatchObject({ ok: true, price: 3.452 })
  })

  it('refusals carry a code and both languages', () => {
    const cases = [
      priceOrder({ code: '600000', side: 'buy', quote: { ...q, code: '000001.SZ' }, now: NOW, mode: 'TRIGGER_PRICE' }),
      priceOrder({ code: '600000', side: 'buy', quote: q, now: NOW, mode: 'TRIGGER_PRICE', offsetTicks: -1 }),
      priceOrder({ code: '600000', side: 'buy', quote: { ...q, prevClose: 0 }, now: NOW, mode: 'TRIGGER_PRICE' }),
      priceOrder({ code: '600000', side: 'buy', quote: { ...q, last: 0, bids: [], asks: [] }, now: NOW, mode: 'BEST_OPPOSITE', noLimit: true }),
    ]
    expect(cases.map((c) => (c.ok ? 'ok' : c.code))).toEqual(['QUOTE_CODE_MISMATCH', 'OFFSET_TICKS_INVALID', 'NO_LIMIT_REFERENCE', 'NO_REFERENCE_PRICE'])
    for (const c of cases) if (!c.ok) expect(c.message && c.messageEn).toBeTruthy()
  })
})

// ---- random quotes for the properties ----
const CODES = ['600000.SH', '000001.SZ', '300750.SZ', '688111.SH', '920118.BJ', '510300.SH', '159915.SZ']
const arbQuote: fc.Arbitrary<{ q: Quote; st: boolean }> = fc
  .record({
    code: fc.constantFrom(...CODES),
    prevTicks: fc.integer({ min: 100, max: 300_000 }),
    lastOffsetPct: fc.integer({ min: -35, max: 35 }),
    spreadTicks: fc.integer({ min: 1, max: 30 }),
    hasBids: fc.boolean(),
    hasAsks: fc.boolean(),
    published: fc.boolean(),
    st: fc.boolean(),
  })
  .map((r) => {
    const t = tickMilliOf(r.code)
    const prev = r.prevTicks * t
    const lim = limitPricesMilli(r.code, prev, { st: r.st })!
    let last = Math.round((prev * (100 + r.lastOffsetPct)) / 100 / t) * t
    last = Math.min(Math.max(last, lim.downMilli), lim.upMilli)
    const bid = Math.max(lim.downMilli, last - r.spreadTicks * t)
    const ask = Math.min(lim.upMilli, last + t)
    const q: Quote = {
      code: r.code,
      name: 'P',
      last: last / 1000,
      prevClose: prev / 1000,
      open: prev / 1000,
      high: last / 1000,
      low: last / 1000,
      volume: 1000,
      amount: 1000,
      bids: r.hasBids ? [{ price: bid / 1000, volume: 100 }] : [],
      asks: r.hasAsks ? [{ price: ask / 1000, volume: 100 }] : [],
      limitUp: r.published ? lim.upMilli / 1000 : null,
      limitDown: r.published ? lim.downMilli / 1000 : null,
      time: NOW,
      suspended: false,
      source: 'prop',
    }
    return { q, st: r.st }
  })

describe('priceOrder properties', () => {
  it('every produced price is tick-aligned, inside the limits and inside the cage', () => {
    fc.assert(
      fc.property(
        arbQuote,
        fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
        fc.constantFrom<PriceMode>('TRIGGER_PRICE', 'LATEST_OFFSET', 'BEST_OPPOSITE', 'MARKET'),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: -40, max: 40 }),
        fc.constantFrom('10:00', '14:58', '09:22'),
        ({ q, st }, side, mode, offset, trigPct, hhmm) => {
          const trigger = Math.max(0.001, Math.round(q.last * (100 + trigPct) * 10) / 1000)
          const r = priceOrder({ code: q.code, side, quote: q, now: at(hhmm), mode, offsetTicks: offset, triggerPrice: trigger, st })
          expect(r.ok).toBe(true)
          if (!r.ok) return
          const t = tickMilliOf(q.code)
          const p = toMilli(r.price)
          expect(p).toBe(r.priceMilli)
          expect(isOnTick(p, t)).toBe(true)
          const lim = limitPricesMilli(q.code, toMilli(q.prevClose), { st })!
          expect(p).toBeGreaterThanOrEqual(lim.downMilli)
          expect(p).toBeLessThanOrEqual(lim.upMilli)
          const bench = cageBenchmark(side, q)!
          const cage = priceCageMilli(q.code, side, toMilli(bench))
          if (side === 'buy') expect(p).toBeLessThanOrEqual(cage.maxMilli!)
          else expect(p).toBeGreaterThanOrEqual(cage.minMilli!)
          if (r.priceType === 'market') expect(hhmm).toBe('10:00')
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('sizeOrder: entries', () => {
  const q = quote({ last: 10, prevClose: 10, bids: [{ price: 9.99, volume: 1 }], asks: [{ price: 10, volume: 1 }] })
  const base = { code: '600000', kind: 'ENTRY' as const, quote: q, now: NOW }

  it('fills the position budget', () => {
    const r = sizeOrder({ ...base, account: { totalAsset: 1_000_000, cash: 1_000_000 }, sizing: { maxPositionPct: 0.2, minTradeAmount: 5000 } })
    expect(r).toMatchObject({ ok: true, side: 'buy', quantity: 20_000, price: 10, value: 200_000, xtOrderType: 23, xtPriceType: 11, priceType: 'limit' })
    if (r.ok) expect(r.estFees.total).toBe(52) // 50 commission + 2 transfer
  })

  it('subtracts what is already held', () => {
    const r = sizeOrder({ ...base, account: { totalAsset: 1_000_000, cash: 1_000_000 }, heldValue: 150_000 })
    expect(r).toMatchObject({ ok: true, quantity: 5000 })
  })

  it('is capped by cash including fees', () => {
    // 5,000 shares = 50,000 + 5.5 fees > 50,000 cash → 4,900
    const r = sizeOrder({ ...base, account: { totalAsset: 1_000_000, cash: 50_000 } })
    expect(r).toMatchObject({ ok: true, quantity: 4900 })
    if (r.ok) expect(r.notes.map((n) => n.code)).toContain('SIZE_LIMITED_BY_CASH')
  })

  it('STAR sizes in single shares above 200', () => {
    const s = quote({ code: '688111.SH', last: 228.59, prevClose: 228.82, bids: [{ price: 228.56, volume: 2 }], asks: [{ price: 228.59, volume: 213 }] })
    const r = sizeOrder({ code: '688111', kind: 'ENTRY', quote: s, now: NOW, account: { totalAsset: 500_000, cash: 500_000 } })
    // 100,000 / 228.59 = 437.46 → 437
    expect(r).toMatchObject({ ok: true, quantity: 437, price: 228.59 })
    const small = sizeOrder({ code: '688111', kind: 'ENTRY', quote: s, now: NOW, account: { totalAsset: 200_000, cash: 200_000 } })
    // 40,000 / 228.59 = 174 < 200
    expect(small).toMatchObject({ ok: false, code: 'SIZE_BELOW_ONE_LOT' })
  })

  it('refuses below one lot, below the minimum amount, when full, when cash is short', () => {
    expect(sizeOrder({ ...base, account: { totalAsset: 4000, cash: 4000 } })).toMatchObject({ ok: false, code: 'SIZE_BELOW_ONE_LOT' })
    expect(sizeOrder({ ...base, account: { totalAsset: 15_000, cash: 15_000 } })).toMatchObject({ ok: false, code: 'SIZE_BELOW_MIN_TRADE_AMOUNT' })
    expect(sizeOrder({ ...base, account: { totalAsset: 100_000, cash: 100_000 }, heldValue: 20_000 })).toMatchObject({ ok: false, code: 'SIZE_POSITION_FULL' })
    expect(sizeOrder({ ...base, account: { totalAsset: 1_000_000, cash: 1000 } })).toMatchObject({ ok: false, code: 'SIZE_CASH_INSUFFICIENT' })
    const r = sizeOrder({ ...base, account: { totalAsset: 4000, cash: 4000 } })
    if (!r.ok) {
      expect(r.message).toContain('100股')
      expect(r.messageEn).toContain('100 shares')
    }
  })

  it('caps at the per-order maximum', () => {
    const c = quote({ code: '300750.SZ', last: 1, prevClose: 1, bids: [{ price: 0.99, volume: 1 }], asks: [{ price: 1, volume: 1 }] })
    const r = sizeOrder({ code: '300750', kind: 'ENTRY', quote: c, now: NOW, account: { totalAsset: 10_000_000, cash: 10_000_000 } })
    expect(r).toMatchObject({ ok: true, quantity: 300_000 })
  })
})

describe('sizeOrder: exits', () => {
  const q = quote({ last: 9, prevClose: 9.5, bids: [{ price: 8.99, volume: 1 }], asks: [{ price: 9, volume: 1 }] })
  const base = { code: '600000', quote: q, now: NOW, account: { totalAsset: 0, cash: 0 } }

  it('sells everything sellable, odd remainder included', () => {
    const r = sizeOrder({ ...base, kind: 'STOP_LOSS', position: { volume: 5050, canUseVolume: 5050 } })
    // default stop: bid1 − 5 ticks
    expect(r).toMatchObject({ ok: true, side: 'sell', quantity: 5050, price: 8.94, xtOrderType: 24, priceType: 'limit' })
  })

  it('never more than sellable (T+1)', () => {
    expect(sizeOrder({ ...base, kind: 'TAKE_PROFIT', position: { volume: 5000, canUseVolume: 3000 } })).toMatchObject({ ok: true, quantity: 3000 })
    expect(sizeOrder({ ...base, kind: 'STOP_LOSS', position: { volume: 5000, canUseVolume: 0 } })).toMatchObject({ ok: false, code: 'T1_NOT_SELLABLE' })
    expect(sizeOrder({ ...base, kind: 'STOP_LOSS', position: { volume: 0, canUseVolume: 0 } })).toMatchObject({ ok: false, code: 'NO_POSITION' })
    expect(sizeOrder({ ...base, kind: 'STOP_LOSS', position: null })).toMatchObject({ ok: false, code: 'POSITION_UNKNOWN' })
    // inconsistent broker data: never more than is held
    expect(sizeOrder({ ...base, kind: 'STOP_LOSS', position: { volume: 800, canUseVolume: 1000 } })).toMatchObject({ ok: true, quantity: 800 })
  })

  it('splits above the per-order maximum', () => {
    const c = quote({ code: '300750.SZ', last: 9, prevClose: 10 })
    const r = sizeOrder({ ...base, code: '300750', quote: c, kind: 'STOP_LOSS', position: { volume: 400_050, canUseVolume: 400_050 } })
    expect(r).toMatchObject({ ok: true, quantity: 300_000 })
    if (r.ok) expect(r.notes.map((n) => n.code)).toContain('SIZE_SPLIT_REQUIRED')
    const m = sizeOrder({ ...base, code: '300750', quote: c, kind: 'STOP_LOSS', pricing: { mode: 'MARKET' }, position: { volume: 400_050, canUseVolume: 400_050 } })
    expect(m).toMatchObject({ ok: true, quantity: 150_000, priceType: 'market', xtPriceType: 47 })
  })
})

describe('sizeOrder properties', () => {
  it('every quantity passes validateQuantity; buys fit budget and cash; sells never exceed sellable', () => {
    const produced = { buy: 0, sell: 0 }
    fc.assert(
      fc.property(
        arbQuote,
        fc.constantFrom<'ENTRY' | 'STOP_LOSS' | 'TAKE_PROFIT' | 'TRAILING_STOP'>('ENTRY', 'STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'),
        fc.constantFrom<PriceMode>('TRIGGER_PRICE', 'LATEST_OFFSET', 'BEST_OPPOSITE', 'MARKET'),
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.integer({ min: 0, max: 3_000_000 }),
        ({ q, st }, kind, mode, asset, cashPct, posPct, volume, canUseRaw) => {
          const cash = Math.floor((asset * cashPct) / 100)
          const canUse = Math.min(volume, canUseRaw)
          const r = sizeOrder({
            code: q.code,
            kind,
            quote: q,
            now: NOW,
            pricing: { mode, offsetTicks: 3 },
            st,
            account: { totalAsset: asset, cash },
            position: { volume, canUseVolume: canUse },
            sizing: { maxPositionPct: posPct / 100, minTradeAmount: 0 },
          })
          if (!r.ok) {
            expect(r.code.length).toBeGreaterThan(0)
            expect(r.message.length).toBeGreaterThan(0)
            expect(r.messageEn.length).toBeGreaterThan(0)
            return
          }
          const limitOrder = r.priceType === 'limit'
          produced[r.side]++
          if (r.side === 'sell') {
            expect(r.quantity).toBeLessThanOrEqual(canUse)
            expect(validateQuantity(q.code, 'sell', r.quantity, { sellable: canUse, limitOrder })).toEqual({ ok: true })
          } else {
            expect(validateQuantity(q.code, 'buy', r.quantity, { limitOrder })).toEqual({ ok: true })
            const value = toMilli(r.price) * r.quantity
            expect(value).toBe(toMilli(r.value))
            expect(value + estimateFeesMilli(q.code, 'buy', value).milli.total).toBeLessThanOrEqual(cash * 1000)
            expect(value).toBeLessThanOrEqual(Math.floor((asset * 1000 * posPct) / 100))
          }
        },
      ),
      { numRuns: 2000 },
    )
    // the property must not hold vacuously through refusals
    expect(produced.buy).toBeGreaterThan(200)
    expect(produced.sell).toBeGreaterThan(200)
  })
})

describe('priceOrder on the recorded quotes', () => {
  it('688047 at limit-up with an empty ask side (Sina 2024-09-30): buy at the limit, sell inside the STAR cage', () => {
    const star: Quote = {
      code: '688047.SH',
      name: '龙芯中科',
      last: 119.62,
      prevClose: 99.68,
      open: 106,
      high: 119.62,
      low: 104.5,
      volume: 8_256_723,
      amount: 938_310_086,
      bids: [
        { price: 119.62, volume: 25600 },
        { price: 119.61, volume: 7255 },
      ],
      asks: [],
      limitUp: null,
      limitDown: null,
      time: at('14:50', '2024-09-30'),
      suspended: false,
      source: 'sina',
    }
    const now = at('14:50', '2024-09-30')
    const buy = priceOrder({ code: star.code, side: 'buy', quote: star, now, mode: 'BEST_OPPOSITE', offsetTicks: 5 })
    expect(buy).toMatchObject({ ok: true, price: 119.62, limits: { up: 119.62, down: 79.74 } })
    if (buy.ok) expect(buy.notes.map((n) => n.code)).toContain('BOOK_NO_ASKS')
    // sell 5 ticks through bid1: 119.57, inside the cage (119.62 × 0.98 = 117.23)
    expect(priceOrder({ code: star.code, side: 'sell', quote: star, now, mode: 'BEST_OPPOSITE', offsetTicks: 5 })).toMatchObject({ ok: true, price: 119.57, cageBound: 117.23 })
  })

  it('600000 on 2026-09-14 (Tencent): published limits 10.19 / 8.33 bound a far trigger price', () => {
    const q: Quote = {
      code: '600000.SH',
      name: '浦发银行',
      last: 9.4,
      prevClose: 9.26,
      open: 9.28,
      high: 9.43,
      low: 9.24,
      volume: 77_187_100,
      amount: 722_307_374,
      bids: [{ price: 9.39, volume: 114_500 }],
      asks: [{ price: 9.4, volume: 242_500 }],
      limitUp: 10.19,
      limitDown: 8.33,
      time: at('10:00'),
      suspended: false,
      source: 'tencent',
    }
    const r = priceOrder({ code: q.code, side: 'sell', quote: q, now: at('10:00'), mode: 'TRIGGER_PRICE', triggerPrice: 8 })
    // cage: min(9.39 × 0.98 = 9.2022 → 9.21, 9.39 − 0.10 = 9.29) = 9.21
    expect(r).toMatchObject({ ok: true, price: 9.21, limits: { up: 10.19, down: 8.33 } })
    if (r.ok) expect(r.notes.map((n) => n.code)).toEqual(expect.arrayContaining(['PRICE_CLAMPED_TO_LIMIT', 'PRICE_CLAMPED_TO_CAGE']))
  })
})
