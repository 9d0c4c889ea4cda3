// The trader's own cancel wins (issue 12, item 6), through the real paper exchange over HTTP and a
// real database: a stop-loss sell rests at the exchange; the trader cancels it — in DingPan (the
// orders page's cancel path) or by hand at the counter (a cancel DingPan never asked for, as in
// QMT). Automatic exits of that monitor are then paused: while the stop still holds, nothing more
// is sent, the pause is stored on the monitor and told; one click resumes them and exactly one new
// sell goes out.
import { afterEach, describe, expect, it } from 'vitest'
import { createBroker } from '@/lib/broker'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { markPositionManaged, toMilli } from '@/lib/market'
import { SimClock } from '@/lib/services/runtime/clock'
import { cancelOrderForUser } from '@/lib/services/trading/order-cancel'
import { resumeStockExits } from '@/lib/services/trading/monitor-actions'
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

/** A second client of the bridge on the exchange's clock: the web app's, or QMT's by hand. */
async function bridge(w: WorkerHarness) {
  const clock = new SimClock(w.sim.url)
  await clock.sync()
  return createBroker({ broker: 'qmt', baseUrl: w.sim.bridgeUrl, token: w.sim.token, timeoutMs: 1_500, clock: () => clock.now() })
}

describe.each(providers())('the trader\'s own cancel wins, on %s', (provider) => {
  it.each(['in DingPan', 'by hand at the counter'] as const)('a stop-loss cancelled %s pauses automatic exits until the trader resumes them', async (how) => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 600 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await holding(h, id, '600000.SH', 1_000, 9.2)
    await h.step()
    // The stop fires; its sell rests unfilled at the exchange.
    await h.control('/control/fault', { kind: 'partial_fill', shares: 0 })
    await h.setPrice('600000.SH', 8.7)
    await h.step()
    await h.step()
    const [sell] = await orders(id)
    expect(sell).toMatchObject({ side: 'SELL', status: 'SUBMITTED', filledQuantity: 0 })
    expect(orderRequests(await h.state())).toBe(1)

    if (how === 'in DingPan') {
      const r = await cancelOrderForUser(h.userId, sell!.id, () => bridge(h!))
      expect(r.bridge).toMatchObject({ outcome: 'requested' })
    } else {
      const b = await bridge(h)
      expect((await b.connect()).success).toBe(true)
      expect((await b.cancelOrder(Number(sell!.bridgeOrderId))).success).toBe(true)
      b.disconnect()
    }

    // The stop still holds for many cycles: nothing more is sent.
    for (let i = 0; i < 8; i++) await h.step(5)
    const after = await orders(id)
    expect(after).toHaveLength(1)
    expect(after[0]).toMatchObject({ status: 'CANCELLED', xtStatus: 54, cancelledBy: how === 'in DingPan' ? 'user' : null })
    expect(orderRequests(await h.state())).toBe(1)
    const paused = await stock(id)
    expect(paused.exitsPausedAt).not.toBeNull()
    expect(paused.exitsPausedWhy).toBe(how === 'in DingPan' ? 'user_cancel' : 'manual_cancel')
    expect(paused.state).toBe('HOLDING')
    expect(paused.positionQty).toBe(1_000)
    const types = await notificationTypes(h.userId)
    expect(types.filter((t) => t === 'EXITS_PAUSED')).toHaveLength(1)
    expect(types).not.toContain('EXITS_HALTED')
    // The stop still speaks, as a notice naming the pause.
    const notices = await db().notification.findMany({ where: { userId: h.userId, type: 'TRIGGER_STOP_LOSS' }, orderBy: { id: 'asc' } })
    expect(notices.length).toBeGreaterThanOrEqual(2)
    expect(notices.at(-1)!.body).toMatch(/自动卖出已暂停|automatic exits are paused/)

    // One click resumes: exactly one new sell, and it fills.
    await resumeStockExits(h.userId, id)
    for (let i = 0; i < 4; i++) await h.step(5)
    const final = await orders(id)
    expect(final).toHaveLength(2)
    expect(final[1]).toMatchObject({ side: 'SELL', status: 'FILLED', filledQuantity: 1_000 })
    expect(orderRequests(await h.state())).toBe(2)
    const s = await stock(id)
    expect(s.exitsPausedAt).toBeNull()
    expect(s.state).toBe('CLOSED')
    const audit = await db().auditLog.findMany({ where: { action: 'stock.resumeExits' } })
    expect(audit).toHaveLength(1)
  })
})
