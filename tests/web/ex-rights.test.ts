// The trader's decision on an ex-rights adjustment (POST /api/stocks/:id/ex-rights, GET /api/ex-rights):
// accept scales the levels only if they are still the ones the proposal was built from, the managed
// quantity follows the broker's bonus shares, each decision is audit-logged and made once, and
// nobody decides for another user's monitor — on SQLite and PostgreSQL.
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { decideExRightsAdjustment } from '@/lib/services/trading/ex-rights'
import { pendingExRights } from '@/lib/services/views/ex-rights-view'
import { exRightsDecisionSchema } from '@/lib/schemas/ex-rights'
import { providers } from '../helpers/db'
import { clearWorkerTables, makeStock, makeUser, useWebDb } from './helpers'

const row = (id: number) => getDb().monitoredStock.findUniqueOrThrow({ where: { id } })

/** 10转10 on a 10.00 close: reference 5.00 (factor 0.5). */
async function pending(stockId: number, code = '600000.SH') {
  const s = await row(stockId)
  return getDb().exRightsAdjustment.create({
    data: {
      stockId,
      code,
      day: '2026-09-15',
      source: 'prev_close',
      storedCloseMilli: 10_000,
      referenceMilli: 5_000,
      factorPpm: 500_000,
      oldEntryLowMilli: s.entryLowMilli,
      oldEntryHighMilli: s.entryHighMilli,
      oldTakeProfitMilli: s.takeProfitMilli,
      oldStopLossMilli: s.stopLossMilli,
      newEntryLowMilli: s.entryLowMilli / 2,
      newEntryHighMilli: s.entryHighMilli / 2,
      newTakeProfitMilli: s.takeProfitMilli / 2,
      newStopLossMilli: s.stopLossMilli / 2,
      positionQtyBefore: s.positionQty,
    },
  })
}

describe.each(providers())('ex-rights decisions on %s', (provider) => {
  useWebDb(provider)
  beforeEach(async () => {
    await getDb().exRightsAdjustment.deleteMany({})
    await clearWorkerTables()
  })

  it('accept: levels scaled, version bumped, managed quantity follows the bonus shares, audit-logged, once', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { positionQty: 1_000, positionSellableQty: 1_000, entryCostMilli: 9_210 } })
    await getDb().positionSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), code: s.code, volume: 2_500, canUseVolume: 2_500, avgPriceMilli: 4_600, openPriceMilli: 4_600, marketValueMilli: 12_500_000n, takenAt: new Date() } })
    const a = await pending(s.id)
    expect((await pendingExRights(me)).pending).toMatchObject([{ id: a.id, stockId: s.id, factor: '0.5000', storedClose: 10, reference: 5, old: { stopLoss: 8.8 }, proposed: { stopLoss: 4.4 } }])
    const before = await row(s.id)
    const res = await decideExRightsAdjustment(me, s.id, a.id, 'accept')
    expect(res).toMatchObject({ status: 'ACCEPTED', decidedBy: me, positionQtyAfter: 2_000 })
    // 1,000 managed × 2 = 2,000; the other 500 the broker holds stay the trader's own
    expect(await row(s.id)).toMatchObject({ entryLowMilli: 4_600, entryHighMilli: 4_750, takeProfitMilli: 5_250, stopLossMilli: 4_400, positionQty: 2_000, version: before.version + 1 })
    // the entry's cost (what relative levels resolve against) is scaled by the same factor
    expect((await row(s.id)).entryCostMilli).toBe(4_605)
    expect((await pendingExRights(me)).pending).toEqual([])
    const [audit] = await getDb().auditLog.findMany({ where: { action: 'exRights.accept' } })
    expect(audit).toMatchObject({ actorId: me, entity: 'MonitoredStock', entityId: String(s.id) })
    await expect(decideExRightsAdjustment(me, s.id, a.id, 'dismiss')).rejects.toMatchObject({ message: 'exRights.notPending' })
  })

  it('accept also scales later take-profit tranches set as prices and the held position\'s tranche progress and breakeven level; % tranches stay', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    const exits = { baseQty: 1_000, targets: [700, 400], done: 1, breakevenMilli: 9_230, breakevenAt: '2026-09-14T02:00:00.000Z' }
    await getDb().monitoredStock.update({
      where: { id: s.id },
      data: { positionQty: 700, positionSellableQty: 700, entryCostMilli: 9_210, takeProfit2Milli: 10_800, takeProfit2ShareBp: 3_000, takeProfit3Bp: 2_000, takeProfit3ShareBp: 3_000, triggerMemo: { v: 1, exits } },
    })
    await getDb().positionSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), code: s.code, volume: 1_400, canUseVolume: 1_400, avgPriceMilli: 4_605, openPriceMilli: 4_605, marketValueMilli: 7_000_000n, takenAt: new Date() } })
    const a = await pending(s.id)
    await decideExRightsAdjustment(me, s.id, a.id, 'accept')
    const r = await row(s.id)
    expect(r).toMatchObject({ takeProfit2Milli: 5_400, takeProfit3Milli: null, takeProfit3Bp: 2_000, positionQty: 1_400 })
    // 10转10: twice the shares at half the price; the breakeven level rounds up to the tick
    expect((r.triggerMemo as { exits: unknown }).exits).toEqual({ ...exits, baseQty: 2_000, targets: [1_400, 800], breakevenMilli: 4_620 })
  })

  it('dismiss keeps the levels; an edit after the detection refuses accept but not dismiss', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    const a = await pending(s.id)
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { stopLossMilli: 8_500 } })
    await expect(decideExRightsAdjustment(me, s.id, a.id, 'accept')).rejects.toBeInstanceOf(ConflictError)
    expect((await getDb().exRightsAdjustment.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('PENDING')
    await decideExRightsAdjustment(me, s.id, a.id, 'dismiss')
    expect(await row(s.id)).toMatchObject({ stopLossMilli: 8_500, takeProfitMilli: 10_500 })
    expect((await getDb().exRightsAdjustment.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('DISMISSED')
  })

  it("never decides another user's adjustment, nor one of another stock", async () => {
    const me = await makeUser()
    const other = await makeUser()
    const theirs = await makeStock(other)
    const mine = await makeStock(me, { code: '000001.SZ', name: '平安银行', entryLow: '11.00', entryHigh: '11.20', takeProfit: '12.00', stopLoss: '10.50' })
    const a = await pending(theirs.id)
    await expect(decideExRightsAdjustment(me, theirs.id, a.id, 'accept')).rejects.toBeInstanceOf(NotFoundError)
    await expect(decideExRightsAdjustment(me, mine.id, a.id, 'accept')).rejects.toBeInstanceOf(NotFoundError)
    expect((await pendingExRights(me)).pending).toEqual([])
    expect((await getDb().exRightsAdjustment.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('PENDING')
  })

  it('the request schema takes {adjustmentId, decision} only', () => {
    expect(exRightsDecisionSchema.safeParse({ adjustmentId: 3, decision: 'accept' }).success).toBe(true)
    for (const bad of [{}, { adjustmentId: 0, decision: 'accept' }, { adjustmentId: 1.5, decision: 'dismiss' }, { adjustmentId: 1, decision: 'maybe' }, { adjustmentId: '1', decision: 'accept' }]) {
      expect(exRightsDecisionSchema.safeParse(bad).success).toBe(false)
    }
  })
})
