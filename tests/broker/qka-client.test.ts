/**
 * The QKA wire protocol: the paper exchange's bridge (real HTTP) for every error shape QKA produces,
 * and a hand-written fake bridge for answers the paper exchange never gives (odd m_* values, a slow
 * server to observe the serial queue).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { QkaClient } from '@/lib/broker/qka-client'
import {
  BridgeAuthError,
  BridgeError,
  BridgeProtocolError,
  BridgeServerError,
  BridgeTimeoutError,
  BridgeUnknownMethodError,
  BridgeUnreachableError,
  BridgeValidationError,
} from '@/lib/broker/errors'
import { captureLogger, closedPortUrl, rawRequest, startFakeBridge, startSim, type FakeBridge, type Sim } from './helpers'

let sim: Sim
let fake: FakeBridge
beforeAll(async () => {
  sim = await startSim()
  fake = await startFakeBridge()
})
afterAll(async () => {
  await sim.close()
  await fake.close()
})
afterEach(async () => {
  await sim.ctl('fault', { clear: true })
  await sim.ctl('reset', {})
  fake.log.length = 0
  fake.maxInFlight = 0
})

async function caught(p: Promise<unknown>): Promise<BridgeError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(BridgeError)
  return e as BridgeError
}

const client = (over: Partial<ConstructorParameters<typeof QkaClient>[0]> = {}) => new QkaClient({ baseUrl: sim.bridgeUrl, token: sim.token, timeoutMs: 2000, ...over })

describe('the paper exchange answers with QKA/FastAPI shapes (raw HTTP)', () => {
  it('401 wrong token, 422 missing header and/or body, 404 unknown method, 405 GET, 500 missing argument, {} for None', async () => {
    const api = (m: string) => `${sim.bridgeUrl}/api/${m}`
    const json = { 'content-type': 'application/json' }
    const wrong = await rawRequest(api('query_stock_asset'), { headers: { ...json, 'x-token': 'nope' }, body: '{}' })
    expect([wrong.status, JSON.parse(wrong.body)]).toEqual([401, { detail: '无效的Token' }])
    // a wrong token is refused before the body is looked at (QKA's Depends runs first)
    expect((await rawRequest(api('query_stock_asset'), { headers: { 'x-token': 'nope' } })).status).toBe(401)
    const noHeader = await rawRequest(api('query_stock_asset'), { headers: json, body: '{}' })
    expect(noHeader.status).toBe(422)
    expect(JSON.parse(noHeader.body)).toEqual({ detail: [{ type: 'missing', loc: ['header', 'x-token'], msg: 'Field required', input: null }] })
    const noBody = await rawRequest(api('query_stock_asset'), { headers: { 'x-token': sim.token } })
    expect(noBody.status).toBe(422)
    expect(JSON.parse(noBody.body)).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] })
    const neither = await rawRequest(api('query_stock_asset'), {})
    expect(JSON.parse(neither.body).detail.map((d: { loc: string[] }) => d.loc)).toEqual([['header', 'x-token'], ['body']])
    const unknown = await rawRequest(api('buy_everything'), { headers: { ...json, 'x-token': sim.token }, body: '{}' })
    expect([unknown.status, JSON.parse(unknown.body)]).toEqual([404, { detail: 'Not Found' }])
    const get = await rawRequest(api('query_stock_asset'), { method: 'GET', headers: { 'x-token': sim.token } })
    expect([get.status, JSON.parse(get.body), get.headers.allow]).toEqual([405, { detail: 'Method Not Allowed' }, 'POST'])
    const missing = await rawRequest(api('order_stock'), { headers: { ...json, 'x-token': sim.token }, body: JSON.stringify({ stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11 }) })
    expect([missing.status, JSON.parse(missing.body)]).toEqual([500, { detail: "XtQuantTrader.order_stock() missing 1 required positional argument: 'price'" }])
    const two = await rawRequest(api('order_stock'), { headers: { ...json, 'x-token': sim.token }, body: JSON.stringify({ stock_code: '600000.SH', order_type: 23, order_volume: 100 }) })
    expect(JSON.parse(two.body).detail).toBe("XtQuantTrader.order_stock() missing 2 required positional arguments: 'price_type' and 'price'")
    const none = await rawRequest(api('query_stock_order'), { headers: { ...json, 'x-token': sim.token }, body: JSON.stringify({ order_id: 42, account: 'ignored', extra: 1 }) })
    expect([none.status, JSON.parse(none.body)]).toEqual([200, { success: true, data: {} }])
  })
})

describe('QkaClient against the paper exchange', () => {
  it('normalises {} to "nothing" and reads objects by their snake_case fields only', async () => {
    const c = client()
    expect(await c.queryStockPositions()).toEqual([])
    expect(await c.queryStockOrders()).toEqual([])
    expect(await c.queryStockTrades()).toEqual([])
    expect(await c.queryStockOrder(1)).toBeNull()
    expect(await c.queryStockPosition('600000.SH')).toBeNull()
    // the raw answer carries m_* duplicates like an XTQC object; the parsed one does not
    const raw = (await c.call('query_stock_asset')) as Record<string, unknown>
    expect(raw.m_dCash).toBe(1_000_000)
    const asset = await c.queryStockAsset()
    expect(asset).toEqual({ account_type: 2, account_id: 'SIM0001', cash: 1_000_000, frozen_cash: 0, market_value: 0, total_asset: 1_000_000 })
    expect(await c.queryAccountStatus()).toEqual([{ account_type: 2, account_id: 'SIM0001', status: 0 }])
    expect((await c.queryAccountInfos())[0]).toMatchObject({ account_id: 'SIM0001' })
  })

  it('401 → BridgeAuthError (not executed) and the message never contains the token', async () => {
    const e = await caught(client({ token: 'x'.repeat(64) }).queryStockAsset())
    expect(e).toBeInstanceOf(BridgeAuthError)
    expect([e.kind, e.status, e.executed]).toEqual(['auth', 401, 'no'])
    expect(e.message).toContain('无效的Token')
    expect(e.message).not.toContain('x'.repeat(64))
    await sim.ctl('fault', { kind: 'unauthorized' })
    const rotated = await caught(client().queryStockAsset())
    expect(rotated).toBeInstanceOf(BridgeAuthError)
    expect(rotated.message).not.toContain(sim.token)
  })

  it('404 → BridgeUnknownMethodError; 500 → BridgeServerError with the Python text', async () => {
    const c = client()
    const e404 = await caught(c.call('query_everything'))
    expect(e404).toBeInstanceOf(BridgeUnknownMethodError)
    expect(e404.executed).toBe('no')
    const e500 = await caught(c.call('order_stock', { stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11 }))
    expect(e500).toBeInstanceOf(BridgeServerError)
    expect(e500.detail).toBe("XtQuantTrader.order_stock() missing 1 required positional argument: 'price'")
    expect(e500.executed).toBe('unknown')
  })

  it('connection refused → BridgeUnreachableError with code ECONNREFUSED, proof it was not executed', async () => {
    const e = await caught(new QkaClient({ baseUrl: await closedPortUrl(), token: 't', retry: { retries: 0 } }).queryStockAsset())
    expect(e).toBeInstanceOf(BridgeUnreachableError)
    expect((e as BridgeUnreachableError).code).toBe('ECONNREFUSED')
    expect(e.executed).toBe('no')
  })

  it('the refuse fault closes the bridge listener: a real ECONNREFUSED, then it listens again', async () => {
    await sim.ctl('fault', { kind: 'refuse', seconds: 0.4 })
    const e = await caught(client({ retry: { retries: 0 } }).queryStockAsset())
    expect(e).toBeInstanceOf(BridgeUnreachableError)
    await new Promise((r) => setTimeout(r, 700))
    expect(await client().queryStockAsset()).not.toBeNull()
  })

  it('timeout → BridgeTimeoutError; a delay within the timeout is just slow', async () => {
    await sim.ctl('fault', { kind: 'timeout_before_execute', method: 'query_stock_asset' })
    const t0 = Date.now()
    const e = await caught(client({ timeoutMs: 300, retry: { retries: 0 } }).queryStockAsset())
    expect(e).toBeInstanceOf(BridgeTimeoutError)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280)
    expect(e.executed).toBe('unknown')
    await sim.ctl('fault', { kind: 'delay', delayMs: 150 })
    const t1 = Date.now()
    expect(await client({ timeoutMs: 2000 }).queryStockAsset()).not.toBeNull()
    expect(Date.now() - t1).toBeGreaterThanOrEqual(140)
  })

  it('a slow bridge does not slow the quote endpoint or the control API (Tencent is not behind QKA)', async () => {
    await sim.ctl('fault', { kind: 'delay', delayMs: 800, method: 'query_stock_asset' })
    const slow = client().queryStockAsset()
    await new Promise((r) => setTimeout(r, 50))
    const t0 = Date.now()
    const res = await fetch(`${sim.url}/q=sh600000`)
    expect(res.status).toBe(200)
    await sim.get('state')
    expect(Date.now() - t0).toBeLessThan(400)
    // …while the bridge itself stays serial: a second bridge call waits for the slow one
    const t1 = Date.now()
    await client().queryStockPositions()
    expect(Date.now() - t1).toBeGreaterThan(500)
    expect(await slow).not.toBeNull()
  })

  it('a 200 that is not {"success":true,"data":…} → BridgeProtocolError', async () => {
    await sim.ctl('fault', { kind: 'malformed', method: 'query_stock_asset' })
    const e = await caught(client({ retry: { retries: 0 } }).queryStockAsset())
    expect(e).toBeInstanceOf(BridgeProtocolError)
  })

  it('queries retry on 500 and timeouts (bounded); order_stock and cancel_order_stock never do', async () => {
    await sim.ctl('fault', { kind: 'http_500', method: 'query_stock_asset', count: 2 })
    expect(await client({ retry: { retries: 2, baseDelayMs: 10 } }).queryStockAsset()).not.toBeNull()
    expect(await sim.requests('query_stock_asset')).toBe(3)

    await sim.ctl('fault', { kind: 'http_500', method: 'query_stock_asset', count: 5 })
    const e = await caught(client({ retry: { retries: 2, baseDelayMs: 10 } }).queryStockAsset())
    expect(e).toBeInstanceOf(BridgeServerError)
    expect(await sim.requests('query_stock_asset')).toBe(6)
    await sim.ctl('fault', { clear: true })

    await sim.ctl('fault', { kind: 'http_500', method: 'order_stock' })
    await caught(client({ retry: { retries: 5, baseDelayMs: 10 } }).orderStock({ stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11, price: 10, strategy_name: 'dingpan', order_remark: 'x1' }))
    expect(await sim.requests('order_stock')).toBe(1)
    await sim.ctl('fault', { kind: 'timeout_before_execute', method: 'cancel_order_stock' })
    await caught(client({ timeoutMs: 200, retry: { retries: 5, baseDelayMs: 10 } }).cancelOrderStock(5))
    expect(await sim.requests('cancel_order_stock')).toBe(1)
    // even call() with retry:true does not retry a non-query
    await sim.ctl('fault', { kind: 'http_500', method: 'order_stock' })
    await caught(client({ retry: { retries: 5, baseDelayMs: 10 } }).call('order_stock', { stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11, price: 10 }, { retry: true }))
    expect(await sim.requests('order_stock')).toBe(2)
  })

  it('never puts the token in a log line', async () => {
    const { lines, logger } = captureLogger()
    const c = client({ logger, retry: { retries: 1, baseDelayMs: 5 } })
    await c.queryStockAsset()
    await caught(new QkaClient({ baseUrl: sim.bridgeUrl, token: 'secret-token-123', logger }).queryStockAsset())
    await sim.ctl('fault', { kind: 'http_500', method: 'query_stock_asset' })
    await c.queryStockAsset()
    expect(lines.length).toBeGreaterThan(2)
    const all = JSON.stringify(lines)
    expect(all).not.toContain(sim.token)
    expect(all).not.toContain('secret-token-123')
  })
})

describe('QkaClient against a hand-written bridge', () => {
  it('ignores m_* keys whatever their values, and requires the documented fields', async () => {
    fake.answer = () => ({ status: 200, body: JSON.stringify({ success: true, data: { cash: 5, frozen_cash: 1, market_value: 2, total_asset: 8, m_dCash: 'garbage', m_dTotalAsset: 999, surprise: [1] } }) })
    const c = new QkaClient({ baseUrl: fake.url, token: 't' })
    expect(await c.queryStockAsset()).toEqual({ cash: 5, frozen_cash: 1, market_value: 2, total_asset: 8 })
    fake.answer = () => ({ status: 200, body: JSON.stringify({ success: true, data: { m_dCash: 5, m_dFrozenCash: 1, m_dMarketValue: 2, m_dTotalAsset: 8 } }) })
    expect(await caught(c.queryStockAsset())).toBeInstanceOf(BridgeProtocolError)
    // one bad order in a list fails the whole answer (never drop an order silently)
    fake.answer = () => ({ status: 200, body: JSON.stringify({ success: true, data: [{ stock_code: '600000.SH', order_id: 1, order_type: 23, order_volume: 100, traded_volume: 0, order_status: 50 }, { stock_code: '600000.SH', order_id: 2 }] }) })
    expect(await caught(c.queryStockOrders())).toBeInstanceOf(BridgeProtocolError)
  })

  it('maps 422 to BridgeValidationError and 502 to an http error whose outcome is unknown', async () => {
    const c = new QkaClient({ baseUrl: fake.url, token: 't', retry: { retries: 0 } })
    fake.answer = () => ({ status: 422, body: JSON.stringify({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] }) })
    const e = await caught(c.queryStockAsset())
    expect(e).toBeInstanceOf(BridgeValidationError)
    expect(e.executed).toBe('no')
    fake.answer = () => ({ status: 502, body: 'bad gateway' })
    const g = await caught(c.orderStock({ stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11, price: 10, strategy_name: '', order_remark: '' }))
    expect([g.kind, g.status, g.executed]).toEqual(['http', 502, 'unknown'])
  })

  it('sends POST /api/<method> with X-Token, JSON content type and at least {}', async () => {
    const seen: Array<{ method: string; body: unknown }> = []
    fake.answer = (method, body) => {
      seen.push({ method, body })
      return { status: 200, body: '{"success":true,"data":{}}' }
    }
    const c = new QkaClient({ baseUrl: `${fake.url}/`, token: 't' })
    await c.queryStockAsset()
    await c.queryStockOrders(true)
    expect(seen).toEqual([
      { method: 'query_stock_asset', body: {} },
      { method: 'query_stock_orders', body: { cancelable_only: true } },
    ])
  })

  it('one request at a time per bridge; an order jumps ahead of waiting queries but never runs alongside one', async () => {
    fake.answer = (method) => ({ status: 200, body: method === 'order_stock' ? '{"success":true,"data":77}' : '{"success":true,"data":{}}', delayMs: 80 })
    const c = new QkaClient({ baseUrl: fake.url, token: 't' })
    const work = [c.queryStockPositions(), c.queryStockOrders(), c.queryStockTrades(), c.orderStock({ stock_code: '600000.SH', order_type: 23, order_volume: 100, price_type: 11, price: 10, strategy_name: '', order_remark: '' })]
    expect(c.pending).toBe(4)
    const results = await Promise.all(work)
    expect(results[3]).toBe(77)
    expect(fake.maxInFlight).toBe(1)
    expect(fake.log.map((l) => l.method)).toEqual(['query_stock_positions', 'order_stock', 'query_stock_orders', 'query_stock_trades'])
    for (let i = 1; i < fake.log.length; i++) expect(fake.log[i]!.start).toBeGreaterThanOrEqual(fake.log[i - 1]!.end)
  })
})

describe('MiniQMTInterface outcome mapping for answers only a real bridge could give', () => {
  const asset = JSON.stringify({ success: true, data: { cash: 1_000_000, frozen_cash: 0, market_value: 0, total_asset: 1_000_000, account_id: 'A1' } })
  const cases: Array<[string, { status: number; body: string }, string, string]> = [
    ['422 on order_stock', { status: 422, body: JSON.stringify({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] }) }, 'rejected', 'BRIDGE_VALIDATION'],
    ['404 on order_stock (route missing in this xtquant build)', { status: 404, body: '{"detail":"Not Found"}' }, 'rejected', 'BRIDGE_UNKNOWN_METHOD'],
    ['502 from a proxy', { status: 502, body: 'bad gateway' }, 'unknown', 'BRIDGE_HTTP'],
    ['an undocumented result 0', { status: 200, body: '{"success":true,"data":0}' }, 'unknown', 'BRIDGE_UNEXPECTED_RESULT'],
    ['a non-integer result', { status: 200, body: '{"success":true,"data":{}}' }, 'unknown', 'BRIDGE_PROTOCOL'],
    ['-1', { status: 200, body: '{"success":true,"data":-1}' }, 'rejected', 'BRIDGE_RETURNED_MINUS_ONE'],
    ['success:false (never sent by QKA)', { status: 200, body: '{"success":false,"data":5}' }, 'unknown', 'BRIDGE_PROTOCOL'],
  ]
  for (const [name, answer, outcome, code] of cases) {
    it(name, async () => {
      const { MiniQMTInterface } = await import('@/lib/broker/miniqmt')
      fake.answer = (method) => (method === 'order_stock' ? answer : { status: 200, body: asset })
      const b = new MiniQMTInterface({ baseUrl: fake.url, token: 't', clock: () => new Date('2026-09-14T02:00:00Z'), retry: { retries: 0 } })
      expect((await b.connect()).success).toBe(true)
      const r = await b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 10, clientOrderId: 'm1' })
      expect(r).toMatchObject({ success: false, outcome, code })
      expect(fake.log.filter((l) => l.method === 'order_stock')).toHaveLength(1)
    })
  }
})

describe('configuration problems never throw from the constructor', () => {
  it('an empty token or a bad address: connect() says why, nothing is sent, orders are not_sent', async () => {
    const { MiniQMTInterface } = await import('@/lib/broker/miniqmt')
    for (const [baseUrl, token, why] of [
      [fake.url, '', /token/],
      ['http://:8000', 't', /http\(s\) URL/],
      ['192.168.1.20:8000', 't', /http\(s\) URL/],
    ] as const) {
      const b = new MiniQMTInterface({ baseUrl, token, retry: { retries: 0 } })
      const r = await b.connect()
      expect(r.success).toBe(false)
      expect(r.message).toMatch(why)
      expect(b.client.configError).toMatch(why)
      const e = await caught(b.client.queryStockAsset())
      expect(e).toBeInstanceOf(BridgeUnreachableError)
      expect(e.executed).toBe('no')
    }
    expect(fake.log).toEqual([])
  })
})
