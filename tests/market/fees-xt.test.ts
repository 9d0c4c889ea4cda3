import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DEFAULT_FEE_RATES, estimateFees, estimateFeesMilli, orderStatusInfo, STOCK_BUY, STOCK_SELL, XT_ORDER_STATUS, xtOrderTypeFor, xtPriceTypeFor } from '@/lib/market'

describe('estimateFees (a-share-rules §9)', () => {
  it('defaults', () => {
    expect(DEFAULT_FEE_RATES).toMatchObject({ commissionRate: 0.00025, minCommission: 5, stampDutyRate: 0.0005, transferFeeRate: 0.00001 })
  })

  it('small buy pays the 5-yuan minimum commission and transfer fee, no stamp duty', () => {
    const f = estimateFees({ code: '600000', side: 'buy', price: 10, quantity: 500 }) // 5,000 yuan
    expect(f).toMatchObject({ commission: 5, stampDuty: 0, transferFee: 0.05, total: 5.05 })
  })

  it('sell pays 0.05 % stamp duty', () => {
    const f = estimateFees({ code: '600000', side: 'sell', price: 10, quantity: 100_000 }) // 1,000,000 yuan
    expect(f).toMatchObject({ commission: 250, stampDuty: 500, transferFee: 10, total: 760 })
    expect(f.milli.total).toBe(760_000)
  })

  it('funds pay neither stamp duty nor transfer fee', () => {
    const f = estimateFees({ code: '510300', side: 'sell', price: 3.456, quantity: 100_000 }) // 345,600
    expect(f).toMatchObject({ commission: 86.4, stampDuty: 0, transferFee: 0, total: 86.4 })
  })

  it('rounds every fee up to the cent (an estimate must not undershoot)', () => {
    // 12,345.67 × 0.00001 = 0.1234567 → 0.13; × 0.0005 = 6.172835 → 6.18; × 0.00025 = 3.08641… → min 5
    const f = estimateFeesMilli('000001', 'sell', 12_345_670)
    expect(f.transferFee).toBe(0.13)
    expect(f.stampDuty).toBe(6.18)
    expect(f.commission).toBe(5)
  })

  it('configurable rates: 免五 and bundled fees', () => {
    const f = estimateFees({ code: '600000', side: 'buy', price: 10, quantity: 100, rates: { minCommission: 0, handlingFeeRate: 0.0000341, regulatoryFeeRate: 0.00002 } })
    // 1,000 yuan: commission 0.25, transfer 0.01, handling 0.0341 → 0.04, regulatory 0.02
    expect(f).toMatchObject({ commission: 0.25, transferFee: 0.01, handlingFee: 0.04, regulatoryFee: 0.02, total: 0.32 })
  })

  it('rejects absurd rates and quantities', () => {
    expect(() => estimateFees({ code: '600000', side: 'buy', price: 10, quantity: 100, rates: { commissionRate: 0.5 } })).toThrow()
    expect(() => estimateFees({ code: '600000', side: 'buy', price: 10, quantity: 1.5 })).toThrow()
    expect(() => estimateFees({ code: '600000', side: 'buy', price: 10.0001, quantity: 100 })).toThrow()
  })

  it('property: integer mills, total = sum, sells cost more than buys for stocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 10_000 }), (cents, lots) => {
        const price = cents / 100
        const b = estimateFees({ code: '600000', side: 'buy', price, quantity: lots * 100 })
        const s = estimateFees({ code: '600000', side: 'sell', price, quantity: lots * 100 })
        for (const f of [b, s]) {
          const m = f.milli
          expect(m.total).toBe(m.commission + m.stampDuty + m.transferFee + m.handlingFee + m.regulatoryFee)
          expect(Object.values(m).every((x) => Number.isSafeInteger(x) && x % 10 === 0)).toBe(true)
          expect(m.commission).toBeGreaterThanOrEqual(5000)
        }
        expect(s.milli.total).toBeGreaterThan(b.milli.total)
      }),
    )
  })
})

describe('xtquant mapping (bridge-protocol §3.2–3.3)', () => {
  it('order types', () => {
    expect(STOCK_BUY).toBe(23)
    expect(STOCK_SELL).toBe(24)
    expect(xtOrderTypeFor('buy')).toBe(23)
    expect(xtOrderTypeFor('sell')).toBe(24)
  })

  it.each([
    ['600000', 42],
    ['688111', 42],
    ['510300', 42],
    ['000001', 47],
    ['300750', 47],
    ['159915', 47],
  ])('%s market → %i', (code, type) => {
    expect(xtPriceTypeFor(code, 'market')).toMatchObject({ ok: true, priceType: type })
  })

  it('limits are FIX_PRICE 11 everywhere, including BJ', () => {
    for (const c of ['600000', '000001', '688111', '300750', '920118', '510300']) expect(xtPriceTypeFor(c, 'limit')).toMatchObject({ ok: true, priceType: 11 })
  })

  it('BJ market orders are refused with a reason', () => {
    const r = xtPriceTypeFor('920118', 'market')
    expect(r).toMatchObject({ ok: false, code: 'MARKET_ORDER_UNSUPPORTED_BJ' })
    if (!r.ok) expect(r.message).toContain('限价')
  })

  it('fund market mapping is flagged unverified', () => {
    expect(xtPriceTypeFor('510300', 'market')).toMatchObject({ verified: false })
    expect(xtPriceTypeFor('600000', 'market')).toMatchObject({ verified: true })
  })

  it('order status table', () => {
    const terminal = Object.values(XT_ORDER_STATUS).filter((s) => s.terminal).map((s) => s.status)
    expect(terminal.sort()).toEqual([53, 54, 56, 57])
    expect(Object.keys(XT_ORDER_STATUS).map(Number).sort((a, b) => a - b)).toEqual([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 255])
    expect(orderStatusInfo(57)).toMatchObject({ name: '废单', klass: 'rejected', terminal: true })
    expect(orderStatusInfo(56)).toMatchObject({ name: '已成', klass: 'filled', terminal: true })
    expect(orderStatusInfo(55)).toMatchObject({ name: '部成', klass: 'partially_filled', terminal: false })
    expect(orderStatusInfo(53)).toMatchObject({ name: '部撤', klass: 'partially_cancelled', terminal: true })
    expect(orderStatusInfo(48)).toMatchObject({ name: '未报', klass: 'open' })
    expect(orderStatusInfo(255)).toMatchObject({ name: '未知', klass: 'unknown', terminal: false })
    expect(orderStatusInfo(58)).toMatchObject({ name: '未知', klass: 'unknown', terminal: false })
    for (const s of Object.values(XT_ORDER_STATUS)) expect(s.nameEn.length).toBeGreaterThan(3)
  })
})
