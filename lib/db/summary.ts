import { getDb } from './client'

/** Per-user counts of a trading day (by the market time of the triggers). */
export async function daySummaryCounts(userId: number, from: Date, to: Date) {
  const db = getDb()
  const triggerWhere = { stock: { userId }, quoteTime: { gte: from, lt: to } }
  const [signals, orders, holding] = await Promise.all([
    db.triggerEvent.count({ where: triggerWhere }),
    db.order.groupBy({ by: ['status'], where: { userId, triggerEvent: { quoteTime: { gte: from, lt: to } } }, _count: { _all: true } }),
    db.monitoredStock.count({ where: { userId, archivedAt: null, positionQty: { gt: 0 } } }),
  ])
  const by = (s: string) => orders.find((o) => o.status === s)?._count._all ?? 0
  return {
    signals,
    orders: orders.reduce((n, o) => n + o._count._all, 0),
    filled: by('FILLED'),
    cancelled: by('CANCELLED'),
    rejected: by('REJECTED') + by('FAILED'),
    unknown: by('UNKNOWN') + by('SENDING'),
    positions: holding,
  }
}

export function listUsers() {
  return getDb().user.findMany({ select: { id: true, locale: true } })
}
