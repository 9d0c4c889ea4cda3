/**
 * The paper exchange matching engine, rule by rule, with hand-built quotes and explicit times.
 */
import { describe, expect, it } from 'vitest'
import { estimateFees, XT_ORDER_STATUS } from '@/lib/market'
import { FIRST_ORDER_ID, type OrderRequest } from '@/lib/paper/types'
import { initialEngineState, PaperEngine, TIME_NOT_ALLOWED } from '@/lib/paper/engine'
import { at, DAY, NEXT_DAY, q } from './helpers'

function engine(cash = 1_000_000) {
  return new PaperEngine(initialEngineState({ accountId: 'T1', cash }))
}

const buy = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  stock_code: '600000.SH',
  order_type: 23,
  order_volume: 100,
  price_type: 11,
  price: 10,
  strategy_name: 'dingpan',
  order_remark: 'r1',
  ...over,
})
const sell = (over: Partial<OrderRequest> = {}): OrderRequest => buy({ order_type: 24, ...over })

function order(e: PaperEngine, id: number) {
  const o = e.state.orders.find((x) => x.orderId === id)
  expect(o, `order ${id}`).toBeDefined()
  return o!
}

describe('order ids and malformed requests', () => {
  it('hands out increasing ids starting at the MiniQMT-sized base and returns -1 for requests MiniQMT cannot build', () => {
    const e = engine()
    const a = e.placeOrder(buy(), at('10:00'), q())
    const b = e.placeOrder(buy({ order_remark: 'r2' }), at('10:00'), q())
    expect(a.orderId).toBe(FIRST_ORDER_ID)
    expect(b.orderId).toBe(FIRST_ORDER_ID + 1)
    expect(e.placeOrder(buy({ stock_code: '600000' }), at('10:00'), q()).orderId).toBe(-1)
    expect(e.placeOrder(buy({ order_type: 27 }), at('10:00'), q()).orderId).toBe(-1)
    expect(e.placeOrder(buy({ price_type: 21 }), at('10:00'), q()).orderId).toBe(-1)
    expect(e.placeOrder(buy({ order_volume: 100.5 }), at('10:00'), q()).orderId).toBe(-1)
    // -1 consumes no id
    expect(e.placeOrder(buy({ order_remark: 'r3' }), at('10:00'), q()).orderId).toBe(FIRST_ORDER_ID + 2)
  })
})

describe('counter rules → 废单 57 with a counter-like status_msg', () => {
  const cases: Array<[string, OrderRequest, RegExp]> = [
    ['lot size', buy({ order_volume: 150 }), /委托数量不符合交易单位要求/],
    ['tick size', buy({ price: 10.005 }), /最小价格变动单位/],
    ['above limit-up', buy({ price: 11.01 }), /委托价格超出涨跌停范围/],
    ['below limit-down', buy({ price: 8.99 }), /委托价格超出涨跌停范围/],
    // benchmark ask1 10.00: the buy cap is max(10.20, 10.10) = 10.20
    ['price cage (buy above 102 %)', buy({ price: 10.21 }), /价格笼子/],
    ['above the per-order maximum', buy({ order_volume: 1_000_100 }), /单笔最大/],
    ['cash', buy({ order_volume: 200_000 }), /可用资金不足/],
  ]
  for (const [name, req, msg] of cases) {
    it(name, () => {
      const e = engine()
      const r = e.placeOrder(req, at('10:00'), q())
      expect(r.orderId).toBeGreaterThan(0)
      const o = order(e, r.orderId)
      expect(o.status).toBe(57)
      expect(XT_ORDER_STATUS[o.status]!.name).toBe('废单')
      expect(o.statusMsg).toMatch(/^限价买入 \[SH600000\] \[COUNTER\] /)
      expect(o.statusMsg).toMatch(msg)
      // nothing reserved by a junk order
      expect(e.state.frozenCashMilli).toBe(0)
      expect(e.state.cashMilli).toBe(1_000_000_000)
    })
  }

  it('STAR: 199 shares is below the minimum, 201 is valid (step 1)', () => {
    const e = engine()
    const star = q({ code: '688111.SH', last: 229, prevClose: 229, limitUp: 274.8, limitDown: 183.2 })
    const bad = e.placeOrder(buy({ stock_code: '688111.SH', order_volume: 199, price: 229 }), at('10:00'), star)
    const ok = e.placeOrder(buy({ stock_code: '688111.SH', order_volume: 201, price: 229 }), at('10:00'), star)
    expect(order(e, bad.orderId).status).toBe(57)
    expect(order(e, ok.orderId).status).toBe(56)
  })

  it('outside trading hours: the -61 text MiniQMT reports, with an id > 0', () => {
    for (const t of [at('08:00'), at('12:00'), at('15:30'), at('10:00', '2026-09-13') /* Sunday */, at('10:00', '2026-10-01') /* holiday */]) {
      const e = engine()
      const r = e.placeOrder(buy(), t, q({ time: t }))
      expect(r.orderId).toBeGreaterThan(0)
      expect(order(e, r.orderId).status).toBe(57)
      expect(order(e, r.orderId).statusMsg).toContain(TIME_NOT_ALLOWED)
      expect(order(e, r.orderId).statusMsg).toContain('[12313][当前时间不允许此类证券交易]')
    }
  })

  it('market orders in the call auctions are 废单; limit orders are accepted there (and do not match)', () => {
    const e = engine()
    const m = e.placeOrder(buy({ price_type: 42, price: 0 }), at('09:16'), q({ time: at('09:16') }))
    expect(order(e, m.orderId).status).toBe(57)
    expect(order(e, m.orderId).statusMsg).toMatch(/^市价买入 .*12313.*连续竞价/)
    const l = e.placeOrder(buy({ order_remark: 'l' }), at('09:16'), q({ time: at('09:16') }))
    expect(order(e, l.orderId).status).toBe(50)
    expect(order(e, l.orderId).tradedVolume).toBe(0)
    const c = e.placeOrder(buy({ price_type: 47, stock_code: '000001.SZ', price: 0 }), at('14:58'), q({ code: '000001.SZ', time: at('14:58') }))
    expect(order(e, c.orderId).status).toBe(57)
  })

  it('a market type of the other exchange is 废单 (47 is SZ-only)', () => {
    const e = engine()
    const r = e.placeOrder(buy({ price_type: 47, price: 0 }), at('10:00'), q())
    expect(order(e, r.orderId).status).toBe(57)
    expect(order(e, r.orderId).statusMsg).toMatch(/不支持该市价委托类型/)
  })

  it('suspended and unquoted securities are 废单', () => {
    const e = engine()
    expect(order(e, e.placeOrder(buy(), at('10:00'), q({ suspended: true })).orderId).statusMsg).toMatch(/停牌/)
    expect(order(e, e.placeOrder(buy(), at('10:00'), null).orderId).statusMsg).toMatch(/无该证券行情/)
  })

  it('sells: more than can_use_volume, and odd lots that do not clear the holding, are 废单', () => {
    const e = engine()
    e.seedPosition('600000.SH', 250, 9.5)
    expect(order(e, e.placeOrder(sell({ order_volume: 300 }), at('10:00'), q()).orderId).statusMsg).toMatch(/可用股份不足 \(可卖250股/)
    expect(order(e, e.placeOrder(sell({ order_volume: 50 }), at('10:00'), q()).orderId).statusMsg).toMatch(/交易单位/)
    // clearing the whole sellable remainder (250, odd) is valid
    const ok = e.placeOrder(sell({ order_volume: 250, price: 9.99 }), at('10:00'), q())
    expect(order(e, ok.orderId).status).toBe(56)
  })

  it('the fault hook rejects with the given status_msg', () => {
    const e = engine()
    const r = e.placeOrder(buy(), at('10:00'), q(), { rejectMsg: '[COUNTER] 资金账户被冻结' })
    expect(order(e, r.orderId).status).toBe(57)
    expect(order(e, r.orderId).statusMsg).toBe('[COUNTER] 资金账户被冻结')
  })
})

describe('matching', () => {
  it('a marketable limit buy takes the asks at their prices (price improvement), through several levels', () => {
    const e = engine()
    const quote = q({ ask1: 9.98, levelVolume: 300 })
    const r = e.placeOrder(buy({ order_volume: 700, price: 10 }), at('10:00'), quote)
    const o = order(e, r.orderId)
    expect(r.fills.map((f) => [f.priceMilli, f.volume])).toEqual([
      [9980, 300],
      [9990, 300],
      [10000, 100],
    ])
    expect(o.status).toBe(56)
    expect(e.queryOrder(r.orderId)).toMatchObject({ traded_volume: 700, traded_price: 9.987, order_status: 56, price_type: 50, order_remark: 'r1', strategy_name: 'dingpan' })
  })

  it('limited book volume → partial fill (55), the rest rests and fills on a later quote at its own price', () => {
    const e = engine()
    const q1 = q({ ask1: 10, levelVolume: 200 })
    const r = e.placeOrder(buy({ order_volume: 1000, price: 10 }), at('10:00'), q1)
    expect(order(e, r.orderId).status).toBe(55)
    expect(order(e, r.orderId).tradedVolume).toBe(200)
    // the same quote again: its liquidity is used up, nothing more fills
    expect(e.match(q1, at('10:00'))).toEqual([])
    // the market moves away: nothing
    expect(e.match(q({ last: 10.05, ask1: 10.05, time: at('10:00:03') }), at('10:00:03'))).toEqual([])
    // the asks come back down through the limit: the rest fills at the order's own price
    const f = e.match(q({ last: 9.95, ask1: 9.95, levelVolume: 10_000, time: at('10:00:06') }), at('10:00:06'))
    expect(f.map((x) => [x.priceMilli, x.volume])).toEqual([[10000, 800]])
    expect(order(e, r.orderId).status).toBe(56)
  })

  it('the partial-fill fault caps the first pass; the rest fills on the next quote', () => {
    const e = engine()
    const r = e.placeOrder(buy({ order_volume: 500 }), at('10:00'), q(), { fillCap: 100 })
    expect(order(e, r.orderId)).toMatchObject({ status: 55, tradedVolume: 100 })
    e.match(q({ time: at('10:00:03') }), at('10:00:03'))
    expect(order(e, r.orderId)).toMatchObject({ status: 56, tradedVolume: 500 })
  })

  it('limit orders accepted in the opening auction wait and fill once continuous trading starts', () => {
    const e = engine()
    const r = e.placeOrder(buy(), at('09:20'), q({ time: at('09:20') }))
    expect(e.match(q({ time: at('09:26') }), at('09:26'))).toEqual([])
    expect(order(e, r.orderId).status).toBe(50)
    expect(e.match(q({ time: at('09:30') }), at('09:30'))).toHaveLength(1)
    expect(order(e, r.orderId).status).toBe(56)
  })

  it('market best-5 IOC: takes five levels and cancels the rest → 53 部撤; nothing to take → 54 已撤', () => {
    const e = engine()
    const r = e.placeOrder(buy({ price_type: 42, price: 0, order_volume: 1000 }), at('10:00'), q({ levelVolume: 100 }))
    expect(order(e, r.orderId)).toMatchObject({ status: 53, tradedVolume: 500, brokerPriceType: 88 })
    expect(e.state.frozenCashMilli).toBe(0)
    const none = e.placeOrder(buy({ price_type: 42, price: 0, order_remark: 'x' }), at('10:00'), q({ last: 11, asks: [], time: at('10:00:03') }))
    expect(order(e, none.orderId)).toMatchObject({ status: 54, tradedVolume: 0 })
  })

  it('market FOK fills completely or not at all', () => {
    const e = engine()
    const sz = (over = {}) => q({ code: '000001.SZ', levelVolume: 100, ...over })
    const fail = e.placeOrder(buy({ stock_code: '000001.SZ', price_type: 48, price: 0, order_volume: 600 }), at('10:00'), sz())
    expect(order(e, fail.orderId)).toMatchObject({ status: 54, tradedVolume: 0, brokerPriceType: 89 })
    const ok = e.placeOrder(buy({ stock_code: '000001.SZ', price_type: 48, price: 0, order_volume: 500, order_remark: 'k' }), at('10:00'), sz({ time: at('10:00:03') }))
    expect(order(e, ok.orderId)).toMatchObject({ status: 56, tradedVolume: 500 })
  })

  it('limit-up locked (no asks): a buy at the limit rests unfilled and expires at the close', () => {
    const e = engine()
    const locked = q({ last: 11, asks: [], bid1: 11, limitUp: 11 })
    const r = e.placeOrder(buy({ price: 11 }), at('10:00'), locked)
    expect(order(e, r.orderId)).toMatchObject({ status: 50, tradedVolume: 0 })
    e.match({ ...locked, time: at('14:00') }, at('14:00'))
    expect(order(e, r.orderId).status).toBe(50)
    e.roll(at('15:00'))
    expect(order(e, r.orderId).status).toBe(54)
    expect(order(e, r.orderId).statusMsg).toMatch(/收盘未成交/)
    expect(e.state.frozenCashMilli).toBe(0)
    expect(e.state.cashMilli).toBe(1_000_000_000)
  })
})

describe('cancels', () => {
  it('cancel → 54 已撤 (nothing traded) or 53 部撤 (partly traded); reserves are released', () => {
    const e = engine()
    const a = e.placeOrder(buy({ price: 9.9 }), at('10:00'), q())
    expect(e.state.frozenCashMilli).toBeGreaterThan(0)
    expect(e.cancelOrder(a.orderId, at('10:01'))).toEqual({ result: 0 })
    expect(order(e, a.orderId).status).toBe(54)
    expect(e.state.frozenCashMilli).toBe(0)
    const b = e.placeOrder(buy({ order_volume: 500, order_remark: 'b' }), at('10:02'), q({ time: at('10:02') }), { fillCap: 200 })
    expect(e.cancelOrder(b.orderId, at('10:03')).result).toBe(0)
    expect(order(e, b.orderId)).toMatchObject({ status: 53, tradedVolume: 200 })
    expect(e.state.frozenCashMilli).toBe(0)
    expect(e.state.positions['600000.SH']!.volume).toBe(200)
  })

  it('a cancelled sell gives the shares back to can_use_volume', () => {
    const e = engine()
    e.seedPosition('600000.SH', 1000, 9)
    const r = e.placeOrder(sell({ order_volume: 400, price: 10.5 }), at('10:00'), q())
    expect(e.state.positions['600000.SH']).toMatchObject({ canUseVolume: 600, frozenVolume: 400 })
    e.cancelOrder(r.orderId, at('10:01'))
    expect(e.state.positions['600000.SH']).toMatchObject({ canUseVolume: 1000, frozenVolume: 0 })
  })

  it('refused (-1) in the no-cancel windows, for terminal orders and for unknown ids', () => {
    const e = engine()
    const r = e.placeOrder(buy({ price: 9.9 }), at('09:16'), q({ time: at('09:16') }))
    for (const t of ['09:21', '09:27', '12:00', '14:58']) expect(e.cancelOrder(r.orderId, at(t)).result).toBe(-1)
    expect(order(e, r.orderId).status).toBe(50)
    expect(e.cancelOrder(r.orderId, at('09:19')).result).toBe(0)
    expect(e.cancelOrder(r.orderId, at('09:19')).result).toBe(-1) // already terminal
    const filled = e.placeOrder(buy({ order_remark: 'f' }), at('10:00'), q())
    expect(order(e, filled.orderId).status).toBe(56)
    expect(e.cancelOrder(filled.orderId, at('10:01')).result).toBe(-1)
    expect(e.cancelOrder(123, at('10:01')).result).toBe(-1)
  })
})

describe('T+1, fees and cash', () => {
  it('bought today: can_use_volume 0 (a sell is 废单); the next trading day everything is sellable', () => {
    const e = engine()
    e.placeOrder(buy({ order_volume: 300 }), at('10:00'), q())
    expect(e.queryPosition('600000.SH')).toMatchObject({ volume: 300, can_use_volume: 0, yesterday_volume: 0 })
    const s = e.placeOrder(sell({ order_volume: 300, price: 9.99 }), at('10:30'), q({ time: at('10:30') }))
    expect(order(e, s.orderId).statusMsg).toMatch(/可用股份不足 \(可卖0股/)
    // the evening and the weekend do not make it sellable; the next trading day does
    e.roll(at('20:00'))
    expect(e.queryPosition('600000.SH')).toMatchObject({ can_use_volume: 0 })
    e.roll(at('09:00', NEXT_DAY))
    expect(e.queryPosition('600000.SH')).toMatchObject({ volume: 300, can_use_volume: 300, yesterday_volume: 300 })
    // yesterday's orders are no longer listed (query_stock_orders = today's orders)
    expect(e.queryOrders()).toEqual([])
    const ok = e.placeOrder(sell({ order_volume: 300, price: 9.99, order_remark: 's2' }), at('10:00', NEXT_DAY), q({ time: at('10:00', NEXT_DAY) }))
    expect(order(e, ok.orderId).status).toBe(56)
    expect(e.queryPositions()).toEqual([])
  })

  it('a Friday buy becomes sellable on Monday, not on Saturday', () => {
    const e = engine()
    const fri = '2026-09-18'
    e.placeOrder(buy(), at('10:00', fri), q({ time: at('10:00', fri) }))
    e.roll(at('10:00', '2026-09-19'))
    expect(e.queryPosition('600000.SH')).toMatchObject({ can_use_volume: 0 })
    e.roll(at('09:15', '2026-09-21'))
    expect(e.queryPosition('600000.SH')).toMatchObject({ can_use_volume: 100 })
  })

  it('cash, frozen cash, fees (min commission once per order, stamp duty on sells) and realised P&L are exact', () => {
    const e = engine(100_000)
    const r = e.placeOrder(buy({ order_volume: 1000, price: 10 }), at('10:00'), q({ ask1: 10, levelVolume: 600 }))
    // 600 @ 10.00 now, 400 rest
    const fee600 = estimateFees({ code: '600000.SH', side: 'buy', price: 10, quantity: 600 }).total
    const reserve = 10_000 + estimateFees({ code: '600000.SH', side: 'buy', price: 10, quantity: 1000 }).total
    const m = (y: number) => Math.round(y * 1000)
    expect(e.state.cashMilli).toBe(m(100_000) - m(reserve))
    expect(e.state.frozenCashMilli).toBe(m(reserve) - m(6000) - m(fee600))
    e.match(q({ ask1: 10, levelVolume: 600, time: at('10:00:03') }), at('10:00:03'))
    expect(order(e, r.orderId).status).toBe(56)
    const feeBuy = estimateFees({ code: '600000.SH', side: 'buy', price: 10, quantity: 1000 }).total
    expect(order(e, r.orderId).feesMilli).toBe(Math.round(feeBuy * 1000))
    expect(e.queryAsset()).toMatchObject({ frozen_cash: 0 })
    expect(e.state.cashMilli).toBe(100_000_000 - 10_000_000 - Math.round(feeBuy * 1000))
    expect(e.queryPosition('600000.SH')).toMatchObject({ volume: 1000, open_price: 10, avg_price: Math.round((10_000 + feeBuy) / 1000 * 1000) / 1000 })
    // sell the next day at 11.00
    e.roll(at('09:30', NEXT_DAY))
    const quote = q({ last: 11, bid1: 11, ask1: 11.01, prevClose: 10, limitUp: 11, limitDown: 9, time: at('10:00', NEXT_DAY) })
    e.placeOrder(sell({ order_volume: 1000, price: 11, order_remark: 's' }), at('10:00', NEXT_DAY), quote)
    const feeSell = estimateFees({ code: '600000.SH', side: 'sell', price: 11, quantity: 1000 }).total
    expect(feeSell).toBeGreaterThan(5.5) // includes 0.05 % stamp duty
    expect(e.state.cashMilli).toBe(100_000_000 - 10_000_000 - Math.round(feeBuy * 1000) + 11_000_000 - Math.round(feeSell * 1000))
    expect(e.state.realizedPnlMilli).toBe(1_000_000 - Math.round(feeBuy * 1000) - Math.round(feeSell * 1000))
    expect(e.queryAsset()).toMatchObject({ market_value: 0 })
  })

  it('total asset = cash + frozen cash + market value at the last price', () => {
    const e = engine()
    e.seedPosition('600000.SH', 1000, 9)
    e.match(q({ last: 10.5, time: at('10:00') }), at('10:00'))
    e.placeOrder(buy({ price: 9.9, stock_code: '000001.SZ' }), at('10:00'), q({ code: '000001.SZ', last: 10 }))
    const a = e.queryAsset() as { cash: number; frozen_cash: number; market_value: number; total_asset: number }
    expect(a.market_value).toBe(10_500)
    expect(a.total_asset).toBeCloseTo(a.cash + a.frozen_cash + a.market_value, 6)
  })
})

describe('vanish (an id but no order: the 资金不足 no-callback pitfall)', () => {
  it('returns an id, records nothing visible, reserves nothing', () => {
    const e = engine()
    const r = e.placeOrder(buy(), at('10:00'), q(), { vanish: true })
    expect(r.orderId).toBeGreaterThan(0)
    expect(e.queryOrder(r.orderId)).toBeNull()
    expect(e.queryOrders()).toEqual([])
    expect(e.state.vanished).toEqual([{ orderId: r.orderId, code: '600000.SH', remark: 'r1', time: at('10:00').getTime() }])
    expect(e.state.frozenCashMilli).toBe(0)
  })
})

describe('xtquant shapes', () => {
  it('orders, trades and positions carry the snake_case fields of bridge-protocol §4', () => {
    const e = engine()
    const r = e.placeOrder(buy(), at('10:00'), q())
    expect(Object.keys(e.queryOrder(r.orderId)!).sort()).toEqual(
      ['account_id', 'account_type', 'direction', 'offset_flag', 'order_id', 'order_remark', 'order_status', 'order_sysid', 'order_time', 'order_type', 'order_volume', 'price', 'price_type', 'status_msg', 'stock_code', 'strategy_name', 'traded_price', 'traded_volume'].sort(),
    )
    expect(e.queryTrades()[0]).toMatchObject({ order_id: r.orderId, traded_volume: 100, traded_price: 10, traded_amount: 1000, order_remark: 'r1', offset_flag: 48, traded_time: Math.floor(at('10:00').getTime() / 1000) })
    expect(typeof e.queryTrades()[0]!.traded_id).toBe('string')
    expect(typeof e.queryOrder(r.orderId)!.order_sysid).toBe('string')
    expect(e.queryOrder(r.orderId)!.order_time).toBe(Math.floor(at('10:00').getTime() / 1000))
    expect(DAY).toBe('2026-09-14')
  })
})
