/**
 * MiniQMTInterface against the paper exchange over real HTTP: method by method, every outcome of
 * placeOrder, timeout reconciliation by remark, and proof (requests counted at the sim) that
 * order_stock is never sent twice and never sent when a rule says no.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { emptyMemo, estimateFees, type Signal } from '@/lib/market'
import { MiniQMTInterface } from '@/lib/broker/miniqmt'
import { QkaClient } from '@/lib/broker/qka-client'
import { createBroker } from '@/lib/broker'
import { at, closedPortUrl, NEXT_DAY, startSim, type Sim } from './helpers'

let sim: Sim
let seq = 0
const cid = () => `t${Date.now().toString(36)}${(seq++).toString(36)}`

beforeAll(async () => {
  sim = await startSim()
})
afterAll(async () => {
  await sim.close()
})
beforeEach(async () => {
  await sim.ctl('fault', { clear: true })
  await sim.ctl('reset', { cash: 1_000_000 })
  await sim.ctl('clock', { now: at('10:00').toISOString(), paused: true })
  // A fixed market for 600000.SH: last 10.00, asks 10.00–10.04, bids 9.99–9.95, limits 9.00–11.00.
  await sim.ctl('price', { code: '600000.SH', last: 10, prevClose: 10 })
})
afterEach(async () => {
  await sim.ctl('fault', { clear: true })
})

function qmt(over: Partial<ConstructorParameters<typeof MiniQMTInterface>[0]> = {}) {
  return new MiniQMTInterface({ baseUrl: sim.bridgeUrl, token: sim.token, timeoutMs: 1500, clock: () => sim.exchange.now(), retry: { retries: 0 }, ...over })
}

async function connected(over: Parameters<typeof qmt>[0] = {}) {
  const b = qmt(over)
  const r = await b.connect()
  expect(r.success, r.message).toBe(true)
  return b
}

const limitBuy = (over: Record<string, unknown> = {}) => ({ code: '600000.SH', side: 'buy' as const, quantity: 100, orderType: 'limit' as const, price: 10, clientOrderId: cid(), ...over })

describe('connect', () => {
  it('succeeds only on a real query_stock_asset answer with the right token', async () => {
    const b = qmt()
    expect(b.isConnected()).toBe(false)
    const ok = await b.connect()
    expect(ok.success).toBe(true)
    expect(ok.message).toContain('SIM0001')
    expect(b.isConnected()).toBe(true)
    b.disconnect()
    expect(b.isConnected()).toBe(false)

    const wrong = qmt({ token: 'f'.repeat(64) })
    const w = await wrong.connect()
    expect(w.success).toBe(false)
    expect(w.message).toMatch(/Token/)
    expect(w.message).not.toContain('f'.repeat(64))
    expect(wrong.isConnected()).toBe(false)

    const down = new MiniQMTInterface({ baseUrl: await closedPortUrl(), token: 't', retry: { retries: 0 } })
    const d = await down.connect()
    expect(d.success).toBe(false)
    expect(d.message).toMatch(/未运行|ECONNREFUSED/)

    const other = qmt({ accountId: 'SOMEONE_ELSE' })
    expect((await other.connect()).success).toBe(false)
  })

  it('createBroker({broker:"qmt"}) gives a MiniQMTInterface talking to the same bridge', async () => {
    const b = createBroker({ broker: 'qmt', baseUrl: sim.bridgeUrl, token: sim.token, clock: () => sim.exchange.now() })
    expect(b).toBeInstanceOf(MiniQMTInterface)
    expect(b.kind).toBe('qmt')
    expect((await b.connect()).success).toBe(true)
  })
})

describe('queries map xtquant objects to typed records', () => {
  it('account, positions, orders, trades and a single order', async () => {
    const b = await connected()
    expect(await b.getPositions()).toEqual([])
    expect(await b.getOrders()).toEqual([])
    expect(await b.getTrades()).toEqual([])
    expect(await b.getOrder(999)).toBeNull()
    expect(await b.findOrderByClientId('nothing')).toBeNull()
    const id = cid()
    const r = await b.placeOrder(limitBuy({ quantity: 300, clientOrderId: id }))
    expect(r).toMatchObject({ success: true, outcome: 'sent' })
    const o = await b.getOrder(r.orderId!)
    expect(o).toMatchObject({
      orderId: r.orderId,
      code: '600000.SH',
      side: 'buy',
      orderType: 23,
      volume: 300,
      price: 10,
      priceType: 50,
      status: 56,
      statusName: '已成',
      terminal: true,
      rejected: false,
      tradedVolume: 300,
      tradedPrice: 10,
      remark: id,
      strategyName: 'dingpan',
      statusMsg: '',
    })
    expect(o!.orderTime).toEqual(at('10:00'))
    expect(o!.sysid).not.toBe('')
    expect(await b.findOrderByClientId(id)).toEqual(o)
    const [t] = await b.getTrades()
    expect(t).toMatchObject({ orderId: r.orderId, code: '600000.SH', side: 'buy', price: 10, volume: 300, amount: 3000, remark: id, strategyName: 'dingpan' })
    expect(t!.time).toEqual(at('10:00'))
    const [p] = await b.getPositions()
    const fee = estimateFees({ code: '600000.SH', side: 'buy', price: 10, quantity: 300 }).total
    expect(p).toMatchObject({ code: '600000.SH', volume: 300, canUseVolume: 0, openPrice: 10, marketValue: 3000, frozenVolume: 0, yesterdayVolume: 0 })
    expect(p!.avgPrice).toBeCloseTo((3000 + fee) / 300, 3)
    const a = await b.getAccountInfo()
    expect(a).toEqual({ totalAsset: 1_000_000 - fee, cash: 1_000_000 - 3000 - fee, frozenCash: 0, marketValue: 3000, accountId: 'SIM0001' })
  })
})

describe('placeOrder refuses what the exchange would reject — nothing is sent', () => {
  const quote = () => sim.exchange.quote('600000.SH')
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['odd lot buy', () => limitBuy({ quantity: 150 }), 'QTY_NOT_WHOLE_LOTS'],
    ['above the order maximum', () => limitBuy({ quantity: 1_000_100 }), 'QTY_ABOVE_MAX_PER_ORDER'],
    ['price off the tick', () => limitBuy({ price: 10.005 }), 'PRICE_NOT_ON_TICK'],
    ['price with 4 decimals', () => limitBuy({ price: 10.0001 }), 'PRICE_TOO_PRECISE'],
    ['no limit price', () => limitBuy({ price: undefined }), 'PRICE_REQUIRED'],
    ['above today’s limit-up (quote known)', () => limitBuy({ price: 11.01, quote: quote() }), 'PRICE_OUTSIDE_LIMITS'],
    ['outside the price cage (quote known)', () => limitBuy({ price: 10.5, quote: quote() }), 'PRICE_OUTSIDE_CAGE'],
    ['suspended (quote known)', () => limitBuy({ quote: { ...quote(), suspended: true } }), 'SUSPENDED'],
    ['BJ market order', () => limitBuy({ code: '920118.BJ', orderType: 'market', price: undefined }), 'MARKET_ORDER_UNSUPPORTED_BJ'],
    ['an index code', () => limitBuy({ code: '000001.SH' }), 'CODE_INDEX'],
    ['NEEQ code', () => limitBuy({ code: '430047' }), 'CODE_NEEQ'],
    ['client order id longer than order_remark allows', () => limitBuy({ clientOrderId: 'x'.repeat(25) }), 'CLIENT_ORDER_ID_INVALID'],
    ['client order id with spaces', () => limitBuy({ clientOrderId: 'a b' }), 'CLIENT_ORDER_ID_INVALID'],
    ['a buy beyond the available cash (queried first)', () => limitBuy({ quantity: 100_000, price: 10.5 }), 'CASH_INSUFFICIENT'],
    ['a sell of shares bought today (T+1, position queried first)', () => ({ ...limitBuy(), side: 'sell' }), 'QTY_EXCEEDS_SELLABLE'],
  ]
  for (const [name, input, code] of cases) {
    it(name, async () => {
      const b = await connected()
      const r = await b.placeOrder(input() as never)
      expect(r).toMatchObject({ success: false, outcome: 'rejected', code })
      expect(r.message).toBeTruthy()
      expect(await sim.requests('order_stock')).toBe(0)
    })
  }

  it('outside trading hours and market orders outside continuous trading (by the market clock)', async () => {
    const b = await connected()
    await sim.ctl('clock', { now: at('20:00').toISOString(), paused: true })
    expect(await b.placeOrder(limitBuy())).toMatchObject({ outcome: 'rejected', code: 'MARKET_CLOSED' })
    await sim.ctl('clock', { now: at('09:20').toISOString(), paused: true })
    expect(await b.placeOrder(limitBuy({ orderType: 'market', price: undefined }))).toMatchObject({ outcome: 'rejected', code: 'MARKET_ORDER_NOT_CONTINUOUS' })
    expect(await sim.requests('order_stock')).toBe(0)
    // the same order through the raw client reaches the counter and becomes 废单 57 with the -61 text
    await sim.ctl('clock', { now: at('20:00').toISOString(), paused: true })
    const c = new QkaClient({ baseUrl: sim.bridgeUrl, token: sim.token })
    const id = await c.orderStock({ stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11, price: 10, strategy_name: 'dingpan', order_remark: 'late' })
    expect(id).toBeGreaterThan(0)
    const o = await b.getOrder(id)
    expect(o).toMatchObject({ status: 57, statusName: '废单', rejected: true, terminal: true })
    expect(o!.statusMsg).toContain('[COUNTER] [12313][当前时间不允许此类证券交易]')
  })

  it('refuses to send while not connected (not_sent)', async () => {
    const b = qmt()
    expect(await b.placeOrder(limitBuy())).toMatchObject({ success: false, outcome: 'not_sent', code: 'NOT_CONNECTED' })
    expect(await sim.requests('order_stock')).toBe(0)
  })
})

describe('placeOrder outcomes from the bridge', () => {
  it('sent: order id > 0 means sent, not accepted — a counter rejection shows up as 57 in queries', async () => {
    const b = await connected()
    await sim.ctl('fault', { kind: 'reject_order', statusMsg: '[COUNTER] [-61][资金账户状态异常]' })
    const r = await b.placeOrder(limitBuy())
    expect(r).toMatchObject({ success: true, outcome: 'sent' })
    expect(r.orderId).toBeGreaterThan(0)
    expect(r.request).toEqual({ stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11, price: 10, strategy_name: 'dingpan', order_remark: r.request!.order_remark })
    const o = await b.getOrder(r.orderId!)
    expect(o).toMatchObject({ status: 57, statusName: '废单', rejected: true, statusMsg: '[COUNTER] [-61][资金账户状态异常]' })
  })

  it('-1 → rejected', async () => {
    const b = await connected()
    await sim.ctl('fault', { kind: 'minus_one' })
    expect(await b.placeOrder(limitBuy())).toMatchObject({ success: false, outcome: 'rejected', code: 'BRIDGE_RETURNED_MINUS_ONE' })
    expect(await sim.requests('order_stock')).toBe(1)
    expect(await b.getOrders()).toEqual([])
  })

  it('401 on order_stock (token rotated) → rejected: order_stock never ran', async () => {
    const b = await connected()
    await sim.ctl('fault', { kind: 'unauthorized', method: 'order_stock' })
    expect(await b.placeOrder(limitBuy())).toMatchObject({ success: false, outcome: 'rejected', code: 'BRIDGE_AUTH' })
    const st = await sim.get<{ requests: Record<string, number>; executed: Record<string, number> }>('state')
    expect(st.requests.order_stock).toBe(1)
    expect(st.executed.order_stock).toBeUndefined()
    expect(b.isConnected()).toBe(false)
  })

  it('connection refused → not_sent (the request never reached the bridge)', async () => {
    const b = await connected()
    await sim.ctl('fault', { kind: 'refuse', seconds: 0.5 })
    const r = await b.placeOrder(limitBuy({ cash: 1_000_000 }))
    expect(r).toMatchObject({ success: false, outcome: 'not_sent', code: 'BRIDGE_UNREACHABLE' })
    expect(b.isConnected()).toBe(false)
    await new Promise((res) => setTimeout(res, 700))
    expect(await sim.requests('order_stock')).toBe(0)
  })

  it('a failed pre-trade query → not_sent, nothing sent', async () => {
    const b = await connected()
    await sim.ctl('fault', { kind: 'http_500', method: 'query_stock_asset' })
    expect(await b.placeOrder(limitBuy())).toMatchObject({ outcome: 'not_sent', code: 'PRE_TRADE_QUERY_FAILED' })
    expect(await sim.requests('order_stock')).toBe(0)
  })

  it('timeout after execute → unknown; the order is found by its remark; sent exactly once', async () => {
    const b = await connected({ timeoutMs: 400 })
    const id = cid()
    await sim.ctl('fault', { kind: 'timeout_after_execute', method: 'order_stock' })
    const r = await b.placeOrder(limitBuy({ clientOrderId: id }))
    expect(r).toMatchObject({ success: false, outcome: 'unknown', code: 'BRIDGE_TIMEOUT' })
    expect(r.orderId).toBeUndefined()
    expect(r.message).toContain(id)
    expect(b.isConnected()).toBe(false)
    const found = await b.findOrderByClientId(id)
    expect(found).toMatchObject({ remark: id, volume: 100, status: 56 })
    expect(await sim.requests('order_stock')).toBe(1)
  })

  it('timeout before execute → unknown; nothing is found; sent exactly once', async () => {
    const b = await connected({ timeoutMs: 400 })
    const id = cid()
    await sim.ctl('fault', { kind: 'timeout_before_execute', method: 'order_stock' })
    expect(await b.placeOrder(limitBuy({ clientOrderId: id }))).toMatchObject({ outcome: 'unknown', code: 'BRIDGE_TIMEOUT' })
    expect(await b.findOrderByClientId(id)).toBeNull()
    expect(await sim.requests('order_stock')).toBe(1)
    // not connected any more: a new order is not sent until connect() succeeds again
    expect(await b.placeOrder(limitBuy())).toMatchObject({ outcome: 'not_sent', code: 'NOT_CONNECTED' })
    expect((await b.connect()).success).toBe(true)
    expect(await b.placeOrder(limitBuy())).toMatchObject({ outcome: 'sent' })
    expect(await sim.requests('order_stock')).toBe(2)
  })

  it('500 → unknown (before or after execution: only the remark tells)', async () => {
    const b = await connected()
    const a = cid()
    await sim.ctl('fault', { kind: 'http_500', method: 'order_stock' })
    expect(await b.placeOrder(limitBuy({ clientOrderId: a }))).toMatchObject({ outcome: 'unknown', code: 'BRIDGE_SERVER' })
    expect(await b.findOrderByClientId(a)).toBeNull()
    const z = cid()
    await sim.ctl('fault', { kind: 'http_500', method: 'order_stock', afterExecute: true })
    expect(await b.placeOrder(limitBuy({ clientOrderId: z }))).toMatchObject({ outcome: 'unknown', code: 'BRIDGE_SERVER' })
    expect(await b.findOrderByClientId(z)).not.toBeNull()
    expect(await sim.requests('order_stock')).toBe(2)
  })

  it('a malformed answer → unknown; the order is found by its remark', async () => {
    const b = await connected()
    const id = cid()
    await sim.ctl('fault', { kind: 'malformed', method: 'order_stock' })
    expect(await b.placeOrder(limitBuy({ clientOrderId: id }))).toMatchObject({ outcome: 'unknown', code: 'BRIDGE_PROTOCOL' })
    expect(await b.findOrderByClientId(id)).toMatchObject({ remark: id })
  })

  it('vanish: an id but no order ever listed (资金不足 without callback) — find returns null', async () => {
    const b = await connected()
    const id = cid()
    await sim.ctl('fault', { kind: 'vanish' })
    const r = await b.placeOrder(limitBuy({ clientOrderId: id }))
    expect(r).toMatchObject({ outcome: 'sent' })
    expect(await b.getOrder(r.orderId!)).toBeNull()
    expect(await b.findOrderByClientId(id)).toBeNull()
    const st = await sim.get<{ vanished: Array<{ orderId: number; remark: string }> }>('state')
    expect(st.vanished).toEqual([expect.objectContaining({ orderId: r.orderId, remark: id })])
  })

  it('partial fill (55) then the rest fills on a later tick (56)', async () => {
    const b = await connected()
    await sim.ctl('fault', { kind: 'partial_fill', shares: 100 })
    const r = await b.placeOrder(limitBuy({ quantity: 500 }))
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 55, statusName: '部成', tradedVolume: 100, terminal: false })
    await sim.ctl('tick', { seconds: 3 })
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 56, tradedVolume: 500 })
    expect((await b.getTrades()).map((t) => t.volume)).toEqual([100, 400])
  })
})

describe('cancelOrder', () => {
  it('0 → requested; the final state (54) comes from the order query', async () => {
    const b = await connected()
    const r = await b.placeOrder(limitBuy({ price: 9.9 }))
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 50, statusName: '已报' })
    expect((await b.getOrders({ cancelableOnly: true })).map((o) => o.orderId)).toEqual([r.orderId])
    const c = await b.cancelOrder(r.orderId!)
    expect(c).toMatchObject({ success: true, outcome: 'requested' })
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 54, statusName: '已撤', terminal: true })
    expect(await b.getOrders({ cancelableOnly: true })).toEqual([])
    // a second cancel of a terminal order: -1
    expect(await b.cancelOrder(r.orderId!)).toMatchObject({ success: false, outcome: 'refused', code: 'BRIDGE_RETURNED_MINUS_ONE' })
  })

  it('a partly filled order cancels to 53 部撤', async () => {
    const b = await connected()
    await sim.ctl('fault', { kind: 'partial_fill', shares: 200 })
    const r = await b.placeOrder(limitBuy({ quantity: 600 }))
    expect((await b.cancelOrder(r.orderId!)).success).toBe(true)
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 53, statusName: '部撤', tradedVolume: 200 })
  })

  it('the cancel_error fault → refused (-1); the order keeps working', async () => {
    const b = await connected()
    const r = await b.placeOrder(limitBuy({ price: 9.9 }))
    await sim.ctl('fault', { kind: 'cancel_error' })
    expect(await b.cancelOrder(r.orderId!)).toMatchObject({ success: false, outcome: 'refused' })
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 50 })
  })

  it('in a no-cancel window the cancel is refused before sending; the sim would also refuse it (-1)', async () => {
    const b = await connected()
    await sim.ctl('clock', { now: at('09:16').toISOString(), paused: true })
    const r = await b.placeOrder(limitBuy({ price: 9.9 }))
    expect(r.outcome).toBe('sent')
    await sim.ctl('clock', { now: at('09:22').toISOString(), paused: true })
    expect(await b.cancelOrder(r.orderId!)).toMatchObject({ success: false, outcome: 'refused', code: 'CANCEL_NOT_ALLOWED_NOW' })
    expect(await sim.requests('cancel_order_stock')).toBe(0)
    const raw = new QkaClient({ baseUrl: sim.bridgeUrl, token: sim.token })
    expect(await raw.cancelOrderStock(r.orderId!)).toBe(-1)
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 50 })
  })

  it('timeout on cancel → unknown; never retried', async () => {
    const b = await connected({ timeoutMs: 300 })
    const r = await b.placeOrder(limitBuy({ price: 9.9 }))
    await sim.ctl('fault', { kind: 'timeout_after_execute', method: 'cancel_order_stock' })
    expect(await b.cancelOrder(r.orderId!)).toMatchObject({ success: false, outcome: 'unknown' })
    expect(await sim.requests('cancel_order_stock')).toBe(1)
  })
})

describe('executeStrategySignal', () => {
  const signal = (over: Partial<Signal> = {}): Signal => ({
    code: '600000.SH',
    kind: 'ENTRY',
    episode: 1,
    action: 'order',
    side: 'buy',
    price: 10,
    level: 10,
    quoteTime: at('10:00'),
    tradingDay: '2026-09-14',
    dedupeKey: '600000.SH:ENTRY:1:order',
    reason: { code: 'ENTRY_ZONE_REACHED', message: 'x', messageEn: 'x' },
    ...over,
  })
  const risk = { activity: { ordersLastMinute: 0, activeOrdersForStock: { buy: 0, sell: 0 }, recentOrders: [], realizedLossToday: 0 }, killSwitch: false }

  it('sizes, checks risk and places the order; reports what happened', async () => {
    const b = await connected()
    const id = cid()
    const r = await b.executeStrategySignal(signal(), { quote: sim.exchange.quote('600000.SH'), now: sim.exchange.now(), clientOrderId: id, risk, sizing: { maxPositionPct: 0.1, minTradeAmount: 1000 } })
    expect(r.status).toBe('placed')
    if (r.status !== 'placed') return
    // 10 % of 1,000,000 at 10.00 → 10,000 shares (fees within cash)
    expect(r.sizing).toMatchObject({ quantity: 10_000, price: 10, priceType: 'limit' })
    expect(r.order).toMatchObject({ stock_code: '600000.SH', order_type: 23, order_volume: 10_000, price_type: 11, price: 10, order_remark: id })
    expect(await b.findOrderByClientId(id)).toMatchObject({ orderId: r.orderId })
  })

  it('refuses at the risk stage without sending (kill switch) and at sizing (nothing to sell)', async () => {
    const b = await connected()
    const k = await b.executeStrategySignal(signal(), { quote: sim.exchange.quote('600000.SH'), now: sim.exchange.now(), clientOrderId: cid(), risk: { ...risk, killSwitch: true } })
    expect(k).toMatchObject({ status: 'refused', stage: 'risk' })
    const s = await b.executeStrategySignal(signal({ kind: 'STOP_LOSS', side: 'sell' }), { quote: sim.exchange.quote('600000.SH'), now: sim.exchange.now(), clientOrderId: cid(), risk })
    expect(s).toMatchObject({ status: 'refused', stage: 'sizing' })
    expect(await sim.requests('order_stock')).toBe(0)
    expect(emptyMemo().v).toBe(1)
  })
})

describe('a paper account buys and sells through the sim end to end', () => {
  it('buy today; the sell is refused today (T+1); the next trading day it sells; cash and positions add up', async () => {
    const b = await connected()
    const buy = await b.placeOrder(limitBuy({ quantity: 1000, price: 10 }))
    expect(buy.outcome).toBe('sent')
    expect(await b.getOrder(buy.orderId!)).toMatchObject({ status: 56, tradedVolume: 1000 })
    expect(await b.placeOrder({ code: '600000.SH', side: 'sell', quantity: 1000, orderType: 'limit', price: 9.99, clientOrderId: cid() })).toMatchObject({ outcome: 'rejected', code: 'QTY_EXCEEDS_SELLABLE' })

    await sim.ctl('clock', { now: at('10:00', NEXT_DAY).toISOString(), paused: true })
    await sim.ctl('price', { code: '600000.SH', last: 10.5, prevClose: 10 })
    expect(await b.getPositions()).toEqual([expect.objectContaining({ code: '600000.SH', volume: 1000, canUseVolume: 1000, yesterdayVolume: 1000 })])
    expect(await b.getOrders()).toEqual([]) // today's orders only
    const sell = await b.placeOrder({ code: '600000.SH', side: 'sell', quantity: 1000, orderType: 'limit', price: 10.49, clientOrderId: cid() })
    expect(sell.outcome).toBe('sent')
    expect(await b.getOrder(sell.orderId!)).toMatchObject({ status: 56, side: 'sell', tradedVolume: 1000, tradedPrice: 10.49 })
    expect(await b.getPositions()).toEqual([])
    const feeBuy = estimateFees({ code: '600000.SH', side: 'buy', price: 10, quantity: 1000 }).total
    const feeSell = estimateFees({ code: '600000.SH', side: 'sell', price: 10.49, quantity: 1000 }).total
    const a = await b.getAccountInfo()
    expect(a.cash).toBeCloseTo(1_000_000 - 10_000 - feeBuy + 10_490 - feeSell, 3)
    expect(a).toMatchObject({ frozenCash: 0, marketValue: 0 })
    expect(a.totalAsset).toBeCloseTo(a.cash, 6)
    expect(sell.orderId).toBeGreaterThan(buy.orderId!)
  })

  it('a market sell (best-5 IOC) of a sellable holding fills against the bids', async () => {
    const b = await connected()
    await sim.ctl('holding', { code: '600000.SH', volume: 500, avgPrice: 9 })
    const r = await b.placeOrder({ code: '600000.SH', side: 'sell', quantity: 500, orderType: 'market', clientOrderId: cid() })
    expect(r.request).toMatchObject({ price_type: 42, price: 0, order_type: 24 })
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 56, priceType: 88, tradedVolume: 500, tradedPrice: 9.99 })
  })
})
