/**
 * Step 5 of a cycle: send committed intents (stop-losses first). Each intent is claimed
 * PENDING → SENDING in its own committed transaction before the request leaves, so after a crash an
 * order caught mid-send is SENDING and gets reconciled, never resent. That claim transaction also
 * decides whether the intent may still go at all, on what is stored at that moment (not the tick's
 * earlier reads): the kill switch, the stock's auto-trade / enabled / archived flags, and the session
 * the intent belongs to (an intent from an earlier trading day is never sent into the next one).
 * A refused intent is withdrawn there: FAILED, told as ORDER_WITHDRAWN, and an exit re-arms without
 * using the day's retry budget. An intent is priced and sent only from a fresh quote of the current
 * session (a sell is re-priced from it every time; a buy after REPRICE_UNSENT_AFTER_MS); without
 * one it waits. The bridge's answer decides:
 *   sent (order id > 0)  → SUBMITTED, tracked from then on by queries;
 *   rejected             → FAILED (the bridge refused it; nothing is live);
 *   not_sent             → back to PENDING (connection refused: the request never left);
 *   unknown (timeout…)   → UNKNOWN: may be live; reconciled by clientOrderId, never resent.
 */
import { acceptsOrders, addTradingSeconds, canCancelAt, isQuoteSuspended, priceOrder, validateQuantity, shanghaiDate, toMilli, type Quote, isStName } from '@/lib/market'
import type { Logger } from 'pino'
import { getDb } from '@/lib/db/client'
import { writeTx, type Tx } from '@/lib/db/tx'
import { assertLease, holdLease } from '@/lib/db/lease'
import { listOpenOrders, listPendingOrders, lockOpenOrder, transitionOrder, updateOrderFields, type OrderWithContext, type AccountScope } from '@/lib/db/orders'
import { loadMonitor } from '@/lib/db/monitors'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { formatPrice } from '@/lib/format'
import type { BrokerPort, PlaceOutcome } from './broker-port'
import { notify } from '../notifications'
import { readKillSwitch } from '../runtime/runtime-settings'
import { accountTradingHalted } from '@/lib/db/worker-accounts'
import { finalizeOrder, orderParams, type WithdrawReason } from './order-finalize'
import type { LeaseIdentity, MarketView } from './signals'
import { pricingFor } from './signals'
import { crashPoint } from './crash-points'
import { autoOrders, type TriggerEnv } from './monitor-input'

export interface SendDeps extends LeaseIdentity {
  broker: BrokerPort
  /** The account this pass works on: only its orders, through its broker (undefined: every order). */
  account?: AccountScope
  log: Logger
  triggerEnv: TriggerEnv
}

/** Buy intents that could not go out promptly are dropped rather than sent at a stale price. */
export const BUY_INTENT_MAX_AGE_MS = 60_000
/** Older unsent buy intents are re-priced from the latest quote before sending (nothing was sent yet). */
export const REPRICE_UNSENT_AFTER_MS = 15_000

/** Orders whose order_stock request this process has on the wire right now. */
export const inFlight = new Set<number>()

const PRIORITY: Record<string, number> = { STOP_LOSS: 0, TRAILING_STOP: 1, TAKE_PROFIT: 2, ENTRY: 3 }

export function sendOrder(a: OrderWithContext, b: OrderWithContext): number {
  return (PRIORITY[a.triggerEvent.kind] ?? 9) - (PRIORITY[b.triggerEvent.kind] ?? 9) || a.id - b.id
}

export interface SendResult {
  sent: number
  unknown: number
  failed: number
  bridgeUnreachable: boolean
}

/** The price an intent goes out at, when it differs from the stored one. */
type Repriced = Pick<OrderWithContext, 'limitPriceMilli' | 'priceType' | 'xtPriceType'>

export async function sendPendingOrders(
  deps: SendDeps,
  now: Date,
  quotes: Map<string, Quote>,
  // `killSwitch` (the tick's read) is no longer used: the claim transaction reads the switch itself.
  opts: { killSwitch?: boolean; market?: MarketView | null } = {},
): Promise<SendResult> {
  const out: SendResult = { sent: 0, unknown: 0, failed: 0, bridgeUnreachable: false }
  // Cash and sellable shares read from the broker this cycle spare the bridge a query before each
  // order; what earlier orders of this loop take is subtracted. Without a fresh read the broker
  // client queries them itself.
  let cash = opts.market?.account?.cash
  const sellable = new Map([...(opts.market?.positions.values() ?? [])].map((p) => [p.code, p.canUseVolume]))
  const pending = (await listPendingOrders(deps.account)).sort(sendOrder)
  for (const pendingOrder of pending) {
    let order = pendingOrder
    if (order.side === 'SELL') {
      // One sell of ours live at a time: a higher-priority exit first cancels the working one and
      // waits for the cancel's confirmation, then goes out for what remains.
      const gate = await exitGate(deps, order, now, opts.market ?? null)
      if (gate === 'wait') continue
      if (gate === 0) {
        if (await dropNothingLeft(deps, order, now)) out.failed++
        continue
      }
      if (gate !== order.quantity) order = { ...order, quantity: gate }
    }
    const canSend = acceptsOrders(now, order.priceType === 'MARKET' ? 'market' : 'limit')
    const age = Date.now() - order.createdAt.getTime()
    const staleBuy = canSend && order.side === 'BUY' && age > BUY_INTENT_MAX_AGE_MS
    const quote = canSend && !staleBuy ? freshQuote(quotes.get(order.code), now, deps.triggerEnv.maxQuoteAgeSec) : null
    const price = quote ? freshPrice(order, quote, now, age) : null
    const decision = await claimOrWithdraw(deps, order, now, {
      staleBuy,
      send: !!quote && price !== 'unpriceable',
      price: price === 'unpriceable' ? null : price,
      quantity: order.quantity !== pendingOrder.quantity ? order.quantity : undefined,
    })
    if (decision === 'withdrawn' || decision === 'expired') out.failed++
    if (decision !== 'claimed') continue
    const o: OrderWithContext = price && price !== 'unpriceable' ? { ...order, ...price } : order
    crashPoint('after-claim')
    // A worker stalled after its claim (a stopped process, a long pause) may wake after another took
    // the lease over and settled this claim (proven absent → FAILED): the lease and the claim are
    // proven again right before the request leaves. A stall between this check and the request
    // itself remains possible (the exchange knows no fencing token); tracking adopts such an order.
    const stillOurs = await writeTx(getDb(), async (tx) => {
      await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
      return lockOpenOrder(tx, o.id)
    }).catch(() => false)
    if (!stillOurs) {
      deps.log.warn({ orderId: o.id, clientOrderId: o.clientOrderId }, 'lease or claim lost before sending: not sent')
      continue
    }

    let res: { success: boolean; message: string; orderId?: number; outcome: PlaceOutcome }
    inFlight.add(o.id)
    try {
      res = await deps.broker.placeOrder({
        code: o.code,
        side: o.side === 'BUY' ? 'buy' : 'sell',
        quantity: o.quantity,
        orderType: o.priceType === 'MARKET' ? 'market' : 'limit',
        price: o.limitPriceMilli == null ? undefined : o.limitPriceMilli / 1000,
        clientOrderId: o.clientOrderId,
        // Lets the broker refuse what the exchange would reject (limits, cage, suspension) before sending.
        quote,
        st: isStName(o.stock.name),
        ...(o.side === 'BUY' ? (cash !== undefined ? { cash } : {}) : opts.market ? { sellable: sellable.get(o.code) ?? 0 } : {}),
      })
    } catch (e) {
      // An adapter bug must not be read as "not sent": the request may have left.
      res = { success: false, message: (e as Error).message, outcome: 'unknown' }
    } finally {
      inFlight.delete(o.id)
    }
    crashPoint('after-send')
    if (res.outcome === 'sent' || res.outcome === 'unknown') {
      if (o.side === 'BUY' && cash !== undefined) cash -= ((o.limitPriceMilli ?? 0) * o.quantity + Number(o.estFeesMilli)) / 1000
      if (o.side === 'SELL') sellable.set(o.code, Math.max(0, (sellable.get(o.code) ?? 0) - o.quantity))
    }
    await recordSendResult(deps, o, res, now)
    crashPoint('after-record')
    if (res.outcome === 'sent') out.sent++
    else if (res.outcome === 'unknown') out.unknown++
    else if (res.outcome === 'rejected') out.failed++
    else {
      out.bridgeUnreachable = true
      break // the bridge is down: the remaining intents wait, stop-losses first, for it to come back
    }
  }
  return out
}

const supersedeRetryAt = new Map<number, number>()

/** A sell intent with nothing left to sell (an earlier exit sold it all): dropped, never sent. */
async function dropNothingLeft(deps: SendDeps, o: OrderWithContext, now: Date): Promise<boolean> {
  const locale = asLocale(o.stock.user.locale)
  const reasonEn = 'no managed shares left to sell (an earlier exit sold them all); this sell is not sent'
  const reason = locale === 'zh' ? '已无可卖的受管股份（之前的卖单已全部卖出），此卖单不再发出' : reasonEn
  return writeTx(getDb(), async (tx) => {
    await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    if (!(await transitionOrder(tx, o.id, ['PENDING'], 'FAILED', { errorMessage: reason }))) return false
    await finalizeOrder(tx, { order: { ...o, status: 'FAILED', errorMessage: reason }, outcome: 'failed', reason, reasonEn, now, triggerEnv: deps.triggerEnv })
    return true
  })
}

/**
 * Whether a sell intent may go now, and for how many shares. While another sell of this stock is
 * live (or may be: SENDING, UNKNOWN) the intent waits; a working one the bridge confirmed is
 * cancelled (cancelledBy 'superseded', the trader told once) and its final state — 54, or 53 with
 * the remainder — comes from tracking. With none left the intent is capped at what DingPan still
 * manages and the broker shows sellable, so two exits never sell more than the position.
 * 'wait': not this cycle.
 */
async function exitGate(deps: SendDeps, o: OrderWithContext, now: Date, market: MarketView | null): Promise<number | 'wait'> {
  const others = (await listOpenOrders(deps.account)).filter((x) => x.stockId === o.stockId && x.side === 'SELL' && x.id !== o.id)
  if (others.length === 0) {
    const stock = await getDb().monitoredStock.findUnique({ where: { id: o.stockId }, select: { positionQty: true } })
    const managed = stock?.positionQty ?? o.quantity
    const broker = market?.positions.get(o.code)?.canUseVolume
    const cap = Math.min(o.quantity, managed, broker ?? Number.POSITIVE_INFINITY)
    if (managed <= 0) return 0 // the exits before this one sold everything DingPan manages
    if (cap >= o.quantity || cap <= 0) return o.quantity // nothing to cap (the broker and the claim decide)
    return validateQuantity(o.code, 'sell', cap, { sellable: cap, limitOrder: o.priceType === 'LIMIT' }).ok ? cap : o.quantity
  }
  // Nothing is cancelled for an intent that is about to be withdrawn (kill switch, auto-trade off…).
  const why = await writeTx(getDb(), (tx) => withdrawReason(tx, o, now))
  if (why) return o.quantity
  let cancellable = false
  try {
    cancellable = canCancelAt(now)
  } catch {
    cancellable = false
  }
  const rank = (x: OrderWithContext) => PRIORITY[x.triggerEvent.kind] ?? 9
  for (const w of others) {
    // Only a lower-priority exit makes way; this intent waits behind an equal or higher one.
    if (rank(w) <= rank(o)) continue
    if (!w.bridgeOrderId || (w.status !== 'SUBMITTED' && w.status !== 'PARTIALLY_FILLED')) continue
    if (w.cancelRequestedAt) {
      // A timeout's cancel already on its way: its end now makes way for this exit (no re-price).
      if (w.cancelledBy === 'timeout') await updateOrderFields(getDb(), w.id, { cancelledBy: 'superseded' })
      continue
    }
    if (!cancellable || (supersedeRetryAt.get(w.id) ?? 0) > Date.now()) continue
    // Marked before the request leaves: after a crash in between, the cancel the exchange reports is
    // still known as ours (superseded), never taken for the trader's own.
    if (w.cancelledBy !== 'superseded') await updateOrderFields(getDb(), w.id, { cancelledBy: 'superseded' })
    let res: { success: boolean; message: string }
    try {
      res = await deps.broker.cancelOrder(Number(w.bridgeOrderId))
    } catch (e) {
      res = { success: false, message: (e as Error).message }
    }
    if (!res.success) {
      supersedeRetryAt.set(w.id, Date.now() + 5_000)
      deps.log.warn({ orderId: w.id, bridgeOrderId: w.bridgeOrderId, message: res.message, for: o.id }, 'cancel of a superseded exit failed; retrying')
      continue
    }
    supersedeRetryAt.delete(w.id)
    const locale = asLocale(o.stock.user.locale)
    const t = translator(locale)
    await writeTx(getDb(), async (tx) => {
      await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
      await updateOrderFields(tx, w.id, { cancelRequestedAt: new Date(), cancelledBy: 'superseded' })
      await notify(tx, {
        userId: o.userId,
        locale,
        at: now,
        type: 'EXIT_SUPERSEDED',
        params: { code: o.code, name: o.stock.name, kind: t(`events.kinds.${o.triggerEvent.kind}` as never), working: t(`events.kinds.${w.triggerEvent.kind}` as never), orderId: w.bridgeOrderId ?? '—' },
        stockId: o.stockId,
        orderId: o.id,
        triggerEventId: o.triggerEventId,
        dedupeKey: `order:${o.id}:supersedes:${w.id}`,
      })
    })
    deps.log.info({ orderId: w.id, bridgeOrderId: w.bridgeOrderId, for: o.id, kind: o.triggerEvent.kind }, 'working exit cancelled for a higher-priority exit')
  }
  return 'wait'
}

/** A quote an order may be priced and sent from: tradable, of the current session, not older than the limit. */
function freshQuote(q: Quote | undefined, now: Date, maxAgeSec: number): Quote | null {
  if (!q || isQuoteSuspended(q)) return null
  if (shanghaiDate(q.time) !== shanghaiDate(now)) return null
  return Math.abs(now.getTime() - q.time.getTime()) <= maxAgeSec * 1000 ? q : null
}

/**
 * The price from this cycle's fresh quote, for an unsent intent (nothing left yet, so a fresh price
 * is as safe as the first one). A sell always takes it: the market it was queued on may be gone,
 * and a sell limit above today's bids only rests while the position stays unprotected. A buy takes
 * it once it waited REPRICE_UNSENT_AFTER_MS, and never above the entry zone. null: keep the stored
 * price; 'unpriceable': a sell that cannot be priced from this quote waits.
 */
function freshPrice(o: OrderWithContext, quote: Quote, now: Date, age: number): Repriced | null | 'unpriceable' {
  if (o.side === 'BUY' && (age <= REPRICE_UNSENT_AFTER_MS || o.priceType !== 'LIMIT')) return null
  const spec = pricingFor(o.stock, o.triggerEvent.kind)
  const priced = priceOrder({ code: o.code, side: o.side === 'BUY' ? 'buy' : 'sell', quote, now, mode: spec.mode, offsetTicks: spec.offsetTicks, triggerPrice: quote.last, st: isStName(o.stock.name) })
  if (!priced.ok) return o.side === 'SELL' ? 'unpriceable' : null
  // Never above the entry zone, nor above a rebound entry's trigger level (the trigger's level; a zone entry's is entryHigh).
  const buyCapMilli = o.stock.entryTrigger === 'REBOUND' ? Math.min(o.stock.entryHighMilli, o.triggerEvent.levelMilli) : o.stock.entryHighMilli
  if (o.side === 'BUY' && (priced.priceType !== 'limit' || priced.price > buyCapMilli / 1000)) return null
  const next: Repriced = { limitPriceMilli: toMilli(priced.price), priceType: priced.priceType === 'limit' ? 'LIMIT' : 'MARKET', xtPriceType: priced.xtPriceType }
  return next.limitPriceMilli === o.limitPriceMilli && next.priceType === o.priceType && next.xtPriceType === o.xtPriceType ? null : next
}

/** Why a pending intent may no longer be sent, read inside the caller's transaction; null: it may. */
async function withdrawReason(tx: Tx, o: OrderWithContext, now: Date): Promise<WithdrawReason | null> {
  if (await readKillSwitch(tx)) return 'kill_switch'
  // The order's account disabled, its own kill switch on, or its user's trading share gone: held exactly like the global switch.
  if (await accountTradingHalted(tx, o.brokerAccountId, o.userId)) return 'account_halted'
  const row = await loadMonitor(tx, o.stockId)
  if (!row || row.archivedAt) return 'archived'
  if (!row.enabled) return 'paused'
  if (!autoOrders(row.quantConfig, o.triggerEvent.kind)) return 'auto_trade_off'
  // The trigger's quote time is the session whose prices made the intent.
  if (shanghaiDate(o.triggerEvent.quoteTime) !== shanghaiDate(now)) return 'earlier_session'
  return null
}

function withdrawText(why: WithdrawReason, o: OrderWithContext, now: Date, locale: 'zh' | 'en'): string {
  const zh = locale === 'zh'
  switch (why) {
    case 'kill_switch':
      return zh ? '总开关已关闭交易：未发出的委托已作废' : 'the kill switch is on: the unsent order was dropped'
    case 'account_halted':
      return zh ? '该券商账户已停用、已关闭交易，或你已无权在该账户交易：未发出的委托已作废' : 'the broker account is disabled, its kill switch is on, or you may no longer trade on it: the unsent order was dropped'
    case 'auto_trade_off':
      return zh ? '该股票已关闭自动交易：未发出的委托已作废' : 'auto-trade is off for this stock: the unsent order was dropped'
    case 'paused':
      return zh ? '该股票的监控已暂停：未发出的委托已作废' : 'the monitor is paused: the unsent order was dropped'
    case 'archived':
      return zh ? '该股票的监控已删除：未发出的委托已作废' : 'the monitor was archived: the unsent order was dropped'
    case 'earlier_session': {
      const day = shanghaiDate(o.triggerEvent.quoteTime)
      const today = shanghaiDate(now)
      return zh ? `委托生成于 ${day} 的交易时段，当日未能发出；已作废，不会在 ${today} 发出` : `the order was made in the ${day} session and could not be sent that day; dropped, it is not sent on ${today}`
    }
  }
}

/**
 * One transaction per pending intent: the lease, then whether it may still be sent (withdrawn when
 * not), a buy that waited too long (expired), and finally the claim PENDING → SENDING — with the
 * fresh price, when there is one — if this cycle sends it. 'hold': it waits for a later cycle;
 * 'gone': someone else moved it.
 */
async function claimOrWithdraw(
  deps: SendDeps,
  o: OrderWithContext,
  now: Date,
  plan: { staleBuy: boolean; send: boolean; price: Repriced | null; quantity?: number },
): Promise<'claimed' | 'withdrawn' | 'expired' | 'hold' | 'gone'> {
  const locale = asLocale(o.stock.user.locale)
  return writeTx(getDb(), async (tx) => {
    await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    const why = await withdrawReason(tx, o, now)
    if (why || plan.staleBuy) {
      const reason = why
        ? withdrawText(why, o, now, locale)
        : locale === 'zh'
          ? '买入意图未能及时发出（桥接不可用或非交易时段），已作废以免按过时价格买入'
          : 'the buy intent could not be sent in time (bridge down or market closed); dropped rather than sent at a stale price'
      if (!(await transitionOrder(tx, o.id, ['PENDING'], 'FAILED', { errorMessage: reason }))) return 'gone'
      await finalizeOrder(tx, { order: { ...o, status: 'FAILED', errorMessage: reason }, outcome: 'failed', reason, now, triggerEnv: deps.triggerEnv, ...(why ? { withdrawn: why } : {}) })
      deps.log.warn({ orderId: o.id, clientOrderId: o.clientOrderId, code: o.code, side: o.side, why: why ?? 'stale-buy' }, 'unsent intent dropped')
      return why ? 'withdrawn' : 'expired'
    }
    if (!plan.send) return 'hold'
    const claimed = await transitionOrder(tx, o.id, ['PENDING'], 'SENDING', { sendingAt: new Date(), ...(plan.price ?? {}), ...(plan.quantity !== undefined ? { quantity: plan.quantity } : {}) })
    return claimed ? 'claimed' : 'gone'
  })
}

async function recordSendResult(deps: SendDeps, o: OrderWithContext, res: { success: boolean; message: string; orderId?: number; outcome: PlaceOutcome }, now: Date) {
  const locale = asLocale(o.stock.user.locale)
  const params = orderParams(o, locale)
  const t = translator(locale)
  await writeTx(getDb(), async (tx) => {
    switch (res.outcome) {
      case 'sent': {
        const timeoutSec = o.stock.quantConfig?.unfilledTimeoutSec ?? 120
        const moved = await transitionOrder(tx, o.id, ['SENDING'], 'SUBMITTED', {
          bridgeOrderId: String(res.orderId),
          submittedAt: new Date(),
          deadlineAt: addTradingSeconds(now, timeoutSec),
        })
        if (!moved) return
        const priceText =
          o.priceType === 'LIMIT'
            ? t('events.actions.limitPrice' as never, { price: formatPrice(o.code, (o.limitPriceMilli ?? 0) / 1000) } as never)
            : t('events.actions.marketPrice' as never, { price: formatPrice(o.code, (o.limitPriceMilli ?? 0) / 1000) } as never)
        await notify(tx, { userId: o.userId, locale, at: now, type: 'ORDER_SUBMITTED', params: { ...params, orderId: String(res.orderId), priceText }, stockId: o.stockId, orderId: o.id, triggerEventId: o.triggerEventId, dedupeKey: `order:${o.id}:submitted` })
        return
      }
      case 'rejected': {
        const moved = await transitionOrder(tx, o.id, ['SENDING'], 'FAILED', { errorMessage: res.message })
        if (!moved) return
        await finalizeOrder(tx, { order: { ...o, status: 'FAILED', errorMessage: res.message }, outcome: 'failed', reason: res.message, now, triggerEnv: deps.triggerEnv })
        return
      }
      case 'not_sent': {
        await transitionOrder(tx, o.id, ['SENDING'], 'PENDING', { sendingAt: null, errorMessage: res.message })
        return
      }
      case 'unknown': {
        const moved = await transitionOrder(tx, o.id, ['SENDING'], 'UNKNOWN', { errorMessage: res.message })
        if (!moved) return
        await notify(tx, { userId: o.userId, locale, at: now, type: 'ORDER_UNKNOWN', params: { ...params, reason: res.message }, stockId: o.stockId, orderId: o.id, triggerEventId: o.triggerEventId, dedupeKey: `order:${o.id}:unknown` })
        return
      }
    }
  })
  deps.log.info({ orderId: o.id, clientOrderId: o.clientOrderId, code: o.code, side: o.side, quantity: o.quantity, outcome: res.outcome, bridgeOrderId: res.orderId }, 'order send result')
}
