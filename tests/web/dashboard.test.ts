// The dashboard's rows and header: freshness from the quote's exchange time against the market
// clock, distances to the levels, the trailing level, today's orders by market day, the kill switch,
// the worker heartbeat and the bridge row — owner-scoped, on SQLite and PostgreSQL.
import { beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { buildDashboard, levelDistance, quoteFreshness, trailingLevelMilli, zoneDistance } from '@/lib/services/views/dashboard'
import { setKillSwitch } from '@/lib/services/runtime/runtime-settings'
import { setServiceHealth } from '@/lib/db/worker-status'
import { providers } from '../helpers/db'
import { at, clearWorkerTables, fixedClock, makeStock, makeUser, seedHeartbeat, seedOrder, seedSnapshot, seedTrigger, useWebDb } from './helpers'

const defaults = { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 }

describe('dashboard helpers', () => {
  it('rates freshness against the market clock and the phase', () => {
    const now = at(10, 30)
    expect(quoteFreshness(null, now, 'continuous', 15)).toEqual({ state: 'none', ageSec: null })
    expect(quoteFreshness(at(10, 29, 50), now, 'continuous', 15)).toEqual({ state: 'fresh', ageSec: 10 })
    expect(quoteFreshness(at(10, 29, 45), now, 'continuous', 15)).toEqual({ state: 'fresh', ageSec: 15 })
    expect(quoteFreshness(at(10, 29, 44), now, 'continuous', 15)).toEqual({ state: 'stale', ageSec: 16 })
    expect(quoteFreshness(at(10, 29, 44), now, 'opening_auction', 15).state).toBe('stale')
    // Outside trading phases an old quote is expected, not stale.
    expect(quoteFreshness(at(11, 29, 59), at(12, 0), 'lunch_break', 15)).toEqual({ state: 'closed', ageSec: 1801 })
    expect(quoteFreshness(at(10, 0), null, 'unknown', 15)).toEqual({ state: 'unknown', ageSec: null })
    expect(quoteFreshness(at(10, 0), now, 'unknown', 15).state).toBe('unknown')
    // A simulated clock at 12×: 36 market seconds are 3 real seconds of the feed — fresh; 240 are 20 — stale.
    expect(quoteFreshness(at(10, 29, 24), now, 'continuous', 15, 12)).toEqual({ state: 'fresh', ageSec: 3 })
    expect(quoteFreshness(at(10, 26), now, 'continuous', 15, 12)).toEqual({ state: 'stale', ageSec: 20 })
    // Paused (speed 0): read as is.
    expect(quoteFreshness(at(10, 29, 44), now, 'continuous', 15, 0)).toEqual({ state: 'stale', ageSec: 16 })
  })

  it('measures the distance to the entry zone and the levels from the last price', () => {
    expect(zoneDistance(9_000, 9_200, 9_500)).toEqual({ where: 'below', pct: 200 / 9_000 })
    expect(zoneDistance(9_800, 9_200, 9_500)).toEqual({ where: 'above', pct: -300 / 9_800 })
    expect(zoneDistance(9_200, 9_200, 9_500)).toEqual({ where: 'inside', pct: 0 })
    expect(zoneDistance(9_500, 9_200, 9_500)).toEqual({ where: 'inside', pct: 0 })
    expect(zoneDistance(0, 9_200, 9_500)).toBeNull()
    expect(levelDistance(10_000, 10_500)).toBeCloseTo(0.05, 10)
    expect(levelDistance(10_000, 8_800)).toBeCloseTo(-0.12, 10)
  })

  it('computes the trailing level as the trigger does: highest × (1 − pct), floored to the tick', () => {
    expect(trailingLevelMilli('600000.SH', 10_370, 500)).toBe(9_850) // 9.8515 → 9.85
    expect(trailingLevelMilli('510300.SH', 4_123, 300)).toBe(3_999) // fund tick 0.001: 3.99931 → 3.999
    expect(trailingLevelMilli('600000.SH', null, 500)).toBeNull()
    expect(trailingLevelMilli('600000.SH', 10_000, null)).toBeNull()
  })
})

describe.each(providers())('dashboard on %s', (provider) => {
  useWebDb(provider)
  beforeEach(clearWorkerTables)

  it('builds one row per live monitor of the user, with freshness, distances and last signal', async () => {
    const me = await makeUser()
    const other = await makeUser()
    const a = await makeStock(me, { code: '600000.SH', name: '浦发银行', entryLow: '9.20', entryHigh: '9.50', takeProfit: '10.50', stopLoss: '8.80' })
    const b = await makeStock(me, { code: '000001.SZ', name: '平安银行', entryLow: '11.00', entryHigh: '11.20', takeProfit: '12.50', stopLoss: '10.50' })
    await makeStock(me, { code: '510300.SH', name: '沪深300ETF', entryLow: '3.900', entryHigh: '3.950', takeProfit: '4.200', stopLoss: '3.800' })
    await makeStock(other, { code: '600519.SH', name: '贵州茅台', entryLow: '1500', entryHigh: '1550', takeProfit: '1700', stopLoss: '1450' })
    const now = at(10, 30)
    await seedSnapshot('600000.SH', { lastMilli: 9_000, prevCloseMilli: 8_800, quoteTime: at(10, 29, 57) })
    await seedSnapshot('000001.SZ', { lastMilli: 11_100, prevCloseMilli: 11_300, quoteTime: at(10, 28) })
    const trig = await seedTrigger(a.id, { quoteTime: at(10, 0), outcome: 'ORDERED' })
    await seedOrder(me, a.id, trig.id)

    const d = await buildDashboard(me, { clock: fixedClock(now), defaults, staleAfterSec: 30, wallNow: new Date() })
    expect(d.rows.map((r) => r.code)).toEqual(['600000.SH', '000001.SZ', '510300.SH'])
    const [ra, rb, rc] = d.rows
    expect(ra).toMatchObject({ freshness: 'fresh', quoteAgeSec: 3, zone: { where: 'below' } })
    expect(ra!.quote).toMatchObject({ last: 9, prevClose: 8.8 })
    expect(ra!.quote!.changePct).toBeCloseTo(200 / 8_800, 10)
    expect(ra!.zone!.pct).toBeCloseTo(200 / 9_000, 10)
    expect(ra!.takeProfitPct).toBeCloseTo(1_500 / 9_000, 10)
    expect(ra!.stopLossPct).toBeCloseTo(-200 / 9_000, 10)
    expect(ra!.lastSignal).toMatchObject({ kind: 'ENTRY', outcome: 'ORDERED' })
    expect(rb).toMatchObject({ freshness: 'stale', quoteAgeSec: 120, zone: { where: 'inside', pct: 0 }, lastSignal: null })
    expect(rb!.quote!.changePct).toBeLessThan(0)
    expect(rc).toMatchObject({ freshness: 'none', quote: null, zone: null })
    expect(d.market).toMatchObject({ phase: 'continuous', day: '2026-09-14', next: { phase: 'lunch_break' } })
    expect(d.clock).toMatchObject({ mode: 'sim', now: now.toISOString() })
    expect(d.ordersToday).toBe(1)
    expect(b.id).toBeGreaterThan(0)
  })

  it('counts today\'s orders by the market day of the trigger, for this user only', async () => {
    const me = await makeUser()
    const other = await makeUser()
    const s = await makeStock(me)
    const o = await makeStock(other)
    const t1 = await seedTrigger(s.id, { quoteTime: at(9, 35), kind: 'ENTRY' })
    await seedOrder(me, s.id, t1.id, { status: 'FILLED' })
    const yesterday = await seedTrigger(s.id, { quoteTime: new Date(at(14, 0).getTime() - 86_400_000), kind: 'STOP_LOSS' })
    await seedOrder(me, s.id, yesterday.id, { status: 'FILLED' })
    const t3 = await seedTrigger(o.id, { quoteTime: at(9, 40) })
    await seedOrder(other, o.id, t3.id)
    const d = await buildDashboard(me, { clock: fixedClock(at(14, 0)), defaults, staleAfterSec: 30 })
    expect(d.ordersToday).toBe(1)
    // No market clock: the count is unknown, not zero.
    const unknown = await buildDashboard(me, { clock: fixedClock(null), defaults, staleAfterSec: 30 })
    expect(unknown.ordersToday).toBeNull()
    expect(unknown.market.phase).toBe('unknown')
    expect(unknown.rows[0]!.freshness).toBe('none')
  })

  it('shows the trailing level only while holding', async () => {
    const me = await makeUser()
    const s = await makeStock(me, { trailingStopPct: '5' })
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'HOLDING', highestSinceEntryMilli: 10_370, positionQty: 1000 } })
    const d = await buildDashboard(me, { clock: fixedClock(at(10, 0)), defaults, staleAfterSec: 30 })
    expect(d.rows[0]).toMatchObject({ state: 'HOLDING', trailingLevel: 9.85, positionQty: 1000 })
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'CLOSED' } })
    const closed = await buildDashboard(me, { clock: fixedClock(at(10, 0)), defaults, staleAfterSec: 30 })
    expect(closed.rows[0]!.trailingLevel).toBeNull()
  })

  it('reports the worker heartbeat, the bridge and the kill switch as stored', async () => {
    const me = await makeUser()
    const wall = new Date()
    let d = await buildDashboard(me, { clock: fixedClock(at(10, 0)), defaults, staleAfterSec: 30, wallNow: wall })
    expect(d.worker).toMatchObject({ status: 'never', ageSec: null })
    expect(d.bridge.status).toBe('unknown')
    expect(d.killSwitch.on).toBe(false)

    await seedHeartbeat({ endedAt: new Date(wall.getTime() - 5_000) })
    await setServiceHealth('bridge', false, { error: 'connect ECONNREFUSED 127.0.0.1:18000' })
    await setKillSwitch(true, { id: me, label: 'trader@example.com' }, 'news')
    d = await buildDashboard(me, { clock: fixedClock(at(10, 0)), defaults, staleAfterSec: 30, wallNow: wall })
    expect(d.worker).toMatchObject({ status: 'ok', ageSec: 5 })
    expect(d.bridge).toMatchObject({ status: 'down', lastError: 'connect ECONNREFUSED 127.0.0.1:18000' })
    expect(d.killSwitch).toMatchObject({ on: true, by: 'trader@example.com', reason: 'news' })

    d = await buildDashboard(me, { clock: fixedClock(at(10, 0)), defaults, staleAfterSec: 30, wallNow: new Date(wall.getTime() + 60_000) })
    expect(d.worker).toMatchObject({ status: 'stale', ageSec: 65 })
    await setServiceHealth('bridge', true)
    const checked = new Date()
    d = await buildDashboard(me, { clock: fixedClock(at(10, 0)), defaults, staleAfterSec: 30, wallNow: checked })
    expect(d.bridge.status).toBe('up')
    d = await buildDashboard(me, { clock: fixedClock(at(10, 0)), defaults, staleAfterSec: 30, wallNow: new Date(checked.getTime() + 120_000) })
    expect(d.bridge).toMatchObject({ status: 'unconfirmed' })
    expect(d.bridge.checkedAgeSec).toBeGreaterThanOrEqual(119)
  })

  it('uses the stored max quote age for freshness', async () => {
    const me = await makeUser()
    await makeStock(me)
    await seedSnapshot('600000.SH', { lastMilli: 9_000, prevCloseMilli: 8_800, quoteTime: at(10, 29, 30) })
    const fresh15 = await buildDashboard(me, { clock: fixedClock(at(10, 30)), defaults, staleAfterSec: 30 })
    expect(fresh15.rows[0]!.freshness).toBe('stale')
    await getDb().setting.create({ data: { key: 'trading.risk', value: { maxQuoteAgeSec: 60 } } })
    const fresh60 = await buildDashboard(me, { clock: fixedClock(at(10, 30)), defaults, staleAfterSec: 30 })
    expect(fresh60.rows[0]!.freshness).toBe('fresh')
    expect(fresh60.maxQuoteAgeSec).toBe(60)
  })
})

describe.each(providers())('status page on %s', (provider) => {
  useWebDb(provider)
  beforeEach(clearWorkerTables)

  it('lists heartbeats newest first, the ones with errors, service health and the clock', async () => {
    const { statusView } = await import('@/lib/services/views/status-view')
    const wall = new Date()
    let v = await statusView({ clock: fixedClock(null), staleAfterSec: 30, wallNow: wall })
    expect(v).toMatchObject({ heartbeats: [], lastErrors: [], services: [], worker: { status: 'never' }, clock: { phase: 'unknown', now: null, error: 'unreachable' } })
    await seedHeartbeat({ endedAt: new Date(wall.getTime() - 20_000), errors: 1, errorText: 'bridge: connect ECONNREFUSED' })
    await seedHeartbeat({ endedAt: new Date(wall.getTime() - 2_000), clockMode: 'sim', marketTime: at(10, 0) })
    await setServiceHealth('bridge', false, { error: 'connect ECONNREFUSED' })
    await setServiceHealth('quotes:tencent', true)
    v = await statusView({ clock: fixedClock(at(10, 0)), staleAfterSec: 30, wallNow: wall })
    expect(v.heartbeats).toHaveLength(2)
    expect(v.heartbeats[0]).toMatchObject({ clockMode: 'sim', errors: 0, marketTime: at(10, 0).toISOString() })
    expect(v.lastErrors).toEqual([expect.objectContaining({ errors: 1, errorText: 'bridge: connect ECONNREFUSED' })])
    expect(v.services.map((s) => [s.name, s.status])).toEqual([
      ['bridge', 'down'],
      ['quotes:tencent', 'up'],
    ])
    expect(v.worker).toMatchObject({ status: 'ok', ageSec: 2 })
    expect(v.clock).toMatchObject({ mode: 'sim', phase: 'continuous' })
  })
})

describe('bridge status', () => {
  it('shows an old "up" as unconfirmed, never as connected; a "down" stays down', async () => {
    const { bridgeStatus, BRIDGE_UNCONFIRMED_AFTER_SEC } = await import('@/lib/services/views/dashboard')
    const now = new Date('2026-09-14T02:30:00Z')
    const ago = (s: number) => new Date(now.getTime() - s * 1000)
    expect(bridgeStatus('up', ago(5), now)).toBe('up')
    expect(bridgeStatus('up', ago(BRIDGE_UNCONFIRMED_AFTER_SEC), now)).toBe('up')
    expect(bridgeStatus('up', ago(BRIDGE_UNCONFIRMED_AFTER_SEC + 1), now)).toBe('unconfirmed')
    expect(bridgeStatus('down', ago(5), now)).toBe('down')
    expect(bridgeStatus('down', ago(3600), now)).toBe('down')
  })
})
