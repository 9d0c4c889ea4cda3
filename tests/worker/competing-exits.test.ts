// The stop-loss outranks a resting take-profit (issue 12, item 3), through the real paper exchange
// over HTTP and a real database: a take-profit limit rests above the price and freezes the shares;
// the price gaps down to the stop. The stop is recorded with its own intent, the take-profit is
// cancelled first, its cancel confirmed by the exchange (54, or 53 with the remainder), and only
// then does the stop go out — for the remaining shares. Never two sells live at once, the trader is
// told, and exits do not halt.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { markPositionManaged, toMilli } from '@/lib/market'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const db = () => getDb()
const stock = (id: number) => db().monitoredStock.findUniqueOrThrow({ where: { id } })
const CODE = '600000.SH'

async function holding(w: WorkerHarness, id: number, volume: number, avgPrice: number) {
  await w.control('/control/holding', { code: CODE, volume, avgPrice })
  const row = await stock(id)
  const next = markPositionManaged({ state: row.state, episode: row.episode, highestSinceEntry: null, memo: row.triggerMemo as never }, { avgPrice })
  if ('ok' in next) throw new Error(next.message)
  await writeTx(db(), (tx) =>
    writeMachineState(tx, id, { state: next.state, episode: next.episode, highestSinceEntryMilli: toMilli(avgPrice), triggerMemo: next.memo, stateChanged: true }, { positionQty: volume, positionCostMilli: toMilli(avgPrice), version: { increment: 1 } }),
  )
}

/** A take-profit limit at 10.50 resting for 2,000 shares (`fillFirst` of them filled at once). */
async function restingTakeProfit(w: WorkerHarness, fillFirst: number) {
  const id = await w.addStock(
    { code: CODE, entryLow: '10.00', entryHigh: '10.20', takeProfit: '10.50', stopLoss: '9.80' },
    { exitPriceMode: 'TRIGGER_PRICE', exitOffsetTicks: 0, unfilledTimeoutSec: 600 },
  )
  await w.setClock(at(MONDAY, '09:30:00'))
  await w.setPrice(CODE, 10.1, { prevClose: 10 })
  await holding(w, id, 2_000, 10.1)
  await w.step()
  await w.setPrice(CODE, 10.5, { prevClose: 10, bids: fillFirst ? [{ price: 10.5, volume: fillFirst }] : [{ price: 10.49, volume: 100 }], asks: [{ price: 10.51, volume: 100_000 }] })
  await w.step() // the take-profit fires and rests at 10.50
  await w.setPrice(CODE, 10.45, { prevClose: 10, bids: [{ price: 10.44, volume: 100 }], asks: [{ price: 10.46, volume: 100_000 }] })
  await w.step()
  const tp = await db().order.findFirstOrThrow({ where: { stockId: id } })
  expect(tp).toMatchObject({ side: 'SELL', quantity: 2_000, limitPriceMilli: 10_500, filledQuantity: fillFirst })
  expect(tp.status).toBe(fillFirst ? 'PARTIALLY_FILLED' : 'SUBMITTED')
  expect((await stock(id)).state).toBe('EXIT_PENDING')
  return { id, tp }
}

describe.each(providers())('competing exits on %s', (provider) => {
  it.each([
    ['resting untouched', 0],
    ['partly filled', 500],
  ])('take-profit %s: the stop cancels it, waits for the confirmation, then sells the rest', async (_label, fillFirst) => {
    h = await startWorkerHarness(provider)
    const { id, tp } = await restingTakeProfit(h, fillFirst)
    expect(orderRequests(await h.state())).toBe(1)

    // the price gaps down through the stop
    await h.setPrice(CODE, 9.7, { prevClose: 10, bids: [{ price: 9.69, volume: 1_000_000 }], asks: [{ price: 9.71, volume: 100_000 }] })
    await h.step()
    // the stop's intent exists, the take-profit was cancelled at the exchange, the stop not sent yet
    let s = await h.state()
    expect(s.requests.cancel_order_stock ?? 0).toBe(1)
    expect(orderRequests(s)).toBe(1)
    const atExchange = s.orders.find((o) => o.order_remark === tp.clientOrderId)!
    expect(atExchange.order_status).toBe(fillFirst ? 53 : 54)
    const stopIntent = await db().order.findFirstOrThrow({ where: { stockId: id, id: { not: tp.id } }, include: { triggerEvent: true } })
    expect(stopIntent.triggerEvent.kind).toBe('STOP_LOSS')
    expect(stopIntent.clientOrderId).not.toBe(tp.clientOrderId)

    for (let i = 0; i < 3; i++) await h.step()
    s = await h.state()
    expect(orderRequests(s)).toBe(2)
    expect(s.requests.cancel_order_stock ?? 0).toBe(1)
    const all = await db().order.findMany({ where: { stockId: id }, orderBy: { id: 'asc' }, include: { triggerEvent: true } })
    expect(all).toHaveLength(2)
    expect(all[0]).toMatchObject({ status: fillFirst ? 'CANCELLED' : 'CANCELLED', cancelledBy: 'superseded', filledQuantity: fillFirst })
    expect(all[1]!.triggerEvent.kind).toBe('STOP_LOSS')
    expect(all[1]).toMatchObject({ side: 'SELL', status: 'FILLED', quantity: 2_000 - fillFirst, filledQuantity: 2_000 - fillFirst })
    // never more sold than held: the exchange position is flat, not short
    expect(s.positions.find((p) => p.stock_code === CODE)?.volume ?? 0).toBe(0)
    const row = await stock(id)
    expect(row.positionQty).toBe(0)
    expect(row.state).toBe('CLOSED')
    const types = await notificationTypes(h.userId)
    expect(types.filter((t) => t === 'EXIT_SUPERSEDED')).toHaveLength(1)
    expect(types).not.toContain('EXITS_HALTED')
    expect(types).not.toContain('T1_DEFERRED')
  }, 120_000)
})
