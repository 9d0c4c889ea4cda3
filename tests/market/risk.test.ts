import { describe, expect, it } from 'vitest'
import { checkRisk, DEFAULT_RISK_LIMITS, type RecentOrder, type RiskInput } from '@/lib/market'
import { at } from './helpers'

const NOW = at('10:00')

function input(over: Partial<RiskInput> = {}, order: Partial<RiskInput['order']> = {}): RiskInput {
  return {
    order: { code: '600000', side: 'buy', quantity: 1000, price: 10, ...order },
    account: { totalAsset: 1_000_000, cash: 500_000, marketValue: 500_000 },
    activity: { ordersLastMinute: 0, activeOrdersForStock: { buy: 0, sell: 0 }, recentOrders: [], realizedLossToday: 0 },
    killSwitch: false,
    quoteAgeSec: 2,
    now: NOW,
    ...over,
  }
}
const codes = (r: ReturnType<typeof checkRisk>) => r.violations.map((v) => v.code)

describe('checkRisk', () => {
  it('passes a normal buy', () => {
    expect(checkRisk(input())).toEqual({ ok: true, violations: [] })
  })

  it('defaults', () => {
    expect(DEFAULT_RISK_LIMITS.maxExposurePct).toBe(0.8)
  })

  it('kill switch blocks buys and sells', () => {
    expect(codes(checkRisk(input({ killSwitch: true })))).toEqual(['KILL_SWITCH'])
    expect(codes(checkRisk(input({ killSwitch: true }, { side: 'sell', sellable: 1000 })))).toEqual(['KILL_SWITCH'])
  })

  it('exposure cap blocks buys only', () => {
    const heavy = { account: { totalAsset: 1_000_000, cash: 300_000, marketValue: 795_000 } }
    const r = checkRisk(input(heavy))
    expect(codes(r)).toEqual(['EXPOSURE_CAP'])
    expect(r.violations[0]).toMatchObject({ rule: 'exposure' })
    expect(r.violations[0].message).toContain('80%')
    expect(checkRisk(input(heavy, { side: 'sell', sellable: 1000 }))).toMatchObject({ ok: true })
  })

  it('per-order value, rate, active orders, daily loss and cash: buys only', () => {
    const busy = {
      limits: { maxOrderValue: 5000, maxDailyRealizedLoss: 1000 },
      activity: { ordersLastMinute: 10, activeOrdersForStock: { buy: 1, sell: 0 }, recentOrders: [], realizedLossToday: 1500 },
      account: { totalAsset: 1_000_000, cash: 5000, marketValue: 0 },
    }
    expect(codes(checkRisk(input(busy)))).toEqual(['ORDER_VALUE_CAP', 'ORDER_RATE', 'ACTIVE_ORDERS_PER_STOCK', 'DAILY_LOSS_CAP', 'CASH_INSUFFICIENT'])
    // the same circumstances never block an exit
    expect(checkRisk(input(busy, { side: 'sell', sellable: 1000 }))).toEqual({ ok: true, violations: [] })
  })

  it('stale or unknown quote blocks everything', () => {
    expect(codes(checkRisk(input({ quoteAgeSec: 120 })))).toEqual(['QUOTE_STALE'])
    expect(codes(checkRisk(input({ quoteAgeSec: null }, { side: 'sell', sellable: 1000 })))).toEqual(['QUOTE_STALE'])
  })

  it('duplicate: same stock, side and price within the window', () => {
    const recent = (sec: number, over: Partial<Omit<RecentOrder, 'at'>> = {}) => ({
      activity: { ordersLastMinute: 1, activeOrdersForStock: { buy: 0, sell: 0 }, realizedLossToday: 0, recentOrders: [{ code: '600000.SH', side: 'buy' as const, price: 10, at: new Date(NOW.getTime() - sec * 1000), ...over }] },
    })
    expect(codes(checkRisk(input(recent(30))))).toEqual(['DUPLICATE_ORDER'])
    expect(checkRisk(input(recent(90)))).toMatchObject({ ok: true })
    expect(checkRisk(input(recent(30, { price: 10.01 })))).toMatchObject({ ok: true })
    expect(checkRisk(input(recent(30, { side: 'sell' })))).toMatchObject({ ok: true })
    expect(checkRisk(input(recent(30, { code: '000001.SZ' })))).toMatchObject({ ok: true })
    // a confirmed cancel or rejection is not a duplicate (a legitimate re-send); an unknown fate is
    expect(checkRisk(input(recent(30, { status: 'cancelled' } )))).toMatchObject({ ok: true })
    expect(checkRisk(input(recent(30, { status: 'rejected' } )))).toMatchObject({ ok: true })
    expect(codes(checkRisk(input(recent(30, { status: 'unknown' } ))))).toEqual(['DUPLICATE_ORDER'])
    expect(codes(checkRisk(input(recent(30, { status: 'working' } ))))).toEqual(['DUPLICATE_ORDER'])
    // a duplicate exit is a double sell
    expect(codes(checkRisk(input(recent(30, { side: 'sell' }), { side: 'sell', sellable: 1000 })))).toEqual(['DUPLICATE_ORDER'])
  })

  it('a second sell while one is working is refused (cancel first)', () => {
    const r = checkRisk(input({ activity: { ordersLastMinute: 0, activeOrdersForStock: { buy: 0, sell: 1 }, recentOrders: [], realizedLossToday: 0 } }, { side: 'sell', sellable: 1000 }))
    expect(codes(r)).toEqual(['EXIT_ALREADY_WORKING'])
  })

  it('hard validity applies to exits: quantity, T+1, price', () => {
    expect(codes(checkRisk(input({}, { side: 'sell', quantity: 1000, sellable: 0 })))).toEqual(['ORDER_INVALID'])
    expect(codes(checkRisk(input({}, { side: 'sell', quantity: 150, sellable: 5000 })))).toEqual(['ORDER_INVALID'])
    expect(codes(checkRisk(input({}, { side: 'sell', quantity: 1000 })))).toEqual(['ORDER_INVALID'])
    expect(codes(checkRisk(input({}, { price: 0 })))).toEqual(['ORDER_INVALID'])
    expect(codes(checkRisk(input({}, { code: '000001.SH' })))).toEqual(['ORDER_INVALID'])
  })

  it('ST daily buy cap on the SH main board', () => {
    const a = { activity: { ordersLastMinute: 0, activeOrdersForStock: { buy: 0, sell: 0 }, recentOrders: [], realizedLossToday: 0, sharesBoughtToday: 499_500 } }
    const rich = { account: { totalAsset: 100_000_000, cash: 100_000_000, marketValue: 0 }, limits: { maxOrderValue: null } }
    expect(codes(checkRisk(input({ ...a, ...rich }, { st: true, quantity: 1000, price: 1 })))).toEqual(['ST_DAILY_BUY_CAP'])
    expect(checkRisk(input({ ...a, ...rich }, { st: true, quantity: 500, price: 1 }))).toMatchObject({ ok: true })
    expect(checkRisk(input({ ...a, ...rich }, { code: '000001', st: true, quantity: 1000, price: 1 }))).toMatchObject({ ok: true })
  })

  it('reports every violation with rule, code and both languages', () => {
    const r = checkRisk(input({ killSwitch: true, quoteAgeSec: 999, account: { totalAsset: 1000, cash: 0, marketValue: 1000 } }))
    expect(r.ok).toBe(false)
    expect(codes(r).slice(0, 2)).toEqual(['KILL_SWITCH', 'QUOTE_STALE'])
    expect(codes(r)).toEqual(expect.arrayContaining(['EXPOSURE_CAP', 'CASH_INSUFFICIENT']))
    for (const v of r.violations) {
      expect(v.rule.length).toBeGreaterThan(0)
      expect(v.message.length).toBeGreaterThan(0)
      expect(v.messageEn.length).toBeGreaterThan(0)
    }
  })
})
