// DingPan sells only what it manages (issue 12, item 7), through the real paper exchange over HTTP
// and a real database: the trader sells part of the position by hand at the counter (an order
// without DingPan's strategy and remark); the worker's next account read brings the managed
// quantity down to what is held and tells the trader. When the trader later holds more shares again
// (a manual re-buy), DingPan's stop sells only the shares it still manages.
import { afterEach, describe, expect, it } from 'vitest'
import { QkaClient } from '@/lib/broker/qka-client'
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
const orders = (stockId: number) => db().order.findMany({ where: { stockId }, orderBy: { id: 'asc' } })

/** Makes the monitor manage `volume` shares the paper account holds already (sellable today). */
async function holding(w: WorkerHarness, id: number, code: string, volume: number, avgPrice: number) {
  await w.control('/control/holding', { code, volume, avgPrice })
  const row = await stock(id)
  const next = markPositionManaged({ state: row.state, episode: row.episode, highestSinceEntry: null, memo: row.triggerMemo as never }, { avgPrice })
  if ('ok' in next) throw new Error(next.message)
  await writeTx(db(), (tx) =>
    writeMachineState(tx, id, { state: next.state, episode: next.episode, highestSinceEntryMilli: toMilli(avgPrice), triggerMemo: next.memo, stateChanged: true }, { positionQty: volume, positionCostMilli: toMilli(avgPrice), version: { increment: 1 } }),
  )
}

const held = async (w: WorkerHarness, code: string) => (await w.state()).positions.find((p) => p.stock_code === code)?.volume ?? 0

describe.each(providers())('DingPan sells only what it manages, on %s', (provider) => {
  it('a manual sell at the counter reconciles the managed quantity down; the stop then sells only the managed shares', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 600 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await holding(h, id, '600000.SH', 1_000, 9.2)
    await h.step()

    // By hand in QMT: sell 400 (no DingPan strategy or remark), at a price that trades at once.
    const qmt = new QkaClient({ baseUrl: h.sim.bridgeUrl, token: h.sim.token })
    const manual = await qmt.orderStock({ stock_code: '600000.SH', order_type: 24, order_volume: 400, price_type: 11, price: 9.2, strategy_name: 'by-hand', order_remark: 'by-hand' })
    expect(manual).toBeGreaterThan(0)
    await h.step()
    expect(await held(h, '600000.SH')).toBe(600)
    await h.step()

    const s = await stock(id)
    expect(s.positionQty).toBe(600)
    expect(s.state).toBe('HOLDING')
    expect((await notificationTypes(h.userId)).filter((t) => t === 'POSITION_RECONCILED')).toHaveLength(1)
    const note = await db().notification.findFirstOrThrow({ where: { type: 'POSITION_RECONCILED' } })
    expect(note.body).toMatch(/600/)
    expect(note.body).toMatch(/1000|1,000/)
    expect(await orders(id)).toHaveLength(0)

    // Later the trader buys 400 back (a manual re-buy, settled: 1,000 held): DingPan still manages 600.
    await h.control('/control/holding', { code: '600000.SH', volume: 400, avgPrice: 9.25 })
    for (let i = 0; i < 2; i++) await h.step()
    expect(await held(h, '600000.SH')).toBe(1_000)
    expect((await stock(id)).positionQty).toBe(600)

    // The stop fires: it sells the 600 DingPan manages, not the trader's 400.
    await h.setPrice('600000.SH', 8.7)
    for (let i = 0; i < 4; i++) await h.step()
    const sells = await orders(id)
    expect(sells).toHaveLength(1)
    expect(sells[0]).toMatchObject({ side: 'SELL', quantity: 600, status: 'FILLED', filledQuantity: 600 })
    expect(orderRequests(await h.state())).toBe(2) // the manual sell and DingPan's one
    expect(await held(h, '600000.SH')).toBe(400)
    const after = await stock(id)
    expect(after.positionQty).toBe(0)
    expect(after.state).toBe('CLOSED')
  })
})
