/**
 * Reads for the dashboard: the user's live monitors with their newest quote and last trigger, the
 * number of orders of a market day, and the health rows written by the worker. Owner-scoped.
 */
import { getDb } from './client'
import { accountRowsWhere } from './account-scope'

export function listLiveStocks(userId: number, account?: { id: number; defaultId: number }) {
  return getDb().monitoredStock.findMany({
    where: { userId, archivedAt: null, ...accountRowsWhere(account) },
    include: { quantConfig: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  })
}

export type LiveStockRow = Awaited<ReturnType<typeof listLiveStocks>>[number]

/** The newest trigger of each stock (by creation), with its outcome. */
export async function lastTriggers(stockIds: number[]) {
  if (stockIds.length === 0) return new Map<number, { kind: string; outcome: string; createdAt: Date; quoteTime: Date; priceMilli: number; reason: string | null }>()
  const rows = await getDb().triggerEvent.findMany({
    where: { stockId: { in: stockIds } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    distinct: ['stockId'],
    select: { stockId: true, kind: true, outcome: true, createdAt: true, quoteTime: true, priceMilli: true, reason: true },
  })
  return new Map(rows.map((r) => [r.stockId, r]))
}

/**
 * Orders of the user whose trigger fired in [from, to) of market time (the same day boundary as the
 * daily summary: in demo mode the market day is the simulated one, not the wall date).
 */
export function countOrdersBetween(userId: number, from: Date, to: Date, account?: { id: number; defaultId: number }): Promise<number> {
  return getDb().order.count({ where: { userId, triggerEvent: { quoteTime: { gte: from, lt: to } }, ...accountRowsWhere(account) } })
}

export function getHealthRow(name: string) {
  return getDb().serviceHealth.findUnique({ where: { name } })
}

export function latestBeat() {
  return getDb().workerHeartbeat.findFirst({ orderBy: [{ cycleStartedAt: 'desc' }, { id: 'desc' }] })
}
