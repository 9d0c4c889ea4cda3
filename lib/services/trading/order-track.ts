/**
 * Step 6 of a cycle: follow every open order through the bridge's own records (QKA has no push):
 * statuses (未报 … 废单 with the counter's message), fills and average price, partial fills; adopt
 * orders whose submission timed out once they show up under their clientOrderId; declare an order
 * without a bridge order id absent only after repeated lookups over a grace period; cancel orders
 * past their unfilled timeout.
 *
 * Absent is not empty. QKA sends `{}` both for "no orders today" and for "MiniQMT is logged out":
 *   - an order the bridge confirmed (it has a bridge order id) is never failed for missing from a
 *     list: it is looked up by id, and while it stays unlisted the trader is told, nothing changes;
 *   - a list that is `{}` while we have confirmed orders, or that lists none of them, means the
 *     bridge is blind: the trader gets BRIDGE_BLIND and no order changes until it sees again;
 *   - an order carrying DingPan's remark that the bridge holds working (or with fills we have not
 *     recorded) while the database has it terminal is adopted back, and the trader is told.
 *
 * Every write checks the worker's lease (fencing token) and locks the order row first, so two
 * trackers during a hand-over never apply one fill twice; fills are keyed by the counter's
 * traded_id per order.
 */
import { addTradingSeconds, canCancelAt, isStName, marketPhase, onUnfilledTimeout, shanghaiDate, toMilli, type Quote, type TimeoutAction } from '@/lib/market'
import { getDb } from '@/lib/db/client'
import { writeTx, type Tx } from '@/lib/db/tx'
import { holdLease, LeaseLostError } from '@/lib/db/lease'
import {
  findOrdersByClientIds,
  listOpenOrders,
  lockOpenOrder,
  OPEN_STATUSES,
  transitionOrder,
  updateOrderFields,
  upsertFill,
  type OrderStatusValue,
  type OrderWithContext,
  type AccountScope,
} from '@/lib/db/orders'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { STRATEGY_NAME, type BrokerList, type BrokerOrderRecord, type BrokerTradeRecord } from './broker-port'
import { notify } from '../notifications'
import { finalizeOrder, orderParams, type FinalOutcome } from './order-finalize'
import { inFlight, type SendDeps } from './order-send'
import { pricingFor } from './signals'
import { formatPrice } from '@/lib/format'

/** An order missing from the bridge's list is declared absent only after this many lookups… */
export const ABSENT_CHECKS = 3
/** …spread over at least this long since it was sent (counters can take a moment to list it). */
export const ABSENT_AFTER_MS = 30_000
/** With nothing open, the bridge's list is still read this often (market time) for DingPan orders to adopt. */
export const RECONCILE_IDLE_MS = 60_000

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
  /** The bridge answered but could not see our orders (MiniQMT logged out…): no order was changed. */
  blind?: boolean
  /** Orders brought back from a terminal state because the bridge holds them. */
  adopted?: number
  /** Another worker holds the lease now: this pass stopped before writing anything more. */
  leaseLost?: boolean
  /** The monitors whose orders filled or ended in this pass (the worker reloads just these rows). */
  stockIds?: number[]
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

/** The remark newClientOrderId gives every DingPan order (`dp` + 16 hex digits). */
const DINGPAN_REMARK = /^dp[0-9a-f]{16}$/

export function isDingPanOrder(rec: Pick<BrokerOrderRecord, 'remark' | 'strategyName'>): boolean {
  return !!rec.remark && (DINGPAN_REMARK.test(rec.remark) || rec.strategyName === STRATEGY_NAME)
}

const cancelRetryAt = new Map<number, number>()
/** Per broker account (each bridge has its own lists; key 0 when unscoped). */
interface AccountTrackState {
  /** When the current blind spell began (wall ms); null while the bridge sees our orders. */
  blindSince: number | null
  /** Market time (ms) of the last read of the bridge's lists. */
  lastReconcileAt: number
  /** Bridge orders already compared with the database and found final on both sides (today's). */
  settled: Set<string>
  settledDay: string
}
const trackStates = new Map<number, AccountTrackState>()
function trackState(deps: { account?: AccountScope }): AccountTrackState {
  const key = deps.account?.id ?? 0
  let s = trackStates.get(key)
  if (!s) trackStates.set(key, (s = { blindSince: null, lastReconcileAt: 0, settled: new Set(), settledDay: '' }))
  return s
}

/**
 * With nothing open, the lists are read once a market minute while the exchange trades (market
 * time: the simulated clock in demos and tests; a clock set backwards counts as due).
 */
function idleReconcileDue(now: Date, st: AccountTrackState): boolean {
  if (Math.abs(now.getTime() - st.lastReconcileAt) < RECONCILE_IDLE_MS) return false
  try {
    const phase = marketPhase(now)
    return phase === 'opening_auction' || phase === 'continuous' || phase === 'closing_auction'
  } catch {
    return false
  }
}

const sentAtOf = (o: OrderWithContext) => (o.sendingAt ?? o.submittedAt ?? o.createdAt).getTime()

export async function trackOpenOrders(deps: TrackDeps, now: Date, quotes: Map<string, Quote>): Promise<TrackResult> {
  const touched = new Set<number>()
  const out: TrackResult = { bridgeCalled: false, bridgeOk: true, fills: 0, terminal: 0, cancelsRequested: 0, stockIds: [] }
  const st = trackState(deps)
  const open = await listOpenOrders(deps.account)
  if (open.length === 0 && !idleReconcileDue(now, st)) return out
  st.lastReconcileAt = now.getTime()
  out.bridgeCalled = true
  let book: BrokerList<BrokerOrderRecord>
  let trades: BrokerTradeRecord[]
  try {
    book = await deps.broker.listOrders()
    trades = (await deps.broker.listTrades()).items
  } catch (e) {
    return { ...out, bridgeOk: false, error: (e as Error).message }
  }
  const byId = new Map(book.items.map((r) => [r.orderId, r]))
  const byRemark = new Map(book.items.filter((r) => r.remark).map((r) => [r.remark, r]))
  const tradesByOrder = new Map<number, BrokerTradeRecord[]>()
  for (const tr of trades) tradesByOrder.set(tr.orderId, [...(tradesByOrder.get(tr.orderId) ?? []), tr])
  const find = (o: OrderWithContext) => (o.bridgeOrderId ? byId.get(Number(o.bridgeOrderId)) : undefined) ?? byRemark.get(o.clientOrderId)

  // A SENDING order is still on the wire only if this process is sending it; one left by a process
  // that died (or was deposed) is reconciled once the client timeout has bounded its request.
  const tracked = open.filter((o) => !(o.status === 'SENDING' && (inFlight.has(o.id) || Date.now() - sentAtOf(o) < deps.sendTimeoutMs)))

  try {
    const blind = await blindness(deps, tracked, book, find, now)
    if (blind) {
      out.blind = true
      out.bridgeOk = false
      out.error = `bridge blind: ${blind.text}`
      await tellBlind(deps, tracked, blind)
      return out
    }
    st.blindSince = null

    for (const o of tracked) {
      let rec = find(o)
      if (!rec && o.bridgeOrderId) {
        try {
          rec = (await deps.broker.getOrder(Number(o.bridgeOrderId))) ?? undefined
        } catch (e) {
          out.bridgeOk = false
          out.error = (e as Error).message
          continue
        }
      }
      if (!rec) {
        if (o.bridgeOrderId) await noteUnlisted(deps, o, sentAtOf(o))
        else if (await handleMissing(deps, o, now, sentAtOf(o), quotes)) {
          out.terminal++
          touched.add(o.stockId)
        }
        continue
      }
      const r = await applyRecord(deps, o, rec, tradesByOrder.get(rec.orderId) ?? [], now, quotes)
      out.fills += r.newFills
      if (r.terminal) out.terminal++
      if (r.newFills || r.terminal) touched.add(o.stockId)
    }

    const openKeys = new Set(open.flatMap((o) => [o.clientOrderId, ...(o.bridgeOrderId ? [`#${o.bridgeOrderId}`] : [])]))
    const adopted = await adoptFromBridge(deps, book.items.filter((r) => !openKeys.has(r.remark) && !openKeys.has(`#${r.orderId}`)), tradesByOrder, now, quotes)
    out.adopted = adopted.adopted
    out.fills += adopted.fills
    out.terminal += adopted.terminal
    for (const id of adopted.stockIds) touched.add(id)

    out.cancelsRequested = await cancelTimedOut(deps, now, quotes)
  } catch (e) {
    if (!(e instanceof LeaseLostError)) throw e
    deps.log.warn({ fencingToken: deps.fencingToken }, 'lease lost while tracking orders; this worker stops writing')
    out.leaseLost = true
  }
  out.stockIds = [...touched]
  return out
}

interface Blindness {
  /** absent: `{}` for the list; missing: a list without any of our orders; noAsset: `{}` for the list, and no asset either. */
  kind: 'absent' | 'missing' | 'noAsset'
  count: number
  /** For the log and the status page. */
  text: string
}

/**
 * Why the bridge cannot be trusted to show our orders right now, or null. Judged on orders the
 * bridge itself confirmed (they have an id, and fired today: the counter lists today's orders
 * only). With only unconfirmed orders a `{}` may be a true "none today": a logged-in counter always
 * answers the asset query, so that tells the two apart.
 */
async function blindness(
  deps: TrackDeps,
  tracked: OrderWithContext[],
  book: BrokerList<BrokerOrderRecord>,
  find: (o: OrderWithContext) => BrokerOrderRecord | undefined,
  now: Date,
): Promise<Blindness | null> {
  if (tracked.length === 0) return null
  const today = shanghaiDate(now)
  const confirmed = tracked.filter((o) => o.bridgeOrderId && shanghaiDate(o.triggerEvent.quoteTime) === today)
  if (confirmed.length > 0) {
    if (book.absent) return { kind: 'absent', count: confirmed.length, text: `the order list came back empty ({}) while ${confirmed.length} confirmed order(s) work` }
    if (confirmed.every((o) => !find(o))) return { kind: 'missing', count: confirmed.length, text: `the order list shows none of ${confirmed.length} confirmed order(s)` }
    return null
  }
  if (!book.absent) return null
  try {
    await deps.broker.getAccountInfo()
    return null
  } catch (e) {
    return { kind: 'noAsset', count: tracked.length, text: `the order list came back empty and the account could not be read: ${(e as Error).message}` }
  }
}

async function tellBlind(deps: TrackDeps, tracked: OrderWithContext[], why: Blindness): Promise<void> {
  const st = trackState(deps)
  const first = st.blindSince === null
  if (first) st.blindSince = Date.now()
  deps.log[first ? 'error' : 'warn']({ why: why.text, orders: tracked.length }, 'bridge blind: no order changed')
  if (!first) return
  const since = st.blindSince!
  const byUser = new Map<number, OrderWithContext[]>()
  for (const o of tracked) byUser.set(o.userId, [...(byUser.get(o.userId) ?? []), o])
  await writeTx(getDb(), async (tx) => {
    await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    for (const [userId, orders] of byUser) {
      const locale = asLocale(orders[0]!.stock.user.locale)
      const t = translator(locale)
      await notify(tx, {
        userId,
        locale,
        type: 'BRIDGE_BLIND',
        params: {
          count: orders.length,
          codes: [...new Set(orders.map((o) => o.code))].slice(0, 5).join(', '),
          reason: t(`events.blind.${why.kind}` as never, { count: why.count } as never),
        },
        dedupeKey: `bridge-blind:${deps.account && !deps.account.isDefault ? `a${deps.account.id}:` : ''}${userId}:${since}`,
      })
    }
  })
}

/** A confirmed order neither listed nor found by id: never failed; after a while the trader is told once. */
async function noteUnlisted(deps: TrackDeps, o: OrderWithContext, sentAt: number): Promise<void> {
  const checks = o.reconcileCount + 1
  const locale = asLocale(o.stock.user.locale)
  const t = translator(locale)
  await writeTx(getDb(), async (tx) => {
    await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    if (!(await lockOpenOrder(tx, o.id))) return
    await updateOrderFields(tx, o.id, { reconcileCount: checks })
    if (checks < ABSENT_CHECKS || Date.now() - sentAt < (deps.absentAfterMs ?? ABSENT_AFTER_MS)) return
    await notify(tx, {
      userId: o.userId,
      locale,
      type: 'ORDER_RECONCILED',
      severity: 'CRITICAL',
      params: { ...orderParams(o, locale), result: t('events.reconcile.unlisted' as never, { orderId: o.bridgeOrderId ?? '—' } as never) },
      stockId: o.stockId,
      orderId: o.id,
      triggerEventId: o.triggerEventId,
      dedupeKey: `order:${o.id}:unlisted`,
    })
  })
}

/** An order the bridge never confirmed (no id), missing from a list the bridge can see. */
async function handleMissing(deps: TrackDeps, o: OrderWithContext, now: Date, sentAt: number, quotes: Map<string, Quote>): Promise<boolean> {
  const checks = o.reconcileCount + 1
  const locale = asLocale(o.stock.user.locale)
  const t = translator(locale)
  return writeTx(getDb(), async (tx) => {
    await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    if (!(await lockOpenOrder(tx, o.id))) return false
    if (checks < ABSENT_CHECKS || Date.now() - sentAt < (deps.absentAfterMs ?? ABSENT_AFTER_MS)) {
      await updateOrderFields(tx, o.id, { reconcileCount: checks })
      return false
    }
    const reasonEn = 'the bridge has no record of this order (checked repeatedly)'
    const reason = locale === 'zh' ? '桥接中查无此委托（已多次核对）' : reasonEn
    const moved = await transitionOrder(tx, o.id, [o.status], 'FAILED', { reconcileCount: checks, lastCheckedAt: new Date(), errorMessage: reason })
    if (!moved) return false
    await notify(tx, {
      userId: o.userId,
      locale,
      at: now,
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
    await finalizeOrder(tx, { order: { ...o, status: 'FAILED' }, outcome: 'failed', reason, reasonEn, now, quote: quotes.get(o.code), triggerEnv: deps.triggerEnv })
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
    // The fence: only the lease holder applies fills, and the row lock makes a second tracker (or a
    // retry) read what the first one wrote before it computes anything.
    await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    if (!(await lockOpenOrder(tx, o.id))) return { newFills: 0, terminal: false }
    const fresh = await tx.order.findUnique({ where: { id: o.id } })
    if (!fresh || !OPEN_STATUSES.includes(fresh.status as OrderStatusValue)) return { newFills: 0, terminal: false }
    const base = { ...o, ...fresh }

    if (fresh.status === 'UNKNOWN' || fresh.status === 'SENDING' || !fresh.bridgeOrderId) {
      await updateOrderFields(tx, o.id, { bridgeOrderId: String(rec.orderId), submittedAt: fresh.submittedAt ?? new Date() })
      await notify(tx, {
        userId: o.userId,
        locale,
        at: now,
        type: 'ORDER_RECONCILED',
        params: { ...orderParams(base, locale), result: t('events.reconcile.found' as never, { orderId: String(rec.orderId), status: `${rec.status} ${rec.statusName}` } as never) },
        stockId: o.stockId,
        orderId: o.id,
        triggerEventId: o.triggerEventId,
        dedupeKey: `order:${o.id}:found`,
      })
      if (!fresh.deadlineAt) {
        const timeoutSec = o.stock.quantConfig?.unfilledTimeoutSec ?? 120
        await updateOrderFields(tx, o.id, { deadlineAt: addTradingSeconds(now, timeoutSec) })
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
    // Seen: the miss counter starts over.
    const fields = { xtStatus: rec.status, statusMsg: rec.statusMsg || null, orderSysId: rec.sysid || fresh.orderSysId, lastCheckedAt: new Date(), reconcileCount: 0 }
    if (next !== fresh.status && next !== 'UNKNOWN') {
      if (!(await transitionOrder(tx, o.id, [fresh.status as OrderStatusValue], next, fields))) return { newFills, terminal: false }
    } else {
      await updateOrderFields(tx, o.id, fields)
    }
    Object.assign(base, fields, { status: next })

    if (delta > 0 && next !== 'FILLED') {
      await notify(tx, { userId: o.userId, locale, at: now, type: 'ORDER_PARTIALLY_FILLED', params: orderParams(base, locale), stockId: o.stockId, orderId: o.id, triggerEventId: o.triggerEventId, dedupeKey: `order:${o.id}:fill:${filled}` })
    }
    const final: FinalOutcome | null = next === 'FILLED' ? 'filled' : next === 'CANCELLED' ? (filled > 0 ? 'partially_cancelled' : 'cancelled') : next === 'REJECTED' ? 'rejected' : null
    if (!final) return { newFills, terminal: false }
    const stock = await tx.monitoredStock.findUnique({ where: { id: o.stockId }, select: { positionQty: true } })
    // An adopted order was told final once already (wrongly): its real end gets its own notice.
    const adopted = await tx.notification.findUnique({ where: { dedupeKey: `order:${o.id}:adopted` }, select: { id: true } })
    await finalizeOrder(tx, {
      order: base,
      outcome: final,
      cancelledBy: (fresh.cancelledBy as 'timeout' | 'user' | 'system' | 'superseded' | null) ?? 'system',
      reason: rec.statusMsg || null,
      now,
      quote: quotes.get(o.code),
      remainingVolume: stock?.positionQty ?? null,
      triggerEnv: deps.triggerEnv,
      finalKey: adopted ? 'final:adopted' : undefined,
    })
    return { newFills, terminal: true }
  })
}

/**
 * The reconciliation pass: orders carrying DingPan's remark that the bridge holds but that the
 * database has terminal (or never sent) while the bridge still works them or reports fills we did
 * not record. They are taken back under tracking — the exchange is the truth — and the trader is
 * told. A DingPan-marked order the database does not know at all is reported, not traded on.
 */
async function adoptFromBridge(
  deps: TrackDeps,
  records: BrokerOrderRecord[],
  tradesByOrder: Map<number, BrokerTradeRecord[]>,
  now: Date,
  quotes: Map<string, Quote>,
): Promise<{ adopted: number; fills: number; terminal: number; stockIds: number[] }> {
  const res = { adopted: 0, fills: 0, terminal: 0, stockIds: [] as number[] }
  const day = shanghaiDate(now)
  const st = trackState(deps)
  const settled = st.settled
  if (day !== st.settledDay) {
    settled.clear()
    st.settledDay = day
  }
  const candidates = records.filter((r) => isDingPanOrder(r) && !settled.has(`${r.orderId}:${r.remark}`) && (!r.terminal || r.tradedVolume > 0))
  if (candidates.length === 0) return res
  const rows = new Map((await findOrdersByClientIds(candidates.map((r) => r.remark), deps.account)).map((o) => [o.clientOrderId, o]))
  for (const r of candidates) {
    const row = rows.get(r.remark)
    if (!row) {
      // Not cached: the notice's dedupe key keeps it to one per order and user.
      await tellUntracked(deps, r)
      continue
    }
    if (OPEN_STATUSES.includes(row.status as OrderStatusValue)) continue // tracked (or about to be) by the main pass
    if (row.bridgeOrderId && row.bridgeOrderId !== String(r.orderId)) continue // another order carries this remark: not ours to merge
    if (r.terminal && r.tradedVolume <= row.filledQuantity) {
      settled.add(`${r.orderId}:${r.remark}`)
      continue
    }
    const reopened = await reopen(deps, row, r, now)
    if (!reopened) continue
    res.adopted++
    const applied = await applyRecord(deps, reopened, r, tradesByOrder.get(r.orderId) ?? [], now, quotes)
    res.fills += applied.newFills
    if (applied.terminal) res.terminal++
    res.stockIds.push(row.stockId)
  }
  return res
}

async function reopen(deps: TrackDeps, row: OrderWithContext, r: BrokerOrderRecord, now: Date): Promise<OrderWithContext | null> {
  const locale = asLocale(row.stock.user.locale)
  const t = translator(locale)
  return writeTx(getDb(), async (tx) => {
    await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    // One live order per trigger: the slot is taken back only when no later attempt holds it.
    const holder = await tx.order.findUnique({ where: { activeKey: row.triggerEventId }, select: { id: true } })
    const timeoutSec = row.stock.quantConfig?.unfilledTimeoutSec ?? 120
    const data = {
      bridgeOrderId: String(r.orderId),
      submittedAt: row.submittedAt ?? new Date(),
      terminalAt: null,
      activeKey: holder ? null : row.triggerEventId,
      reconcileCount: 0,
      lastCheckedAt: new Date(),
      deadlineAt: row.deadlineAt ?? addTradingSeconds(now, timeoutSec),
      errorMessage: locale === 'zh' ? `桥接仍持有此委托（${r.status} ${r.statusName}），已重新接管` : `the bridge still holds this order (${r.status} ${r.statusName}); taken back under tracking`,
    }
    if (!(await transitionOrder(tx, row.id, [row.status as OrderStatusValue], 'SUBMITTED', data))) return null
    const order: OrderWithContext = { ...row, ...data, status: 'SUBMITTED' }
    await notify(tx, {
      userId: row.userId,
      locale,
      at: now,
      type: 'ORDER_RECONCILED',
      severity: 'CRITICAL',
      params: {
        ...orderParams(order, locale),
        result: t('events.reconcile.adopted' as never, { orderId: String(r.orderId), status: `${r.status} ${r.statusName}`, traded: r.tradedVolume, was: row.status } as never),
      },
      stockId: row.stockId,
      orderId: row.id,
      triggerEventId: row.triggerEventId,
      dedupeKey: `order:${row.id}:adopted`,
    })
    deps.log.warn({ orderId: row.id, bridgeOrderId: r.orderId, was: row.status, xtStatus: r.status, traded: r.tradedVolume }, 'order adopted back from the bridge')
    return order
  })
}

async function tellUntracked(deps: TrackDeps, r: BrokerOrderRecord): Promise<void> {
  deps.log.error({ bridgeOrderId: r.orderId, remark: r.remark, code: r.code }, 'a DingPan-marked order at the bridge is not in the database')
  await writeTx(getDb(), async (tx) => {
    await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    const users = await tx.user.findMany({ select: { id: true, locale: true } })
    for (const u of users) {
      const locale = asLocale(u.locale)
      const t = translator(locale)
      await notify(tx, {
        userId: u.id,
        locale,
        type: 'ORDER_UNTRACKED',
        params: {
          code: r.code,
          side: r.side ? t(`events.sides.${r.side}` as never) : '—',
          volume: r.volume,
          traded: r.tradedVolume,
          orderId: String(r.orderId),
          remark: r.remark,
          status: `${r.status} ${r.statusName}`,
        },
        dedupeKey: `untracked:${u.id}:${r.orderId}:${r.remark}`,
      })
    }
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

async function cancelTimedOut(deps: TrackDeps, now: Date, quotes: Map<string, Quote>): Promise<number> {
  if (!canCancelAt(now)) return 0
  let requested = 0
  const candidates = (await listOpenOrders(deps.account)).filter(
    // An exit being superseded by a higher one is cancelled by the send stage, not by its timeout.
    (o) => (o.status === 'SUBMITTED' || o.status === 'PARTIALLY_FILLED') && o.bridgeOrderId && o.deadlineAt && o.deadlineAt <= now && !o.cancelRequestedAt && o.cancelledBy !== 'superseded',
  )
  const due: OrderWithContext[] = []
  for (const o of candidates) {
    // An order at the limit price keeps its place in the queue, and an exit is cancelled only to
    // improve its price: otherwise the order rests and is looked at again one timeout later.
    const spec = pricingFor(o.stock, o.triggerEvent.kind)
    const decision = onUnfilledTimeout({
      code: o.code,
      side: o.side === 'BUY' ? 'buy' : 'sell',
      limitPriceMilli: o.priceType === 'LIMIT' ? o.limitPriceMilli : null,
      quote: quotes.get(o.code) ?? null,
      now,
      mode: spec.mode,
      offsetTicks: spec.offsetTicks ?? 0,
      st: isStName(o.stock.name),
    })
    if (decision.action === 'cancel') {
      due.push(o)
      continue
    }
    await keepResting(deps, o, now, decision)
  }
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
          at: now,
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

/**
 * The order rests on: its deadline moves one timeout (of trading time) on; at a locked board the
 * trader is told once that it is queued there (and the order says so on the orders page).
 */
async function keepResting(deps: TrackDeps, o: OrderWithContext, now: Date, decision: Exclude<TimeoutAction, { action: 'cancel' }>): Promise<void> {
  const timeoutSec = o.stock.quantConfig?.unfilledTimeoutSec ?? 120
  const locale = asLocale(o.stock.user.locale)
  const zh = locale === 'zh'
  await writeTx(getDb(), async (tx) => {
    await holdLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    if (!(await lockOpenOrder(tx, o.id))) return
    const fields: Record<string, unknown> = { deadlineAt: addTradingSeconds(now, timeoutSec) }
    if (decision.action === 'queued_at_limit') {
      const limit = decision.limit === 'up' ? (zh ? '涨停' : 'limit-up') : zh ? '跌停' : 'limit-down'
      const price = formatPrice(o.code, decision.priceMilli / 1000)
      fields.errorMessage = zh ? `以${limit}价 ${price} 排队等待开板，不因超时撤单` : `queued at the ${limit} price ${price} until the board opens; not cancelled on timeout`
      await notify(tx, {
        userId: o.userId,
        locale,
        at: now,
        type: 'ORDER_QUEUED_AT_LIMIT',
        params: { ...orderParams(o, locale), limit, price },
        stockId: o.stockId,
        orderId: o.id,
        triggerEventId: o.triggerEventId,
        dedupeKey: `order:${o.id}:queued-at-limit`,
      })
    } else if (o.side === 'SELL') {
      fields.errorMessage = zh ? '卖单继续挂单：当前没有更易成交的价格，不撤单重发' : 'the exit keeps resting: no price now would fill more readily, so it is not cancelled and resent'
    }
    await updateOrderFields(tx, o.id, fields as never)
  })
  deps.log.info({ orderId: o.id, code: o.code, side: o.side, decision }, 'unfilled timeout: the order keeps resting')
}
