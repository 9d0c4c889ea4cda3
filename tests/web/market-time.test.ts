// Issue 16 defect 2: orders and notifications carry the market clock's time. With the demo's
// simulated clock (the paper exchange's, here on 2026-11-23 while the computer's clock reads
// another day) the worker writes an order and its notification at market time; the orders page,
// the notifications list, the stock history and the export show that time, and the orders date
// filter finds the order on the market day but not on the computer's day — SQLite and PostgreSQL,
// the real worker against the real paper exchange.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { listOrders } from '@/lib/services/views/orders-view'
import { notificationList } from '@/lib/services/views/notifications-view'
import { buildExport } from '@/lib/services/views/export'
import { stockDetail } from '@/lib/services/views/stock-detail'
import { orderQuerySchema } from '@/lib/schemas/orders'
import { providers } from '../helpers/db'
import { at, MONDAY, startWorkerHarness, type WorkerHarness } from '../worker/helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

/** The Asia/Shanghai day of an instant. */
const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10)

describe.each(providers())('market time of orders and notifications on %s', (provider) => {
  it('an order and its notification carry the simulated market time; the page lists it and the date filter follows the market day', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' }, { maxPositionPct: 10 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step() // tracking sees the fill

    const wallDay = shanghaiDay(new Date())
    expect(wallDay).not.toBe(MONDAY) // the simulated market day differs from the computer's

    const [order] = await getDb().order.findMany({ where: { stockId: id }, orderBy: { id: 'asc' } })
    expect(order).toBeDefined()
    expect(order.marketAt).not.toBeNull()
    expect(shanghaiDay(order.marketAt!)).toBe(MONDAY)
    expect(shanghaiDay(order.createdAt)).toBe(wallDay)
    // Market time of the intent: the step's quote time (09:30:03 on the frozen exchange clock), within a minute.
    expect(Math.abs(order.marketAt!.getTime() - new Date(at(MONDAY, '09:30:03')).getTime())).toBeLessThan(60_000)

    const notes = await getDb().notification.findMany({ where: { userId: h.userId, orderId: order.id }, orderBy: { id: 'asc' } })
    expect(notes.length).toBeGreaterThan(0)
    for (const n of notes) expect(shanghaiDay(n.marketAt!)).toBe(MONDAY)
    const trigger = notes.find((n) => n.type === 'TRIGGER_ENTRY') ?? notes[0]
    expect(shanghaiDay(trigger.marketAt!)).toBe(MONDAY)

    // The orders page's data lists the market time, and its fill on the same market day.
    const q = (query: Record<string, string>) => orderQuerySchema.parse(query)
    const all = q({})
    const page = await listOrders(h.userId, all.filter, all.page, all.pageSize)
    const row = page.items.find((o) => o.id === order.id)!
    expect(row.marketAt).toBe(order.marketAt!.toISOString())
    expect(shanghaiDay(new Date(row.marketAt))).toBe(shanghaiDay(new Date(row.fills[0].tradedAt)))

    // The date filter follows the market clock: the market day finds it, the computer's day does not.
    const market = q({ from: MONDAY, to: MONDAY })
    expect((await listOrders(h.userId, market.filter, 1, 20)).items.map((o) => o.id)).toContain(order.id)
    const wall = q({ from: wallDay, to: wallDay })
    expect((await listOrders(h.userId, wall.filter, 1, 20)).items.map((o) => o.id)).not.toContain(order.id)

    // The notification list shows the market time too; its date filter follows it.
    const list = await notificationList(h.userId, { from: new Date(at(MONDAY, '00:00:00')), to: new Date(at(MONDAY, '23:59:59')) }, 1, 50)
    expect(list.items.map((n) => n.id)).toContain(trigger.id)
    expect(list.items.find((n) => n.id === trigger.id)!.marketAt.toISOString()).toBe(trigger.marketAt!.toISOString())
    const wallList = await notificationList(h.userId, { from: new Date(`${wallDay}T00:00:00+08:00`), to: new Date(`${wallDay}T23:59:59+08:00`) }, 1, 50)
    expect(wallList.items.map((n) => n.id)).not.toContain(trigger.id)

    // The stock's history is in market time: the order and its notifications on the market day.
    const detail = await stockDetail(h.userId, id, { mode: 'sim', now: new Date(at(MONDAY, '09:31:00')), estimated: false, error: null, speed: 1 })
    for (const e of detail.timeline) expect(shanghaiDay(new Date(e.at))).toBe(MONDAY)

    // The export of the market day holds the order with its market time.
    const file = await buildExport(h.userId, { kind: 'orders', format: 'json', from: MONDAY, to: MONDAY }, 'en')
    const doc = JSON.parse(new TextDecoder().decode(file.body)) as { rows: Array<{ id: number; marketAt: string }> }
    expect(doc.rows.find((r) => r.id === order.id)?.marketAt).toBe(order.marketAt!.toISOString())
    const wallFile = await buildExport(h.userId, { kind: 'orders', format: 'json', from: wallDay, to: wallDay }, 'en')
    expect((JSON.parse(new TextDecoder().decode(wallFile.body)) as { rows: Array<{ id: number }> }).rows.map((r) => r.id)).not.toContain(order.id)
  }, 60_000)
})
