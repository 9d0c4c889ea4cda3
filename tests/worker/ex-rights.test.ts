// Ex-rights days (除权除息, issue 12 item 8), through the real paper exchange over HTTP and a real
// database: a held stock with a stop-loss below Monday's prices. Monday's close is stored after the
// close; the exchange then makes Tuesday an ex-rights day (cash dividend and bonus shares), so
// Tuesday's reference price — and the open — sit below the stop. Without detection the stop fires
// at 09:30 on a mechanical drop. With it: nothing is sent, the trader is told the factor and the
// proposed levels, and the monitor waits; after "accept" the scaled levels are in force (and the
// managed quantity follows the bonus shares), after "dismiss" the old ones are.
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { adjustLevelMilli, formatFactorPpm, markPositionManaged, shanghaiDate, toMilli } from '@/lib/market'
import { decideExRightsAdjustment } from '@/lib/services/trading/ex-rights'
import { providers } from '../helpers/db'
import { at, MONDAY, TUESDAY, notificationTypes, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const db = () => getDb()
const stock = (id: number) => db().monitoredStock.findUniqueOrThrow({ where: { id } })
const CODE = '601398.SH' // 工商银行 in the paper exchange: previous close 8.20, 1 % daily volatility

async function heldMonitor(w: WorkerHarness, volume: number) {
  const id = await w.addStock({ code: CODE, entryLow: '8.00', entryHigh: '8.10', takeProfit: '8.80', stopLoss: '7.95' })
  await w.control('/control/holding', { code: CODE, volume, avgPrice: 8.1 })
  const row = await stock(id)
  const next = markPositionManaged({ state: row.state, episode: row.episode, highestSinceEntry: null, memo: row.triggerMemo as never }, { avgPrice: 8.1 })
  if ('ok' in next) throw new Error(next.message)
  await writeTx(db(), (tx) =>
    writeMachineState(tx, id, { state: next.state, episode: next.episode, highestSinceEntryMilli: toMilli(8.1), triggerMemo: next.memo, stateChanged: true }, { positionQty: volume, positionCostMilli: toMilli(8.1), version: { increment: 1 } }),
  )
  return id
}

/** Monday afternoon trading, then the post-close job (stores the close); Tuesday made an ex-rights day. */
async function mondayThenExDay(w: WorkerHarness, ex: { cash?: number; bonus?: number }) {
  const id = await heldMonitor(w, 5_000)
  await w.setClock(at(MONDAY, '14:50:00'))
  for (let i = 0; i < 2; i++) await w.step()
  expect(orderRequests(await w.state())).toBe(0) // Monday's prices are far above the stop
  await w.setClock(at(MONDAY, '15:06:00'))
  await w.worker.tick() // post-close: the closing quote is stored
  const snap = await db().quoteSnapshot.findUniqueOrThrow({ where: { code: CODE } })
  expect(shanghaiDate(snap.quoteTime)).toBe(MONDAY)
  const closeMilli = snap.lastMilli
  const r = (await w.control('/control/ex-rights', { code: CODE, ...ex })) as { day: string }
  expect(r.day).toBe(TUESDAY)
  await w.setClock(at(TUESDAY, '09:30:00'))
  return { id, closeMilli }
}

async function tuesdayOpen(w: WorkerHarness) {
  const q = (await w.control(`/control/quote?code=${CODE}`)) as { prevClose: number; last: number; open: number }
  return q
}

describe.each(providers())('ex-rights day on %s', (provider) => {
  it('the stop above the ex-rights open does not fire; the trader is told the factor; after accept the scaled levels and the bonus shares are in force', async () => {
    h = await startWorkerHarness(provider, { start: at(MONDAY, '14:50:00') })
    const { id, closeMilli } = await mondayThenExDay(h, { cash: 0.2, bonus: 0.1 })
    const q = await tuesdayOpen(h)
    const refMilli = toMilli(q.prevClose)
    expect(refMilli).toBeLessThan(closeMilli - 500)
    expect(q.last).toBeLessThan(7.95) // the old stop would fire on the open

    for (let i = 0; i < 4; i++) await h.step()
    expect(orderRequests(await h.state())).toBe(0)
    expect(await db().order.count()).toBe(0)
    expect(await db().triggerEvent.count({ where: { stockId: id } })).toBe(0)

    const adj = await db().exRightsAdjustment.findFirstOrThrow({ where: { stockId: id } })
    const expectedStop = adjustLevelMilli(CODE, 7_950, refMilli, closeMilli)
    expect(adj).toMatchObject({ status: 'PENDING', day: TUESDAY, source: 'prev_close', storedCloseMilli: closeMilli, referenceMilli: refMilli, oldStopLossMilli: 7_950, newStopLossMilli: expectedStop, positionQtyBefore: 5_000 })
    expect(adj.factorPpm).toBe(Math.round((refMilli * 1_000_000) / closeMilli))
    expect(expectedStop).toBeLessThan(toMilli(q.last)) // the scaled stop is below today's price
    const note = await db().notification.findFirstOrThrow({ where: { userId: h.userId, type: 'EX_RIGHTS_DETECTED' } })
    const factor = formatFactorPpm(adj.factorPpm)
    expect(note.body).toContain(factor)
    expect(note.body).toContain(`7.95 → ${(expectedStop / 1000).toFixed(2)}`)
    expect((await notificationTypes(h.userId)).filter((t) => t === 'EX_RIGHTS_DETECTED')).toHaveLength(1)
    // the bonus shares are at the broker; the position snapshot was re-read
    expect((await h.state()).positions.find((p) => p.stock_code === CODE)?.volume).toBe(5_500)
    expect((await db().positionSnapshot.findUniqueOrThrow({ where: { brokerAccountId_code: { brokerAccountId: await defaultBrokerAccountId(), code: CODE } } })).volume).toBe(5_500)

    await decideExRightsAdjustment(h.userId, id, adj.id, 'accept')
    const row = await stock(id)
    expect(row).toMatchObject({ stopLossMilli: expectedStop, takeProfitMilli: adj.newTakeProfitMilli, entryLowMilli: adj.newEntryLowMilli, entryHighMilli: adj.newEntryHighMilli, positionQty: 5_500 })
    expect((await db().exRightsAdjustment.findUniqueOrThrow({ where: { id: adj.id } })).status).toBe('ACCEPTED')
    await expect(decideExRightsAdjustment(h.userId, id, adj.id, 'dismiss')).rejects.toThrow()

    // auto-trade resumed on the scaled levels: a price between the new and the old stop sends nothing…
    for (let i = 0; i < 2; i++) await h.step()
    expect(orderRequests(await h.state())).toBe(0)
    // …a price through the scaled stop sells the whole managed position, bonus shares included
    const below = (expectedStop - 50) / 1000
    await h.setPrice(CODE, below, { prevClose: refMilli / 1000, bids: [{ price: below - 0.01, volume: 1_000_000 }], asks: [{ price: below, volume: 100_000 }] })
    for (let i = 0; i < 3; i++) await h.step()
    const orders = await db().order.findMany({ where: { stockId: id }, include: { triggerEvent: true } })
    expect(orders).toHaveLength(1)
    expect(orders[0]!.triggerEvent.kind).toBe('STOP_LOSS')
    expect(orders[0]).toMatchObject({ side: 'SELL', quantity: 5_500 })
    expect(orderRequests(await h.state())).toBe(1)
  })

  it('dismiss keeps the levels and resumes: the old stop is in force again', async () => {
    h = await startWorkerHarness(provider, { start: at(MONDAY, '14:50:00') })
    const { id } = await mondayThenExDay(h, { cash: 0.8 })
    await h.step()
    await h.step()
    expect(orderRequests(await h.state())).toBe(0)
    const adj = await db().exRightsAdjustment.findFirstOrThrow({ where: { stockId: id } })
    expect(adj.status).toBe('PENDING')
    await decideExRightsAdjustment(h.userId, id, adj.id, 'dismiss')
    expect(await stock(id)).toMatchObject({ stopLossMilli: 7_950, positionQty: 5_000 })
    for (let i = 0; i < 3; i++) await h.step()
    const orders = await db().order.findMany({ where: { stockId: id }, include: { triggerEvent: true } })
    expect(orders).toHaveLength(1)
    expect(orders[0]!.triggerEvent.kind).toBe('STOP_LOSS')
    // detected once per day: no second record, no second notification
    expect(await db().exRightsAdjustment.count({ where: { stockId: id } })).toBe(1)
    expect((await notificationTypes(h.userId)).filter((t) => t === 'EX_RIGHTS_DETECTED')).toHaveLength(1)
  })

  it('an ordinary day (no ex-rights) holds nothing', async () => {
    h = await startWorkerHarness(provider, { start: at(MONDAY, '14:50:00') })
    const id = await heldMonitor(h, 5_000)
    await h.setClock(at(MONDAY, '14:50:00'))
    await h.step()
    await h.setClock(at(MONDAY, '15:06:00'))
    await h.worker.tick()
    await h.setClock(at(TUESDAY, '09:30:00'))
    for (let i = 0; i < 2; i++) await h.step()
    expect(await db().exRightsAdjustment.count({ where: { stockId: id } })).toBe(0)
    expect(await notificationTypes(h.userId)).not.toContain('EX_RIGHTS_DETECTED')
  })
})
