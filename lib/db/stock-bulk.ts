/**
 * Bulk actions on a user's stocks (the stock list's selection): enable, disable, switch auto-trade
 * off, archive. Each stock in its own transaction, scoped to the owner, version bumped (so the worker
 * reloads) and audit-logged; one stock's refusal (an open order blocks archiving) does not undo the
 * others, and each answer says what happened to each id. A foreign id reads as missing.
 */
import { AppError, ConflictError, NotFoundError } from '@/lib/errors'
import { getDb } from './client'
import { writeTx } from './tx'
import { writeAudit } from './audit'
import { archiveStock, setAutoTrade } from './stocks'

export type BulkOutcome = { id: number; ok: true; changed: boolean } | { id: number; ok: false; error: AppError }

async function setEnabled(userId: number, id: number, enabled: boolean): Promise<boolean> {
  return writeTx(getDb(), async (tx) => {
    const before = await tx.monitoredStock.findFirst({ where: { id, userId }, select: { id: true, enabled: true, archivedAt: true } })
    if (!before) throw new NotFoundError('stock.notFound')
    if (before.archivedAt) throw new ConflictError('stock.archived')
    if (before.enabled === enabled) return false
    await tx.monitoredStock.update({ where: { id }, data: { enabled, version: { increment: 1 } } })
    await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.bulkEnabled', entity: 'MonitoredStock', entityId: id, before: { enabled: before.enabled }, after: { enabled } })
    return true
  })
}

export async function bulkStockAction(userId: number, ids: number[], action: 'enable' | 'disable' | 'autoTradeOff' | 'archive'): Promise<BulkOutcome[]> {
  const out: BulkOutcome[] = []
  for (const id of ids) {
    try {
      if (action === 'enable' || action === 'disable') out.push({ id, ok: true, changed: await setEnabled(userId, id, action === 'enable') })
      else if (action === 'autoTradeOff') {
        const row = await getDb().monitoredStock.findFirst({ where: { id, userId }, select: { quantConfig: { select: { autoTrade: true } } } })
        if (!row) throw new NotFoundError('stock.notFound')
        if (!row.quantConfig?.autoTrade) out.push({ id, ok: true, changed: false })
        else {
          await setAutoTrade(userId, id, false)
          out.push({ id, ok: true, changed: true })
        }
      } else {
        const row = await getDb().monitoredStock.findFirst({ where: { id, userId }, select: { archivedAt: true } })
        if (!row) throw new NotFoundError('stock.notFound')
        if (row.archivedAt) out.push({ id, ok: true, changed: false })
        else {
          await archiveStock(userId, id)
          out.push({ id, ok: true, changed: true })
        }
      }
    } catch (e) {
      if (e instanceof AppError) out.push({ id, ok: false, error: e })
      else throw e
    }
  }
  return out
}
