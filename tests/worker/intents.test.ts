// Order intents that wait (bridge down) are checked again at the moment they are sent, through the
// real paper exchange over HTTP and a real database: the kill switch and the stock's flags are read
// inside the claim transaction, an intent from an earlier session is withdrawn (never sent into the
// next day), a sell goes out at a price from a fresh quote of the current session, and kill-switch
// refusals leave the daily retry budget alone.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { setAutoTrade } from '@/lib/db/stocks'
import { markPositionManaged, normalizeMemo, toMilli } from '@/lib/market'
import { SimClock, type MarketClock } from '@/lib/services/runtime/clock'
import { setKillSwitch } from '@/lib/services/runtime/runtime-settings'
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The harness's simulated clock, plus a hook run at the start of each tick (after the worker read
 * its settings: what happens there lands between that read and the cycle's transactions) and an
 * offset that makes the worker's market time run ahead of the exchange (its quotes look old).
 */
interface HookedClock {
  hook: null | (() => Promise<void>)
  aheadMs: number
  clock: MarketClock
}

function hookedClock(url: string): HookedClock {
  const inner = new SimClock(url)
  const c: HookedClock = {
    hook: null,
    aheadMs: 0,
    clock: {
      mode: 'sim',
      now: (): Date => new Date(inner.now().getTime() + c.aheadMs),
      sync: async (): Promise<void> => {
        await inner.sync()
        const hook = c.hook
        c.hook = null
        await hook?.()
      },
      wallMsUntil: (d: Date): number => inner.wallMsUntil(d),
    },
  }
  return c
}

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

/** The bridge refuses connections for a second: the signals of the next step stay queued intents. */
async function queueWhileBridgeDown(w: WorkerHarness, move: () => Promise<void>, worker = w.worker) {
  await w.control('/control/fault', { kind: 'refuse', seconds: 1 })
  await move()
  await w.step(3, worker)
  await sleep(1_500) // the bridge listens again
}

describe.each(providers())('intents re-checked when sent, on %s', (provider) => {
  it('the kill switch switched on after the tick read its settings stops the signal in its own transaction', async () => {
    h = await startWorkerHarness(provider)
    const c = hookedClock(h.sim.url)
    const w = h.newWorker('w-hook', { clock: c.clock })
    const id = await h.addStock({ code: '600000.SH' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.step(3, w)
    await h.setPrice('600000.SH', 9.05)
    c.hook = () => setKillSwitch(true, { id: h!.userId, label: 'test' }).then(() => undefined)
    await h.step(3, w)
    await h.step(3, w)
    expect(await orders(id)).toHaveLength(0)
    expect(orderRequests(await h.state())).toBe(0)
    const [trig] = await db().triggerEvent.findMany({ where: { stockId: id } })
    expect(trig!.outcome).toBe('KILL_SWITCH')
    expect(await notificationTypes(h.userId)).toEqual(['TRIGGER_ENTRY', 'KILL_SWITCH_BLOCKED'])
  })

  it('the kill switch switched on while an intent waited is read in the claim transaction: withdrawn, never sent', async () => {
    h = await startWorkerHarness(provider)
    const c = hookedClock(h.sim.url)
    const w = h.newWorker('w-hook', { clock: c.clock })
    const id = await h.addStock({ code: '600000.SH' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.step(3, w)
    await queueWhileBridgeDown(h, () => h!.setPrice('600000.SH', 9.05), w)
    expect((await orders(id)).map((o) => o.status)).toEqual(['PENDING'])
    // Switched on after this tick read the settings (which still say "off").
    c.hook = () => setKillSwitch(true, { id: h!.userId, label: 'test' }).then(() => undefined)
    await h.step(3, w)
    await h.step(3, w)
    const [o] = await orders(id)
    expect(o).toMatchObject({ status: 'FAILED' })
    expect(o!.errorMessage).toMatch(/总开关|kill switch/)
    expect(orderRequests(await h.state())).toBe(0)
    expect(await notificationTypes(h.userId)).toContain('ORDER_WITHDRAWN')
    expect((await db().triggerEvent.findFirstOrThrow({ where: { stockId: id } })).outcome).toBe('KILL_SWITCH')
  })

  it('auto-trade off, paused or archived while the intent waited: withdrawn with the reason, nothing sent', async () => {
    h = await startWorkerHarness(provider)
    const off = await h.addStock({ code: '600000.SH' })
    const paused = await h.addStock({ code: '601398.SH', entryLow: '8.00', entryHigh: '8.10', takeProfit: '8.60', stopLoss: '7.80' })
    const gone = await h.addStock({ code: '000001.SZ', entryLow: '11.00', entryHigh: '11.10', takeProfit: '11.80', stopLoss: '10.50' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.setPrice('601398.SH', 8.3)
    await h.setPrice('000001.SZ', 11.4)
    await h.step()
    await queueWhileBridgeDown(h, async () => {
      await h!.setPrice('600000.SH', 9.05)
      await h!.setPrice('601398.SH', 8.05)
      await h!.setPrice('000001.SZ', 11.05)
    })
    for (const id of [off, paused, gone]) expect((await orders(id)).map((o) => o.status)).toEqual(['PENDING'])

    await setAutoTrade(h.userId, off, false)
    await db().monitoredStock.update({ where: { id: paused }, data: { enabled: false, version: { increment: 1 } } })
    await db().monitoredStock.update({ where: { id: gone }, data: { archivedAt: new Date(), activeKey: null, version: { increment: 1 } } })
    await h.step()
    await h.step()

    expect(orderRequests(await h.state())).toBe(0)
    const reasons = await Promise.all([off, paused, gone].map(async (id) => (await orders(id))[0]!))
    expect(reasons.map((o) => o.status)).toEqual(['FAILED', 'FAILED', 'FAILED'])
    expect(reasons[0]!.errorMessage).toMatch(/自动交易|auto-trade/)
    expect(reasons[1]!.errorMessage).toMatch(/暂停|paused/)
    expect(reasons[2]!.errorMessage).toMatch(/删除|archived/)
    const withdrawn = await db().notification.findMany({ where: { type: 'ORDER_WITHDRAWN' } })
    expect(withdrawn.map((n) => n.stockId).sort()).toEqual([off, paused, gone].sort())
  })

  it('a sell intent from the previous session is withdrawn, not sent into the next day; today the stop-loss sells at today\'s price', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '601398.SH', entryLow: '8.20', entryHigh: '8.20', takeProfit: '8.60', stopLoss: '7.95' })
    await holding(h, id, '601398.SH', 5_000, 8.3)
    await h.setClock(at(MONDAY, '14:50:00'))
    await h.setPrice('601398.SH', 8.2, { prevClose: 8.25 })
    await h.step()
    await queueWhileBridgeDown(h, () => h!.setPrice('601398.SH', 7.9, { prevClose: 8.25, bids: [{ price: 7.9, volume: 1_000_000 }] }))
    const [monday] = await orders(id)
    expect(monday).toMatchObject({ side: 'SELL', status: 'PENDING' })

    // The bridge comes back the next morning.
    await h.setClock(at(TUESDAY, '09:30:00'))
    await h.setPrice('601398.SH', 7.7, { prevClose: 7.9, bids: [{ price: 7.7, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const all = await orders(id)
    expect(all[0]).toMatchObject({ id: monday!.id, status: 'FAILED' })
    expect(all[0]!.errorMessage).toMatch(/2026-11-23/)
    expect(await notificationTypes(h.userId)).toContain('ORDER_WITHDRAWN')
    // Monday's intent never reached the bridge; Tuesday's stop-loss did, priced from Tuesday's bid.
    const sim = await h.state()
    expect(orderRequests(sim)).toBe(1)
    expect(sim.orders.map((o) => o.order_remark)).toEqual([all[1]!.clientOrderId])
    expect(all[1]).toMatchObject({ side: 'SELL', quantity: 5_000 })
    expect(all[1]!.limitPriceMilli).toBeLessThanOrEqual(7_700)
    // Withdrawing yesterday's intent used none of today's retry budget.
    expect(normalizeMemo((await stock(id)).triggerMemo).autoRearms).toBeNull()
  })

  it('a waiting sell is priced from a fresh quote of this session, and held while quotes are stale', async () => {
    h = await startWorkerHarness(provider)
    const c = hookedClock(h.sim.url)
    const w = h.newWorker('w-hook', { clock: c.clock })
    const id = await h.addStock({ code: '601398.SH', entryLow: '8.20', entryHigh: '8.20', takeProfit: '8.60', stopLoss: '7.95' })
    await holding(h, id, '601398.SH', 5_000, 8.3)
    await h.setClock(at(MONDAY, '10:00:00'))
    await h.setPrice('601398.SH', 8.2, { prevClose: 8.25 })
    await h.step(3, w)
    await queueWhileBridgeDown(h, () => h!.setPrice('601398.SH', 7.9, { prevClose: 8.25, bids: [{ price: 7.9, volume: 1_000_000 }] }), w)
    const [queued] = await orders(id)
    expect(queued).toMatchObject({ side: 'SELL', status: 'PENDING' })
    const queuedPrice = queued!.limitPriceMilli!

    // The worker's quotes are a minute old: nothing is priced or sent from them.
    c.aheadMs = 60_000
    await h.setPrice('601398.SH', 7.6, { prevClose: 8.25, bids: [{ price: 7.6, volume: 1_000_000 }] })
    await h.step(3, w)
    expect((await orders(id)).map((o) => o.status)).toEqual(['PENDING'])
    expect(orderRequests(await h.state())).toBe(0)

    // Fresh quotes again: the sell goes out at a price from the current bid (7.60), not at the
    // price of the quote it was queued on (bid 7.90) where it would rest unfilled below the market.
    c.aheadMs = 0
    await h.step(3, w)
    await h.step(3, w)
    const [sent] = await orders(id)
    expect(sent!.limitPriceMilli).toBeLessThan(queuedPrice)
    expect(sent!.limitPriceMilli).toBeLessThanOrEqual(7_600)
    expect(sent).toMatchObject({ status: 'FILLED', filledQuantity: 5_000 })
    expect(orderRequests(await h.state())).toBe(1)
  })

  it('the re-price after an unfilled timeout asks the stock\'s auto-trade flag as it is now: switched off, no new order', async () => {
    h = await startWorkerHarness(provider)
    // A limit at the trigger price below the best ask rests unfilled.
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 10, maxReprices: 2, entryPriceMode: 'TRIGGER_PRICE' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.07, volume: 1_000_000 }] })
    await h.step()
    expect((await orders(id)).map((o) => o.status)).toEqual(['SUBMITTED'])
    await setAutoTrade(h.userId, id, false)
    await h.step(20) // past the unfilled timeout: cancel requested
    await h.step()
    await h.step()
    const all = await orders(id)
    expect(all.map((o) => o.status)).toEqual(['CANCELLED'])
    expect(orderRequests(await h.state())).toBe(1)
    expect(await notificationTypes(h.userId)).not.toContain('ORDER_REPRICED')
  })

  it('a stop-loss refused by the kill switch keeps the daily retry budget and sells once trading is back on', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '601398.SH', entryLow: '8.20', entryHigh: '8.20', takeProfit: '8.60', stopLoss: '7.95' })
    await holding(h, id, '601398.SH', 5_000, 8.3)
    await setKillSwitch(true, { id: h.userId, label: 'test' })
    await h.setClock(at(MONDAY, '10:00:00'))
    await h.setPrice('601398.SH', 8.2, { prevClose: 8.25 })
    await h.step()
    await h.setPrice('601398.SH', 7.9, { prevClose: 8.25, bids: [{ price: 7.9, volume: 1_000_000 }] })
    // Many cycles below the stop with trading switched off.
    for (let i = 0; i < 6; i++) await h.step()
    expect(await orders(id)).toHaveLength(0)
    const blocked = await stock(id)
    expect(blocked.state).toBe('HOLDING')
    const memo = normalizeMemo(blocked.triggerMemo)
    expect(memo.autoRearms).toBeNull()
    expect(memo.autoExitHaltedDay).toBeNull()
    // Told once, not every cycle.
    expect((await notificationTypes(h.userId)).filter((t) => t === 'KILL_SWITCH_BLOCKED')).toHaveLength(1)

    await setKillSwitch(false, { id: h.userId, label: 'test' })
    await h.step()
    await h.step()
    const sold = await orders(id)
    expect(sold).toHaveLength(1)
    expect(sold[0]).toMatchObject({ side: 'SELL', quantity: 5_000, status: 'FILLED' })
    expect(orderRequests(await h.state())).toBe(1)
    expect((await stock(id)).state).toBe('CLOSED')
  })

  it('a stop-loss intent withdrawn by the kill switch fires again once trading is back on (the worker reloads the monitor it moved)', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '601398.SH', entryLow: '8.20', entryHigh: '8.20', takeProfit: '8.60', stopLoss: '7.95' })
    await holding(h, id, '601398.SH', 5_000, 8.3)
    await h.setClock(at(MONDAY, '10:00:00'))
    await h.setPrice('601398.SH', 8.2, { prevClose: 8.25 })
    await h.step()
    // The stop fires while the bridge refuses connections: a queued sell intent.
    await queueWhileBridgeDown(h, () => h!.setPrice('601398.SH', 7.9, { prevClose: 8.25, bids: [{ price: 7.9, volume: 1_000_000 }] }))
    expect((await orders(id)).map((o) => o.status)).toEqual(['PENDING'])
    await setKillSwitch(true, { id: h.userId, label: 'test' })
    await h.step()
    expect((await orders(id)).map((o) => o.status)).toEqual(['FAILED'])
    expect((await stock(id)).state).toBe('HOLDING')
    expect(orderRequests(await h.state())).toBe(0)

    await setKillSwitch(false, { id: h.userId, label: 'test' })
    for (let i = 0; i < 3; i++) await h.step()
    const all = await orders(id)
    expect(all.map((o) => `${o.side} ${o.status}`)).toEqual(['SELL FAILED', 'SELL FILLED'])
    expect(all[1]).toMatchObject({ quantity: 5_000 })
    expect(orderRequests(await h.state())).toBe(1)
    expect((await stock(id)).state).toBe('CLOSED')
  })
})
