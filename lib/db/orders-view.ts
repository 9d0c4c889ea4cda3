/**
 * Orders as the trader sees them: owner-scoped lists with fills, and the record of a cancel the
 * trader asked for. The web app never moves an order's status: the final state (已撤 / 部撤, or
 * 已成 if it filled first) comes from the worker's tracking of the bridge's own records.
 */
import { getDb } from './client'
import { writeTx } from './tx'
import { writeAudit } from './audit'
import type { OrderStatusValue } from './orders'
import { accountRowsWhere } from './account-scope'

export interface OrderListFilter {
  statuses?: OrderStatusValue[]
  stockId?: number
  side?: 'BUY' | 'SELL'
  from?: Date
  to?: Date
  /** One broker account's orders (issue 13); checked visible by the caller. */
  account?: { id: number; defaultId: number }
}

/** Statuses in which the trader may ask the bridge to cancel (the order may be working). */
export const USER_CANCELLABLE: OrderStatusValue[] = ['SUBMITTED', 'PARTIALLY_FILLED', 'UNKNOWN']

const include = {
  fills: { orderBy: [{ tradedAt: 'asc' as const }, { id: 'asc' as const }] },
  stock: { select: { id: true, code: true, name: true, archivedAt: true } },
  triggerEvent: { select: { kind: true, episode: true } },
}

function where(userId: number, f: OrderListFilter) {
  return {
    userId,
    ...(f.statuses?.length ? { status: { in: f.statuses } } : {}),
    ...(f.stockId ? { stockId: f.stockId } : {}),
    ...(f.side ? { side: f.side } : {}),
    ...marketTimeWhere(f.from, f.to),
    ...accountRowsWhere(f.account),
  }
}

/**
 * A date range on the market clock (marketAt), the wall time standing in for a row without one
 * (rows written before marketAt existed were backfilled, so only rows written outside the worker).
 */
export function marketTimeWhere(from?: Date, to?: Date) {
  if (!from && !to) return {}
  const range = { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) }
  return { AND: [{ OR: [{ marketAt: range }, { marketAt: null, createdAt: range }] }] }
}

/** Newest market time first (a row without one last), then newest id. */
export const BY_MARKET_TIME_DESC = [{ marketAt: { sort: 'desc' as const, nulls: 'last' as const } }, { id: 'desc' as const }]

export async function listOrdersForUser(userId: number, f: OrderListFilter, page: number, pageSize: number) {
  const db = getDb()
  const w = where(userId, f)
  const [total, items] = await Promise.all([
    db.order.count({ where: w }),
    db.order.findMany({ where: w, include, orderBy: BY_MARKET_TIME_DESC, skip: (page - 1) * pageSize, take: pageSize }),
  ])
  return { total, items }
}

export type OrderListRow = Awaited<ReturnType<typeof listOrdersForUser>>['items'][number]

export function getOrderForUser(userId: number, id: number) {
  return getDb().order.findFirst({ where: { id, userId }, include })
}

export interface CancelAnswer {
  success: boolean
  outcome: string
  message: string
  code?: string
}

/** Every DingPan order that is not final, all users (the admin's "cancel all working orders"). */
export function listWorkingOrders() {
  return getDb().order.findMany({
    where: { status: { in: ['PENDING', 'SENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'CANCELLING', 'UNKNOWN'] } },
    include: { stock: { select: { id: true, code: true, name: true } } },
    orderBy: { id: 'asc' },
  })
}

/** Audit entry for a batch action on orders (e.g. cancel all), with its per-order results. */
export async function auditOrdersAction(actor: { id: number; label: string }, action: string, after: unknown): Promise<void> {
  await writeTx(getDb(), (tx) => writeAudit(tx, { actorId: actor.id, actor: actor.label, action, entity: 'Order', entityId: null, before: null, after }))
}

/**
 * After the bridge answered a user's cancel: when it accepted the request, record who asked and
 * when — only if the order is still open (a fill or another cancel may have ended it meanwhile).
 * Audit-logged either way, with the bridge's exact answer; `actor` when someone other than the
 * order's owner asked (an admin's cancel-all).
 */
export async function recordUserCancel(userId: number, orderId: number, answer: CancelAnswer, actor?: { id: number; label: string }): Promise<boolean> {
  return writeTx(getDb(), async (tx) => {
    const before = await tx.order.findFirst({ where: { id: orderId, userId }, select: { status: true, xtStatus: true, cancelRequestedAt: true, cancelledBy: true, bridgeOrderId: true } })
    let recorded = false
    if (before && answer.outcome === 'requested') {
      const res = await tx.order.updateMany({
        where: { id: orderId, userId, status: { in: [...USER_CANCELLABLE, 'CANCELLING'] } },
        data: { cancelRequestedAt: new Date(), cancelledBy: 'user' },
      })
      recorded = res.count === 1
    }
    await writeAudit(tx, { actorId: actor?.id ?? userId, actor: actor?.label ?? `user:${userId}`, action: 'order.cancel', entity: 'Order', entityId: orderId, before, after: { bridge: answer, recorded } })
    return recorded
  })
}
