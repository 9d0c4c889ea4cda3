// Absent is not empty: MiniQMT logs out while QKA keeps answering, so every query comes back `{}`
// for a minute of market time while three orders work at the exchange (one partly filled) and
// fill meanwhile. Nothing is failed, nothing is resent, every fill is recorded once the bridge sees
// again, and the trader is told the bridge was blind.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface SimTrade {
  traded_id: string
  order_id: number
  traded_volume: number
}

describe.each(providers())('bridge blind (MiniQMT logged out) on %s', (provider) => {
  it('fails no order, records every fill, resends nothing, and tells the trader', async () => {
    h = await startWorkerHarness(provider)
    // Long unfilled timeouts: nothing is cancelled on purpose during the test.
    const quant = { unfilledTimeoutSec: 900, maxReprices: 0 }
    const partly = await h.addStock({ code: '601318.SH', entryLow: '49.90', entryHigh: '50.10', takeProfit: '53.00', stopLoss: '48.00' }, quant)
    const a = await h.addStock({ code: '600000.SH' }, { ...quant, entryPriceMode: 'TRIGGER_PRICE' })
    const b = await h.addStock({ code: '000001.SZ', entryLow: '11.00', entryHigh: '11.10', takeProfit: '11.80', stopLoss: '10.50' }, { ...quant, entryPriceMode: 'TRIGGER_PRICE' })
    await h.setClock(at(MONDAY, '09:30:00'))
    // Only the first stock in its zone: its buy fills 500 shares, the rest rests once the price moves up.
    await h.setPrice('601318.SH', 50.0, { prevClose: 50.2 })
    await h.setPrice('600000.SH', 9.3, { prevClose: 9.1 })
    await h.setPrice('000001.SZ', 11.5, { prevClose: 11.2 })
    await h.control('/control/fault', { kind: 'partial_fill', shares: 500 })
    await h.step()
    await h.setPrice('601318.SH', 50.3, { prevClose: 50.2 })
    // The other two buy at the trigger price, below the best ask: both rest.
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.1, asks: [{ price: 9.07, volume: 1_000_000 }] })
    await h.setPrice('000001.SZ', 11.05, { prevClose: 11.2, asks: [{ price: 11.08, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const db = getDb()
    const byStock = async (stockId: number) => db.order.findFirstOrThrow({ where: { stockId } })
    expect(await byStock(partly)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 500 })
    expect((await byStock(a)).status).toBe('SUBMITTED')
    expect((await byStock(b)).status).toBe('SUBMITTED')
    expect(orderRequests(await h.state())).toBe(3)

    // MiniQMT logs out for 60 s of market time; QKA answers {} to every query.
    await h.control('/control/fault', { kind: 'logged_out', marketSeconds: 60 })
    for (let i = 0; i < 20; i++) {
      if (i === 5) {
        // Fills at the exchange while DingPan cannot see: the rest of the partly filled order and all of the second.
        await h.setPrice('601318.SH', 50.0, { prevClose: 50.2, asks: [{ price: 50.0, volume: 1_000_000 }] })
        await h.setPrice('600000.SH', 9.05, { prevClose: 9.1, asks: [{ price: 9.05, volume: 1_000_000 }] })
      }
      await h.step()
      await pause(60) // the wall-clock grace before anything may be declared absent passes too
    }
    expect(await db.order.count({ where: { status: 'FAILED' } })).toBe(0)
    expect(await notificationTypes(h.userId)).toContain('BRIDGE_BLIND')

    // MiniQMT is back: the fills of the blind minute are picked up, the third order still works, then fills.
    for (let i = 0; i < 3; i++) await h.step()
    expect(await byStock(partly)).toMatchObject({ status: 'FILLED' })
    expect((await byStock(a)).status).toBe('FILLED')
    expect((await byStock(b)).status).toBe('SUBMITTED')
    await h.setPrice('000001.SZ', 11.05, { prevClose: 11.2, asks: [{ price: 11.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()

    const orders = await db.order.findMany({ orderBy: { id: 'asc' }, include: { fills: true } })
    expect(orders.map((o) => o.status)).toEqual(['FILLED', 'FILLED', 'FILLED'])
    const state = (await h.state()) as unknown as { trades: SimTrade[]; requests: Record<string, number> }
    // Every trade the exchange made is a fill in the database, once.
    const fills = orders.flatMap((o) => o.fills.map((f) => `${o.bridgeOrderId}:${f.tradedId}:${f.quantity}`)).sort()
    expect(fills).toEqual(state.trades.map((t) => `${t.order_id}:${t.traded_id}:${t.traded_volume}`).sort())
    for (const o of orders) {
      expect(o.filledQuantity).toBe(o.quantity)
      expect(o.fills.reduce((s, f) => s + f.quantity, 0)).toBe(o.quantity)
      expect((await db.monitoredStock.findUniqueOrThrow({ where: { id: o.stockId } })).positionQty).toBe(o.quantity)
    }
    expect(orderRequests(state as never)).toBe(3)
    const told = await notificationTypes(h.userId)
    expect(told).not.toContain('ORDER_FAILED')
    expect(told.filter((t) => t === 'BRIDGE_BLIND')).toHaveLength(1)
    const blind = await db.notification.findFirstOrThrow({ where: { type: 'BRIDGE_BLIND' } })
    expect(blind.severity).toBe('CRITICAL')
    expect(blind.body).toMatch(/3/)
  })

  it('a confirmed order the counter never lists is kept open and the trader told, never failed', async () => {
    h = await startWorkerHarness(provider)
    const quant = { unfilledTimeoutSec: 900, maxReprices: 0, entryPriceMode: 'TRIGGER_PRICE' }
    const gone = await h.addStock({ code: '600000.SH' }, quant)
    const resting = await h.addStock({ code: '000001.SZ', entryLow: '11.00', entryHigh: '11.10', takeProfit: '11.80', stopLoss: '10.50' }, quant)
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3, { prevClose: 9.1 })
    await h.setPrice('000001.SZ', 11.05, { prevClose: 11.2, asks: [{ price: 11.08, volume: 1_000_000 }] })
    await h.step() // the resting order goes out first
    // order_stock hands out an id, but the order never reaches the counter (资金不足 without a callback).
    await h.control('/control/fault', { kind: 'vanish' })
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.1, asks: [{ price: 9.07, volume: 1_000_000 }] })
    for (let i = 0; i < 6; i++) {
      await h.step()
      await pause(250)
    }
    const db = getDb()
    const vanished = await db.order.findFirstOrThrow({ where: { stockId: gone } })
    expect(vanished.bridgeOrderId).not.toBeNull()
    expect(vanished.status).toBe('SUBMITTED')
    expect((await db.order.findFirstOrThrow({ where: { stockId: resting } })).status).toBe('SUBMITTED')
    const told = await db.notification.findMany({ where: { type: 'ORDER_RECONCILED', orderId: vanished.id } })
    expect(told).toHaveLength(1)
    expect(told[0]!.severity).toBe('CRITICAL')
    expect(told[0]!.body).toContain(vanished.bridgeOrderId!)
    expect(await db.order.count({ where: { status: 'FAILED' } })).toBe(0)
    expect(orderRequests(await h.state())).toBe(2)
  })

  it('adopts a DingPan order the bridge still works although the database has it failed, and reports one it does not know', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 900, maxReprices: 0, entryPriceMode: 'TRIGGER_PRICE' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.1, asks: [{ price: 9.07, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const db = getDb()
    const order = await db.order.findFirstOrThrow({ where: { stockId: id } })
    expect(order.status).toBe('SUBMITTED')
    // What an earlier version did after a blind spell: the order failed in the database while it works at the exchange.
    await db.order.update({ where: { id: order.id }, data: { status: 'FAILED', activeKey: null, terminalAt: new Date(), errorMessage: 'declared absent' } })
    // And an order carrying DingPan's remark that this database never created.
    const stray = await fetch(`${h.sim.bridgeUrl}/api/order_stock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-token': h.sim.token },
      body: JSON.stringify({ stock_code: '000001.SZ', order_type: 23, order_volume: 100, price_type: 11, price: 11.0, strategy_name: 'dingpan', order_remark: 'dp00000000000000a1' }),
    })
    expect(((await stray.json()) as { data: number }).data).toBeGreaterThan(0)
    // The adopted order fills at the exchange.
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.1, asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step(61) // nothing open in the database: the bridge's list is read once a market minute
    await h.step()

    const adopted = await db.order.findUniqueOrThrow({ where: { id: order.id }, include: { fills: true } })
    expect(adopted).toMatchObject({ status: 'FILLED', filledQuantity: order.quantity, bridgeOrderId: order.bridgeOrderId })
    expect(adopted.fills.reduce((s, f) => s + f.quantity, 0)).toBe(order.quantity)
    expect((await db.monitoredStock.findUniqueOrThrow({ where: { id } })).positionQty).toBe(order.quantity)
    const note = await db.notification.findUniqueOrThrow({ where: { dedupeKey: `order:${order.id}:adopted` } })
    expect(note.type).toBe('ORDER_RECONCILED')
    expect(note.body).toContain(order.bridgeOrderId!)
    const told = await notificationTypes(h.userId)
    expect(told).toContain('ORDER_FILLED')
    expect(told.filter((t) => t === 'ORDER_UNTRACKED')).toHaveLength(1)
    expect((await db.notification.findFirstOrThrow({ where: { type: 'ORDER_UNTRACKED' } })).body).toContain('dp00000000000000a1')
    expect(orderRequests(await h.state())).toBe(2) // ours once, the stray once: nothing resent
  })
})
