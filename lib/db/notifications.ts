/** In-app notification history: full, filterable, paginated; read state is per notification. */
import { getDb } from './client'
import { accountRowsWhere } from './account-scope'
import { BY_MARKET_TIME_DESC, marketTimeWhere } from './orders-view'

export interface NotificationFilter {
  type?: string
  stockId?: number
  from?: Date
  to?: Date
  unread?: boolean
  /** One broker account's notifications (issue 13); checked visible by the caller. */
  account?: { id: number; defaultId: number }
}

function where(userId: number, f: NotificationFilter) {
  return {
    userId,
    ...(f.type ? { type: f.type } : {}),
    ...(f.stockId ? { stockId: f.stockId } : {}),
    ...(f.unread ? { readAt: null } : {}),
    ...marketTimeWhere(f.from, f.to),
    ...accountRowsWhere(f.account),
  }
}

export async function listNotifications(userId: number, filter: NotificationFilter, page: number, pageSize: number) {
  const db = getDb()
  const w = where(userId, filter)
  const [total, items] = await Promise.all([
    db.notification.count({ where: w }),
    db.notification.findMany({
      where: w,
      orderBy: BY_MARKET_TIME_DESC,
      skip: (page - 1) * pageSize,
      take: pageSize,
      include: {
        stock: { select: { id: true, code: true, name: true, archivedAt: true } },
        deliveries: { select: { id: true, status: true, attempts: true, lastError: true, deliveredAt: true, channel: { select: { name: true, type: true } } } },
      },
    }),
  ])
  return { total, items }
}

export function unreadCount(userId: number) {
  return getDb().notification.count({ where: { userId, readAt: null } })
}

export async function markRead(userId: number, ids: number[]) {
  const res = await getDb().notification.updateMany({ where: { userId, id: { in: ids }, readAt: null }, data: { readAt: new Date() } })
  return res.count
}

export async function markAllRead(userId: number) {
  const res = await getDb().notification.updateMany({ where: { userId, readAt: null }, data: { readAt: new Date() } })
  return res.count
}

export async function notificationTypes(userId: number): Promise<string[]> {
  const rows = await getDb().notification.findMany({ where: { userId }, distinct: ['type'], select: { type: true } })
  return rows.map((r) => r.type).sort()
}
