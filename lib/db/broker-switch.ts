/**
 * DingPan's orders a broker-settings change leaves behind: those sent (or being sent) to the bridge
 * in force that may still work there. On a confirmed change they become UNKNOWN — still reconciled
 * by the worker's tracking (by bridge id, then by clientOrderId), never FAILED by the change.
 */
import type { OrderStatusValue } from './orders'
import { getDb } from './client'
import type { Tx } from './tx'

/** Sent to (or on the wire to) the bridge and possibly working there. PENDING intents are not: they go to the bridge in force when sent. */
export const AT_BRIDGE_STATUSES: OrderStatusValue[] = ['SENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'CANCELLING', 'UNKNOWN']

/**
 * Orders at the bridge, of one account when `account` is given (the default account also owns the
 * rows written before accounts, whose brokerAccountId is NULL).
 */
export function listOrdersAtBridge(tx: Tx | ReturnType<typeof getDb> = getDb(), account?: { id: number; isDefault: boolean }) {
  const scope = account ? (account.isDefault ? { OR: [{ brokerAccountId: account.id }, { brokerAccountId: null }] } : { brokerAccountId: account.id }) : {}
  return tx.order.findMany({
    where: { status: { in: AT_BRIDGE_STATUSES }, ...scope },
    orderBy: { id: 'asc' },
    select: {
      id: true,
      userId: true,
      stockId: true,
      code: true,
      side: true,
      status: true,
      quantity: true,
      filledQuantity: true,
      clientOrderId: true,
      bridgeOrderId: true,
      triggerEventId: true,
      stock: { select: { name: true, user: { select: { locale: true } } } },
    },
  })
}

/** The listed orders that are still at the bridge become UNKNOWN (guarded on their status); returns those changed. */
export async function markOrdersUnknown(tx: Tx, ids: number[], note: string): Promise<number[]> {
  const changed: number[] = []
  for (const id of ids) {
    const r = await tx.order.updateMany({ where: { id, status: { in: AT_BRIDGE_STATUSES.filter((s) => s !== 'UNKNOWN') } }, data: { status: 'UNKNOWN', errorMessage: note, reconcileCount: 0 } })
    if (r.count === 1) changed.push(id)
  }
  return changed
}
