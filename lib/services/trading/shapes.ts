/**
 * Read-only shapes of trading state, shared with the views room: the order as the browser sees it
 * (the orders page and the answer to a trader's cancel) and the state a monitor acts on. Pure
 * functions over rows already read — no queries, no writes — so this is the one trading file the
 * views may import.
 */
import { fromMilli, normalizeMemo, orderStatusInfo, resolveLevelsMilli } from '@/lib/market'
import { USER_CANCELLABLE, type OrderListRow } from '@/lib/db/orders-view'
import type { StockRow } from '@/lib/db/stocks'

/** The state that counts: a PAUSED monitor acts on the state it was paused from. */
export function effectiveState(row: Pick<StockRow, 'state' | 'triggerMemo'>): string {
  return row.state === 'PAUSED' ? (normalizeMemo(row.triggerMemo).pausedFrom ?? 'PAUSED') : row.state
}

const y = (m: number | null | undefined) => (m == null ? null : fromMilli(m))

/**
 * An order as the browser sees it: prices in yuan, the counter's status name (未报 … 废单) from the
 * raw xtStatus next to DingPan's own status, the counter's message, fills, and whether the trader
 * may ask for a cancel.
 */
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
    /** When the intent was written by the market clock (simulated in the demo): what the page shows. */
    marketAt: (o.marketAt ?? o.createdAt).toISOString(),
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

/**
 * The take-profit and stop-loss the monitor trades on (mills). A level set relative to cost
 * (takeProfitBp / stopLossBp) resolves against the cost of what is held — the entry's average fill
 * price (entryCostMilli), else the broker position's cost of a managed position — while a position
 * is held; before that, against the entry zone (the stored provisional level). Absolute levels stay.
 */
export function tradedLevelsMilli(
  row: Pick<StockRow, 'code' | 'state' | 'triggerMemo' | 'takeProfitMilli' | 'stopLossMilli' | 'entryLowMilli' | 'entryHighMilli' | 'takeProfitBp' | 'stopLossBp' | 'entryCostMilli' | 'positionCostMilli'>,
): { takeProfitMilli: number; stopLossMilli: number } {
  const state = effectiveState(row)
  const held = state === 'HOLDING' || state === 'EXIT_PENDING'
  const cost = held ? (row.entryCostMilli ?? row.positionCostMilli ?? null) : null
  return resolveLevelsMilli(row.code, { takeProfitBp: row.takeProfitBp, stopLossBp: row.stopLossBp }, row, cost)
}
