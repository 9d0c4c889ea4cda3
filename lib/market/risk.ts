import { parseCode } from './codes'
import { MarketRuleError, reason, type Reason } from './errors'
import { estimateFeesMilli, type FeeRates } from './fees'
import { formatYuan, isMilliExact, mulDiv, toMilli, toPpm } from './money'
import { validateQuantity } from './quantity'
import type { Side } from './types'

/**
 * Pre-trade risk checks in the spirit of vn.py's RiskManager. Plain data in (the caller loads it
 * from the database), every violated rule out — all of them, not just the first, so the audit log
 * and UI show the full picture; `violations[0]` is the most fundamental one.
 *
 * Rules and who they block:
 *   KILL_SWITCH            everything
 *   ORDER_INVALID          everything (quantity/price validity, T+1 sellable)
 *   QUOTE_STALE            everything (an order priced from stale data is not valid)
 *   DUPLICATE_ORDER        everything: same stock, side and price within the window is a double
 *                          submission (pain point: 100 orders became 200), never a legitimate exit
 *   EXIT_ALREADY_WORKING   sells: a sell is already working for this stock; cancel it before
 *                          sending another (prevents double sells)
 *   EXPOSURE_CAP           buys only (market value + buys still working + order ≤ maxExposurePct × assets)
 *   ORDER_VALUE_CAP        buys only
 *   ORDER_RATE             buys only (orders in the last minute, all stocks)
 *   ACTIVE_ORDERS_PER_STOCK buys only
 *   DAILY_LOSS_CAP         buys only (today's realised loss)
 *   CASH_INSUFFICIENT      buys only (value + estimated fees ≤ cash)
 *   ST_DAILY_BUY_CAP       buys of SH main-board ST stocks (500,000 shares per day; third-party, unverified)
 * Exposure, rate and loss rules never block an exit: a stop-loss must go out when it is needed.
 */
export interface RiskLimits {
  /** Fraction of total assets; default 0.8. */
  maxExposurePct: number
  /** Yuan per order; null = no cap. */
  maxOrderValue: number | null
  maxOrdersPerMinute: number
  maxActiveOrdersPerStock: number
  duplicateWindowSec: number
  /** Yuan of realised loss today after which new buys stop; null = no cap. */
  maxDailyRealizedLoss: number | null
  maxQuoteAgeSec: number
  /** SSE risk-warning board: cumulative buys per stock per day. */
  stDailyBuyCapShares: number
}

export const DEFAULT_RISK_LIMITS: Readonly<RiskLimits> = {
  maxExposurePct: 0.8,
  maxOrderValue: 200_000,
  maxOrdersPerMinute: 10,
  maxActiveOrdersPerStock: 1,
  duplicateWindowSec: 60,
  maxDailyRealizedLoss: null,
  maxQuoteAgeSec: 30,
  stDailyBuyCapShares: 500_000,
}

export interface RiskOrder {
  code: string
  side: Side
  quantity: number
  /** Yuan: the limit price, or the protective price of a market order. */
  price: number
  limitOrder?: boolean
  /** Sells: shares sellable now (can_use_volume). */
  sellable?: number
  st?: boolean
}

export interface RecentOrder {
  code: string
  side: Side
  price: number
  at: Date
  /**
   * Where that order ended up. 'cancelled' / 'rejected' (terminal, nothing live) do not count as
   * duplicates: re-sending at the same price after a confirmed cancel is a legitimate retry (the
   * state machine bounds retries). Anything else — working, filled, unknown, or not given — counts,
   * because an order whose fate is unknown may be live (never resubmit blindly).
   */
  status?: 'working' | 'filled' | 'partially_filled' | 'cancelled' | 'rejected' | 'unknown'
}

export interface RiskActivity {
  /** Orders submitted in the last 60 s, all stocks. */
  ordersLastMinute: number
  /** Working (non-terminal) orders for this stock, by side. */
  activeOrdersForStock: { buy: number; sell: number }
  /** Recent orders for duplicate detection (any stocks; the window is applied here). */
  recentOrders: RecentOrder[]
  /** Realised loss today in yuan, positive = loss. */
  realizedLossToday: number
  /** Shares of this stock bought today (for the ST cap). */
  sharesBoughtToday?: number
  /** Orders created in the last 60 s on this order's broker account (for the account's own rate limit). */
  accountOrdersLastMinute?: number
}

/** A broker account's own limits, applied under the global ones (null: only the global limit). */
export interface AccountRiskLimits {
  maxOrdersPerMinute: number | null
  maxOrderValue: number | null
}

export interface RiskInput {
  order: RiskOrder
  /**
   * `workingBuys`: value (yuan) of buys working or waiting to be sent that `marketValue` does not
   * include yet (reserve.ts commitCash gives it); without it a second entry passes the exposure cap
   * while the first one is still working.
   */
  account: { totalAsset: number; cash: number; marketValue: number; workingBuys?: number }
  limits?: Partial<RiskLimits>
  accountLimits?: AccountRiskLimits | null
  activity: RiskActivity
  killSwitch: boolean
  /** Seconds since the quote used to price the order; null = unknown (treated as stale). */
  quoteAgeSec: number | null
  now: Date
  fees?: Partial<FeeRates>
}

export interface RiskViolation extends Reason {
  rule: string
}

export type RiskResult = { ok: true; violations: [] } | { ok: false; violations: RiskViolation[] }

export function checkRisk(input: RiskInput): RiskResult {
  const L: RiskLimits = { ...DEFAULT_RISK_LIMITS, ...(input.limits ?? {}) }
  const v: RiskViolation[] = []
  const add = (rule: string, r: Reason) => v.push({ rule, ...r })
  const { order, account, activity } = input
  const buy = order.side === 'buy'

  if (input.killSwitch) {
    add('killSwitch', reason('KILL_SWITCH', '总开关已关闭 (紧急停止), 不下任何单', 'the kill switch is on; no orders at all'))
  }

  let code = order.code
  let codeOk = true
  try {
    code = parseCode(order.code).code
  } catch (e) {
    if (!(e instanceof MarketRuleError)) throw e
    codeOk = false
    add('orderValidity', { ...e.toReason(), code: 'ORDER_INVALID' })
  }
  const priceOk = typeof order.price === 'number' && Number.isFinite(order.price) && order.price > 0 && isMilliExact(order.price)
  if (!priceOk) add('orderValidity', reason('ORDER_INVALID', `委托价无效: ${String(order.price)}`, `invalid order price: ${String(order.price)}`))
  if (codeOk) {
    const q = validateQuantity(code, order.side, order.quantity, { sellable: order.sellable, limitOrder: order.limitOrder ?? true })
    if (!q.ok) add('orderValidity', { code: 'ORDER_INVALID', message: q.message, messageEn: q.messageEn })
    if (!buy && order.sellable === undefined) {
      add('orderValidity', reason('ORDER_INVALID', '卖单缺少可卖数量 (can_use_volume), 无法核对T+1', 'a sell needs the sellable quantity (can_use_volume) to check T+1'))
    }
  }

  if (input.quoteAgeSec === null || !Number.isFinite(input.quoteAgeSec) || input.quoteAgeSec > L.maxQuoteAgeSec) {
    add(
      'quoteAge',
      reason(
        'QUOTE_STALE',
        input.quoteAgeSec === null ? '行情时间未知, 不下单' : `行情已过时 ${Math.round(input.quoteAgeSec)} 秒 (上限 ${L.maxQuoteAgeSec} 秒), 不下单`,
        input.quoteAgeSec === null ? 'quote age unknown; no order' : `quote is ${Math.round(input.quoteAgeSec)} s old (limit ${L.maxQuoteAgeSec} s); no order`,
      ),
    )
  }

  const priceMilli = priceOk ? toMilli(order.price) : 0
  const nowMs = input.now.getTime()
  const dup = activity.recentOrders.find((r) => {
    let rc = r.code
    try {
      rc = parseCode(r.code).code
    } catch {
      return false
    }
    const age = nowMs - r.at.getTime()
    if (r.status === 'cancelled' || r.status === 'rejected') return false
    return rc === code && r.side === order.side && priceOk && Number.isFinite(r.price) && toMilli(r.price) === priceMilli && age >= 0 && age <= L.duplicateWindowSec * 1000
  })
  if (dup) {
    add(
      'duplicate',
      reason(
        'DUPLICATE_ORDER',
        `${L.duplicateWindowSec}秒内已有相同的${buy ? '买' : '卖'}单 (${code} @ ${order.price}), 疑似重复下单`,
        `an identical ${order.side} order (${code} @ ${order.price}) was sent within ${L.duplicateWindowSec} s; looks like a duplicate`,
      ),
    )
  }

  if (!buy) {
    if (activity.activeOrdersForStock.sell > 0) {
      add('exitWorking', reason('EXIT_ALREADY_WORKING', `${code} 已有${activity.activeOrdersForStock.sell}笔卖单在途, 请先撤单再重新下单`, `${code} already has ${activity.activeOrdersForStock.sell} working sell order(s); cancel before sending another`))
    }
    return v.length ? { ok: false, violations: v } : { ok: true, violations: [] }
  }

  const valueMilli = priceOk && Number.isSafeInteger(order.quantity) && order.quantity > 0 ? priceMilli * order.quantity : 0
  const assetMilli = toMilli(Math.max(0, account.totalAsset))
  const mvMilli = toMilli(Math.max(0, account.marketValue))
  const workingMilli = typeof account.workingBuys === 'number' && Number.isFinite(account.workingBuys) ? toMilli(Math.max(0, account.workingBuys)) : 0
  const cashMilli = toMilli(Math.max(0, account.cash))

  const capMilli = mulDiv(assetMilli, toPpm(L.maxExposurePct), 1_000_000, 'floor')
  const exposedMilli = mvMilli + workingMilli + valueMilli
  if (exposedMilli > capMilli) {
    const zh = workingMilli > 0 ? ` (含在途买单 ${formatYuan(workingMilli)} 元)` : ''
    const en = workingMilli > 0 ? ` (incl. ${formatYuan(workingMilli)} in buys still working)` : ''
    add(
      'exposure',
      reason(
        'EXPOSURE_CAP',
        `买入后总持仓 ${formatYuan(exposedMilli)} 元${zh}将超过总资产的 ${toPpm(L.maxExposurePct) / 10_000}% (${formatYuan(capMilli)} 元)`,
        `after this buy, holdings of ${formatYuan(exposedMilli)}${en} would exceed ${toPpm(L.maxExposurePct) / 10_000} % of assets (${formatYuan(capMilli)})`,
      ),
    )
  }
  if (L.maxOrderValue !== null && valueMilli > toMilli(L.maxOrderValue)) {
    add('orderValue', reason('ORDER_VALUE_CAP', `单笔金额 ${formatYuan(valueMilli)} 元超过上限 ${formatYuan(toMilli(L.maxOrderValue))} 元`, `order value ${formatYuan(valueMilli)} exceeds the per-order cap of ${formatYuan(toMilli(L.maxOrderValue))}`))
  }
  if (activity.ordersLastMinute >= L.maxOrdersPerMinute) {
    add('orderRate', reason('ORDER_RATE', `最近1分钟已下${activity.ordersLastMinute}单, 达到上限${L.maxOrdersPerMinute}单`, `${activity.ordersLastMinute} orders in the last minute reaches the limit of ${L.maxOrdersPerMinute}`))
  }
  const A = input.accountLimits
  if (A?.maxOrderValue != null && valueMilli > toMilli(A.maxOrderValue)) {
    add(
      'accountOrderValue',
      reason('ACCOUNT_ORDER_VALUE_CAP', `单笔金额 ${formatYuan(valueMilli)} 元超过该券商账户的上限 ${formatYuan(toMilli(A.maxOrderValue))} 元`, `order value ${formatYuan(valueMilli)} exceeds this broker account's per-order cap of ${formatYuan(toMilli(A.maxOrderValue))}`),
    )
  }
  const onAccount = activity.accountOrdersLastMinute ?? activity.ordersLastMinute
  if (A?.maxOrdersPerMinute != null && onAccount >= A.maxOrdersPerMinute) {
    add('accountOrderRate', reason('ACCOUNT_ORDER_RATE', `该券商账户最近1分钟已下${onAccount}单, 达到该账户上限${A.maxOrdersPerMinute}单`, `${onAccount} orders on this broker account in the last minute reaches its limit of ${A.maxOrdersPerMinute}`))
  }
  const active = activity.activeOrdersForStock.buy + activity.activeOrdersForStock.sell
  if (active >= L.maxActiveOrdersPerStock) {
    add('activeOrders', reason('ACTIVE_ORDERS_PER_STOCK', `${code} 已有${active}笔委托在途, 上限${L.maxActiveOrdersPerStock}笔`, `${code} already has ${active} working order(s); the limit is ${L.maxActiveOrdersPerStock}`))
  }
  if (L.maxDailyRealizedLoss !== null && activity.realizedLossToday >= L.maxDailyRealizedLoss) {
    add('dailyLoss', reason('DAILY_LOSS_CAP', `今日已实现亏损 ${formatYuan(toMilli(activity.realizedLossToday))} 元, 达到上限 ${formatYuan(toMilli(L.maxDailyRealizedLoss))} 元, 停止买入`, `realised loss today of ${formatYuan(toMilli(activity.realizedLossToday))} reaches the cap of ${formatYuan(toMilli(L.maxDailyRealizedLoss))}; no new buys`))
  }
  if (codeOk && valueMilli > 0) {
    const need = valueMilli + estimateFeesMilli(code, 'buy', valueMilli, input.fees).milli.total
    if (need > cashMilli) {
      add('cash', reason('CASH_INSUFFICIENT', `需要 ${formatYuan(need)} 元 (含费用), 可用资金只有 ${formatYuan(cashMilli)} 元`, `needs ${formatYuan(need)} including fees, only ${formatYuan(cashMilli)} available`))
    }
    if (order.st && parseCode(code).board === 'SH_MAIN') {
      const bought = activity.sharesBoughtToday ?? 0
      if (bought + order.quantity > L.stDailyBuyCapShares) {
        add('stBuyCap', reason('ST_DAILY_BUY_CAP', `沪市风险警示股票每日累计买入不得超过${L.stDailyBuyCapShares}股 (今日已买${bought}股, 本单${order.quantity}股)`, `SSE risk-warning stocks allow at most ${L.stDailyBuyCapShares} shares bought per day (${bought} today, ${order.quantity} in this order)`))
      }
    }
  }
  return v.length ? { ok: false, violations: v } : { ok: true, violations: [] }
}
