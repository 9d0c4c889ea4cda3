// The condition matrix (issue 12, Proof): one row per market or bridge condition, each staged through
// the real paper exchange over HTTP and a real database with the worker harness of tests/worker (one
// fresh exchange and database per row). Each row's final order states, order_stock requests and
// notifications are asserted, and the matrix is printed as a table (console and
// test-results/chaos/matrix.json).
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { getDb } from '@/lib/db/client'
import type { MonitorWorker } from '@/lib/services/trading/worker'
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { setAutoTrade } from '@/lib/db/stocks'
import { markPositionManaged, toMilli } from '@/lib/market'
import { setKillSwitch } from '@/lib/services/runtime/runtime-settings'
import { parseEnv } from '@/lib/env'
import { brokerFormSchema } from '@/lib/schemas/settings'
import { saveBroker } from '@/lib/services/runtime/settings-admin'
import { closedPortUrl } from '../broker/helpers'
import { QkaClient } from '@/lib/broker/qka-client'
import { at, MONDAY, notificationTypes, orderRequests, startWorkerHarness, TUESDAY, type WorkerHarness } from '../worker/helpers'
import { abandonedLive, writeFigures } from './report'

const PROVIDER = 'sqlite' as const
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const db = () => getDb()

interface Row {
  condition: string
  orders: string
  orderStock: number
  notifications: string
  abandonedLive: number
}
const rows: Row[] = []

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

afterAll(() => {
  if (rows.length === 0) return
  const w = { c: Math.max(9, ...rows.map((r) => r.condition.length)), o: Math.max(6, ...rows.map((r) => r.orders.length)) }
  const line = (c: string, o: string, n: string, a: string, t: string) => `| ${c.padEnd(w.c)} | ${o.padEnd(w.o)} | ${n.padStart(11)} | ${a.padStart(13)} | ${t}`
  process.stdout.write(['', line('condition', 'orders', 'order_stock', 'abandonedLive', 'notifications'), ...rows.map((r) => line(r.condition, r.orders, String(r.orderStock), String(r.abandonedLive), r.notifications)), ''].join('\n') + '\n')
  writeFigures('matrix', { provider: PROVIDER, rows })
})

async function record(condition: string, w: WorkerHarness): Promise<{ statuses: string[]; types: string[]; orderStock: number }> {
  const s = await w.state()
  const orders = await db().order.findMany({ orderBy: { id: 'asc' } })
  const types = await notificationTypes(w.userId)
  const abandoned = abandonedLive(orders, s.orders as never)
  const statuses = orders.map((o) => o.status)
  rows.push({ condition, orders: statuses.join(' → ') || '(none)', orderStock: orderRequests(s), notifications: [...new Set(types)].join(', '), abandonedLive: abandoned.length })
  expect(abandoned).toEqual([])
  return { statuses, types, orderStock: orderRequests(s) }
}

/** Makes the monitor manage `volume` shares the paper account holds already (sellable today). */
async function holding(w: WorkerHarness, id: number, code: string, volume: number, avgPrice: number) {
  await w.control('/control/holding', { code, volume, avgPrice })
  const row = await db().monitoredStock.findUniqueOrThrow({ where: { id } })
  const next = markPositionManaged({ state: row.state, episode: row.episode, highestSinceEntry: null, memo: row.triggerMemo as never }, { avgPrice })
  if ('ok' in next) throw new Error(next.message)
  await writeTx(db(), (tx) =>
    writeMachineState(tx, id, { state: next.state, episode: next.episode, highestSinceEntryMilli: toMilli(avgPrice), triggerMemo: next.memo, stateChanged: true }, { positionQty: volume, positionCostMilli: toMilli(avgPrice), version: { increment: 1 } }),
  )
}

/** The bridge refuses connections for a second: the signals of the next step stay queued intents. */
async function queueWhileBridgeDown(w: WorkerHarness, move: () => Promise<void>) {
  await w.setPrice('600000.SH', 9.3) // outside the zone: a first cycle reads the account and quotes
  await w.step()
  await w.control('/control/fault', { kind: 'refuse', seconds: 1 })
  await move()
  await w.step()
  await sleep(1_500) // the bridge listens again
}

/** One tick of `w` as a host whose wall clock is off by `skewMs` (only Date is faked; the database keeps its own clock). */
async function tickSkewed(w: WorkerHarness, worker: MonitorWorker, skewMs: number) {
  const real = Date.now()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(real + skewMs)
  try {
    return await w.step(3, worker)
  } finally {
    vi.useRealTimers()
  }
}

describe('condition matrix (paper exchange, SQLite)', () => {
  it('blind bridge: orders working while the bridge answers {} for 60 s are never failed, and fill after', async () => {
    h = await startWorkerHarness(PROVIDER)
    await h.addStock({ code: '600000.SH' }, { entryPriceMode: 'TRIGGER_PRICE', unfilledTimeoutSec: 600 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.2, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    expect((await db().order.findFirstOrThrow()).status).toBe('SUBMITTED')
    await h.control('/control/fault', { kind: 'logged_out', marketSeconds: 60 })
    for (let i = 0; i < 6; i++) await h.step(12)
    expect(await db().order.count({ where: { status: 'FAILED' } })).toBe(0)
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    for (let i = 0; i < 3; i++) await h.step()
    const r = await record('blind bridge (logged out 60 s)', h)
    expect(r.statuses).toEqual(['FILLED'])
    expect(r.orderStock).toBe(1)
    expect(r.types).toContain('BRIDGE_BLIND')
    expect(r.types).toContain('ORDER_FILLED')
  }, 120_000)

  it('bridge down when the entry fires: the intent waits, is sent once when the bridge is back, fills', async () => {
    h = await startWorkerHarness(PROVIDER)
    await h.addStock({ code: '600000.SH' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await queueWhileBridgeDown(h, () => h!.setPrice('600000.SH', 9.05))
    expect((await db().order.findFirstOrThrow()).status).toBe('PENDING')
    for (let i = 0; i < 3; i++) await h.step()
    const r = await record('bridge down at the signal', h)
    expect(r.statuses).toEqual(['FILLED'])
    expect(r.orderStock).toBe(1)
    expect(r.types).toContain('ORDER_FILLED')
    expect(r.types).not.toContain('ORDER_FAILED')
  }, 120_000)

  it('locked board: an entry at limit-up rests through six timeouts, sent once, fills when the board opens', async () => {
    h = await startWorkerHarness(PROVIDER)
    const CODE = '600000.SH'
    await h.addStock({ code: CODE, entryLow: '10.90', entryHigh: '11.00', takeProfit: '11.50', stopLoss: '10.50' }, { unfilledTimeoutSec: 10, maxPositionPct: 5 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice(CODE, 10.6, { prevClose: 10 })
    await h.step()
    await h.control('/control/board', { code: CODE, lock: 'up', ahead: 500_000 })
    await h.step()
    for (let i = 0; i < 6; i++) await h.step(10)
    expect((await db().order.findFirstOrThrow()).status).toBe('SUBMITTED')
    await h.control('/control/board', { code: CODE, open: true })
    await h.step()
    const r = await record('locked board (涨停, 6 timeouts)', h)
    expect(r.statuses).toEqual(['FILLED'])
    expect(r.orderStock).toBe(1)
    expect(r.types.filter((t) => t === 'ORDER_QUEUED_AT_LIMIT')).toHaveLength(1)
    expect(r.types).not.toContain('ORDER_UNFILLED_TIMEOUT')
  }, 120_000)

  it('competing exits: the stop-loss cancels the resting take-profit, waits for 54, then sells', async () => {
    h = await startWorkerHarness(PROVIDER)
    const CODE = '600000.SH'
    const id = await h.addStock({ code: CODE, entryLow: '10.00', entryHigh: '10.20', takeProfit: '10.50', stopLoss: '9.80' }, { exitPriceMode: 'TRIGGER_PRICE', exitOffsetTicks: 0, unfilledTimeoutSec: 600 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice(CODE, 10.1, { prevClose: 10 })
    await holding(h, id, CODE, 2_000, 10.1)
    await h.step()
    await h.setPrice(CODE, 10.5, { prevClose: 10, bids: [{ price: 10.49, volume: 100 }], asks: [{ price: 10.51, volume: 100_000 }] })
    await h.step()
    await h.setPrice(CODE, 9.7, { prevClose: 10, bids: [{ price: 9.69, volume: 1_000_000 }], asks: [{ price: 9.71, volume: 100_000 }] })
    for (let i = 0; i < 4; i++) await h.step()
    const r = await record('competing exits (stop over take-profit)', h)
    expect(r.statuses).toEqual(['CANCELLED', 'FILLED'])
    expect(r.orderStock).toBe(2)
    expect(r.types.filter((t) => t === 'EXIT_SUPERSEDED')).toHaveLength(1)
    expect(r.types).not.toContain('EXITS_HALTED')
  }, 120_000)

  it('kill switch on while an intent waits: withdrawn in the claim transaction, never sent', async () => {
    h = await startWorkerHarness(PROVIDER)
    await h.addStock({ code: '600000.SH' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await queueWhileBridgeDown(h, () => h!.setPrice('600000.SH', 9.05))
    expect((await db().order.findFirstOrThrow()).status).toBe('PENDING')
    await setKillSwitch(true, { id: h.userId, label: 'matrix' })
    await h.step()
    await h.step()
    const r = await record('kill switch mid-cycle (queued intent)', h)
    expect(r.statuses).toEqual(['FAILED'])
    expect(r.orderStock).toBe(0)
    expect(r.types).toContain('ORDER_WITHDRAWN')
  }, 120_000)

  it('auto-trade off with a queued intent: withdrawn with the reason, never sent', async () => {
    h = await startWorkerHarness(PROVIDER)
    const id = await h.addStock({ code: '600000.SH' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await queueWhileBridgeDown(h, () => h!.setPrice('600000.SH', 9.05))
    expect((await db().order.findFirstOrThrow()).status).toBe('PENDING')
    await setAutoTrade(h.userId, id, false)
    await h.step()
    await h.step()
    const r = await record('auto-trade off (queued intent)', h)
    expect(r.statuses).toEqual(['FAILED'])
    expect(r.orderStock).toBe(0)
    expect(r.types).toContain('ORDER_WITHDRAWN')
  }, 120_000)
  it('bridge never up at start: never reported up, the entry waits for the account, then buys once it answers', async () => {
    h = await startWorkerHarness(PROVIDER)
    const dead = h.newWorker('w-main', { bridgeUrl: await closedPortUrl() })
    const id = await h.addStock({ code: '600000.SH' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    for (let i = 0; i < 6; i++) await h.step(3, dead)
    const before = await notificationTypes(h.userId)
    expect(before).not.toContain('BRIDGE_UP')
    expect(before).not.toContain('NOT_SIZED')
    expect((await db().monitoredStock.findUniqueOrThrow({ where: { id } })).state).toBe('WATCHING')
    const live = h.newWorker('w-main')
    await h.step(3, live)
    await h.step(3, live)
    const r = await record('bridge never up, then up', h)
    expect(r.statuses).toEqual(['FILLED'])
    expect(r.orderStock).toBe(1)
    expect(r.types.filter((t) => t === 'BRIDGE_DOWN')).toHaveLength(1)
    expect(r.types.filter((t) => t === 'SIZING_WAITS')).toHaveLength(1)
  }, 120_000)

  it('broker settings changed (confirmed) with a working order: UNKNOWN, reconciled back by its id, never failed or re-sent', async () => {
    h = await startWorkerHarness(PROVIDER)
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 600 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.step()
    await h.control('/control/fault', { kind: 'partial_fill', shares: 100 })
    await h.setPrice('600000.SH', 9.05)
    await h.step()
    await h.setPrice('600000.SH', 9.3)
    await h.step()
    const e = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, DINGPAN_ENCRYPTION_KEY: process.env.DINGPAN_ENCRYPTION_KEY, BROKER: 'qmt' })
    await saveBroker(brokerFormSchema.parse({ mode: 'paper', confirmWorkingOrders: true }), { id: h.userId, label: 'admin' }, e, 'en')
    expect((await db().order.findFirstOrThrow({ where: { stockId: id } })).status).toBe('UNKNOWN')
    for (let i = 0; i < 4; i++) await h.step(5)
    const r = await record('broker settings change (working order)', h)
    expect(r.statuses).toEqual(['PARTIALLY_FILLED'])
    expect(r.orderStock).toBe(1)
    expect(r.types).not.toContain('ORDER_FAILED')
  }, 120_000)
  it('stale intent overnight: a stop-loss queued Monday afternoon is withdrawn Tuesday, and the stop of Tuesday sells once', async () => {
    h = await startWorkerHarness(PROVIDER)
    const CODE = '601398.SH'
    const id = await h.addStock({ code: CODE, entryLow: '8.20', entryHigh: '8.20', takeProfit: '8.60', stopLoss: '7.95' })
    await holding(h, id, CODE, 5_000, 8.3)
    await h.setClock(at(MONDAY, '14:50:00'))
    await h.setPrice(CODE, 8.2, { prevClose: 8.25 })
    await h.step()
    await h.control('/control/fault', { kind: 'refuse', seconds: 1 })
    await h.setPrice(CODE, 7.9, { prevClose: 8.25, bids: [{ price: 7.9, volume: 1_000_000 }] })
    await h.step()
    await sleep(1_500)
    expect((await db().order.findFirstOrThrow()).status).toBe('PENDING')
    await h.setClock(at(TUESDAY, '09:30:00'))
    await h.setPrice(CODE, 7.7, { prevClose: 7.9, bids: [{ price: 7.7, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.step()
    const r = await record('stale intent overnight (queued sell)', h)
    expect(r.statuses).toEqual(['FAILED', 'FILLED'])
    expect(r.orderStock).toBe(1)
    expect(r.types).toContain('ORDER_WITHDRAWN')
  }, 120_000)
  it('stale intent after lunch: a stop-loss queued at 11:29 goes out once at 13:00, priced from the afternoon quote', async () => {
    h = await startWorkerHarness(PROVIDER)
    const CODE = '601398.SH'
    const id = await h.addStock({ code: CODE, entryLow: '8.20', entryHigh: '8.20', takeProfit: '8.60', stopLoss: '7.95' })
    await holding(h, id, CODE, 5_000, 8.3)
    await h.setClock(at(MONDAY, '11:29:00'))
    await h.setPrice(CODE, 8.2, { prevClose: 8.25 })
    await h.step()
    await h.control('/control/fault', { kind: 'refuse', seconds: 1 })
    await h.setPrice(CODE, 7.9, { prevClose: 8.25, bids: [{ price: 7.9, volume: 1_000_000 }] })
    await h.step()
    await sleep(1_500)
    expect((await db().order.findFirstOrThrow()).status).toBe('PENDING')
    await h.setClock(at(MONDAY, '13:00:00'))
    await h.setPrice(CODE, 7.8, { prevClose: 8.25, bids: [{ price: 7.8, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const r = await record('stale intent after lunch (queued sell)', h)
    expect(r.statuses).toEqual(['FILLED'])
    expect(r.orderStock).toBe(1)
    expect((await db().order.findFirstOrThrow()).limitPriceMilli).toBeLessThanOrEqual(7_800)
    expect(r.types).not.toContain('ORDER_WITHDRAWN')
  }, 120_000)
  it('manual trade outside DingPan: a sell by hand brings the managed quantity down; the stop sells only what DingPan manages', async () => {
    h = await startWorkerHarness(PROVIDER)
    const CODE = '600000.SH'
    const id = await h.addStock({ code: CODE }, { unfilledTimeoutSec: 600 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice(CODE, 9.3)
    await holding(h, id, CODE, 1_000, 9.2)
    await h.step()
    const qmt = new QkaClient({ baseUrl: h.sim.bridgeUrl, token: h.sim.token })
    expect(await qmt.orderStock({ stock_code: CODE, order_type: 24, order_volume: 400, price_type: 11, price: 9.2, strategy_name: 'by-hand', order_remark: 'by-hand' })).toBeGreaterThan(0)
    await h.step()
    await h.step()
    await h.control('/control/holding', { code: CODE, volume: 400, avgPrice: 9.25 }) // bought back by hand
    for (let i = 0; i < 2; i++) await h.step()
    await h.setPrice(CODE, 8.7)
    for (let i = 0; i < 4; i++) await h.step()
    const r = await record('manual trade outside DingPan', h)
    expect(r.statuses).toEqual(['FILLED'])
    expect((await db().order.findFirstOrThrow()).quantity).toBe(600)
    expect(r.orderStock).toBe(2) // the manual sell and DingPan's one
    expect(r.types.filter((t) => t === 'POSITION_RECONCILED')).toHaveLength(1)
    expect((await h.state()).positions.find((p) => p.stock_code === CODE)?.volume).toBe(400)
  }, 120_000)
  it('ex-rights open: the stop above the ex-rights open does not fire, the monitor is held and the trader told the factor', async () => {
    h = await startWorkerHarness(PROVIDER, { start: at(MONDAY, '14:50:00') })
    const CODE = '601398.SH' // previous close 8.20 in the paper exchange
    const id = await h.addStock({ code: CODE, entryLow: '8.00', entryHigh: '8.10', takeProfit: '8.80', stopLoss: '7.95' })
    await holding(h, id, CODE, 5_000, 8.1)
    await h.setClock(at(MONDAY, '14:50:00'))
    for (let i = 0; i < 2; i++) await h.step()
    await h.setClock(at(MONDAY, '15:06:00'))
    await h.worker.tick() // post-close: the closing quote is stored
    await h.control('/control/ex-rights', { code: CODE, cash: 0.2, bonus: 0.1 })
    await h.setClock(at(TUESDAY, '09:30:00'))
    const q = (await h.control(`/control/quote?code=${CODE}`)) as { last: number }
    expect(q.last).toBeLessThan(7.95) // the old stop would fire on the open
    for (let i = 0; i < 4; i++) await h.step()
    const r = await record('ex-rights open (10 送 1, 0.2 cash)', h)
    expect(r.statuses).toEqual([])
    expect(r.orderStock).toBe(0)
    expect(r.types).toContain('EX_RIGHTS_DETECTED')
    expect(await db().exRightsAdjustment.count({ where: { stockId: id, status: 'PENDING' } })).toBe(1)
  }, 120_000)
  it('cash shortage with no callback: an id handed out, the order never listed; kept open and the trader told, never failed or re-sent', async () => {
    h = await startWorkerHarness(PROVIDER)
    const quant = { unfilledTimeoutSec: 900, maxReprices: 0, entryPriceMode: 'TRIGGER_PRICE' }
    await h.addStock({ code: '600000.SH' }, quant)
    // Another order rests at the counter, so the counter's list is not empty (an empty one reads as a blind bridge).
    await h.addStock({ code: '000001.SZ', entryLow: '11.00', entryHigh: '11.10', takeProfit: '11.80', stopLoss: '10.50' }, quant)
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3, { prevClose: 9.1 })
    await h.setPrice('000001.SZ', 11.05, { prevClose: 11.2, asks: [{ price: 11.08, volume: 1_000_000 }] })
    await h.step()
    await h.control('/control/fault', { kind: 'vanish' }) // 资金不足 without a callback
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.1, asks: [{ price: 9.07, volume: 1_000_000 }] })
    for (let i = 0; i < 6; i++) {
      await h.step()
      await sleep(250)
    }
    const r = await record('cash shortage, no callback (vanished order)', h)
    expect(r.statuses).toEqual(['SUBMITTED', 'SUBMITTED'])
    expect(r.orderStock).toBe(2)
    expect(r.types.filter((t) => t === 'ORDER_RECONCILED')).toHaveLength(1)
    expect(r.types).not.toContain('ORDER_FAILED')
  }, 120_000)

  it('±30 s clock skew between two workers: the fast standby never deposes the live worker; one order, taken over only after a real lapse', async () => {
    h = await startWorkerHarness(PROVIDER)
    const a = h.newWorker('worker-a', { leaseTtlMs: 1_500 })
    const b = h.newWorker('worker-b', { leaseTtlMs: 1_500 })
    await h.addStock({ code: '600000.SH' })
    await h.addStock({ code: '000001.SZ', entryLow: '11.00', entryHigh: '11.10', takeProfit: '11.80', stopLoss: '10.50' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('000001.SZ', 11.5)
    // A's clock is 30 s slow, B's 30 s fast: by B's clock A's lease looks long expired.
    expect((await tickSkewed(h, a, -30_000)).kind).toBe('cycle')
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    for (let i = 0; i < 4; i++) {
      expect((await tickSkewed(h, b, 30_000)).kind).toBe('standby')
      expect((await tickSkewed(h, a, -30_000)).kind).toBe('cycle')
    }
    // A stops; B takes over only once the lease really lapsed, tracks A's order and acts on a new signal.
    const stoppedAt = Date.now()
    let kind = 'standby'
    while (kind !== 'cycle' && Date.now() - stoppedAt < 10_000) {
      kind = (await tickSkewed(h, b, 30_000)).kind
      if (kind !== 'cycle') await sleep(200)
    }
    expect(kind).toBe('cycle')
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(900)
    await h.setPrice('000001.SZ', 11.05, { asks: [{ price: 11.05, volume: 1_000_000 }] })
    await tickSkewed(h, b, 30_000)
    await tickSkewed(h, b, 30_000)
    expect((await tickSkewed(h, a, -30_000)).kind).toBe('standby')
    const r = await record('±30 s clock skew, two workers', h)
    expect(r.statuses).toEqual(['FILLED', 'FILLED'])
    expect(r.orderStock).toBe(2)
    expect(r.types.filter((t) => t === 'ORDER_FILLED')).toHaveLength(2)
  }, 120_000)
})
