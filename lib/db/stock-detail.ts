/** Reads for the stock detail page: one stock's triggers, orders with fills, notifications (newest market time first), and bars. Owner-scoped. */
import { getDb } from './client'
import { BY_MARKET_TIME_DESC } from './orders-view'

export async function stockHistory(userId: number, stockId: number, take = 200) {
  const db = getDb()
  const [triggers, orders, notifications] = await Promise.all([
    db.triggerEvent.findMany({ where: { stockId, stock: { userId } }, orderBy: [{ quoteTime: 'desc' }, { id: 'desc' }], take }),
    db.order.findMany({
      where: { stockId, userId },
      include: { fills: { orderBy: [{ tradedAt: 'asc' }, { id: 'asc' }] }, triggerEvent: { select: { kind: true, episode: true } } },
      orderBy: BY_MARKET_TIME_DESC,
      take,
    }),
    db.notification.findMany({
      where: { stockId, userId },
      orderBy: BY_MARKET_TIME_DESC,
      take,
      select: { id: true, type: true, severity: true, title: true, body: true, params: true, createdAt: true, marketAt: true, readAt: true, orderId: true, triggerEventId: true },
    }),
  ])
  return { triggers, orders, notifications }
}

/** The newest one-minute bar of a code (to find the last session when today has none). */
export function latestBar(code: string) {
  return getDb().quoteBar.findFirst({ where: { code }, orderBy: { minute: 'desc' } })
}

export function positionSnapshot(brokerAccountId: number, code: string) {
  return getDb().positionSnapshot.findUnique({ where: { brokerAccountId_code: { brokerAccountId, code } } })
}
