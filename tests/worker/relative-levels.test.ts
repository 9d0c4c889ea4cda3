// Take-profit and stop-loss relative to cost (issue 14), end to end through the paper exchange:
// the levels resolve against the entry's average fill price when it fills (not against the entry
// zone they were provisionally shown against), the stop fires once at the resolved tick and sells
// no more than is held.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { stopLossFromCostMilli, takeProfitFromCostMilli } from '@/lib/market'
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

describe.each(providers())('relative levels on %s', (provider) => {
  it('+5 % / -3 % of the average fill: provisional from the zone, resolved at the fill, one stop order at the resolved tick', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '', stopLoss: '', takeProfitPct: '5', stopLossPct: '3' }, { maxPositionPct: 10 })

    // Before the fill: resolved against the zone (9.10 × 1.05 → 9.56, 9.00 × 0.97 → 8.73).
    const before = await stock(id)
    expect(before).toMatchObject({ takeProfitBp: 500, stopLossBp: 300, takeProfitMilli: 9_560, stopLossMilli: 8_730, entryCostMilli: null })

    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step() // tracking sees the fill
    const [buy] = await orders(id)
    expect(buy).toMatchObject({ side: 'BUY', status: 'FILLED' })
    const cost = Number(buy!.filledAmountMilli / BigInt(buy!.filledQuantity))
    expect(cost).toBe(9_050)
    const held = await stock(id)
    expect(held).toMatchObject({ state: 'HOLDING', entryCostMilli: 9_050 })
    // Shown both ways: the percentage and the price it resolved to (9.05 × 1.05 → 9.51, × 0.97 → 8.78).
    const view = toStockView(held as never)
    expect(view).toMatchObject({ takeProfitPct: 0.05, stopLossPct: 0.03, takeProfit: 9.51, stopLoss: 8.78 })
    expect(takeProfitFromCostMilli('600000.SH', cost, 500)).toBe(9_510)
    expect(stopLossFromCostMilli('600000.SH', cost, 300)).toBe(8_780)
    // The trader is told the prices the percentages resolved to, once.
    expect((await notificationTypes(h.userId)).filter((t) => t === 'LEVELS_RESOLVED')).toHaveLength(1)
    const told = await db().notification.findFirstOrThrow({ where: { userId: h.userId, type: 'LEVELS_RESOLVED' } })
    expect(`${told.title} ${told.body}`).toContain('9.51 (+5%)')
    expect(`${told.title} ${told.body}`).toContain('8.78 (-3%)')

    // Next session: 8.79 is above the resolved stop (but far above the provisional 8.73): nothing.
    await h.setClock(at(TUESDAY, '09:30:00'))
    await h.setPrice('600000.SH', 8.79, { prevClose: 9.05, bids: [{ price: 8.79, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    expect((await orders(id)).filter((o) => o.side === 'SELL')).toHaveLength(0)

    // 8.78 is the resolved stop: one sell of what is held, and never a second one.
    await h.setPrice('600000.SH', 8.78, { prevClose: 9.05, bids: [{ price: 8.78, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.step()
    const sells = (await orders(id)).filter((o) => o.side === 'SELL')
    expect(sells).toHaveLength(1)
    expect(sells[0]!.triggerEvent.kind).toBe('STOP_LOSS')
    expect(sells[0]!.quantity).toBe(buy!.filledQuantity)
    expect(sells[0]).toMatchObject({ status: 'FILLED' })
    const closed = await stock(id)
    expect(closed).toMatchObject({ state: 'CLOSED', positionQty: 0, entryCostMilli: null })
    expect((await notificationTypes(h.userId)).filter((t) => t === 'LEVELS_RESOLVED')).toHaveLength(1)
  }, 120_000)
})
