/**
 * The stock detail page: the monitor, today's intraday one-minute bars (or the last session's, when
 * today has none yet) with the levels to draw, the broker position snapshot, and one timeline of the
 * stock's triggers, orders (with fills) and notifications, newest first.
 */
import { accountOfStock } from '@/lib/db/broker-accounts'
import { fromMilli, orderStatusInfo, shanghaiDate } from '@/lib/market'
import { getStockForUser } from '@/lib/db/stocks'
import { latestBar, positionSnapshot, stockHistory } from '@/lib/db/stock-detail'
import { getBars, getSnapshots } from '@/lib/db/quotes'
import { toStockView } from './stock-view'
import { conditionsOf } from './conditions'
import { shanghaiDayRange, trailingLevelMilli } from './dashboard'
import { effectiveState } from '../trading/shapes'
import type { MarketClockReading } from '../runtime/market-clock-view'
import { isEventType, renderEvent, type NotifyParams } from '../notifications'
import type { Locale } from '@/lib/i18n/config'

const y = (m: number | null | undefined) => (m == null ? null : fromMilli(m))
const money = (v: bigint | null | undefined) => (v == null ? null : Number(v) / 1000)

/**
 * A notification in the reader's language now, from its stored event parameters (one created while
 * the account was in Chinese reads in English after the switch); the stored text otherwise.
 */
function textIn(n: { type: string; title: string; body: string; params: unknown }, locale: Locale | undefined): { title: string; body: string } {
  const stored = { title: n.title, body: n.body }
  if (!locale || !isEventType(n.type) || !n.params || typeof n.params !== 'object' || Array.isArray(n.params)) return stored
  try {
    return renderEvent(n.type, n.params as NotifyParams, locale)
  } catch {
    return stored
  }
}

export async function stockDetail(userId: number, id: number, clock: MarketClockReading, locale?: Locale) {
  const row = await getStockForUser(userId, id)
  const stock = toStockView(row)
  const [history, snap, pos, newest] = await Promise.all([stockHistory(userId, id), getSnapshots([row.code]), positionSnapshot(await accountOfStock(row), row.code), latestBar(row.code)])

  // Today's session by the market clock; if it has no bars yet (before the open, weekends), the last one.
  let range = clock.now ? shanghaiDayRange(clock.now) : null
  if (newest && (!range || newest.minute < range.from)) range = shanghaiDayRange(newest.minute)
  const bars = range ? await getBars(row.code, range.from, range.to) : []

  const holding = row.state === 'HOLDING' || row.state === 'EXIT_PENDING'
  const trail = holding ? trailingLevelMilli(row.code, row.highestSinceEntryMilli, row.trailingStopBp) : null
  const q = snap[0]

  const orderTrigger = new Map(history.orders.map((o) => [o.id, o.triggerEventId as number | null]))
  const timeline = [
    ...history.triggers.map((t) => ({
      type: 'trigger' as const,
      key: `t${t.id}`,
      // Market time throughout (the trigger's quote, the order's and notification's marketAt), like the fills.
      at: t.quoteTime.toISOString(),
      id: t.id,
      kind: t.kind,
      episode: t.episode,
      price: fromMilli(t.priceMilli),
      level: fromMilli(t.levelMilli),
      quoteTime: t.quoteTime.toISOString(),
      autoTrade: t.autoTrade,
      outcome: t.outcome,
      reason: t.reason,
    })),
    ...history.orders.map((o) => ({
      type: 'order' as const,
      key: `o${o.id}`,
      at: (o.marketAt ?? o.createdAt).toISOString(),
      id: o.id,
      triggerId: o.triggerEventId as number | null,
      kind: o.triggerEvent.kind,
      side: o.side,
      quantity: o.quantity,
      limitPrice: y(o.limitPriceMilli),
      priceType: o.priceType,
      status: o.status,
      xtStatus: o.xtStatus,
      xtStatusName: o.xtStatus == null ? null : orderStatusInfo(o.xtStatus).name,
      xtStatusNameEn: o.xtStatus == null ? null : orderStatusInfo(o.xtStatus).nameEn,
      statusMsg: o.statusMsg,
      errorMessage: o.errorMessage,
      clientOrderId: o.clientOrderId,
      bridgeOrderId: o.bridgeOrderId,
      filledQuantity: o.filledQuantity,
      avgFillPrice: y(o.avgFillPriceMilli),
      cancelledBy: o.cancelledBy,
      fills: o.fills.map((f) => ({ id: f.id, tradedId: f.tradedId, price: fromMilli(f.priceMilli), quantity: f.quantity, amount: money(f.amountMilli), tradedAt: f.tradedAt.toISOString() })),
    })),
    ...history.notifications.map((n) => ({
      type: 'notification' as const,
      key: `n${n.id}`,
      at: (n.marketAt ?? n.createdAt).toISOString(),
      id: n.id,
      triggerId: n.triggerEventId ?? (n.orderId != null ? (orderTrigger.get(n.orderId) ?? null) : null),
      eventType: n.type,
      severity: n.severity,
      ...textIn(n, locale),
      read: n.readAt != null,
    })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.key.localeCompare(a.key)))

  const state = effectiveState(row)
  return {
    stock,
    effectiveState: state,
    /** Validity, entry window, entry quantity, entry trigger and re-arm policy (issue 14), by the market clock. */
    conditions: conditionsOf(row, clock.now),
    levels: {
      entryLow: stock.entryLow,
      entryHigh: stock.entryHigh,
      takeProfit: stock.takeProfit,
      stopLoss: stock.stopLoss,
      trailing: y(trail),
      highestSinceEntry: stock.highestSinceEntry,
    },
    quote: q
      ? { last: y(q.lastMilli), prevClose: y(q.prevCloseMilli), time: q.quoteTime.toISOString(), source: q.source, suspended: q.suspended, limitUp: y(q.limitUpMilli), limitDown: y(q.limitDownMilli) }
      : null,
    chart: {
      day: range ? range.day : null,
      marketDay: clock.now ? shanghaiDate(clock.now) : null,
      bars: bars.map((b) => ({ t: Math.floor(b.minute.getTime() / 1000), o: fromMilli(b.openMilli), h: fromMilli(b.highMilli), l: fromMilli(b.lowMilli), c: fromMilli(b.closeMilli) })),
    },
    brokerPosition: pos ? { volume: pos.volume, canUseVolume: pos.canUseVolume, avgPrice: y(pos.avgPriceMilli), takenAt: pos.takenAt.toISOString() } : null,
    actions: {
      canRearm: !row.archivedAt && state === 'CLOSED',
      canMarkManaged: !row.archivedAt && (state === 'WATCHING' || state === 'CLOSED') && !!pos && pos.volume > 0,
    },
    timeline,
  }
}

export type StockDetail = Awaited<ReturnType<typeof stockDetail>>
export type TimelineItem = StockDetail['timeline'][number]
