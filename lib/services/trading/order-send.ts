/**
 * Step 5 of a cycle: send committed intents (stop-losses first). Each intent is claimed
 * PENDING → SENDING in its own committed transaction before the request leaves, so after a crash an
 * order caught mid-send is SENDING and gets reconciled, never resent. The bridge's answer decides:
 *   sent (order id > 0)  → SUBMITTED, tracked from then on by queries;
 *   rejected             → FAILED (the bridge refused it; nothing is live);
 *   not_sent             → back to PENDING (connection refused: the request never left);
 *   unknown (timeout…)   → UNKNOWN: may be live; reconciled by clientOrderId, never resent.
 */
import { acceptsOrders, priceOrder, toMilli, type Quote, isStName } from '@/lib/market'
import type { Logger } from 'pino'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { assertLease } from '@/lib/db/lease'
import { listPendingOrders, transitionOrder, type OrderWithContext } from '@/lib/db/orders'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { formatPrice } from '@/lib/format'
import type { BrokerPort, PlaceOutcome } from './broker-port'
import { notify } from '../notifications'
import { finalizeOrder, orderParams } from './order-finalize'
import type { LeaseIdentity, MarketView } from './signals'
import { pricingFor } from './signals'
import { crashPoint } from './crash-points'
import type { TriggerEnv } from './monitor-input'

export interface SendDeps extends LeaseIdentity {
  broker: BrokerPort
  log: Logger
  triggerEnv: TriggerEnv
}

/** Buy intents that could not go out promptly are dropped rather than sent at a stale price. */
export const BUY_INTENT_MAX_AGE_MS = 60_000
/** Older unsent intents are re-priced from the latest quote before sending (nothing was sent yet). */
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

export async function sendPendingOrders(
  deps: SendDeps,
  now: Date,
  quotes: Map<string, Quote>,
  opts: { killSwitch?: boolean; market?: MarketView | null } = {},
): Promise<SendResult> {
  const out: SendResult = { sent: 0, unknown: 0, failed: 0, bridgeUnreachable: false }
  // Cash and sellable shares read from the broker this cycle spare the bridge a query before each
  // order; what earlier orders of this loop take is subtracted. Without a fresh read the broker
  // client queries them itself.
  let cash = opts.market?.account?.cash
  const sellable = new Map([...(opts.market?.positions.values() ?? [])].map((p) => [p.code, p.canUseVolume]))
  const pending = (await listPendingOrders()).sort(sendOrder)
  for (const order of pending) {
    if (opts.killSwitch) {
      // The kill switch stops every order at once, including intents committed before it was
      // switched on and still waiting to go out (e.g. while the bridge was down).
      await expire(deps, order, now, 'kill')
      out.failed++
      continue
    }
    if (!acceptsOrders(now, order.priceType === 'MARKET' ? 'market' : 'limit')) continue
    const age = Date.now() - order.createdAt.getTime()
    if (order.side === 'BUY' && age > BUY_INTENT_MAX_AGE_MS) {
      await expire(deps, order, now)
      out.failed++
      continue
    }
    let o = order
    const quote = quotes.get(order.code)
    if (age > REPRICE_UNSENT_AFTER_MS && quote && order.priceType === 'LIMIT') o = await repriceUnsent(order, quote, now)

    const claimed = await writeTx(getDb(), async (tx) => {
      await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
      return transitionOrder(tx, o.id, ['PENDING'], 'SENDING', { sendingAt: new Date() })
    })
    if (!claimed) continue
    crashPoint('after-claim')

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
        quote: quotes.get(o.code) ?? null,
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
          deadlineAt: new Date(now.getTime() + timeoutSec * 1000),
        })
        if (!moved) return
        const priceText =
          o.priceType === 'LIMIT'
            ? t('events.actions.limitPrice' as never, { price: formatPrice(o.code, (o.limitPriceMilli ?? 0) / 1000) } as never)
            : t('events.actions.marketPrice' as never, { price: formatPrice(o.code, (o.limitPriceMilli ?? 0) / 1000) } as never)
        await notify(tx, { userId: o.userId, locale, type: 'ORDER_SUBMITTED', params: { ...params, orderId: String(res.orderId), priceText }, stockId: o.stockId, orderId: o.id, triggerEventId: o.triggerEventId, dedupeKey: `order:${o.id}:submitted` })
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
        await notify(tx, { userId: o.userId, locale, type: 'ORDER_UNKNOWN', params: { ...params, reason: res.message }, stockId: o.stockId, orderId: o.id, triggerEventId: o.triggerEventId, dedupeKey: `order:${o.id}:unknown` })
        return
      }
    }
  })
  deps.log.info({ orderId: o.id, clientOrderId: o.clientOrderId, code: o.code, side: o.side, quantity: o.quantity, outcome: res.outcome, bridgeOrderId: res.orderId }, 'order send result')
}

async function expire(deps: SendDeps, o: OrderWithContext, now: Date, why: 'stale' | 'kill' = 'stale') {
  const locale = asLocale(o.stock.user.locale)
  const reason =
    why === 'kill'
      ? locale === 'zh'
        ? '总开关已关闭交易：未发出的委托已作废'
        : 'the kill switch is on: the unsent order was dropped'
      : locale === 'zh'
        ? '买入意图未能及时发出（桥接不可用或非交易时段），已作废以免按过时价格买入'
        : 'the buy intent could not be sent in time (bridge down or market closed); dropped rather than sent at a stale price'
  await writeTx(getDb(), async (tx) => {
    await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    if (!(await transitionOrder(tx, o.id, ['PENDING'], 'FAILED', { errorMessage: reason }))) return
    await finalizeOrder(tx, { order: { ...o, status: 'FAILED' }, outcome: 'failed', reason, now, triggerEnv: deps.triggerEnv })
  })
}

/** Unsent intents only: a fresh price is as safe as the original one, since nothing left yet. */
async function repriceUnsent(o: OrderWithContext, quote: Quote, now: Date): Promise<OrderWithContext> {
  const spec = pricingFor(o.stock, o.triggerEvent.kind)
  const priced = priceOrder({ code: o.code, side: o.side === 'BUY' ? 'buy' : 'sell', quote, now, mode: spec.mode, offsetTicks: spec.offsetTicks, triggerPrice: quote.last, st: isStName(o.stock.name) })
  if (!priced.ok || priced.priceType !== 'limit') return o
  if (o.side === 'BUY' && priced.price > o.stock.entryHighMilli / 1000) return o
  const limitPriceMilli = toMilli(priced.price)
  if (limitPriceMilli === o.limitPriceMilli) return o
  const updated = await transitionOrder(getDb(), o.id, ['PENDING'], 'PENDING', { limitPriceMilli })
  return updated ? { ...o, limitPriceMilli } : o
}
