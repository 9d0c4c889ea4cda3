// An order at the limit price keeps its place in the queue (issue 12, item 2), through the real
// paper exchange over HTTP and a real database: the exchange locks a board at limit-up / limit-down
// with a queue ahead; an entry at limit-up and a stop-loss at limit-down rest there through several
// unfilled timeouts, are sent exactly once, the trader is told once that they are queued, and they
// fill when the board opens. Exits never halt because of timeouts.
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

describe.each(providers())('locked boards on %s', (provider) => {
  it('an entry at limit-up rests through several timeouts, is sent exactly once, and fills when the board opens', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: CODE, entryLow: '10.90', entryHigh: '11.00', takeProfit: '11.50', stopLoss: '10.50' }, { unfilledTimeoutSec: 10, maxPositionPct: 5 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice(CODE, 10.6, { prevClose: 10 })
    await h.step()
    await h.control('/control/board', { code: CODE, lock: 'up', ahead: 500_000 })
    await h.step() // the entry fires at the locked limit-up and is sent
    const first = await db().order.findMany({ where: { stockId: id } })
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({ side: 'BUY', limitPriceMilli: 11_000, status: 'SUBMITTED' })

    for (let i = 0; i < 6; i++) await h.step(10) // 60 s: six timeouts of 10 s
    const resting = await db().order.findMany({ where: { stockId: id } })
    expect(resting).toHaveLength(1)
    expect(resting[0]!.status).toBe('SUBMITTED')
    expect(resting[0]!.cancelRequestedAt).toBeNull()
    expect(resting[0]!.errorMessage).toMatch(/涨停|limit-up/)
    expect(orderRequests(await h.state())).toBe(1)
    expect((await h.state()).requests.cancel_order_stock ?? 0).toBe(0)
    const types = await notificationTypes(h.userId)
    expect(types.filter((t) => t === 'ORDER_QUEUED_AT_LIMIT')).toHaveLength(1)
    expect(types).not.toContain('ORDER_UNFILLED_TIMEOUT')
    expect((await stock(id)).state).toBe('ENTRY_PENDING')

    await h.control('/control/board', { code: CODE, open: true })
    await h.step()
    const filled = await db().order.findFirstOrThrow({ where: { stockId: id } })
    expect(filled.status).toBe('FILLED')
    expect(filled.filledQuantity).toBe(filled.quantity)
    const row = await stock(id)
    expect(row.state).toBe('HOLDING')
    expect(row.positionQty).toBe(filled.quantity)
    expect(orderRequests(await h.state())).toBe(1)
  }, 120_000)

  it('a stop-loss at limit-down rests in the queue, is sent exactly once, fills when the board opens; exits never halt', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: CODE, entryLow: '10.00', entryHigh: '10.20', takeProfit: '10.80', stopLoss: '9.50' }, { unfilledTimeoutSec: 10 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice(CODE, 10.1, { prevClose: 10 })
    await holding(h, id, 2_000, 10.1)
    await h.step()
    await h.control('/control/board', { code: CODE, lock: 'down', ahead: 800_000 })
    await h.step() // the stop fires at the locked limit-down 9.00
    const sent = await db().order.findMany({ where: { stockId: id } })
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ side: 'SELL', quantity: 2_000, limitPriceMilli: 9_000, status: 'SUBMITTED' })

    for (let i = 0; i < 9; i++) await h.step(10) // 90 s: nine timeouts
    const resting = await db().order.findMany({ where: { stockId: id } })
    expect(resting).toHaveLength(1)
    expect(resting[0]!.status).toBe('SUBMITTED')
    expect(orderRequests(await h.state())).toBe(1)
    expect((await h.state()).requests.cancel_order_stock ?? 0).toBe(0)
    const types = await notificationTypes(h.userId)
    expect(types.filter((t) => t === 'ORDER_QUEUED_AT_LIMIT')).toHaveLength(1)
    expect(types).not.toContain('EXITS_HALTED')
    const row = await stock(id)
    expect(row.state).toBe('EXIT_PENDING')
    expect((row.triggerMemo as { autoExitHaltedDay?: string | null }).autoExitHaltedDay ?? null).toBeNull()

    await h.control('/control/board', { code: CODE, open: true })
    await h.step()
    const done = await db().order.findFirstOrThrow({ where: { stockId: id } })
    expect(done.status).toBe('FILLED')
    expect(done.filledQuantity).toBe(2_000)
    expect((await stock(id)).state).toBe('CLOSED')
    expect((await stock(id)).positionQty).toBe(0)
    expect(orderRequests(await h.state())).toBe(1)
  }, 120_000)
})
