/**
 * What happens when an order reaches a final state (filled, cancelled, rejected, failed): the
 * trigger's outcome, the monitor's next state (lib/market's applyOrderOutcome, over every attempt of
 * the trigger), a bounded re-price for unfilled timeouts, and the notification — in the caller's
 * transaction. Only ever called once the bridge has told us the final state (never on a timeout).
 */
import {
  applyOrderOutcome,
  floorBuyQuantity,
  fromMilli,
  priceOrder,
  resolveLevelsMilli,
  toMilli,
  validateQuantity,
  type Quote,
  isStName,
  shanghaiDate,
  shanghaiSecondOfDay,
} from '@/lib/market'
import type { Tx } from '@/lib/db/tx'
import { createOrderIntent, type OrderWithContext } from '@/lib/db/orders'
import { setTriggerOutcome } from '@/lib/db/triggers'
import { loadMonitor, writeMachineState } from '@/lib/db/monitors'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { formatPrice } from '@/lib/format'
import { notify, type EventType } from '../notifications'
import { readKillSwitch } from '../runtime/runtime-settings'
import { autoOrders, toMonitorInput, type TriggerEnv } from './monitor-input'
import { newClientOrderId, pricingFor } from './signals'

export type FinalOutcome = 'filled' | 'partially_cancelled' | 'cancelled' | 'rejected' | 'failed'

/** Why an intent was dropped before it reached the bridge (order-send.ts decides, in the claim transaction). */
export type WithdrawReason = 'kill_switch' | 'account_halted' | 'auto_trade_off' | 'paused' | 'archived' | 'earlier_session'

export interface FinalizeInput {
  order: OrderWithContext
  outcome: FinalOutcome
  /** For cancels: who asked (timeout → may re-price or auto re-arm). */
  cancelledBy?: 'timeout' | 'user' | 'system' | 'superseded'
  reason?: string | null
  /** The English of a Chinese `reason`, stored beside it in the notification (an English reader never sees Chinese). */
  reasonEn?: string
  now: Date
  quote?: Quote
  /** Shares of the stock still held per the broker, after this order (exits). */
  remainingVolume?: number | null
  triggerEnv: TriggerEnv
  /**
   * Dedupe suffix of the final notification (default 'final'). An order adopted back from the
   * bridge after DingPan had wrongly ended it gets a second, real final notice ('final:adopted').
   */
  finalKey?: string
  /**
   * The intent was withdrawn before it was sent (outcome 'failed', nothing reached the bridge): told
   * as ORDER_WITHDRAWN, never re-priced, and an exit re-arms without using the day's retry budget.
   */
  withdrawn?: WithdrawReason
}

export function orderParams(order: OrderWithContext, locale: 'zh' | 'en') {
  const t = translator(locale)
  return {
    code: order.code,
    name: order.stock.name,
    side: t(`events.sides.${order.side === 'BUY' ? 'buy' : 'sell'}` as never),
    quantity: order.quantity,
    filled: order.filledQuantity,
    avgPrice: formatPrice(order.code, order.avgFillPriceMilli == null ? null : fromMilli(order.avgFillPriceMilli)),
    orderId: order.bridgeOrderId ?? '—',
    clientOrderId: order.clientOrderId,
  }
}

const FINAL_EVENT: Record<FinalOutcome, EventType> = {
  filled: 'ORDER_FILLED',
  partially_cancelled: 'ORDER_CANCELLED',
  cancelled: 'ORDER_CANCELLED',
  rejected: 'ORDER_REJECTED',
  failed: 'ORDER_FAILED',
}

/**
 * A bounded re-price after an unfilled timeout: a new attempt (new clientOrderId) under the same
 * trigger for what is left, at a fresh price — only when the old order is confirmed cancelled.
 * Returns true when a new intent was created (the monitor then stays *_PENDING).
 */
async function reprice(tx: Tx, f: FinalizeInput): Promise<boolean> {
  const { order, quote } = f
  const q = order.stock.quantConfig
  if (f.cancelledBy !== 'timeout' || !quote || !q) return false
  if (order.attempt > q.maxReprices) return false
  if (order.stock.archivedAt || !order.stock.enabled) return false
  // The stock and the kill switch as they are now, not as they were when the order went out.
  const row = await loadMonitor(tx, order.stockId)
  if (!row || row.archivedAt || !row.enabled || !autoOrders(row.quantConfig, order.triggerEvent.kind)) return false
  if (await readKillSwitch(tx)) return false
  const left = order.quantity - order.filledQuantity
  if (left <= 0) return false
  const side = order.side === 'BUY' ? 'buy' : 'sell'
  const kind = order.triggerEvent.kind
  const st = isStName(order.stock.name)
  const priced = priceOrder({ code: order.code, side, quote, now: f.now, mode: pricingFor(order.stock, kind).mode, offsetTicks: pricingFor(order.stock, kind).offsetTicks, triggerPrice: quote.last, st })
  if (!priced.ok) return false
  let quantity = left
  if (side === 'buy') {
    // Chase an entry only while the price is still inside the zone and above the stop.
    if (priced.price > fromMilli(order.stock.entryHighMilli) || quote.last <= fromMilli(order.stock.stopLossMilli)) return false
    quantity = floorBuyQuantity(order.code, left, priced.priceType === 'limit')
    if (quantity <= 0) return false
  }
  if (!validateQuantity(order.code, side, quantity, { sellable: side === 'sell' ? left : undefined, limitOrder: priced.priceType === 'limit' }).ok) return false
  const next = await createOrderIntent(tx, {
    clientOrderId: newClientOrderId(),
    triggerEventId: order.triggerEventId,
    attempt: order.attempt + 1,
    stockId: order.stockId,
    userId: order.userId,
    code: order.code,
    side: order.side,
    quantity,
    priceType: priced.priceType === 'limit' ? 'LIMIT' : 'MARKET',
    xtPriceType: priced.xtPriceType,
    limitPriceMilli: priced.priceMilli,
    estFeesMilli: order.estFeesMilli,
    marketAt: f.now,
  })
  const locale = asLocale(order.stock.user.locale)
  await notify(tx, {
    userId: order.userId,
    locale,
    at: f.now,
    type: 'ORDER_REPRICED',
    params: { ...orderParams(order, locale), quantity, price: formatPrice(order.code, priced.price), attempt: next.attempt },
    stockId: order.stockId,
    orderId: next.id,
    triggerEventId: order.triggerEventId,
    dedupeKey: `order:${next.id}:repriced`,
  })
  return true
}

/**
 * Whether this final state is the trader's own cancel of an exit: asked in DingPan (cancelledBy
 * 'user', also an admin's cancel-all), or cancelled outside DingPan — by hand in QMT — without any
 * cancel request of ours on the order. An unrequested cancel of a market order (its unfilled rest is
 * cancelled by the exchange) or one seen after the day's close (working orders expire then) is not.
 */
export function traderCancelOf(order: OrderWithContext, f: Pick<FinalizeInput, 'outcome' | 'cancelledBy' | 'withdrawn' | 'now'>): 'user_cancel' | 'manual_cancel' | null {
  if (order.side !== 'SELL' || f.withdrawn) return null
  if (f.outcome !== 'cancelled' && f.outcome !== 'partially_cancelled') return null
  if (f.cancelledBy === 'user' || order.cancelledBy === 'user') return 'user_cancel'
  if (order.cancelRequestedAt || order.cancelledBy) return null
  if (order.priceType !== 'LIMIT') return null
  const sameDay = shanghaiDate(order.triggerEvent.quoteTime) === shanghaiDate(f.now)
  if (!sameDay || shanghaiSecondOfDay(f.now) >= CLOSE_SEC) return null
  return 'manual_cancel'
}

const CLOSE_SEC = 15 * 3600

export async function finalizeOrder(tx: Tx, f: FinalizeInput): Promise<{ repriced: boolean }> {
  const order = f.order
  const locale = asLocale(order.stock.user.locale)
  const t = translator(locale)
  const traderCancel = traderCancelOf(order, f)
  // A cancel by hand at the broker counts as the trader's: its exit does not come back by itself.
  if (traderCancel === 'manual_cancel') f = { ...f, cancelledBy: 'user' }
  const status = order.xtStatus == null ? '—' : String(order.xtStatus)
  await notify(tx, {
    userId: order.userId,
    locale,
    at: f.now,
    type: f.withdrawn ? 'ORDER_WITHDRAWN' : FINAL_EVENT[f.outcome],
    params: {
      ...orderParams(order, locale),
      status,
      message: order.statusMsg ?? f.reason ?? '—',
      reason: f.reason ?? (f.cancelledBy ? t(`events.cancelledBy.${f.cancelledBy}` as never) : ''),
      ...(f.reason && f.reasonEn ? { reasonEn: f.reasonEn } : {}),
    },
    severity: f.outcome === 'filled' ? 'INFO' : undefined,
    stockId: order.stockId,
    orderId: order.id,
    triggerEventId: order.triggerEventId,
    dedupeKey: `order:${order.id}:${f.finalKey ?? 'final'}`,
  })

  if (f.outcome !== 'filled' && !f.withdrawn && (await reprice(tx, f))) return { repriced: true }

  // The trigger's result and the monitor's next state consider every attempt of the trigger.
  const attempts = await tx.order.findMany({ where: { triggerEventId: order.triggerEventId }, select: { filledQuantity: true, filledAmountMilli: true } })
  const filled = attempts.reduce((s, a) => s + a.filledQuantity, 0)
  const amount = attempts.reduce((s, a) => s + a.filledAmountMilli, 0n)
  const avgPrice = filled > 0 ? fromMilli(Number(amount / BigInt(filled))) : null
  await setTriggerOutcome(tx, order.triggerEventId, filled > 0 ? 'FILLED' : f.withdrawn === 'kill_switch' || f.withdrawn === 'account_halted' ? 'KILL_SWITCH' : f.outcome === 'rejected' || f.outcome === 'failed' ? 'FAILED' : 'CANCELLED', f.reason ?? order.statusMsg ?? null)

  const row = await loadMonitor(tx, order.stockId)
  if (!row) return { repriced: false }
  const input = toMonitorInput(row, null, f.triggerEnv)
  const outcome = filled > 0 && f.outcome !== 'filled' ? (filled >= order.quantity ? 'filled' : 'partially_cancelled') : f.outcome
  const next = applyOrderOutcome(input, {
    side: order.side === 'BUY' ? 'buy' : 'sell',
    kind: order.triggerEvent.kind,
    filledQuantity: filled,
    avgPrice,
    outcome,
    remainingVolume: order.side === 'SELL' ? (f.remainingVolume ?? row.positionQty) : null,
    cancelledBy: f.cancelledBy,
    blocked: f.withdrawn ? 'withdrawn' : undefined,
    now: f.now,
  })
  // When it closed, in market time: the re-arm policy counts its cooldown / next day from it.
  if (next.state === 'CLOSED' && next.memo.closedReason) next.memo.closedReason.at = f.now.toISOString()
  // Levels relative to cost resolve against the entry's average fill price, written with the
  // state that holds it (one transaction); a completed exit forgets it.
  const entryCost: { entryCostMilli?: number | null } =
    order.side === 'BUY' && next.reason.code === 'ENTRY_FILLED' && avgPrice != null
      ? { entryCostMilli: toMilli(avgPrice) }
      : order.side === 'SELL' && next.state === 'CLOSED'
        ? { entryCostMilli: null }
        : {}
  await writeMachineState(
    tx,
    row.id,
    {
      state: next.state,
      episode: next.episode,
      highestSinceEntryMilli: next.highestSinceEntry == null ? null : toMilli(next.highestSinceEntry),
      triggerMemo: next.memo,
      stateChanged: next.state !== row.state,
    },
    entryCost,
  )
  if (entryCost.entryCostMilli != null && (row.takeProfitBp != null || row.stopLossBp != null)) {
    // Levels set as a percentage of cost now have their prices: told once per entry trigger.
    const lv = resolveLevelsMilli(row.code, { takeProfitBp: row.takeProfitBp, stopLossBp: row.stopLossBp }, row, entryCost.entryCostMilli)
    const shown = (milli: number, bp: number | null, sign: '+' | '-') => `${formatPrice(order.code, fromMilli(milli))}${bp == null ? '' : ` (${sign}${bp / 100}%)`}`
    await notify(tx, {
      userId: order.userId,
      locale,
      at: f.now,
      type: 'LEVELS_RESOLVED',
      params: { code: order.code, name: order.stock.name, cost: formatPrice(order.code, fromMilli(entryCost.entryCostMilli)), takeProfit: shown(lv.takeProfitMilli, row.takeProfitBp, '+'), stopLoss: shown(lv.stopLossMilli, row.stopLossBp, '-') },
      stockId: order.stockId,
      triggerEventId: order.triggerEventId,
      dedupeKey: `trigger:${order.triggerEventId}:levels-resolved`,
    })
  }
  if (traderCancel && next.state !== 'CLOSED') {
    // The trader's cancel wins: automatic exits wait until the trader resumes them.
    const paused = await tx.monitoredStock.updateMany({
      where: { id: row.id, exitsPausedAt: null },
      data: { exitsPausedAt: f.now, exitsPausedWhy: traderCancel, version: { increment: 1 } },
    })
    if (paused.count === 1) {
      await notify(tx, {
        userId: order.userId,
        locale,
        at: f.now,
        type: 'EXITS_PAUSED',
        params: { code: order.code, name: order.stock.name, how: t(`events.exitsPausedHow.${traderCancel}` as never, { clientOrderId: order.clientOrderId } as never) },
        stockId: order.stockId,
        orderId: order.id,
        triggerEventId: order.triggerEventId,
        dedupeKey: `order:${order.id}:exits-paused`,
      })
    }
  }
  const halted = (next.memo as { autoExitHaltedDay?: string | null }).autoExitHaltedDay
  if (order.side === 'SELL' && halted && halted !== (row.triggerMemo as { autoExitHaltedDay?: string | null } | null)?.autoExitHaltedDay) {
    await notify(tx, {
      userId: order.userId,
      locale,
      at: f.now,
      type: 'EXITS_HALTED',
      params: { code: order.code, name: order.stock.name, reason: order.statusMsg ?? f.reason ?? '—' },
      stockId: order.stockId,
      dedupeKey: `s${order.stockId}:exits-halted:${halted}`,
    })
  }
  return { repriced: false }
}
