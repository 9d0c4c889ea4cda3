// Rebound entry and the re-arm policy (issue 14), end to end through the paper exchange on SQLite
// and PostgreSQL: a dip into the zone then a rebound buys once, at no more than the trigger level;
// a completed exit re-arms after the cooldown (COOLDOWN) and not before, or only on the next trading
// day (NEXT_DAY), once, with MONITOR_REARMED; CLOSE stays closed.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { normalizeMemo } from '@/lib/market'
import { loadMonitorsByIds } from '@/lib/db/monitors'
import { policyRearmMonitor, rearmDecision } from '@/lib/services/trading/rearm-policy'
import { StaleMonitorError } from '@/lib/services/trading/signals'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, startWorkerHarness, TUESDAY, type WorkerHarness } from './helpers'

const WEDNESDAY = '2026-11-25'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const db = () => getDb()
const stock = (id: number) => db().monitoredStock.findUniqueOrThrow({ where: { id } })
const orders = (stockId: number) => db().order.findMany({ where: { stockId }, orderBy: { id: 'asc' }, include: { triggerEvent: true } })
const rearmedCount = async (userId: number) => (await notificationTypes(userId)).filter((t) => t === 'MONITOR_REARMED').length

/** Monday: buy in the zone; Tuesday 10:00: the take-profit sells everything, the monitor closes (EXIT_FILLED). */
async function buyThenExit(h: WorkerHarness, id: number) {
  await h.setClock(at(MONDAY, '10:00:00'))
  await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
  await h.step()
  await h.step()
  expect(await stock(id)).toMatchObject({ state: 'HOLDING', episode: 1 })
  await h.setClock(at(TUESDAY, '10:00:00'))
  await h.setPrice('600000.SH', 9.5, { prevClose: 9.05, bids: [{ price: 9.5, volume: 1_000_000 }] })
  await h.step()
  await h.step()
  await h.step()
  const closed = await stock(id)
  expect(closed.state).toBe('CLOSED')
  const reason = normalizeMemo(closed.triggerMemo as never).closedReason
  expect(reason?.code).toBe('EXIT_FILLED')
  // Closed at market time (the simulated Tuesday), which the cooldown counts from.
  expect(reason!.at! >= at(TUESDAY, '10:00:00') && reason!.at! < at(TUESDAY, '10:05:00')).toBe(true)
  expect((await orders(id)).map((o) => [o.side, o.status])).toEqual([
    ['BUY', 'FILLED'],
    ['SELL', 'FILLED'],
  ])
}

describe.each(providers())('rebound entry and re-arm policy on %s', (provider) => {
  it('a dip into the zone then a rebound of 3 ticks buys once, capped at the trigger level', async () => {
    h = await startWorkerHarness(provider)
    // Through the form's schema and storage: 3 ticks stored as reboundTicks, no percent.
    const id = await h.addStock({ code: '600000.SH', entryTrigger: 'REBOUND', reboundTicks: '3' })
    expect(await stock(id)).toMatchObject({ entryTrigger: 'REBOUND', reboundTicks: 3, reboundBp: null })
    await h.setClock(at(MONDAY, '10:00:00'))
    await h.setPrice('600000.SH', 9.3, { asks: [{ price: 9.3, volume: 1_000_000 }] })
    await h.step()
    // Into the zone (a zone entry would buy here), lower, and a rebound of 2 ticks: nothing yet.
    for (const p of [9.05, 9.02, 9.04]) {
      await h.setPrice('600000.SH', p, { asks: [{ price: p, volume: 1_000_000 }] })
      await h.step()
      await h.step()
    }
    expect(await orders(id)).toHaveLength(0)
    expect(normalizeMemo((await stock(id)).triggerMemo as never).reboundLowMilli).toBe(9020)
    // 9.06 ≥ 9.02 + 3 ticks: buys, but never above the trigger level 9.05 (best ask 9.06).
    await h.setPrice('600000.SH', 9.06, { asks: [{ price: 9.06, volume: 1_000_000 }] })
    await h.step()
    const [buy] = await orders(id)
    expect(buy).toMatchObject({ side: 'BUY', limitPriceMilli: 9050 })
    expect(buy!.triggerEvent).toMatchObject({ kind: 'ENTRY', episode: 1, levelMilli: 9050 })
    // The price comes back to the limit: it fills; no second order whatever the price does.
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.setPrice('600000.SH', 9.02, { asks: [{ price: 9.02, volume: 1_000_000 }] })
    await h.step()
    await h.setPrice('600000.SH', 9.08, { asks: [{ price: 9.08, volume: 1_000_000 }] })
    await h.step()
    const all = await orders(id)
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({ side: 'BUY', status: 'FILLED' })
    expect(await stock(id)).toMatchObject({ state: 'HOLDING' })
    // Told as a rebound entry from the low 9.02, once (zh by default).
    const told = await db().notification.findMany({ where: { userId: h.userId, type: 'TRIGGER_REBOUND_ENTRY' } })
    expect(told).toHaveLength(1)
    expect(told[0]!.body).toContain('9.02')
    expect(told[0]!.body).toContain('反弹')
    expect(await db().notification.count({ where: { userId: h.userId, type: 'TRIGGER_ENTRY' } })).toBe(0)
  }, 120_000)

  it('COOLDOWN: a completed exit re-arms after the cooldown and not before, once', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', rearmPolicy: 'COOLDOWN', rearmCooldownMin: '30' })
    expect(await stock(id)).toMatchObject({ rearmPolicy: 'COOLDOWN', rearmCooldownMin: 30 })
    await buyThenExit(h, id)
    await h.setClock(at(TUESDAY, '10:29:00'))
    await h.step()
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'CLOSED', episode: 1 })
    expect(await rearmedCount(h.userId)).toBe(0)
    await h.setClock(at(TUESDAY, '10:31:00'))
    await h.step()
    await h.step()
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'WATCHING', episode: 2 })
    expect(await rearmedCount(h.userId)).toBe(1)
    const audit = await db().auditLog.findMany({ where: { entity: 'MonitoredStock', entityId: String(id), action: 'stock.policyRearm' } })
    expect(audit).toHaveLength(1)
    // Watching again: a new dip into the zone triggers the entry of episode 2.
    await h.setPrice('600000.SH', 9.05, { prevClose: 9.05, asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    const entries = await db().triggerEvent.findMany({ where: { stockId: id, kind: 'ENTRY' }, orderBy: { id: 'asc' } })
    expect(entries.map((t) => t.episode)).toEqual([1, 2])
    expect(await rearmedCount(h.userId)).toBe(1)
  }, 120_000)

  it('NEXT_DAY re-arms only on the next trading day', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', rearmPolicy: 'NEXT_DAY' })
    await buyThenExit(h, id)
    await h.setClock(at(TUESDAY, '14:50:00'))
    await h.step()
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'CLOSED', episode: 1 })
    await h.setClock(at(WEDNESDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.5, { prevClose: 9.5, bids: [{ price: 9.5, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'WATCHING', episode: 2 })
    expect(await rearmedCount(h.userId)).toBe(1)
  }, 120_000)

  it('CLOSE (the default) stays closed after a completed exit', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' })
    await buyThenExit(h, id)
    await h.setClock(at(WEDNESDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.5, { prevClose: 9.5, bids: [{ price: 9.5, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'CLOSED', episode: 1 })
    expect(await rearmedCount(h.userId)).toBe(0)
  }, 120_000)

  it('two re-arms of the same closed monitor at once: exactly one happens (conditional write), told once; never under a kill switch', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', rearmPolicy: 'COOLDOWN', rearmCooldownMin: '5' })
    await buyThenExit(h, id)
    const [row] = await loadMonitorsByIds([id])
    const now = new Date(at(TUESDAY, '10:10:00'))
    expect(rearmDecision(row!, now, true).action).toBe('wait') // kill switch on
    expect(rearmDecision({ ...row!, enabled: false }, now, false).action).toBe('never')
    expect(rearmDecision({ ...row!, validUntilDay: MONDAY }, now, false).action).toBe('never') // expired
    expect(rearmDecision(row!, now, false).action).toBe('rearm')
    const lease = await db().workerLease.findUniqueOrThrow({ where: { name: 'monitor' } })
    const identity = { leaseName: 'monitor', holderId: lease.holderId, fencingToken: lease.fencingToken }
    const results = await Promise.allSettled([policyRearmMonitor(identity, row!, now, false), policyRearmMonitor(identity, row!, now, false)])
    const ok = results.filter((r) => r.status === 'fulfilled' && r.value === true)
    const stale = results.filter((r) => r.status === 'rejected' && r.reason instanceof StaleMonitorError)
    expect([ok.length, stale.length]).toEqual([1, 1])
    expect(await stock(id)).toMatchObject({ state: 'WATCHING', episode: 2 })
    expect(await rearmedCount(h.userId)).toBe(1)
    // The worker's own step afterwards changes nothing.
    await h.setClock(at(TUESDAY, '10:11:00'))
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'WATCHING', episode: 2 })
    expect(await rearmedCount(h.userId)).toBe(1)
  }, 120_000)
})
