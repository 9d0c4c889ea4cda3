/**
 * The user's own records for export, in a time range [from, to): orders (by market time), fills (by
 * trade time) and notifications (by market time), oldest first. Always scoped by userId.
 */
import { getDb } from './client'
import { marketTimeWhere } from './orders-view'

const BY_MARKET_TIME_ASC = [{ marketAt: { sort: 'asc' as const, nulls: 'first' as const } }, { createdAt: 'asc' as const }, { id: 'asc' as const }]

/** More rows than this in one export is refused (the caller narrows the range). */
export const EXPORT_ROW_LIMIT = 100_000

export function exportOrders(userId: number, from: Date, to: Date) {
  return getDb().order.findMany({
    where: { userId, ...marketTimeWhere(from, to) },
    include: { stock: { select: { name: true } }, triggerEvent: { select: { kind: true, quoteTime: true } } },
    orderBy: BY_MARKET_TIME_ASC,
    take: EXPORT_ROW_LIMIT + 1,
  })
}

export function exportFills(userId: number, from: Date, to: Date) {
  return getDb().fill.findMany({
    where: { order: { userId }, tradedAt: { gte: from, lt: to } },
    include: { order: { select: { id: true, clientOrderId: true, code: true, side: true, stock: { select: { name: true } } } } },
    orderBy: [{ tradedAt: 'asc' }, { id: 'asc' }],
    take: EXPORT_ROW_LIMIT + 1,
  })
}

export function exportNotifications(userId: number, from: Date, to: Date) {
  return getDb().notification.findMany({
    where: { userId, ...marketTimeWhere(from, to) },
    include: { stock: { select: { code: true, name: true } } },
    orderBy: BY_MARKET_TIME_ASC,
    take: EXPORT_ROW_LIMIT + 1,
  })
}
