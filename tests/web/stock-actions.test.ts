// Re-arm and "mark existing position as managed": lib/market transitions, version bump (so the
// worker reloads), audit log, refusals, and owner isolation; plus the stock detail's chart data and
// timeline — on SQLite and PostgreSQL.
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { ConflictError, NotFoundError, ValidationError } from '@/lib/errors'
import { markStockManaged, rearmStock } from '@/lib/services/trading/monitor-actions'
import { stockDetail } from '@/lib/services/views/stock-detail'
import { providers } from '../helpers/db'
import { at, clearWorkerTables, fixedClock, makeStock, makeUser, seedOrder, seedTrigger, useWebDb } from './helpers'

const row = (id: number) => getDb().monitoredStock.findUniqueOrThrow({ where: { id } })
const audits = (action: string) => getDb().auditLog.findMany({ where: { action }, orderBy: { id: 'asc' } })

describe.each(providers())('monitor actions on %s', (provider) => {
  useWebDb(provider)
  beforeEach(clearWorkerTables)

  it('re-arms a CLOSED monitor: new episode, clean memo, version bumped, audit-logged', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'CLOSED', episode: 3, triggerMemo: { v: 1, kinds: { ENTRY: { ordered: true } }, streak: { ENTRY: 2 }, autoRearms: { day: '2026-09-14', count: 1 } }, highestSinceEntryMilli: 10_000 } })
    const before = await row(s.id)
    const after = await rearmStock(me, s.id, 'zh')
    expect(after).toMatchObject({ state: 'WATCHING', episode: 4, highestSinceEntryMilli: null, version: before.version + 1 })
    expect(after.stateChangedAt.getTime()).toBeGreaterThanOrEqual(before.stateChangedAt.getTime())
    const memo = (await row(s.id)).triggerMemo as { kinds: Record<string, unknown>; streak: Record<string, unknown>; autoRearms: unknown }
    expect(memo.kinds).toEqual({})
    expect(memo.streak).toEqual({})
    expect(memo.autoRearms).toBeNull()
    const [a] = await audits('stock.rearm')
    expect(a).toMatchObject({ actorId: me, entity: 'MonitoredStock', entityId: String(s.id) })
    expect(a!.before).toMatchObject({ state: 'CLOSED', episode: 3 })
    expect(a!.after).toMatchObject({ state: 'WATCHING', episode: 4, reason: 'REARMED' })
  })

  it('refuses to re-arm anything but CLOSED, and leaves the row untouched', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    for (const state of ['WATCHING', 'HOLDING', 'ENTRY_PENDING', 'EXIT_PENDING'] as const) {
      await getDb().monitoredStock.update({ where: { id: s.id }, data: { state } })
      const v = (await row(s.id)).version
      await expect(rearmStock(me, s.id, 'en')).rejects.toMatchObject({ code: 'conflict', message: 'stock.rearmNotClosed', params: { state } })
      expect((await row(s.id)).version).toBe(v)
    }
    // PAUSED from CLOSED re-arms into PAUSED-from-WATCHING (the pause is kept).
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'PAUSED', enabled: false, triggerMemo: { pausedFrom: 'CLOSED' } } })
    const paused = await rearmStock(me, s.id, 'zh')
    expect(paused.state).toBe('PAUSED')
    expect((paused.triggerMemo as { pausedFrom?: string }).pausedFrom).toBe('WATCHING')
    expect(await audits('stock.rearm')).toHaveLength(1)
  })

  it('never touches another user\'s monitor', async () => {
    const me = await makeUser()
    const other = await makeUser()
    const theirs = await makeStock(other)
    await getDb().monitoredStock.update({ where: { id: theirs.id }, data: { state: 'CLOSED' } })
    await expect(rearmStock(me, theirs.id, 'zh')).rejects.toBeInstanceOf(NotFoundError)
    await getDb().positionSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), code: theirs.code, volume: 500, canUseVolume: 500, avgPriceMilli: 9_000, openPriceMilli: 9_000, marketValueMilli: 4_500_000n, takenAt: new Date() } })
    await expect(markStockManaged(me, theirs.id, 'zh')).rejects.toBeInstanceOf(NotFoundError)
    await expect(stockDetail(me, theirs.id, fixedClock(at(10, 0)))).rejects.toBeInstanceOf(NotFoundError)
    expect(await row(theirs.id)).toMatchObject({ state: 'CLOSED', version: theirs.version, positionQty: 0 })
    expect(await getDb().auditLog.count({ where: { action: { in: ['stock.rearm', 'stock.markManaged'] } } })).toBe(0)
  })

  it('marks the broker position as managed: HOLDING, quantities and cost from the snapshot, version bumped', async () => {
    const me = await makeUser()
    const s = await makeStock(me, { trailingStopPct: '5' })
    await expect(markStockManaged(me, s.id, 'zh')).rejects.toMatchObject({ message: 'stock.noBrokerPosition', params: { code: '600000.SH' } })
    const takenAt = new Date()
    await getDb().positionSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), code: '600000.SH', volume: 1500, canUseVolume: 1000, avgPriceMilli: 9_120, openPriceMilli: 9_100, marketValueMilli: 13_800_000n, takenAt } })
    const after = await markStockManaged(me, s.id, 'zh')
    expect(after).toMatchObject({ state: 'HOLDING', episode: 1, positionQty: 1500, positionSellableQty: 1000, positionCostMilli: 9_120, highestSinceEntryMilli: 9_120, version: s.version + 1 })
    const [a] = await audits('stock.markManaged')
    expect(a!.after).toMatchObject({ state: 'HOLDING', positionQty: 1500, reason: 'POSITION_MANAGED', snapshotTakenAt: takenAt.toISOString() })

    // From CLOSED: a new episode (the old one's exits are used up).
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'CLOSED', positionQty: 0 } })
    const again = await markStockManaged(me, s.id, 'en')
    expect(again).toMatchObject({ state: 'HOLDING', episode: 2, positionQty: 1500 })

    // While an order is in flight it is refused with lib/market's reason, in the caller's language.
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'ENTRY_PENDING' } })
    const err = await markStockManaged(me, s.id, 'en').catch((e) => e)
    expect(err).toBeInstanceOf(ConflictError)
    expect(err).toMatchObject({ message: 'stock.transitionRefused' })
    expect(String(err.params.message)).toMatch(/order is in flight/)
  })

  it('marks a chosen quantity as managed: at most what is held, whole lots unless all of it; field-level errors', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    await getDb().positionSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), code: '600000.SH', volume: 1050, canUseVolume: 1050, avgPriceMilli: 9_120, openPriceMilli: 9_100, marketValueMilli: 9_576_000n, takenAt: new Date() } })
    for (const [quantity, text] of [
      [1100, /超过券商持仓 1050 股/],
      [1020, /100 股的整数倍.*1050/],
      [50, /100 股的整数倍/],
    ] as const) {
      const err = await markStockManaged(me, s.id, 'zh', { quantity }).catch((e) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect(err.fields.quantity[0]).toMatch(text)
    }
    const en = await markStockManaged(me, s.id, 'en', { quantity: 1100 }).catch((e) => e)
    expect(en.fields.quantity[0]).toMatch(/more than the 1050 the broker holds/)
    expect(await row(s.id)).toMatchObject({ state: 'WATCHING', positionQty: 0, version: s.version })
    expect(await audits('stock.markManaged')).toHaveLength(0)

    const part = await markStockManaged(me, s.id, 'zh', { quantity: 1000 })
    expect(part).toMatchObject({ state: 'HOLDING', positionQty: 1000, positionSellableQty: 1000 })
    const [a] = await audits('stock.markManaged')
    expect(a!.after).toMatchObject({ positionQty: 1000, quantity: 1000, held: 1050 })

    // Default: the whole position, odd shares included.
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'CLOSED', positionQty: 0 } })
    expect(await markStockManaged(me, s.id, 'zh')).toMatchObject({ state: 'HOLDING', positionQty: 1050 })
  })

  it('refuses actions on an archived monitor', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'CLOSED', archivedAt: new Date(), activeKey: null } })
    await expect(rearmStock(me, s.id, 'zh')).rejects.toMatchObject({ message: 'stock.archived' })
  })

  it('builds the detail: the market day\'s bars, levels incl. trailing, and one timeline newest first', async () => {
    const me = await makeUser()
    const other = await makeUser()
    const s = await makeStock(me, { trailingStopPct: '5' })
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'HOLDING', highestSinceEntryMilli: 10_370, positionQty: 1000 } })
    const db = getDb()
    // Yesterday's bar, two of today's bars, and a bar of another code.
    await db.quoteBar.createMany({
      data: [
        { code: '600000.SH', minute: new Date(at(14, 59).getTime() - 86_400_000), openMilli: 9_000, highMilli: 9_000, lowMilli: 9_000, closeMilli: 9_000 },
        { code: '600000.SH', minute: at(9, 30), openMilli: 9_400, highMilli: 9_450, lowMilli: 9_380, closeMilli: 9_420 },
        { code: '600000.SH', minute: at(9, 31), openMilli: 9_420, highMilli: 9_430, lowMilli: 9_300, closeMilli: 9_310 },
        { code: '000001.SZ', minute: at(9, 31), openMilli: 11_000, highMilli: 11_000, lowMilli: 11_000, closeMilli: 11_000 },
      ],
    })
    const trig = await seedTrigger(s.id, { quoteTime: at(9, 31) })
    const order = await seedOrder(me, s.id, trig.id, { status: 'FILLED', xtStatus: 56 })
    await db.fill.create({ data: { orderId: order.id, tradedId: 'T1', priceMilli: 9_310, quantity: 1000, amountMilli: 9_310_000n, tradedAt: at(9, 31, 5) } })
    await db.notification.create({ data: { userId: me, type: 'ORDER_FILLED', title: '已成交', body: 'b', stockId: s.id, orderId: order.id } })
    await db.notification.create({ data: { userId: other, type: 'ORDER_FILLED', title: 'not mine', body: 'b', stockId: s.id } })

    const d = await stockDetail(me, s.id, fixedClock(at(10, 0)))
    expect(d.chart.day).toBe('2026-09-14')
    expect(d.chart.bars.map((b) => b.c)).toEqual([9.42, 9.31])
    expect(d.chart.bars[0]!.t).toBe(at(9, 30).getTime() / 1000)
    expect(d.levels).toMatchObject({ entryLow: 9.2, entryHigh: 9.5, takeProfit: 10.5, stopLoss: 8.8, trailing: 9.85 })
    expect(d.timeline.map((i) => i.type).sort()).toEqual(['notification', 'order', 'trigger'])
    const o = d.timeline.find((i) => i.type === 'order')
    expect(o).toMatchObject({ xtStatus: 56, xtStatusName: '已成', fills: [{ tradedId: 'T1', price: 9.31, quantity: 1000 }] })
    expect(d.timeline.some((i) => i.type === 'notification' && i.title === 'not mine')).toBe(false)
    expect(d.actions).toMatchObject({ canRearm: false })

    // Before today's first bar (e.g. the next morning), the last session is shown.
    const next = await stockDetail(me, s.id, fixedClock(new Date(at(8, 0).getTime() + 86_400_000)))
    expect(next.chart.day).toBe('2026-09-14')
    expect(next.chart.marketDay).toBe('2026-09-15')
  })
})
