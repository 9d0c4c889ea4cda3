/**
 * Orders as the browser sees them: prices in yuan, the counter's status name (未报 … 废单) from the
 * raw xtStatus next to DingPan's own status, the counter's message, fills, and whether the trader
 * may ask for a cancel.
 */
import { fromMilli, orderStatusInfo } from '@/lib/market'
import { listOrdersForUser, USER_CANCELLABLE, type OrderListFilter, type OrderListRow } from '@/lib/db/orders-view'

const y = (m: number | null | undefined) => (m == null ? null : fromMilli(m))

export function toOrderView(o: OrderListRow) {
  const info = o.xtStatus == null ? null : orderStatusInfo(o.xtStatus)
  return {
    id: o.id,
    clientOrderId: o.clientOrderId,
    bridgeOrderId: o.bridgeOrderId,
    orderSysId: o.orderSysId,
    attempt: o.attempt,
    stock: { id: o.stock.id, code: o.stock.code, name: o.stock.name, archived: o.stock.archivedAt != null },
    code: o.code,
    kind: o.triggerEvent.kind,
    episode: o.triggerEvent.episode,
    side: o.side,
    quantity: o.quantity,
    priceType: o.priceType,
    xtPriceType: o.xtPriceType,
    limitPrice: y(o.limitPriceMilli),
    status: o.status,
    xtStatus: o.xtStatus,
    xtStatusName: info?.name ?? null,
    xtStatusNameEn: info?.nameEn ?? null,
    statusMsg: o.statusMsg,
    errorMessage: o.errorMessage,
    filledQuantity: o.filledQuantity,
    filledAmount: Number(o.filledAmountMilli) / 1000,
    avgFillPrice: y(o.avgFillPriceMilli),
    createdAt: o.createdAt.toISOString(),
    submittedAt: o.submittedAt?.toISOString() ?? null,
    terminalAt: o.terminalAt?.toISOString() ?? null,
    deadlineAt: o.deadlineAt?.toISOString() ?? null,
    cancelRequestedAt: o.cancelRequestedAt?.toISOString() ?? null,
    cancelledBy: o.cancelledBy,
    cancellable: USER_CANCELLABLE.includes(o.status) && !!o.bridgeOrderId,
    fills: o.fills.map((f) => ({ id: f.id, tradedId: f.tradedId, price: fromMilli(f.priceMilli), quantity: f.quantity, amount: Number(f.amountMilli) / 1000, tradedAt: f.tradedAt.toISOString() })),
  }
}

export type OrderView = ReturnType<typeof toOrderView>

export async function listOrders(userId: number, filter: OrderListFilter, page: number, pageSize: number) {
  const { total, items } = await listOrdersForUser(userId, filter, page, pageSize)
  return { total, page, pageSize, items: items.map(toOrderView) }
}

export type OrderList = Awaited<ReturnType<typeof listOrders>>
