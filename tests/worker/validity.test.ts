// Validity and daily entry windows (issue 14), end to end through the paper exchange: an expired
// monitor holding nothing closes once with reason 'expired' and MONITOR_EXPIRED, and buys nothing
// afterwards; an expired monitor that holds keeps its stop; outside the daily window no entry
// triggers, while the stop-loss still fires outside it.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { normalizeMemo } from '@/lib/market'
import { toStockView } from '@/lib/services/views/stock-view'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, startWorkerHarness, TUESDAY, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const db = () => getDb()
const stock = (id: number) => db().monitoredStock.findUniqueOrThrow({ where: { id }, include: { quantConfig: true } })
const orders = (stockId: number) => db().order.findMany({ where: { stockId }, orderBy: { id: 'asc' }, include: { triggerEvent: true } })
const expiredCount = async (userId: number) => (await notificationTypes(userId)).filter((t) => t === 'MONITOR_EXPIRED').length

describe.each(providers())('validity and windows on %s', (provider) => {
  it('past its last day a WATCHING monitor closes once (reason expired, MONITOR_EXPIRED) and never buys', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', validUntil: MONDAY })
    expect(await stock(id)).toMatchObject({ validUntilDay: MONDAY, validTradingDays: null })

    // Monday (its last day), price above the zone: watching, nothing fires.
    await h.setClock(at(MONDAY, '10:00:00'))
    await h.setPrice('600000.SH', 9.3, { asks: [{ price: 9.3, volume: 1_000_000 }] })
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'WATCHING' })
    expect(await expiredCount(h.userId)).toBe(0)

    // Tuesday, price inside the zone: expired first, so no entry.
    await h.setClock(at(TUESDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.3, asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.step()
    const closed = await stock(id)
    expect(closed.state).toBe('CLOSED')
    expect(normalizeMemo(closed.triggerMemo as never).closedReason?.code).toBe('expired')
    expect(toStockView(closed as never).closedReason?.code).toBe('expired')
    expect(await orders(id)).toHaveLength(0)
    expect(await expiredCount(h.userId)).toBe(1)
    const told = await db().notification.findFirstOrThrow({ where: { userId: h.userId, type: 'MONITOR_EXPIRED' } })
    expect(told.stockId).toBe(id)
    expect(`${told.title} ${told.body}`).toContain(MONDAY)
  }, 120_000)

  it('an expired monitor that holds is not closed: its stop still sells, once', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', validUntil: MONDAY })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const [buy] = await orders(id)
    expect(buy).toMatchObject({ side: 'BUY', status: 'FILLED' })
    expect(await stock(id)).toMatchObject({ state: 'HOLDING' })

    // Tuesday: past validity, but holding: not closed, the stop fires.
    await h.setClock(at(TUESDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.0, { prevClose: 9.05, bids: [{ price: 9.0, volume: 1_000_000 }] })
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'HOLDING' })
    expect(await expiredCount(h.userId)).toBe(0)
    await h.setPrice('600000.SH', 8.8, { prevClose: 9.05, bids: [{ price: 8.8, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.step()
    const sells = (await orders(id)).filter((o) => o.side === 'SELL')
    expect(sells).toHaveLength(1)
    expect(sells[0]!.triggerEvent.kind).toBe('STOP_LOSS')
    expect(sells[0]).toMatchObject({ status: 'FILLED', quantity: buy!.filledQuantity })
    const after = await stock(id)
    expect(after.state).toBe('CLOSED')
    expect(normalizeMemo(after.triggerMemo as never).closedReason?.code).not.toBe('expired')
    expect(await expiredCount(h.userId)).toBe(0)
  }, 120_000)

  it('no entry outside the daily window 09:35-14:50; the stop-loss fires outside it', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', entryWindowStart: '09:35', entryWindowEnd: '14:50' })
    expect(await stock(id)).toMatchObject({ entryWindowStartMin: 575, entryWindowEndMin: 890 })

    // 09:31, price in the zone: before the window, nothing.
    await h.setClock(at(MONDAY, '09:31:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    expect(await orders(id)).toHaveLength(0)
    expect(await stock(id)).toMatchObject({ state: 'WATCHING' })

    // 09:35: inside the window, one entry.
    await h.setClock(at(MONDAY, '09:35:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const [buy] = await orders(id)
    expect(buy).toMatchObject({ side: 'BUY', status: 'FILLED' })
    expect(await orders(id)).toHaveLength(1)

    // Tuesday 09:31, before the window: the stop-loss still sells.
    await h.setClock(at(TUESDAY, '09:31:00'))
    await h.setPrice('600000.SH', 8.8, { prevClose: 9.05, bids: [{ price: 8.8, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.step()
    const sells = (await orders(id)).filter((o) => o.side === 'SELL')
    expect(sells).toHaveLength(1)
    expect(sells[0]!.triggerEvent.kind).toBe('STOP_LOSS')
    expect(sells[0]).toMatchObject({ status: 'FILLED' })
  }, 120_000)
})
