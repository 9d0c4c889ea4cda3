/**
 * User actions that move a monitor's state machine (re-arm, mark an existing position as managed).
 * One write transaction: read the owner's row (and the broker position snapshot), let the caller
 * compute the transition with lib/market, write it with a `version` bump (so the worker reloads the
 * monitor and its own stale writes are refused) and audit-log before/after.
 */
import { accountOfStock } from './broker-accounts'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { getDb } from './client'
import { writeTx } from './tx'
import { writeAudit } from './audit'
import type { StockRow } from './stocks'

export interface PositionSnapshotRow {
  code: string
  volume: number
  canUseVolume: number
  avgPriceMilli: number
  takenAt: Date
}

export interface MonitorWrite {
  state: 'WATCHING' | 'ENTRY_PENDING' | 'HOLDING' | 'EXIT_PENDING' | 'CLOSED' | 'PAUSED'
  episode: number
  highestSinceEntryMilli: number | null
  triggerMemo: unknown
  position?: { qty: number; sellable: number; costMilli: number | null }
  /** Clears the pause of automatic exits a trader's cancel set (resume). */
  resumeExits?: boolean
  /** Stored in the audit log beside the new state (e.g. lib/market's reason code). */
  note?: Record<string, unknown>
}

function core(row: StockRow) {
  return {
    state: row.state,
    episode: row.episode,
    highestSinceEntryMilli: row.highestSinceEntryMilli,
    positionQty: row.positionQty,
    positionSellableQty: row.positionSellableQty,
    positionCostMilli: row.positionCostMilli,
    exitsPausedAt: row.exitsPausedAt,
    exitsPausedWhy: row.exitsPausedWhy,
  }
}

export async function writeUserTransition(
  userId: number,
  id: number,
  action: string,
  compute: (row: StockRow, position: PositionSnapshotRow | null) => MonitorWrite,
): Promise<StockRow> {
  return writeTx(getDb(), async (tx) => {
    const row = await tx.monitoredStock.findFirst({ where: { id, userId }, include: { quantConfig: true } })
    if (!row) throw new NotFoundError('stock.notFound')
    if (row.archivedAt) throw new ConflictError('stock.archived')
    const position = await tx.positionSnapshot.findUnique({ where: { brokerAccountId_code: { brokerAccountId: await accountOfStock(row, tx), code: row.code } } })
    const w = compute(row, position)
    const after = await tx.monitoredStock.update({
      where: { id },
      data: {
        state: w.state,
        episode: w.episode,
        highestSinceEntryMilli: w.highestSinceEntryMilli,
        triggerMemo: w.triggerMemo as object,
        ...(w.state !== row.state ? { stateChangedAt: new Date() } : {}),
        ...(w.position ? { positionQty: w.position.qty, positionSellableQty: w.position.sellable, positionCostMilli: w.position.costMilli } : {}),
        ...(w.resumeExits ? { exitsPausedAt: null, exitsPausedWhy: null } : {}),
        version: { increment: 1 },
      },
      include: { quantConfig: true },
    })
    await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action, entity: 'MonitoredStock', entityId: id, before: core(row), after: { ...core(after), ...(w.note ?? {}) } })
    return after
  })
}
