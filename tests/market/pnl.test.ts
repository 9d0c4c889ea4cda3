import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { computePnl, estimateFeesMilli, shanghaiTime, type PnlFill } from '@/lib/market'

let nextId = 1
function fill(over: Partial<PnlFill> & { side: 'buy' | 'sell'; priceMilli: number; quantity: number; at: Date }): PnlFill {
  const id = nextId++
  return {
    fillId: over.fillId ?? id,
    orderId: over.orderId ?? id,
    stockId: over.stockId ?? 1,
    code: over.code ?? '600000.SH',
    side: over.side,
    priceMilli: over.priceMilli,
    quantity: over.quantity,
    amountMilli: over.amountMilli ?? over.priceMilli * over.quantity,
    tradedAt: over.at,
    recordedPnlMilli: over.recordedPnlMilli ?? null,
  }
}
const fee = (side: 'buy' | 'sell', value: number, code = '600000.SH') => estimateFeesMilli(code, side, value).milli.total

describe('computePnl', () => {
  it('one round trip: exit value − entry value − both orders’ fees', () => {
    const r = computePnl([
      fill({ side: 'buy', priceMilli: 10_000, quantity: 1000, at: shanghaiTime('2026-09-14', '10:00') }),
      fill({ side: 'sell', priceMilli: 11_000, quantity: 1000, at: shanghaiTime('2026-09-15', '10:00') }),
    ])
    const fees = fee('buy', 10_000_000) + fee('sell', 11_000_000)
    // buy 10,000 yuan: commission min 5, transfer 0.1 → 5.10; sell 11,000: 5 + stamp 5.5 + 0.11 → 10.61
    expect(fees).toBe(5_100 + 10_610)
    expect(r.total.pnlMilli).toBe(1_000_000 - fees)
    expect(r.total.feesMilli).toBe(fees)
    expect(r.roundTrips).toHaveLength(1)
    expect(r.roundTrips[0]).toMatchObject({ status: 'closed', entryQty: 1000, exitQty: 1000, pnlMilli: 1_000_000 - fees, index: 1 })
    expect(r.byDay.map((d) => d.key)).toEqual(['2026-09-15'])
    expect(r.byMonth.map((d) => [d.key, d.pnlMilli])).toEqual([['2026-09', 1_000_000 - fees]])
  })

  it('FIFO: the first lot is sold first', () => {
    const r = computePnl([
      fill({ side: 'buy', priceMilli: 10_000, quantity: 100, at: shanghaiTime('2026-09-14', '10:00'), amountMilli: 1_000_000 }),
      fill({ side: 'buy', priceMilli: 20_000, quantity: 100, at: shanghaiTime('2026-09-14', '10:30'), amountMilli: 2_000_000 }),
      fill({ side: 'sell', priceMilli: 15_000, quantity: 100, at: shanghaiTime('2026-09-15', '10:00') }),
    ], { fees: { commissionRate: 0, minCommission: 0, stampDutyRate: 0, transferFeeRate: 0 } })
    expect(r.pieces[0]).toMatchObject({ costMilli: 1_000_000, proceedsMilli: 1_500_000, pnlMilli: 500_000, costSource: 'fills' })
    expect(r.roundTrips[0].status).toBe('open')
  })

  it('partial fills of one order pay the minimum commission once', () => {
    const t = shanghaiTime('2026-09-14', '10:00')
    const split = computePnl([
      fill({ side: 'buy', orderId: 500, priceMilli: 10_000, quantity: 100, at: t }),
      fill({ side: 'buy', orderId: 500, priceMilli: 10_000, quantity: 100, at: t }),
      fill({ side: 'sell', orderId: 501, priceMilli: 10_000, quantity: 200, at: shanghaiTime('2026-09-15', '10:00') }),
    ])
    const whole = computePnl([
      fill({ side: 'buy', priceMilli: 10_000, quantity: 200, at: t }),
      fill({ side: 'sell', priceMilli: 10_000, quantity: 200, at: shanghaiTime('2026-09-15', '10:00') }),
    ])
    expect(split.total.pnlMilli).toBe(whole.total.pnlMilli)
    expect(split.orderFees.get(500)).toBe(fee('buy', 2_000_000))
  })

  it('a sell with no entry fill and no recorded cost is unpriced, not guessed', () => {
    const r = computePnl([fill({ side: 'sell', priceMilli: 5_000, quantity: 300, at: shanghaiTime('2026-09-14', '09:30') })])
    expect(r.total).toMatchObject({ pnlMilli: 0, quantity: 0, unpricedQty: 300 })
  })

  it('a held position sold uses the cost recorded with the fill', () => {
    // recorded (5.00 − 4.50) × 300 = 150 yuan gross
    const r = computePnl([fill({ side: 'sell', priceMilli: 5_000, quantity: 300, at: shanghaiTime('2026-09-14', '09:30'), recordedPnlMilli: 150_000 })])
    const sellFee = fee('sell', 1_500_000)
    expect(r.pieces[0]).toMatchObject({ costSource: 'recorded', costMilli: 1_350_000, pnlMilli: 150_000 - sellFee, unpricedQty: 0 })
    expect(r.roundTrips[0].openingPosition).toBe(true)
  })

  it('days and months are Asia/Shanghai dates', () => {
    // 2026-09-30 23:30 UTC is 2026-10-01 07:30 in Shanghai
    const r = computePnl([
      fill({ side: 'buy', priceMilli: 10_000, quantity: 100, at: new Date('2026-09-29T02:00:00Z') }),
      fill({ side: 'sell', priceMilli: 10_000, quantity: 100, at: new Date('2026-09-30T23:30:00Z') }),
    ])
    expect(r.byDay[0].key).toBe('2026-10-01')
    expect(r.byMonth[0].key).toBe('2026-10')
  })

  it('a new buy after the position is flat opens a second round trip; ranges filter exits', () => {
    const d = (day: string) => shanghaiTime(day, '10:00')
    const r = computePnl([
      fill({ side: 'buy', priceMilli: 10_000, quantity: 100, at: d('2026-09-14') }),
      fill({ side: 'sell', priceMilli: 11_000, quantity: 100, at: d('2026-09-15') }),
      fill({ side: 'buy', priceMilli: 10_000, quantity: 100, at: d('2026-09-16') }),
      fill({ side: 'sell', priceMilli: 9_000, quantity: 100, at: d('2026-09-17') }),
    ])
    expect(r.roundTrips.map((t) => [t.index, t.status])).toEqual([[1, 'closed'], [2, 'closed']])
    expect(r.total.wins).toBe(1)
    expect(r.total.losses).toBe(1)
    const later = computePnl(r.pieces.length ? [
      fill({ side: 'buy', priceMilli: 10_000, quantity: 100, at: d('2026-09-14') }),
      fill({ side: 'sell', priceMilli: 11_000, quantity: 100, at: d('2026-09-15') }),
      fill({ side: 'buy', priceMilli: 10_000, quantity: 100, at: d('2026-09-16') }),
      fill({ side: 'sell', priceMilli: 9_000, quantity: 100, at: d('2026-09-17') }),
    ] : [], { fromDay: '2026-09-16' })
    expect(later.pieces).toHaveLength(1)
    expect(later.total.pnlMilli).toBeLessThan(0)
    expect(later.roundTrips).toHaveLength(1)
  })

  it('refuses malformed fills', () => {
    expect(() => computePnl([fill({ side: 'buy', priceMilli: 10_000, quantity: 0, at: new Date() })])).toThrow()
  })
})

// A random trading history for one stock: buys and sells in whole lots, never selling more than held.
const history = fc
  .array(fc.record({ buy: fc.boolean(), lots: fc.integer({ min: 1, max: 20 }), price: fc.integer({ min: 1_000, max: 200_000 }), split: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 25 })
  .map((steps) => {
    const orders: Array<{ side: 'buy' | 'sell'; qty: number; price: number; split: number }> = []
    let held = 0
    for (const s of steps) {
      const qty = s.lots * 100
      if (s.buy) {
        orders.push({ side: 'buy', qty, price: s.price * 10, split: s.split })
        held += qty
      } else if (held > 0) {
        const q = Math.min(qty, held)
        orders.push({ side: 'sell', qty: q, price: s.price * 10, split: s.split })
        held -= q
      }
    }
    if (held > 0) orders.push({ side: 'sell', qty: held, price: 10_000, split: 1 })
    return orders
  })

function toFills(orders: Array<{ side: 'buy' | 'sell'; qty: number; price: number; split: number }>, splitFills: boolean): PnlFill[] {
  const out: PnlFill[] = []
  let id = 1
  const base = shanghaiTime('2026-09-14', '09:30').getTime()
  orders.forEach((o, i) => {
    const parts = splitFills ? Math.min(o.split, o.qty / 100) : 1
    let left = o.qty
    for (let p = 0; p < parts; p++) {
      const q = p === parts - 1 ? left : Math.floor(o.qty / parts / 100) * 100
      left -= q
      out.push({ fillId: id++, orderId: i + 1, stockId: 7, code: '600000.SH', side: o.side, priceMilli: o.price, quantity: q, amountMilli: o.price * q, tradedAt: new Date(base + i * 86_400_000 + p * 1000) })
    }
  })
  return out
}

describe('computePnl properties', () => {
  it('a history that ends flat: total P&L = sells − buys − every order’s fees, and nothing is unpriced', () => {
    fc.assert(
      fc.property(history, (orders) => {
        const fills = toFills(orders, true)
        const r = computePnl(fills)
        const sells = fills.filter((f) => f.side === 'sell').reduce((s, f) => s + f.amountMilli, 0)
        const buys = fills.filter((f) => f.side === 'buy').reduce((s, f) => s + f.amountMilli, 0)
        const fees = [...r.orderFees.values()].reduce((s, v) => s + v, 0)
        expect(r.total.pnlMilli).toBe(sells - buys - fees)
        expect(r.total.feesMilli).toBe(fees)
        expect(r.total.unpricedQty).toBe(0)
        expect(r.roundTrips.every((t) => t.status === 'closed' && t.entryQty === t.exitQty)).toBe(true)
        expect(r.roundTrips.reduce((s, t) => s + t.pnlMilli, 0)).toBe(r.total.pnlMilli)
        expect(r.byDay.reduce((s, d) => s + d.pnlMilli, 0)).toBe(r.total.pnlMilli)
        expect(r.byMonth.reduce((s, d) => s + d.pnlMilli, 0)).toBe(r.total.pnlMilli)
      }),
      { numRuns: 300 },
    )
  })

  it('splitting orders into partial fills does not change the total', () => {
    fc.assert(
      fc.property(history, (orders) => {
        expect(computePnl(toFills(orders, true)).total.pnlMilli).toBe(computePnl(toFills(orders, false)).total.pnlMilli)
      }),
      { numRuns: 300 },
    )
  })

  it('the order of the input does not matter (fills are sorted by time)', () => {
    fc.assert(
      fc.property(history, fc.integer(), (orders, seed) => {
        const fills = toFills(orders, true)
        const shuffled = [...fills].sort((a, b) => ((a.fillId * 2654435761) ^ seed) - ((b.fillId * 2654435761) ^ seed))
        expect(computePnl(shuffled).total).toEqual(computePnl(fills).total)
      }),
      { numRuns: 100 },
    )
  })

  it('FIFO: with free trading each exit’s cost is the oldest shares’ price', () => {
    fc.assert(
      fc.property(history, (orders) => {
        const fills = toFills(orders, false)
        const r = computePnl(fills, { fees: { commissionRate: 0, minCommission: 0, stampDutyRate: 0, transferFeeRate: 0 } })
        // reference FIFO with one entry per share-lot of 100
        const queue: number[] = []
        const costs: number[] = []
        for (const f of fills) {
          if (f.side === 'buy') for (let k = 0; k < f.quantity / 100; k++) queue.push(f.priceMilli * 100)
          else {
            let c = 0
            for (let k = 0; k < f.quantity / 100; k++) c += queue.shift()!
            costs.push(c)
          }
        }
        expect(r.pieces.map((p) => p.costMilli)).toEqual(costs)
      }),
      { numRuns: 200 },
    )
  })
})
