// The admin's "cancel all working DingPan orders" beside the kill switch: every order at the bridge
// that may be working is cancelled through the trader's cancel path (one request each, recorded
// only when the bridge accepted it, audit-logged under the admin), orders not at the bridge are
// listed with the reason they were not asked, and nothing counts as cancelled unless the bridge
// confirmed it — against the real paper exchange (QKA bridge) and scripted answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Broker, CancelResult } from '@/lib/broker/types'
import { MiniQMTInterface } from '@/lib/broker'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { getDb } from '@/lib/db/client'
import { cancelAllOrdersSchema } from '@/lib/schemas/settings'
import { cancelAllWorking } from '@/lib/services/trading/order-cancel'
import { providers } from '../helpers/db'
import { at, clearWorkerTables, makeStock, makeUser, seedOrder, seedTrigger, useWebDb } from './helpers'

const ADMIN = (id: number) => ({ id, label: 'admin@example.com' })

describe('the request must say so', () => {
  it('accepts only {confirm: true}', () => {
    expect(cancelAllOrdersSchema.safeParse({ confirm: true }).success).toBe(true)
    for (const bad of [{}, { confirm: false }, { confirm: 'true' }, { confirm: 1 }, null]) expect(cancelAllOrdersSchema.safeParse(bad).success).toBe(false)
  })
})

describe.each(providers())('cancel all working orders on %s (scripted answers)', (provider) => {
  useWebDb(provider)
  beforeEach(clearWorkerTables)

  async function seed() {
    const admin = await makeUser('ADMIN')
    const trader = await makeUser()
    const s1 = await makeStock(trader)
    const s2 = await makeStock(admin, { code: '000001.SZ', name: '平安银行', entryLow: '11', entryHigh: '11.2', takeProfit: '12', stopLoss: '10.5' })
    const mk = async (stockId: number, userId: number, kind: 'ENTRY' | 'TAKE_PROFIT' | 'STOP_LOSS' | 'TRAILING_STOP', o: Parameters<typeof seedOrder>[3]) => {
      const t = await seedTrigger(stockId, { kind, quoteTime: at(10, 0) })
      return seedOrder(userId, stockId, t.id, o)
    }
    const working = await mk(s1.id, trader, 'ENTRY', { status: 'SUBMITTED', bridgeOrderId: '1001' })
    const partly = await mk(s2.id, admin, 'ENTRY', { status: 'PARTIALLY_FILLED', bridgeOrderId: '1002', code: '000001.SZ' })
    const pending = await mk(s1.id, trader, 'STOP_LOSS', { status: 'PENDING', bridgeOrderId: null, xtStatus: null, side: 'SELL' })
    const noId = await mk(s1.id, trader, 'TAKE_PROFIT', { status: 'UNKNOWN', bridgeOrderId: null, xtStatus: null, side: 'SELL' })
    const cancelling = await mk(s2.id, admin, 'STOP_LOSS', { status: 'CANCELLING', bridgeOrderId: '1003', code: '000001.SZ', side: 'SELL' })
    const done = await mk(s2.id, admin, 'TRAILING_STOP', { status: 'FILLED', bridgeOrderId: '1004', code: '000001.SZ', side: 'SELL' })
    return { admin, trader, working, partly, pending, noId, cancelling, done }
  }

  function broker(answer: (id: number) => CancelResult | Error, conn = { success: true, message: 'ok' }) {
    const calls: number[] = []
    const b = {
      connect: async () => conn,
      disconnect: () => undefined,
      cancelOrder: async (id: number) => {
        calls.push(id)
        const a = answer(id)
        if (a instanceof Error) throw a
        return a
      },
    } as unknown as Broker
    return { calls, make: async () => b }
  }

  it('asks the bridge once per order that may be working, lists the others with the reason, and audit-logs it all under the admin', async () => {
    const o = await seed()
    const b = broker((id) => (id === 1001 ? { success: true, outcome: 'requested', message: `撤单请求已提交 (委托 ${id})` } : { success: false, outcome: 'refused', code: 'BRIDGE_RETURNED_MINUS_ONE', message: `撤单失败 (委托 ${id})` }))
    const r = await cancelAllWorking(ADMIN(o.admin), b.make)
    expect(b.calls.sort()).toEqual([1001, 1002])
    const by = new Map(r.lines.map((l) => [l.orderId, l]))
    expect(by.has(o.done.id)).toBe(false)
    expect(by.get(o.working.id)).toMatchObject({ bridge: { outcome: 'requested' }, recorded: true, skipped: null, userId: o.trader })
    expect(by.get(o.partly.id)).toMatchObject({ bridge: { outcome: 'refused', message: '撤单失败 (委托 1002)' }, recorded: false, skipped: null })
    expect(by.get(o.pending.id)).toMatchObject({ bridge: null, recorded: false, skipped: 'not_sent_yet' })
    expect(by.get(o.noId.id)).toMatchObject({ bridge: null, recorded: false, skipped: 'no_bridge_id' })
    expect(by.get(o.cancelling.id)).toMatchObject({ bridge: null, recorded: false, skipped: 'cancel_pending' })
    expect(r).toMatchObject({ requested: 1, notConfirmed: 1, skipped: 3 })

    // Only the accepted request is recorded; no status is changed here (tracking reads the outcome).
    const rows = new Map((await getDb().order.findMany()).map((x) => [x.id, x]))
    expect(rows.get(o.working.id)).toMatchObject({ status: 'SUBMITTED', cancelledBy: 'user' })
    expect(rows.get(o.working.id)!.cancelRequestedAt).toBeInstanceOf(Date)
    expect(rows.get(o.partly.id)).toMatchObject({ status: 'PARTIALLY_FILLED', cancelledBy: null, cancelRequestedAt: null })
    expect(rows.get(o.pending.id)).toMatchObject({ status: 'PENDING' })

    const audit = await getDb().auditLog.findMany({ orderBy: { id: 'asc' } })
    const perOrder = audit.filter((a) => a.action === 'order.cancel')
    expect(perOrder.map((a) => a.entityId).sort()).toEqual([String(o.working.id), String(o.partly.id)].sort())
    for (const a of perOrder) expect(a).toMatchObject({ actorId: o.admin, actor: 'admin@example.com' })
    const batch = audit.filter((a) => a.action === 'orders.cancelAll')
    expect(batch).toHaveLength(1)
    expect(batch[0]).toMatchObject({ actorId: o.admin, actor: 'admin@example.com', entity: 'Order' })
    expect(batch[0]!.after).toMatchObject({ requested: 1, notConfirmed: 1, skipped: 3 })
  })

  it('a bridge that cannot be reached or answers unclearly: every order reported as not confirmed, nothing recorded', async () => {
    const o = await seed()
    const down = broker(() => ({ success: true, outcome: 'requested', message: 'never asked' }), { success: false, message: '连接失败: connect ECONNREFUSED' })
    const r1 = await cancelAllWorking(ADMIN(o.admin), down.make)
    expect(down.calls).toEqual([])
    expect(r1.lines.filter((l) => l.bridge).map((l) => l.bridge)).toEqual([
      { success: false, outcome: 'not_sent', code: 'CONNECT_FAILED', message: '连接失败: connect ECONNREFUSED' },
      { success: false, outcome: 'not_sent', code: 'CONNECT_FAILED', message: '连接失败: connect ECONNREFUSED' },
    ])
    expect(r1).toMatchObject({ requested: 0, notConfirmed: 2 })

    const hangs = broker(() => new Error('socket hang up'))
    const r2 = await cancelAllWorking(ADMIN(o.admin), hangs.make)
    expect(r2.lines.filter((l) => l.bridge).map((l) => l.bridge?.outcome)).toEqual(['unknown', 'unknown'])
    expect(r2).toMatchObject({ requested: 0, notConfirmed: 2 })
    expect(await getDb().order.count({ where: { cancelledBy: { not: null } } })).toBe(0)
  })

  it('nothing working: an empty report, the bridge is not called, and the action is still audit-logged', async () => {
    const admin = await makeUser('ADMIN')
    const b = broker(() => new Error('must not be called'))
    const r = await cancelAllWorking(ADMIN(admin), b.make)
    expect(r).toEqual({ lines: [], requested: 0, notConfirmed: 0, skipped: 0 })
    expect(b.calls).toEqual([])
    expect(await getDb().auditLog.count({ where: { action: 'orders.cancelAll' } })).toBe(1)
  })
})

describe('cancel all through the real paper exchange (QKA bridge)', () => {
  useWebDb('sqlite')
  let ex: PaperExchangeHandle
  beforeAll(async () => {
    // Continuous trading, clock paused: orders rest until cancelled.
    ex = await startPaperExchange({ port: 0, bridgePort: 0, stateFile: null, scenario: 'none', start: at(10, 0), paused: true, tickMs: 60_000 })
  })
  afterAll(async () => {
    await ex?.close()
  })
  beforeEach(clearWorkerTables)

  it('cancels each resting order at the bridge, reports the bridge\'s refusal for one it no longer works', async () => {
    const control = (path: string, body: unknown) => fetch(`${ex.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Token': ex.controlToken }, body: JSON.stringify(body) })
    expect((await control('/control/price', { code: '600000.SH', last: 9.4, prevClose: 9.3, asks: [{ price: 9.42, volume: 10000 }], bids: [{ price: 9.4, volume: 10000 }] })).status).toBe(200)
    const clock = () => at(10, 0)
    const bridge = () => new MiniQMTInterface({ baseUrl: ex.bridgeUrl, token: ex.token, clock })
    const direct = bridge()
    expect((await direct.connect()).success).toBe(true)
    const a = await direct.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 9.3, clientOrderId: 'dpcancelall0001' })
    const b = await direct.placeOrder({ code: '600000.SH', side: 'buy', quantity: 200, orderType: 'limit', price: 9.31, clientOrderId: 'dpcancelall0002' })
    expect([a.outcome, b.outcome]).toEqual(['sent', 'sent'])
    // The second one is already gone at the counter (cancelled by hand in the client).
    expect((await direct.cancelOrder(b.orderId!)).outcome).toBe('requested')

    const admin = await makeUser('ADMIN')
    const trader = await makeUser()
    const s = await makeStock(trader)
    const t1 = await seedTrigger(s.id, { quoteTime: at(10, 0) })
    const t2 = await seedTrigger(s.id, { quoteTime: at(10, 0), kind: 'TAKE_PROFIT' })
    const oa = await seedOrder(trader, s.id, t1.id, { status: 'SUBMITTED', bridgeOrderId: String(a.orderId) })
    const ob = await seedOrder(trader, s.id, t2.id, { status: 'SUBMITTED', bridgeOrderId: String(b.orderId) })

    const r = await cancelAllWorking(ADMIN(admin), async () => bridge())
    const by = new Map(r.lines.map((l) => [l.orderId, l]))
    expect(by.get(oa.id)).toMatchObject({ bridge: { success: true, outcome: 'requested' }, recorded: true })
    expect(by.get(oa.id)!.bridge!.message).toContain(String(a.orderId))
    expect(by.get(ob.id)).toMatchObject({ bridge: { success: false, outcome: 'refused' }, recorded: false })
    expect(r).toMatchObject({ requested: 1, notConfirmed: 1, skipped: 0 })
    // The bridge's own records: cancelled (已撤 54); our rows keep their status for the worker's tracking.
    expect((await direct.getOrder(a.orderId!))?.status).toBe(54)
    expect((await getDb().order.findUniqueOrThrow({ where: { id: oa.id } })).status).toBe('SUBMITTED')
  })
})
