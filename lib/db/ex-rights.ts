/**
 * Ex-rights adjustments (除权除息): the stored closes they are detected against, the records the
 * worker writes when it detects one, the pending set it skips, and the trader's decision.
 */
import { adjustExitsMemo, adjustLevelMilli, normalizeMemo } from '@/lib/market'
import { accountOfStock } from './broker-accounts'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { getDb } from './client'
import { writeTx, type Tx } from './tx'
import { writeAudit } from './audit'

/** The newest stored quote of each code (QuoteSnapshot: one row per code). */
export async function storedSnapshots(codes: string[]) {
  if (codes.length === 0) return []
  return getDb().quoteSnapshot.findMany({ where: { code: { in: codes } }, select: { code: true, name: true, lastMilli: true, quoteTime: true, suspended: true } })
}

/** Stock ids with an ex-rights adjustment waiting for the trader (a handful at most: read them all). */
export async function pendingExRightsStockIds(): Promise<Set<number>> {
  const rows = await getDb().exRightsAdjustment.findMany({ where: { status: 'PENDING' }, select: { stockId: true } })
  return new Set(rows.map((r) => r.stockId))
}

/** Stock ids that already have a record for `day` (any status): detected once per day. */
export async function exRightsDecidedFor(stockIds: number[], day: string): Promise<Set<number>> {
  if (stockIds.length === 0) return new Set()
  const rows = await getDb().exRightsAdjustment.findMany({ where: { day, stockId: { in: stockIds } }, select: { stockId: true } })
  return new Set(rows.map((r) => r.stockId))
}

export interface ExRightsRecord {
  stockId: number
  code: string
  day: string
  source: string
  storedCloseMilli: number
  referenceMilli: number
  factorPpm: number
  limitUpMilli: number | null
  limitDownMilli: number | null
  oldEntryLowMilli: number
  oldEntryHighMilli: number
  oldTakeProfitMilli: number
  oldStopLossMilli: number
  oldHighestMilli: number | null
  newEntryLowMilli: number
  newEntryHighMilli: number
  newTakeProfitMilli: number
  newStopLossMilli: number
  newHighestMilli: number | null
  positionQtyBefore: number
}

/**
 * Writes the record (once per monitor and day) and, in the same transaction, whatever `after`
 * adds (the notification). Returns false when the day's record already existed.
 */
export async function recordExRights(r: ExRightsRecord, after: (tx: Tx) => Promise<void>): Promise<boolean> {
  return writeTx(getDb(), async (tx) => {
    const existing = await tx.exRightsAdjustment.findUnique({ where: { stockId_day: { stockId: r.stockId, day: r.day } } })
    if (existing) return false
    await tx.exRightsAdjustment.create({ data: r })
    await after(tx)
    return true
  })
}

export function exRightsForStock(userId: number, stockId: number) {
  return getDb().exRightsAdjustment.findMany({ where: { stockId, stock: { userId } }, orderBy: { id: 'desc' }, take: 5 })
}

export function pendingExRightsForUser(userId: number) {
  return getDb().exRightsAdjustment.findMany({ where: { status: 'PENDING', stock: { userId, archivedAt: null } }, orderBy: { id: 'asc' } })
}

export type ExRightsRow = Awaited<ReturnType<typeof exRightsForStock>>[number]

/**
 * The trader's decision on a pending adjustment, one transaction. Accept: the monitor's absolute
 * levels become the proposed ones (only if they are still the levels the proposal was built from —
 * an edit in between is not overwritten), its managed quantity is set by `managedQty` from the
 * broker position snapshot, version bumped so the worker reloads it. Dismiss: levels kept. Both
 * end the pause; both are audit-logged.
 */
export async function decideExRights(
  userId: number,
  stockId: number,
  adjustmentId: number,
  accept: boolean,
  managedQty: (positionQty: number, brokerVolume: number | null, a: ExRightsRow) => number,
): Promise<ExRightsRow> {
  return writeTx(getDb(), async (tx) => {
    const a = await tx.exRightsAdjustment.findFirst({ where: { id: adjustmentId, stockId, stock: { userId } } })
    if (!a) throw new NotFoundError('exRights.notFound')
    if (a.status !== 'PENDING') throw new ConflictError('exRights.notPending')
    const row = await tx.monitoredStock.findUniqueOrThrow({ where: { id: stockId } })
    if (row.archivedAt) throw new ConflictError('stock.archived')
    let positionQtyAfter = row.positionQty
    if (accept) {
      const same =
        row.entryLowMilli === a.oldEntryLowMilli && row.entryHighMilli === a.oldEntryHighMilli && row.takeProfitMilli === a.oldTakeProfitMilli && row.stopLossMilli === a.oldStopLossMilli
      if (!same) throw new ConflictError('exRights.levelsChanged')
      const position = await tx.positionSnapshot.findUnique({ where: { brokerAccountId_code: { brokerAccountId: await accountOfStock(row, tx), code: row.code } } })
      positionQtyAfter = managedQty(row.positionQty, position ? position.volume : null, a)
      // Later take-profit tranches set as prices scale like the other levels (% of cost ones follow
      // the scaled cost); a held position's tranche progress and breakeven level follow too.
      const scaled = (v: number | null) => (v != null ? adjustLevelMilli(row.code, v, a.referenceMilli, a.storedCloseMilli) : v)
      const memo = normalizeMemo(row.triggerMemo)
      const exitsMemo = memo.exits ? adjustExitsMemo(row.code, memo.exits, a.referenceMilli, a.storedCloseMilli, row.positionQty, positionQtyAfter) : null
      await tx.monitoredStock.update({
        where: { id: stockId },
        data: {
          entryLowMilli: a.newEntryLowMilli,
          entryHighMilli: a.newEntryHighMilli,
          takeProfitMilli: a.newTakeProfitMilli,
          stopLossMilli: a.newStopLossMilli,
          takeProfit2Milli: scaled(row.takeProfit2Milli),
          takeProfit3Milli: scaled(row.takeProfit3Milli),
          ...(exitsMemo ? { triggerMemo: { ...memo, exits: exitsMemo } as object } : {}),
          // The trailing reference scales only if it is still the one the proposal saw.
          ...(a.oldHighestMilli != null && row.highestSinceEntryMilli === a.oldHighestMilli ? { highestSinceEntryMilli: a.newHighestMilli } : {}),
          // Relative (%) levels resolve against the entry's cost: it is scaled like the prices,
          // so the percentages keep their meaning and need no adjusting.
          ...(row.entryCostMilli != null ? { entryCostMilli: Math.round((row.entryCostMilli * a.referenceMilli) / a.storedCloseMilli) } : {}),
          positionQty: positionQtyAfter,
          ...(positionQtyAfter !== row.positionQty ? { positionSellableQty: Math.min(row.positionSellableQty, positionQtyAfter) } : {}),
          version: { increment: 1 },
        },
      })
    } else {
      // Not evaluated while pending: the worker reloads it (and its memo) from here.
      await tx.monitoredStock.update({ where: { id: stockId }, data: { version: { increment: 1 } } })
    }
    const after = await tx.exRightsAdjustment.update({ where: { id: a.id }, data: { status: accept ? 'ACCEPTED' : 'DISMISSED', decidedAt: new Date(), decidedBy: userId, positionQtyAfter } })
    await writeAudit(tx, {
      actorId: userId,
      actor: `user:${userId}`,
      action: accept ? 'exRights.accept' : 'exRights.dismiss',
      entity: 'MonitoredStock',
      entityId: stockId,
      before: { entryLowMilli: row.entryLowMilli, entryHighMilli: row.entryHighMilli, takeProfitMilli: row.takeProfitMilli, stopLossMilli: row.stopLossMilli, highestSinceEntryMilli: row.highestSinceEntryMilli, positionQty: row.positionQty },
      after: { adjustmentId: a.id, factorPpm: a.factorPpm, status: after.status, positionQty: positionQtyAfter },
    })
    return after
  })
}
