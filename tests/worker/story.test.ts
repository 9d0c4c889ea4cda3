// The worker end to end against a real paper exchange over HTTP and a real database (SQLite, and
// PostgreSQL when enabled): the stories, each checked on the bridge's side too.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { setKillSwitch } from '@/lib/services/runtime/runtime-settings'
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { markPositionManaged, toMilli } from '@/lib/market'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, orderRequests, startWorkerHarness, TUESDAY, type WorkerHarness } from './helpers'

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

describe.each(providers())('worker stories on %s', (provider) => {
  it('full story: zone → sized buy → fill → HOLDING → T+1 deferral → take-profit next day → CLOSED, never a second entry', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' }, { maxPositionPct: 10 })
    const deep = [{ price: 9.05, volume: 1_000_000 }]

    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.step()
    expect(await orders(id)).toHaveLength(0)

    await h.setPrice('600000.SH', 9.05, { asks: deep })
    const t1 = await h.step()
    expect(t1.kind).toBe('cycle')
    await h.step() // tracking sees the fill
    const [buy] = await orders(id)
    // 10% of 1,000,000 yuan at 9.05 → 11,000 shares (whole lots, fees included).
    expect(buy).toMatchObject({ side: 'BUY', quantity: 11_000, status: 'FILLED', filledQuantity: 11_000, xtStatus: 56 })
    expect((await stock(id)).state).toBe('HOLDING')
    expect((await stock(id)).positionQty).toBe(11_000)

    // Same day above the take-profit: T+1 — nothing is sellable, so the exit is deferred, once.
    await h.setPrice('600000.SH', 9.6)
    await h.step()
    await h.step()
    await h.step()
    expect(await orders(id)).toHaveLength(1)
    expect((await notificationTypes(h.userId)).filter((t) => t === 'T1_DEFERRED')).toHaveLength(1)

    // Next session: sellable now; the same take-profit sells everything.
    await h.setClock(at(TUESDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.6, { prevClose: 9.3, bids: [{ price: 9.59, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const sells = (await orders(id)).filter((o) => o.side === 'SELL')
    expect(sells).toHaveLength(1)
    expect(sells[0]).toMatchObject({ quantity: 11_000, status: 'FILLED' })
    expect((await stock(id)).state).toBe('CLOSED')
    expect((await stock(id)).positionQty).toBe(0)

    // Back in the zone: CLOSED stays closed until the user re-arms — no second entry.
    await h.setPrice('600000.SH', 9.05, { asks: deep })
    await h.step()
    await h.step()
    expect(await orders(id)).toHaveLength(2)
    expect(orderRequests(await h.state())).toBe(2)

    expect(await notificationTypes(h.userId)).toEqual([
      'TRIGGER_ENTRY',
      'ORDER_SUBMITTED',
      'ORDER_FILLED',
      'T1_DEFERRED',
      'TRIGGER_TAKE_PROFIT',
      'ORDER_SUBMITTED',
      'ORDER_FILLED',
    ])
    const trig = await db().triggerEvent.findMany({ where: { stockId: id }, orderBy: { id: 'asc' } })
    expect(trig.map((t) => [t.kind, t.outcome])).toEqual([
      ['ENTRY', 'FILLED'],
      ['TAKE_PROFIT', 'FILLED'],
    ])
  })

  it('a gap through the zone into the stop-loss never buys; with a position it sells', async () => {
    h = await startWorkerHarness(provider)
    const watch = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' })
    const held = await h.addStock({ code: '601398.SH', entryLow: '8.20', entryHigh: '8.20', takeProfit: '8.60', stopLoss: '7.95' })
    await holding(h, held, '601398.SH', 5_000, 8.3)

    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.setPrice('601398.SH', 8.2)
    await h.step()
    await h.setPrice('600000.SH', 8.7)
    await h.setPrice('601398.SH', 7.83)
    await h.step()
    await h.step()
    expect(await orders(watch)).toHaveLength(0)
    expect((await stock(watch)).state).toBe('WATCHING')
    const sold = await orders(held)
    expect(sold).toHaveLength(1)
    expect(sold[0]).toMatchObject({ side: 'SELL', quantity: 5_000, status: 'FILLED' })
    expect((await stock(held)).state).toBe('CLOSED')
  })

  it('kill switch on: the signal is recorded and notified, no order reaches the bridge', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' })
    await setKillSwitch(true, { id: h.userId, label: 'test' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05)
    await h.step()
    await h.step()
    expect(await orders(id)).toHaveLength(0)
    expect(orderRequests(await h.state())).toBe(0)
    const trig = await db().triggerEvent.findMany({ where: { stockId: id } })
    expect(trig).toHaveLength(1)
    expect(trig[0]!.outcome).toBe('KILL_SWITCH')
    expect(await notificationTypes(h.userId)).toEqual(['TRIGGER_ENTRY', 'KILL_SWITCH_BLOCKED'])
  })

  it('废单: shown as rejected with the counter message and the user is told; the entry closes', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' })
    await h.control('/control/fault', { kind: 'reject_order', statusMsg: '[COUNTER] 可用资金不足' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05)
    await h.step()
    await h.step()
    const [o] = await orders(id)
    expect(o).toMatchObject({ status: 'REJECTED', xtStatus: 57, statusMsg: '[COUNTER] 可用资金不足', activeKey: null })
    expect((await stock(id)).state).toBe('CLOSED')
    const rejected = await db().notification.findFirstOrThrow({ where: { type: 'ORDER_REJECTED' } })
    expect(rejected.body).toContain('可用资金不足')
    expect(rejected.severity).toBe('CRITICAL')
  })

  it('timeout on submit after the order went live: UNKNOWN, never resent, adopted by its clientOrderId', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' })
    await h.control('/control/fault', { kind: 'timeout_after_execute', method: 'order_stock', delayMs: 4_000 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    // The answer never came in time: the order was marked UNKNOWN (and the user told), then found
    // in the bridge's order list under its clientOrderId — in the same or a later cycle.
    expect(await notificationTypes(h.userId)).toContain('ORDER_UNKNOWN')
    for (let i = 0; i < 4; i++) await h.step()
    const all = await orders(id)
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({ status: 'FILLED', filledQuantity: all[0]!.quantity })
    expect(all[0]!.bridgeOrderId).not.toBeNull()
    expect(orderRequests(await h.state())).toBe(1)
    expect(await notificationTypes(h.userId)).toContain('ORDER_RECONCILED')
    expect((await stock(id)).state).toBe('HOLDING')
  })

  it('timeout on submit before the order went live: proven absent after repeated lookups, failed and told, never resent', async () => {
    h = await startWorkerHarness(provider, { absentAfterMs: 500 })
    const id = await h.addStock({ code: '600000.SH' })
    await h.control('/control/fault', { kind: 'timeout_before_execute', method: 'order_stock' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05)
    await h.step()
    expect((await orders(id))[0]!.status).toBe('UNKNOWN')
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 150))
      await h.step()
    }
    const all = await orders(id)
    expect(all).toHaveLength(1)
    expect(all[0]!.status).toBe('FAILED')
    expect(all[0]!.errorMessage).toMatch(/查无此委托|no record/)
    expect((await h.state()).orders).toHaveLength(0)
    expect((await stock(id)).state).toBe('CLOSED')
    const rec = await db().notification.findFirstOrThrow({ where: { type: 'ORDER_RECONCILED' } })
    expect(rec.body).toMatch(/没有这笔委托|no such order/)
  })

  it('partial fill, then the unfilled timeout cancels the rest (部撤) and the monitor holds what filled', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 30, maxReprices: 0 })
    await h.control('/control/fault', { kind: 'partial_fill', shares: 1_000 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05)
    await h.step()
    // The price moves away: the resting remainder cannot fill.
    await h.setPrice('600000.SH', 9.2)
    await h.step()
    expect((await orders(id))[0]).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 1_000 })
    expect(await notificationTypes(h.userId)).toContain('ORDER_PARTIALLY_FILLED')
    await h.step(40) // past the 30 s timeout → cancel requested
    await h.step()
    const [o] = await orders(id)
    expect(o).toMatchObject({ status: 'CANCELLED', xtStatus: 53, filledQuantity: 1_000, cancelledBy: 'timeout' })
    expect(await notificationTypes(h.userId)).toEqual(expect.arrayContaining(['ORDER_UNFILLED_TIMEOUT', 'ORDER_CANCELLED']))
    const s = await stock(id)
    expect(s.state).toBe('HOLDING')
    expect(s.positionQty).toBe(1_000)
  })

  it('notify-only monitor: the signal notifies without an order', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' }, { autoTrade: false })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05)
    await h.step()
    await h.step()
    expect(await orders(id)).toHaveLength(0)
    expect(orderRequests(await h.state())).toBe(0)
    const n = await db().notification.findFirstOrThrow({ where: { type: 'TRIGGER_ENTRY' } })
    expect(n.body).toMatch(/仅通知|Notify only/)
    expect((await db().triggerEvent.findFirstOrThrow({ where: { stockId: id } })).outcome).toBe('NOTIFIED')
  })

  it('stale quotes fire nothing and raise one stale-data notice', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' })
    await h.setClock(at(MONDAY, '09:31:00'))
    await h.setPrice('600000.SH', 9.05)
    // The exchange serves its 09:31:00 quote; this worker's market clock reads 09:32:00: 60 s old.
    const ahead = h.newWorker('w-ahead', { clock: { mode: 'sim', now: () => new Date(at(MONDAY, '09:32:00')), sync: async () => {}, wallMsUntil: () => 1_000 } })
    await ahead.tick()
    await ahead.tick()
    expect(await orders(id)).toHaveLength(0)
    expect(await db().triggerEvent.count({ where: { stockId: id } })).toBe(0)
    expect(await notificationTypes(h.userId)).toEqual(['QUOTES_STALE'])
  })
})

describe('kill switch after the intent', () => {
  it('an intent committed before the kill switch, still unsent (bridge down), is dropped and never sent', async () => {
    const w = await startWorkerHarness('sqlite')
    try {
      const id = await w.addStock({ code: '600000.SH' })
      await w.setClock(at(MONDAY, '09:30:00'))
      await w.setPrice('600000.SH', 9.3)
      await w.step() // connected; account known
      await w.control('/control/fault', { kind: 'refuse', seconds: 3 })
      await w.setPrice('600000.SH', 9.05)
      await w.step()
      expect((await orders(id)).map((o) => o.status)).toEqual(['PENDING'])
      await setKillSwitch(true, { id: w.userId, label: 'test' })
      await new Promise((r) => setTimeout(r, 3_500)) // the bridge is back
      await w.step()
      await w.step()
      const [o] = await orders(id)
      expect(o!.status).toBe('FAILED')
      expect(o!.errorMessage).toMatch(/总开关|kill switch/)
      expect(orderRequests(await w.state())).toBe(0)
      expect((await stock(id)).state).toBe('CLOSED')
    } finally {
      await w.close()
    }
  })
})
