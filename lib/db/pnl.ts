/** Fills as the P&L computation reads them (lib/market/pnl.ts): every fill of one user's orders, optionally one stock. */
import type { PnlFill } from '@/lib/market'
import { getDb } from './client'

/** A fill as lib/market's P&L reads it, with the P&L recorded at the fill (null when unknown). */
export type PnlFillRow = PnlFill & { recordedPnlMilli: number | null }

/** Every fill of the user's orders up to `until` (exclusive), oldest first; matching needs the whole history. */
export async function listPnlFills(userId: number, opts: { stockId?: number; until?: Date } = {}): Promise<PnlFillRow[]> {
  const rows = await getDb().fill.findMany({
    where: { order: { userId, ...(opts.stockId != null ? { stockId: opts.stockId } : {}) }, ...(opts.until ? { tradedAt: { lt: opts.until } } : {}) },
    select: { id: true, orderId: true, priceMilli: true, quantity: true, amountMilli: true, tradedAt: true, realizedPnlMilli: true, order: { select: { stockId: true, code: true, side: true } } },
    orderBy: [{ tradedAt: 'asc' }, { id: 'asc' }],
  })
  return rows.map((r) => ({
    fillId: r.id,
    orderId: r.orderId,
    stockId: r.order.stockId,
    code: r.order.code,
    side: r.order.side === 'BUY' ? 'buy' : 'sell',
    priceMilli: r.priceMilli,
    quantity: r.quantity,
    amountMilli: Number(r.amountMilli),
    tradedAt: r.tradedAt,
    recordedPnlMilli: r.realizedPnlMilli == null ? null : Number(r.realizedPnlMilli),
  }))
}

/** Names of the user's stocks (archived ones too: their history stays). */
export async function stockNames(userId: number, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map()
  const rows = await getDb().monitoredStock.findMany({ where: { userId, id: { in: ids } }, select: { id: true, name: true } })
  return new Map(rows.map((r) => [r.id, r.name]))
}
