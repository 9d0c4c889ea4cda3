// The orders list (filters, status names from xtStatus, fills, owner scope) and the trader's cancel:
// only an accepted request is recorded (cancelRequestedAt, cancelledBy 'user'), guarded on the order
// still being open; the status is never changed here; every attempt is audit-logged with the
// bridge's answer — on SQLite and PostgreSQL, against a scripted broker and the real paper exchange.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Broker, CancelResult } from '@/lib/broker/types'
import { MiniQMTInterface } from '@/lib/broker'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { getDb } from '@/lib/db/client'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { cancelOrderForUser } from '@/lib/services/trading/order-cancel'
import { listOrders } from '@/lib/services/views/orders-view'
import { orderQuerySchema } from '@/lib/schemas/orders'
import { providers } from '../helpers/db'
import { at, clearWorkerTables, makeStock, makeUser, seedOrder, seedTrigger, useWebDb } from './helpers'

function scriptedBroker(answer: CancelResult | Error, conn = { success: true, message: 'ok' }) {
  const calls: number[] = []
  let disconnected = false
  const broker = {
    kind: 'qmt',
    connect: async () => conn,
    disconnect: () => {
      disconnected = true
    },
    cancelOrder: async (id: number) => {
      calls.push(id)
      if (answer instanceof Error) throw answer
      return answer
    },
  } as unknown as Broker
  return { broker, calls, disconnected: () => disconnected, make: async () => broker }
}

const REQUESTED: CancelResult = { success: true, outcome: 'requested', message: '撤单请求已提交 (委托 1001); 最终状态以委托查询为准' }
const REFUSED: CancelResult = { success: false, outcome: 'refused', code: 'BRIDGE_RETURNED_MINUS_ONE', message: '撤单失败 (MiniQMT 返回 -1): 委托 1001 可能已成交、已撤或不可撤' }

describe.each(providers())('orders on %s', (provider) => {
  useWebDb(provider)
  beforeEach(clearWorkerTables)

  async function setup() {
    const me = await makeUser()
    const other = await makeUser()
    const s = await makeStock(me)
    const t = await seedTrigger(s.id, { quoteTime: at(10, 0) })
    const order = await seedOrder(me, s.id, t.id, { status: 'SUBMITTED', bridgeOrderId: '1001', xtStatus: 50 })
    return { me, other, s, t, order }
  }

  it('records an accepted cancel without changing the status, and audit-logs the answer', async () => {
    const { me, order } = await setup()
    const b = scriptedBroker(REQUESTED)
    const r = await cancelOrderForUser(me, order.id, b.make)
    expect(b.calls).toEqual([1001])
    expect(b.disconnected()).toBe(true)
    expect(r.bridge).toEqual(REQUESTED)
    expect(r.recorded).toBe(true)
    const row = await getDb().order.findUniqueOrThrow({ where: { id: order.id } })
    expect(row).toMatchObject({ status: 'SUBMITTED', xtStatus: 50, cancelledBy: 'user', activeKey: order.activeKey })
    expect(row.cancelRequestedAt).toBeInstanceOf(Date)
    expect(r.order).toMatchObject({ id: order.id, status: 'SUBMITTED', cancelledBy: 'user', xtStatusName: '已报' })
    const audit = await getDb().auditLog.findMany({ where: { action: 'order.cancel' } })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorId: me, entity: 'Order', entityId: String(order.id) })
    expect(audit[0]!.after).toEqual({ bridge: REQUESTED, recorded: true })
  })

  it('reports a refusal, an unreachable bridge or a thrown error exactly, and records nothing on the order', async () => {
    const { me, order } = await setup()
    for (const [b, expected] of [
      [scriptedBroker(REFUSED), REFUSED],
      [scriptedBroker(REQUESTED, { success: false, message: '连接失败: QKA 未运行或地址/端口错误: connect ECONNREFUSED' }), { success: false, outcome: 'not_sent', code: 'CONNECT_FAILED', message: '连接失败: QKA 未运行或地址/端口错误: connect ECONNREFUSED' }],
      [scriptedBroker(new Error('socket hang up')), { success: false, outcome: 'unknown', code: 'CANCEL_ERROR', message: 'socket hang up' }],
    ] as const) {
      const r = await cancelOrderForUser(me, order.id, b.make)
      expect(r.bridge).toEqual(expected)
      expect(r.recorded).toBe(false)
    }
    const row = await getDb().order.findUniqueOrThrow({ where: { id: order.id } })
    expect(row).toMatchObject({ status: 'SUBMITTED', cancelRequestedAt: null, cancelledBy: null })
    expect(await getDb().auditLog.count({ where: { action: 'order.cancel' } })).toBe(3)
  })

  it('refuses terminal orders, orders without a bridge id, and other users\' orders — without calling the bridge', async () => {
    const { me, other, s, t, order } = await setup()
    const b = scriptedBroker(REQUESTED)
    await expect(cancelOrderForUser(other, order.id, b.make)).rejects.toBeInstanceOf(NotFoundError)
    await expect(cancelOrderForUser(me, 999_999, b.make)).rejects.toBeInstanceOf(NotFoundError)
    for (const status of ['FILLED', 'CANCELLED', 'REJECTED', 'FAILED', 'CANCELLING', 'PENDING', 'SENDING'] as const) {
      await getDb().order.update({ where: { id: order.id }, data: { status } })
      await expect(cancelOrderForUser(me, order.id, b.make)).rejects.toMatchObject({ message: 'order.notCancellable', params: { status } })
    }
    const t2 = await seedTrigger(s.id, { quoteTime: at(10, 5), kind: 'TAKE_PROFIT' })
    const noId = await seedOrder(me, s.id, t2.id, { status: 'UNKNOWN', bridgeOrderId: null, xtStatus: null })
    await expect(cancelOrderForUser(me, noId.id, b.make)).rejects.toBeInstanceOf(ConflictError)
    expect(b.calls).toEqual([])
    expect(t.id).toBeGreaterThan(0)
  })

  it('does not record a user cancel on an order that ended while the bridge answered', async () => {
    const { me, order } = await setup()
    const broker = {
      connect: async () => ({ success: true, message: 'ok' }),
      disconnect: () => undefined,
      cancelOrder: async () => {
        // The worker saw the fill meanwhile.
        await getDb().order.update({ where: { id: order.id }, data: { status: 'FILLED', xtStatus: 56, activeKey: null, terminalAt: new Date() } })
        return REQUESTED
      },
    } as unknown as Broker
    const r = await cancelOrderForUser(me, order.id, async () => broker)
    expect(r.recorded).toBe(false)
    expect(r.order).toMatchObject({ status: 'FILLED', cancelledBy: null, cancellable: false })
  })

  it('lists only the user\'s orders, with filters, counter status names and fills', async () => {
    const { me, other, s, t, order } = await setup()
    const t2 = await seedTrigger(s.id, { quoteTime: at(10, 10), kind: 'STOP_LOSS' })
    const rejected = await seedOrder(me, s.id, t2.id, { status: 'REJECTED', xtStatus: 57, statusMsg: '[COUNTER] [251005][证券可用数量不足]', side: 'SELL', bridgeOrderId: '1002' })
    await getDb().fill.create({ data: { orderId: order.id, tradedId: 'T9', priceMilli: 9_300, quantity: 300, amountMilli: 2_790_000n, tradedAt: at(10, 1) } })
    const os = await makeStock(other, { code: '000001.SZ', name: '平安银行', entryLow: '11', entryHigh: '11.2', takeProfit: '12', stopLoss: '10.5' })
    const ot = await seedTrigger(os.id, { quoteTime: at(10, 0) })
    await seedOrder(other, os.id, ot.id, { code: '000001.SZ' })

    const all = await listOrders(me, {}, 1, 20)
    expect(all.total).toBe(2)
    expect(all.items.map((o) => o.id).sort()).toEqual([order.id, rejected.id].sort())
    const rej = all.items.find((o) => o.id === rejected.id)!
    expect(rej).toMatchObject({ status: 'REJECTED', xtStatus: 57, xtStatusName: '废单', xtStatusNameEn: 'rejected (junk)', statusMsg: '[COUNTER] [251005][证券可用数量不足]', cancellable: false, side: 'SELL', kind: 'STOP_LOSS' })
    expect(all.items.find((o) => o.id === order.id)).toMatchObject({ cancellable: true, xtStatusName: '已报', fills: [{ tradedId: 'T9', price: 9.3, quantity: 300 }] })

    const open = orderQuerySchema.parse({ status: 'open' })
    expect((await listOrders(me, open.filter, 1, 20)).items.map((o) => o.id)).toEqual([order.id])
    const sells = orderQuerySchema.parse({ side: 'SELL' })
    expect((await listOrders(me, sells.filter, 1, 20)).items.map((o) => o.id)).toEqual([rejected.id])
    const byStock = orderQuerySchema.parse({ stockId: String(os.id) })
    expect((await listOrders(me, byStock.filter, 1, 20)).total).toBe(0)
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
    expect((await listOrders(me, orderQuerySchema.parse({ from: today, to: today }).filter, 1, 20)).total).toBe(2)
    expect((await listOrders(me, orderQuerySchema.parse({ to: '2020-01-01' }).filter, 1, 20)).total).toBe(0)
    expect(orderQuerySchema.safeParse({ status: 'BOGUS' }).success).toBe(false)
    expect(orderQuerySchema.safeParse({ from: '2026-13-45' }).success).toBe(false)
    expect(t.id).toBeGreaterThan(0)
  })
})

describe('cancel through the real paper exchange (QKA bridge)', () => {
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

  it('asks the bridge, records the request, and leaves the final state to the order reports', async () => {
    const control = (path: string, body: unknown) => fetch(`${ex.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Token': ex.controlToken }, body: JSON.stringify(body) })
    expect((await control('/control/price', { code: '600000.SH', last: 9.4, prevClose: 9.3, asks: [{ price: 9.42, volume: 10000 }], bids: [{ price: 9.4, volume: 10000 }] })).status).toBe(200)
    const clock = () => at(10, 0)
    const broker = new MiniQMTInterface({ baseUrl: ex.bridgeUrl, token: ex.token, clock })
    expect((await broker.connect()).success).toBe(true)
    // A resting buy below the market.
    const placed = await broker.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 9.3, clientOrderId: 'dpweb0001' })
    expect(placed.outcome).toBe('sent')

    const me = await makeUser()
    const s = await makeStock(me)
    const t = await seedTrigger(s.id, { quoteTime: at(10, 0) })
    const order = await seedOrder(me, s.id, t.id, { status: 'SUBMITTED', bridgeOrderId: String(placed.orderId), xtStatus: 50 })
    const r = await cancelOrderForUser(me, order.id, async () => new MiniQMTInterface({ baseUrl: ex.bridgeUrl, token: ex.token, clock }))
    expect(r.bridge).toMatchObject({ success: true, outcome: 'requested' })
    expect(r.bridge.message).toContain(String(placed.orderId))
    expect(r.recorded).toBe(true)
    expect((await getDb().order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe('SUBMITTED')
    // The bridge now reports it cancelled (已撤 54): the worker's tracking moves the row, not us.
    const rec = await broker.getOrder(placed.orderId!)
    expect(rec?.status).toBe(54)

    // A second cancel of the same order is refused by the bridge, and said so.
    const again = await cancelOrderForUser(me, order.id, async () => new MiniQMTInterface({ baseUrl: ex.bridgeUrl, token: ex.token, clock }))
    expect(again.bridge).toMatchObject({ success: false, outcome: 'refused' })
    expect(again.recorded).toBe(false)
  })
})
