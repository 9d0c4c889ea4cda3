/**
 * Orders as the worker moves them through their life. Every status change is a conditional update
 * on the status it expects, so two processes (or a retry) can never move the same order twice.
 */
import { accountOfStock } from './broker-accounts'
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

/**
 * The broker account a worker pass works on (issue 13): only that account's orders go to its
 * bridge. Orders written before accounts (null) belong to the default account. Undefined: all.
 */
export interface AccountScope {
  id: number
  isDefault: boolean
}

export function accountWhere(scope: AccountScope | undefined) {
  if (!scope) return {}
  return scope.isDefault ? { OR: [{ brokerAccountId: scope.id }, { brokerAccountId: null }] } : { brokerAccountId: scope.id }
}

export function listPendingOrders(scope?: AccountScope) {
  return getDb().order.findMany({ where: { status: 'PENDING', ...accountWhere(scope) }, include: withContext, orderBy: { id: 'asc' } })
}

export function listOpenOrders(scope?: AccountScope) {
  return getDb().order.findMany({ where: { status: { in: OPEN_STATUSES }, ...accountWhere(scope) }, include: withContext, orderBy: { id: 'asc' } })
}

/** Orders by clientOrderId (the remark they carry at the bridge), whatever their status; of one account when scoped. */
export function findOrdersByClientIds(clientOrderIds: string[], scope?: AccountScope) {
  if (clientOrderIds.length === 0) return Promise.resolve([])
  return getDb().order.findMany({ where: { clientOrderId: { in: clientOrderIds }, ...accountWhere(scope) }, include: withContext, orderBy: { id: 'asc' } })
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
  /** The market clock's now when the intent is written (what the orders page shows and filters on). */
  marketAt: Date
}

export async function createOrderIntent(tx: Tx, o: NewOrder) {
  // The order goes to the account its monitor trades on, fixed now: a later change of the
  // monitor's account never redirects an intent or a live order.
  const stock = await tx.monitoredStock.findUniqueOrThrow({ where: { id: o.stockId }, select: { brokerAccountId: true } })
  const brokerAccountId = await accountOfStock(stock, tx)
  // activeKey = the trigger: a second live order for the same trigger violates a unique index.
  return tx.order.create({ data: { ...o, brokerAccountId, status: 'PENDING', activeKey: o.triggerEventId } })
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
export function committedBuys(tx: Tx, readAt: Date | null, scope?: AccountScope) {
  return tx.order.findMany({
    where: { side: 'BUY', AND: [accountWhere(scope), { OR: [{ status: { in: ['PENDING', ...OPEN_STATUSES] } }, ...(readAt ? [{ sendingAt: { gte: readAt } }] : [])] }] },
    select: { code: true, status: true, quantity: true, filledQuantity: true, filledAmountMilli: true, limitPriceMilli: true, estFeesMilli: true, sendingAt: true, submittedAt: true },
  })
}

/** The numbers checkRisk needs, read inside the signal's transaction. */
export async function riskActivity(tx: Tx, stockId: number, code: string, since: { minuteAgo: Date; windowStart: Date; dayStart: Date }, scope?: AccountScope) {
  const [lastMinute, active, recent, losses, boughtToday, accountLastMinute, account] = await Promise.all([
    tx.order.count({ where: { createdAt: { gte: since.minuteAgo } } }),
    tx.order.groupBy({ by: ['side'], where: { stockId, activeKey: { not: null } }, _count: { _all: true } }),
    tx.order.findMany({ where: { createdAt: { gte: since.windowStart } }, select: { code: true, side: true, limitPriceMilli: true, createdAt: true, status: true } }),
    tx.fill.aggregate({ where: { tradedAt: { gte: since.dayStart }, realizedPnlMilli: { lt: 0 } }, _sum: { realizedPnlMilli: true } }),
    tx.fill.aggregate({ where: { tradedAt: { gte: since.dayStart }, order: { code, side: 'BUY' } }, _sum: { quantity: true } }),
    scope ? tx.order.count({ where: { createdAt: { gte: since.minuteAgo }, ...accountWhere(scope) } }) : Promise.resolve(null),
    scope ? tx.brokerAccount.findUnique({ where: { id: scope.id }, select: { risk: true } }) : Promise.resolve(null),
  ])
  return {
    lastMinute,
    active,
    recent,
    lossMilli: losses._sum.realizedPnlMilli ?? 0n,
    boughtToday: boughtToday._sum.quantity ?? 0,
    accountLastMinute,
    accountLimits: accountRiskLimits(account?.risk),
  }
}

/** The account's stored limits ({ maxOrdersPerMinute, maxOrderValue }, either null), or null when none are set. */
function accountRiskLimits(raw: unknown): { maxOrdersPerMinute: number | null; maxOrderValue: number | null } | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null
  const r = raw as Record<string, unknown>
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null)
  const limits = { maxOrdersPerMinute: num(r.maxOrdersPerMinute), maxOrderValue: num(r.maxOrderValue) }
  return limits.maxOrdersPerMinute === null && limits.maxOrderValue === null ? null : limits
}

export function getAccountSnapshot(brokerAccountId: number) {
  return getDb().accountSnapshot.findUnique({ where: { brokerAccountId } })
}

export function listPositionSnapshots(brokerAccountId: number) {
  return getDb().positionSnapshot.findMany({ where: { brokerAccountId } })
}

export async function saveAccountSnapshot(
  brokerAccountId: number,
  account: { totalAssetMilli: bigint; cashMilli: bigint; frozenCashMilli: bigint; marketValueMilli: bigint },
  positions: Array<{ code: string; volume: number; canUseVolume: number; avgPriceMilli: number; openPriceMilli: number; marketValueMilli: bigint }>,
  takenAt: Date,
): Promise<void> {
  await writeTx(getDb(), async (tx) => {
    await tx.accountSnapshot.upsert({ where: { brokerAccountId }, create: { brokerAccountId, ...account, takenAt }, update: { ...account, takenAt } })
    await tx.positionSnapshot.deleteMany({ where: { brokerAccountId, code: { notIn: positions.map((p) => p.code) } } })
    for (const p of positions)
      await tx.positionSnapshot.upsert({ where: { brokerAccountId_code: { brokerAccountId, code: p.code } }, create: { brokerAccountId, ...p, takenAt }, update: { ...p, takenAt } })
  })
}
