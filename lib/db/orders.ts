/**
 * Orders as the worker moves them through their life. Every status change is a conditional update
 * on the status it expects, so two processes (or a retry) can never move the same order twice.
 */
import { getDb } from './client'
import { writeTx, type Tx } from './tx'

export type OrderStatusValue = 'PENDING' | 'SENDING' | 'SUBMITTED' | 'PARTIALLY_FILLED' | 'CANCELLING' | 'FILLED' | 'CANCELLED' | 'REJECTED' | 'FAILED' | 'UNKNOWN'

export const OPEN_STATUSES: OrderStatusValue[] = ['SENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'CANCELLING', 'UNKNOWN']
export const TERMINAL_STATUSES: OrderStatusValue[] = ['FILLED', 'CANCELLED', 'REJECTED', 'FAILED']

const withContext = {
  triggerEvent: true,
  stock: { include: { quantConfig: true, user: { select: { id: true, locale: true } } } },
} as const

export type OrderWithContext = NonNullable<Awaited<ReturnType<typeof getOrderWithContext>>>

export function getOrderWithContext(id: number) {
  return getDb().order.findUnique({ where: { id }, include: withContext })
}

export function listPendingOrders() {
  return getDb().order.findMany({ where: { status: 'PENDING' }, include: withContext, orderBy: { id: 'asc' } })
}

export function listOpenOrders() {
  return getDb().order.findMany({ where: { status: { in: OPEN_STATUSES } }, include: withContext, orderBy: { id: 'asc' } })
}

/** Orders by clientOrderId (the remark they carry at the bridge), whatever their status. */
export function findOrdersByClientIds(clientOrderIds: string[]) {
  if (clientOrderIds.length === 0) return Promise.resolve([])
  return getDb().order.findMany({ where: { clientOrderId: { in: clientOrderIds } }, include: withContext, orderBy: { id: 'asc' } })
}

/**
 * Inside a transaction: takes the order's row for the rest of it (a row lock on PostgreSQL; SQLite's
 * writeTx holds the database write lock already), so a second writer — another tracker during a
 * hand-over — waits and then reads what this one wrote. False when the order is no longer open.
 */
export async function lockOpenOrder(tx: Tx, id: number): Promise<boolean> {
  const res = await tx.order.updateMany({ where: { id, status: { in: OPEN_STATUSES } }, data: { lastCheckedAt: new Date() } })
  return res.count === 1
}

export interface NewOrder {
  clientOrderId: string
  triggerEventId: number
  attempt: number
  stockId: number
  userId: number
  code: string
  side: 'BUY' | 'SELL'
  quantity: number
  priceType: 'LIMIT' | 'MARKET'
  xtPriceType: number
  limitPriceMilli: number | null
  estFeesMilli: bigint
}

export function createOrderIntent(tx: Tx, o: NewOrder) {
  // activeKey = the trigger: a second live order for the same trigger violates a unique index.
  return tx.order.create({ data: { ...o, status: 'PENDING', activeKey: o.triggerEventId } })
}

/** Moves an order from one of `from` to `to` (with extra columns); false if it was not in `from`. */
export async function transitionOrder(
  tx: Tx | ReturnType<typeof getDb>,
  id: number,
  from: OrderStatusValue[],
  to: OrderStatusValue,
  data: Record<string, unknown> = {},
): Promise<boolean> {
  const terminal = TERMINAL_STATUSES.includes(to)
  const res = await tx.order.updateMany({
    where: { id, status: { in: from } },
    data: { status: to, ...(terminal ? { activeKey: null, terminalAt: new Date() } : {}), ...data },
  })
  return res.count === 1
}

export async function updateOrderFields(tx: Tx | ReturnType<typeof getDb>, id: number, data: Record<string, unknown>) {
  await tx.order.update({ where: { id }, data })
}

export async function upsertFill(
  tx: Tx,
  f: { orderId: number; tradedId: string; priceMilli: number; quantity: number; amountMilli: bigint; tradedAt: Date; realizedPnlMilli?: bigint | null },
): Promise<boolean> {
  const existing = await tx.fill.findUnique({ where: { orderId_tradedId: { orderId: f.orderId, tradedId: f.tradedId } } })
  if (existing) return false
  await tx.fill.create({ data: { ...f, realizedPnlMilli: f.realizedPnlMilli ?? null } })
  return true
}

/**
 * Our buys that may hold cash an account read taken at `readAt` does not show as spent: every buy
 * not final yet, and every buy sent since the read (its fills postdate it). Read inside the signal's
 * transaction, so an intent committed a moment ago by the same worker is counted.
 */
export function committedBuys(tx: Tx, readAt: Date | null) {
  return tx.order.findMany({
    where: { side: 'BUY', OR: [{ status: { in: ['PENDING', ...OPEN_STATUSES] } }, ...(readAt ? [{ sendingAt: { gte: readAt } }] : [])] },
    select: { code: true, status: true, quantity: true, filledQuantity: true, filledAmountMilli: true, limitPriceMilli: true, estFeesMilli: true, sendingAt: true, submittedAt: true },
  })
}

/** The numbers checkRisk needs, read inside the signal's transaction. */
export async function riskActivity(tx: Tx, stockId: number, code: string, since: { minuteAgo: Date; windowStart: Date; dayStart: Date }) {
  const [lastMinute, active, recent, losses, boughtToday] = await Promise.all([
    tx.order.count({ where: { createdAt: { gte: since.minuteAgo } } }),
    tx.order.groupBy({ by: ['side'], where: { stockId, activeKey: { not: null } }, _count: { _all: true } }),
    tx.order.findMany({ where: { createdAt: { gte: since.windowStart } }, select: { code: true, side: true, limitPriceMilli: true, createdAt: true, status: true } }),
    tx.fill.aggregate({ where: { tradedAt: { gte: since.dayStart }, realizedPnlMilli: { lt: 0 } }, _sum: { realizedPnlMilli: true } }),
    tx.fill.aggregate({ where: { tradedAt: { gte: since.dayStart }, order: { code, side: 'BUY' } }, _sum: { quantity: true } }),
  ])
  return { lastMinute, active, recent, lossMilli: losses._sum.realizedPnlMilli ?? 0n, boughtToday: boughtToday._sum.quantity ?? 0 }
}

export function getAccountSnapshot() {
  return getDb().accountSnapshot.findUnique({ where: { id: 1 } })
}

export function listPositionSnapshots() {
  return getDb().positionSnapshot.findMany()
}

export async function saveAccountSnapshot(
  account: { totalAssetMilli: bigint; cashMilli: bigint; frozenCashMilli: bigint; marketValueMilli: bigint },
  positions: Array<{ code: string; volume: number; canUseVolume: number; avgPriceMilli: number; openPriceMilli: number; marketValueMilli: bigint }>,
  takenAt: Date,
): Promise<void> {
  await writeTx(getDb(), async (tx) => {
    await tx.accountSnapshot.upsert({ where: { id: 1 }, create: { id: 1, ...account, takenAt }, update: { ...account, takenAt } })
    await tx.positionSnapshot.deleteMany({ where: { code: { notIn: positions.map((p) => p.code) } } })
    for (const p of positions) await tx.positionSnapshot.upsert({ where: { code: p.code }, create: { ...p, takenAt }, update: { ...p, takenAt } })
  })
}
