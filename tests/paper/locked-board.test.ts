/**
 * A board locked at a limit price in the paper engine: orders at the limit queue in time priority
 * behind the volume ahead and trade only when the board opens.
 */
import { describe, expect, it } from 'vitest'
import type { OrderRequest } from '@/lib/paper/types'
import { initialEngineState, PaperEngine } from '@/lib/paper/engine'
import { at, q } from './helpers'

const buy = (over: Partial<OrderRequest> = {}): OrderRequest => ({ stock_code: '600000.SH', order_type: 23, order_volume: 1_000, price_type: 11, price: 11, strategy_name: 'dingpan', order_remark: 'r', ...over })
const locked = (t: string) => q({ last: 11, time: at(t), asks: [], bids: [{ price: 11, volume: 500_000 }] })
// a quote that would fill any resting buy at 11 if the lock did not hold it
const crossing = (t: string) => q({ last: 11, time: at(t), ask1: 10.99 })

describe('locked board (limit-up)', () => {
  it('queued buys never fill while locked, then fill in time priority behind the volume ahead', () => {
    const e = new PaperEngine(initialEngineState({ cash: 1_000_000 }))
    e.lockBoard('600000.SH', 'up', 11_000, 1_500, at('10:00'))
    const first = e.placeOrder(buy({ order_remark: 'first' }), at('10:00:01'), locked('10:00:01'))
    const second = e.placeOrder(buy({ order_remark: 'second' }), at('10:00:02'), locked('10:00:02'))
    expect(first.fills).toEqual([])
    expect(second.fills).toEqual([])
    expect(e.match(crossing('10:05'), at('10:05'))).toEqual([])
    // 2,000 shares trade at the limit: 1,500 ahead, then 500 to the first order; the second waits
    const fills = e.openBoard('600000.SH', at('10:06'), locked('10:06'), 2_000)
    expect(fills.map((f) => [f.orderId, f.volume, f.priceMilli])).toEqual([[first.orderId, 500, 11_000]])
    expect(e.state.orders.find((o) => o.orderId === first.orderId)!.status).toBe(55)
    expect(e.state.orders.find((o) => o.orderId === second.orderId)!.status).toBe(50)
    expect(e.lockOf('600000.SH')).toBeNull()
    // open: the rest trades like any resting limit order
    const later = e.match(crossing('10:07'), at('10:07'))
    expect(later.map((f) => f.orderId).sort()).toEqual([first.orderId, second.orderId].sort())
  })

  it('a buy below the limit is not in the queue and matches normally', () => {
    const e = new PaperEngine(initialEngineState({ cash: 1_000_000 }))
    e.lockBoard('600000.SH', 'up', 11_000, 0, at('10:00'))
    const low = e.placeOrder(buy({ price: 10.9 }), at('10:00:01'), q({ last: 10.9, time: at('10:00:01'), ask1: 10.9 }))
    expect(low.fills.length).toBe(1)
  })
})
