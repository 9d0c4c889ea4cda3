// Tracking is fenced: during a hand-over two workers can both be tracking the same partly filled
// order — the deposed one still in a cycle it began while it held the lease. Only the lease holder
// applies the fill, and it is applied once (one Fill per traded_id, the position moved once).
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { LEASE_NAME } from '@/lib/services/trading/worker'
import { providers } from '../helpers/db'
import { at, MONDAY, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

describe.each(providers())('fenced fill tracking on %s', (provider) => {
  it('two trackers during a hand-over: the deposed one writes nothing, the fill is applied once', async () => {
    h = await startWorkerHarness(provider)
    const a = h.newWorker('worker-a', { leaseTtlMs: 1_500 })
    const b = h.newWorker('worker-b', { leaseTtlMs: 1_500 })
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 900, maxReprices: 0 })
    await h.control('/control/fault', { kind: 'partial_fill', shares: 1_000 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.1 })
    expect((await h.step(3, a)).kind).toBe('cycle')
    await h.setPrice('600000.SH', 9.2, { prevClose: 9.1 }) // the rest rests
    await h.step(3, a)
    const db = getDb()
    const order = await db.order.findFirstOrThrow({ where: { stockId: id } })
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 1_000 })

    // The rest fills at the exchange. A starts a cycle holding the lease; its order query hangs
    // long enough for the lease to lapse and B to take over; then both track the same order.
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.1, asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.control('/control/fault', { kind: 'delay', method: 'query_stock_orders', delayMs: 2_500 })
    const ranA = h.step(3, a)
    await new Promise((r) => setTimeout(r, 1_800))
    const ranB = b.tick()
    const [ra, rb] = await Promise.all([ranA, ranB])
    expect(ra.kind).toBe('cycle') // A began while it held the lease…
    expect(rb.kind).toBe('cycle') // …and B took over meanwhile
    expect((await db.workerLease.findUniqueOrThrow({ where: { name: LEASE_NAME } })).holderId).toBe('worker-b')
    expect(ra.stats?.fills ?? 0).toBe(0) // fenced: the deposed tracker applied nothing
    expect(rb.stats?.fills).toBe(1)

    await h.step(3, b)
    const done = await db.order.findUniqueOrThrow({ where: { id: order.id }, include: { fills: true } })
    expect(done).toMatchObject({ status: 'FILLED', filledQuantity: order.quantity })
    expect(done.fills.reduce((s, f) => s + f.quantity, 0)).toBe(order.quantity)
    expect(new Set(done.fills.map((f) => f.tradedId)).size).toBe(done.fills.length)
    const trades = ((await h.state()) as unknown as { trades: Array<{ order_id: number }> }).trades.filter((t) => String(t.order_id) === order.bridgeOrderId)
    expect(done.fills).toHaveLength(trades.length)
    expect((await db.monitoredStock.findUniqueOrThrow({ where: { id } })).positionQty).toBe(order.quantity)
    expect(await db.notification.count({ where: { type: 'ORDER_FILLED', orderId: order.id } })).toBe(1)
    expect(orderRequests(await h.state())).toBe(1)
  })
})
