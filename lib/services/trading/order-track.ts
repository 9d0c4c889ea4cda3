/**
 * Step 6 of a cycle: follow every open order through the bridge's own records (QKA has no push):
 * statuses (未报 … 废单 with the counter's message), fills and average price, partial fills; adopt
 * orders whose submission timed out once they show up under their clientOrderId; declare an order
 * absent only after repeated lookups over a grace period; cancel orders past their unfilled timeout.
 */
import { canCancelAt, toMilli, type Quote } from '@/lib/market'
import { getDb } from '@/lib/db/client'
import { writeTx, type Tx } from '@/lib/db/tx'
import { listOpenOrders, transitionOrder, updateOrderFields, upsertFill, type OrderStatusValue, type OrderWithContext } from '@/lib/db/orders'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import type { BrokerOrderRecord, BrokerTradeRecord } from './broker-port'
import { notify } from '../notifications'
import { finalizeOrder, orderParams, type FinalOutcome } from './order-finalize'
import { inFlight, type SendDeps } from './order-send'

/** An order missing from the bridge's list is declared absent only after this many lookups… */
export const ABSENT_CHECKS = 3
/** …spread over at least this long since it was sent (counters can take a moment to list it). */
export const ABSENT_AFTER_MS = 30_000

export interface TrackDeps extends SendDeps {
  /** The broker client's request timeout: a SENDING order younger than this is still in flight. */
  sendTimeoutMs: number
  /** Grace period before a missing order is declared absent (default ABSENT_AFTER_MS). */
  absentAfterMs?: number
}

export interface TrackResult {
  /** Whether the bridge was asked at all (with no open order it is not): only a call is evidence of health. */
  bridgeCalled: boolean
  bridgeOk: boolean
  error?: string
  fills: number
  terminal: number
  cancelsRequested: number
}

export function statusFromXt(xt: number): OrderStatusValue {
  switch (xt) {
    case 48:
    case 49:
    case 50:
      return 'SUBMITTED'
    case 51:
    case 52:
      return 'CANCELLING'
    case 55:
      return 'PARTIALLY_FILLED'
    case 56:
      return 'FILLED'
    case 53:
    case 54:
      return 'CANCELLED'
    case 57:
      return 'REJECTED'
    default:
      return 'UNKNOWN'
  }
}

const cancelRetryAt = new Map<number, number>()

export async function trackOpenOrders(deps: TrackDeps, now: Date, quotes: Map<string, Quote>): Promise<TrackResult> {
  const out: TrackResult = { bridgeCalled: false, bridgeOk: true, fills: 0, terminal: 0, cancelsRequested: 0 }
  const open = await listOpenOrders()
  if (open.length === 0) return out
  out.bridgeCalled = true
  let records: BrokerOrderRecord[]
  let trades: BrokerTradeRecord[]
  try {
    records = await deps.broker.getOrders()
    trades = await deps.broker.getTrades()
  } catch (e) {
    return { ...out, bridgeOk: false, error: (e as Error).message }
  }
  const byId = new Map(records.map((r) => [r.orderId, r]))
  const byRemark = new Map(records.filter((r) => r.remark).map((r) => [r.remark, r]))
  const tradesByOrder = new Map<number, BrokerTradeRecord[]>()
  for (const tr of trades) tradesByOrder.set(tr.orderId, [...(tradesByOrder.get(tr.orderId) ?? []), tr])

  for (const o of open) {
    const sentAt = (o.sendingAt ?? o.submittedAt ?? o.createdAt).getTime()
    // A SENDING order is still on the wire only if this process is sending it; one left by a process
    // that died (or was deposed) is reconciled once the client timeout has bounded its request.
    if (o.status === 'SENDING' && (inFlight.has(o.id) || Date.now() - sentAt < deps.sendTimeoutMs)) continue
    const rec = (o.bridgeOrderId ? byId.get(Number(o.bridgeOrderId)) : undefined) ?? byRemark.get(o.clientOrderId)
    if (!rec) {
      if (await handleMissing(deps, o, now, sentAt, quotes)) out.terminal++
      continue
    }
    const r = await applyRecord(deps, o, rec, tradesByOrder.get(rec.orderId) ?? [], now, quotes)
    out.fills += r.newFills
    if (r.terminal) out.terminal++
  }

  out.cancelsRequested = await cancelTimedOut(deps, now)
  return out
}

async function handleMissing(deps: TrackDeps, o: OrderWithContext, now: Date, sentAt: number, quotes: Map<string, Quote>): Promise<boolean> {
  const checks = o.reconcileCount + 1
  const locale = asLocale(o.stock.user.locale)
  const t = translator(locale)
  return writeTx(getDb(), async (tx) => {
    if (checks < ABSENT_CHECKS || Date.now() - sentAt < (deps.absentAfterMs ?? ABSENT_AFTER_MS)) {
      await updateOrderFields(tx, o.id, { reconcileCount: checks, lastCheckedAt: new Date() })
      return false
    }
    const reason = locale === 'zh' ? '桥接中查无此委托（已多次核对）' : 'the bridge has no record of this order (checked repeatedly)'
    const moved = await transitionOrder(tx, o.id, [o.status], 'FAILED', { reconcileCount: checks, lastCheckedAt: new Date(), errorMessage: reason })
    if (!moved) return false
    await notify(tx, {
      userId: o.userId,
      locale,
      type: 'ORDER_RECONCILED',
      params: {
        ...orderParams(o, locale),
        result: t('events.reconcile.absent' as never, { next: t((o.side === 'SELL' ? 'events.reconcile.newAttempt' : 'events.reconcile.noRetry') as never) } as never),
      },
      stockId: o.stockId,
      orderId: o.id,
      triggerEventId: o.triggerEventId,
      dedupeKey: `order:${o.id}:absent`,
    })
    // A sell leaves the monitor HOLDING with a new episode (bounded per day), so the exit fires again
    // with a new trigger and a new clientOrderId on the next quote; a buy closes the monitor.
    await finalizeOrder(tx, { order: { ...o, status: 'FAILED' }, outcome: 'failed', reason, now, quote: quotes.get(o.code), triggerEnv: deps.triggerEnv })
    return true
  })
}

async function applyRecord(
  deps: TrackDeps,
  o: OrderWithContext,
  rec: BrokerOrderRecord,
  trades: BrokerTradeRecord[],
  now: Date,
  quotes: Map<string, Quote>,
): Promise<{ newFills: number; terminal: boolean }> {
  const locale = asLocale(o.stock.user.locale)
  const t = translator(locale)
  return writeTx(getDb(), async (tx) => {
    const fresh = await tx.order.findUnique({ where: { id: o.id } })
    if (!fresh || !['SENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'CANCELLING', 'UNKNOWN'].includes(fresh.status)) return { newFills: 0, terminal: false }
    const base = { ...o, ...fresh }

    if (fresh.status === 'UNKNOWN' || fresh.status === 'SENDING' || !fresh.bridgeOrderId) {
      await updateOrderFields(tx, o.id, { bridgeOrderId: String(rec.orderId), submittedAt: fresh.submittedAt ?? new Date() })
      await notify(tx, {
        userId: o.userId,
        locale,
        type: 'ORDER_RECONCILED',
        params: { ...orderParams(base, locale), result: t('events.reconcile.found' as never, { orderId: String(rec.orderId), status: `${rec.status} ${rec.statusName}` } as never) },
        stockId: o.stockId,
        orderId: o.id,
        triggerEventId: o.triggerEventId,
        dedupeKey: `order:${o.id}:found`,
      })
      if (!fresh.deadlineAt) {
        const timeoutSec = o.stock.quantConfig?.unfilledTimeoutSec ?? 120
        await updateOrderFields(tx, o.id, { deadlineAt: new Date(now.getTime() + timeoutSec * 1000) })
      }
    }

    let newFills = 0
    for (const tr of trades) {
      const pnl = o.side === 'SELL' && o.stock.positionCostMilli != null ? BigInt(toMilli(tr.price) - o.stock.positionCostMilli) * BigInt(tr.volume) : null
      const created = await upsertFill(tx, {
        orderId: o.id,
        tradedId: tr.tradeId,
        priceMilli: toMilli(tr.price),
        quantity: tr.volume,
        amountMilli: BigInt(Math.round(tr.amount * 1000)),
        tradedAt: tr.time ?? now,
        realizedPnlMilli: pnl,
      })
      if (created) newFills++
    }
    const fillAgg = await tx.fill.aggregate({ where: { orderId: o.id }, _sum: { quantity: true, amountMilli: true } })
    const fillQty = fillAgg._sum.quantity ?? 0
    const filled = Math.max(rec.tradedVolume, fillQty)
    const delta = filled - fresh.filledQuantity
    if (delta > 0) {
      const amount = fillQty === filled ? (fillAgg._sum.amountMilli ?? 0n) : BigInt(toMilli(rec.tradedPrice)) * BigInt(filled)
      const avg = Number(amount / BigInt(filled))
      await updateOrderFields(tx, o.id, { filledQuantity: filled, filledAmountMilli: amount, avgFillPriceMilli: avg })
      await applyPositionDelta(tx, o, delta, toMilli(rec.tradedPrice))
      base.filledQuantity = filled
      base.avgFillPriceMilli = avg
      base.filledAmountMilli = amount
    }

    const next = statusFromXt(rec.status)
    const fields = { xtStatus: rec.status, statusMsg: rec.statusMsg || null, orderSysId: rec.sysid || fresh.orderSysId, lastCheckedAt: new Date() }
    if (next !== fresh.status && next !== 'UNKNOWN') {
      if (!(await transitionOrder(tx, o.id, [fresh.status], next, fields))) return { newFills, terminal: false }
    } else {
      await updateOrderFields(tx, o.id, fields)
    }
    Object.assign(base, fields, { status: next })

    if (delta > 0 && next !== 'FILLED') {
      await notify(tx, { userId: o.userId, locale, type: 'ORDER_PARTIALLY_FILLED', params: orderParams(base, locale), stockId: o.stockId, orderId: o.id, triggerEventId: o.triggerEventId, dedupeKey: `order:${o.id}:fill:${filled}` })
    }
    const final: FinalOutcome | null = next === 'FILLED' ? 'filled' : next === 'CANCELLED' ? (filled > 0 ? 'partially_cancelled' : 'cancelled') : next === 'REJECTED' ? 'rejected' : null
    if (!final) return { newFills, terminal: false }
    const stock = await tx.monitoredStock.findUnique({ where: { id: o.stockId }, select: { positionQty: true } })
    await finalizeOrder(tx, {
      order: base,
      outcome: final,
      cancelledBy: (fresh.cancelledBy as 'timeout' | 'user' | 'system' | null) ?? 'system',
      reason: rec.statusMsg || null,
      now,
      quote: quotes.get(o.code),
      remainingVolume: stock?.positionQty ?? null,
      triggerEnv: deps.triggerEnv,
    })
    return { newFills, terminal: true }
  })
}

/** DingPan's managed position moves with every fill: buys add (with a weighted cost), sells remove. */
async function applyPositionDelta(tx: Tx, o: OrderWithContext, delta: number, priceMilli: number) {
  const s = await tx.monitoredStock.findUnique({ where: { id: o.stockId }, select: { positionQty: true, positionCostMilli: true } })
  if (!s) return
  if (o.side === 'BUY') {
    const qty = s.positionQty + delta
    const cost = s.positionCostMilli == null || s.positionQty === 0 ? priceMilli : Math.round((s.positionCostMilli * s.positionQty + priceMilli * delta) / qty)
    await tx.monitoredStock.update({ where: { id: o.stockId }, data: { positionQty: qty, positionCostMilli: cost } })
  } else {
    const qty = Math.max(0, s.positionQty - delta)
    await tx.monitoredStock.update({ where: { id: o.stockId }, data: { positionQty: qty, ...(qty === 0 ? { positionCostMilli: null } : {}) } })
  }
}

async function cancelTimedOut(deps: TrackDeps, now: Date): Promise<number> {
  if (!canCancelAt(now)) return 0
  let requested = 0
  const due = (await listOpenOrders()).filter(
    (o) => (o.status === 'SUBMITTED' || o.status === 'PARTIALLY_FILLED') && o.bridgeOrderId && o.deadlineAt && o.deadlineAt <= now && !o.cancelRequestedAt,
  )
  for (const o of due) {
    if ((cancelRetryAt.get(o.id) ?? 0) > Date.now()) continue
    let res: { success: boolean; message: string }
    try {
      res = await deps.broker.cancelOrder(Number(o.bridgeOrderId))
    } catch (e) {
      res = { success: false, message: (e as Error).message }
    }
    // 'requested' only: the final state (54/53, or 56 if it filled first) comes from order queries.
    const locale = asLocale(o.stock.user.locale)
    if (res.success) {
      cancelRetryAt.delete(o.id)
      requested++
      await writeTx(getDb(), async (tx) => {
        await updateOrderFields(tx, o.id, { cancelRequestedAt: new Date(), cancelledBy: 'timeout' })
        await notify(tx, {
          userId: o.userId,
          locale,
          type: 'ORDER_UNFILLED_TIMEOUT',
          params: { ...orderParams(o, locale), seconds: o.stock.quantConfig?.unfilledTimeoutSec ?? 120 },
          stockId: o.stockId,
          orderId: o.id,
          triggerEventId: o.triggerEventId,
          dedupeKey: `order:${o.id}:timeout`,
        })
      })
    } else {
      // Not cancelled (e.g. already filled, or the counter refused): look again later, never blindly.
      cancelRetryAt.set(o.id, Date.now() + 15_000)
      deps.log.warn({ orderId: o.id, bridgeOrderId: o.bridgeOrderId, message: res.message }, 'cancel after unfilled timeout failed')
      await updateOrderFields(getDb(), o.id, { errorMessage: `cancel failed: ${res.message}` })
    }
  }
  return requested
}
