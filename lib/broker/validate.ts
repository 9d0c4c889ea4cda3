/**
 * Pre-trade checks run before anything is sent: every rule comes from lib/market. An order that
 * fails here would be rejected by the exchange or the counter for a reason we can know in advance,
 * so it is refused with outcome 'rejected' and nothing goes on the wire.
 *
 * Checked: client order id (the order_remark reconciliation key), code, side, order type, the
 * exchange-correct xtquant price type (BJ market orders refused), quantity (lots, STAR/BJ minimums,
 * per-order maximum, odd-lot sells, T+1 sellable when known), price (positive, ≤ 3 decimals, on the
 * tick), the trading phase (limit orders in auctions and continuous trading, market orders only in
 * continuous trading), and with a quote: suspension, today's limit band and, in continuous trading,
 * the price cage. SZSE holds out-of-cage orders instead of rejecting them; we refuse them on both
 * exchanges (the conservative reading).
 */
import {
  acceptsOrders,
  cageBenchmark,
  formatMilli,
  isMilliExact,
  marketPhase,
  MarketRuleError,
  parseCode,
  priceCageMilli,
  resolveLimits,
  shanghaiDate,
  STOCK_BUY,
  STOCK_SELL,
  tickMilliOf,
  toMilli,
  validateQuantity,
  xtPriceTypeFor,
  type Quote,
} from '@/lib/market'
import type { OrderStockRequest, PlaceOrderInput } from './types'

/** order_remark is limited to 24 ASCII characters by the counter (third-party docs; UNVERIFIED). */
export const MAX_CLIENT_ORDER_ID_LENGTH = 24
const CLIENT_ID_RE = /^[A-Za-z0-9_.:-]{1,24}$/
export const STRATEGY_NAME = 'dingpan'

export function isValidClientOrderId(id: unknown): id is string {
  return typeof id === 'string' && CLIENT_ID_RE.test(id)
}

export interface CheckRefusal {
  ok: false
  code: string
  message: string
  messageEn: string
}

export interface CheckOk {
  ok: true
  code: string
  request: OrderStockRequest
  /** Price in mills (0 for a market order without protective price). */
  priceMilli: number
}

export type PreTradeResult = CheckOk | CheckRefusal

function refuse(code: string, message: string, messageEn: string): CheckRefusal {
  return { ok: false, code, message, messageEn }
}

export interface PreTradeContext {
  now: Date
  /** Overrides input.quote. */
  quote?: Quote | null
  /** Overrides input.sellable (T+1 shares sellable now). */
  sellable?: number
  /** A first pass before the position is known: skip the quantity rules of a sell without `sellable`. */
  deferSellQuantity?: boolean
}

/** Validates the order and builds the order_stock arguments. */
export function preTradeCheck(input: PlaceOrderInput, ctx: PreTradeContext): PreTradeResult {
  if (!input || typeof input !== 'object') return refuse('ORDER_INVALID', '委托参数缺失', 'order input missing')
  if (!isValidClientOrderId(input.clientOrderId)) {
    return refuse(
      'CLIENT_ORDER_ID_INVALID',
      `客户委托编号无效 (${JSON.stringify(input.clientOrderId)}): 须为1–${MAX_CLIENT_ORDER_ID_LENGTH}位字母、数字或 _.:-, 它作为委托备注用于对账`,
      `client order id ${JSON.stringify(input.clientOrderId)} is invalid: 1–${MAX_CLIENT_ORDER_ID_LENGTH} characters of [A-Za-z0-9_.:-]; it is the order remark used for reconciliation`,
    )
  }
  if (input.side !== 'buy' && input.side !== 'sell') return refuse('SIDE_INVALID', `买卖方向无效: ${String(input.side)}`, `invalid side: ${String(input.side)}`)
  if (input.orderType !== 'limit' && input.orderType !== 'market') {
    return refuse('ORDER_TYPE_INVALID', `委托类型无效: ${String(input.orderType)} (限价 limit 或 市价 market)`, `invalid order type: ${String(input.orderType)} (limit or market)`)
  }
  let code: string
  try {
    code = parseCode(input.code).code
  } catch (e) {
    if (e instanceof MarketRuleError) return refuse(e.code, e.message, e.messageEn)
    throw e
  }
  const limitOrder = input.orderType === 'limit'
  const xt = xtPriceTypeFor(code, input.orderType)
  if (!xt.ok) return refuse(xt.code, xt.message, xt.messageEn)

  const sellable = ctx.sellable ?? input.sellable
  const skipQty = ctx.deferSellQuantity === true && input.side === 'sell' && sellable === undefined
  if (skipQty) {
    if (!Number.isSafeInteger(input.quantity) || input.quantity <= 0) {
      return refuse('QTY_NOT_POSITIVE_INTEGER', `卖出数量必须是正整数, 收到 ${String(input.quantity)}`, `sell quantity must be a positive whole number of shares, got ${String(input.quantity)}`)
    }
  } else {
    const q = validateQuantity(code, input.side, input.quantity, { sellable: input.side === 'sell' ? sellable : undefined, limitOrder })
    if (!q.ok) return refuse(q.code, q.message, q.messageEn)
  }

  const tick = tickMilliOf(code)
  const d = tick === 1 ? 3 : 2
  let priceMilli = 0
  if (limitOrder || input.price !== undefined) {
    const p = input.price
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0) {
      return limitOrder
        ? refuse('PRICE_REQUIRED', `限价委托须给出正的委托价, 收到 ${String(p)}`, `a limit order needs a positive price, got ${String(p)}`)
        : refuse('PRICE_INVALID', `市价委托的保护价无效: ${String(p)}`, `invalid protective price for a market order: ${String(p)}`)
    }
    if (!isMilliExact(p)) return refuse('PRICE_TOO_PRECISE', `委托价 ${p} 超过3位小数`, `price ${p} has more than 3 decimals`)
    priceMilli = toMilli(p)
    if (priceMilli % tick !== 0) {
      return refuse('PRICE_NOT_ON_TICK', `委托价 ${p} 不是最小变动价位 ${formatMilli(tick, 3)} 的整数倍`, `price ${p} is not a multiple of the ${formatMilli(tick, 3)} tick`)
    }
  }

  let phaseOk: boolean
  let phase: string
  try {
    phaseOk = acceptsOrders(ctx.now, input.orderType)
    phase = marketPhase(ctx.now)
  } catch (e) {
    if (e instanceof MarketRuleError) return refuse(e.code, e.message, e.messageEn)
    throw e
  }
  if (!phaseOk) {
    return limitOrder
      ? refuse('MARKET_CLOSED', `当前时段(${phase})交易所不接受委托 (限价单: 09:15–09:25, 09:30–11:30, 13:00–15:00 的交易日)`, `the exchange does not accept orders now (${phase}); limit orders: 09:15–09:25, 09:30–11:30, 13:00–15:00 on trading days`)
      : refuse('MARKET_ORDER_NOT_CONTINUOUS', `市价委托只在连续竞价时段有效 (09:30–11:30, 13:00–14:57), 当前为 ${phase}`, `market orders are only valid in continuous trading (09:30–11:30, 13:00–14:57); now: ${phase}`)
  }

  const quote = ctx.quote !== undefined ? ctx.quote : input.quote
  if (quote) {
    let quoteCode: string | null = null
    try {
      quoteCode = parseCode(quote.code).code
    } catch {
      quoteCode = null
    }
    if (quoteCode !== code) return refuse('QUOTE_CODE_MISMATCH', `行情代码 ${quote.code} 与委托代码 ${code} 不一致`, `quote is for ${quote.code}, the order is for ${code}`)
    if (quote.suspended) return refuse('SUSPENDED', `${code} 停牌或无有效行情, 不下单`, `${code} is suspended or has no valid price; no order`)
    if (priceMilli > 0) {
      const lim = resolveLimits(code, quote, { st: input.st, day: shanghaiDate(ctx.now) })
      if ('ok' in lim) return refuse(lim.code, lim.message, lim.messageEn)
      const l = lim.limits
      if (l && (priceMilli > l.upMilli || priceMilli < l.downMilli)) {
        return refuse(
          'PRICE_OUTSIDE_LIMITS',
          `委托价 ${formatMilli(priceMilli, d)} 超出今日涨跌停区间 ${formatMilli(l.downMilli, d)}–${formatMilli(l.upMilli, d)}`,
          `price ${formatMilli(priceMilli, d)} is outside today's limit band ${formatMilli(l.downMilli, d)}–${formatMilli(l.upMilli, d)}`,
        )
      }
      if (limitOrder && phase === 'continuous') {
        const bench = cageBenchmark(input.side, quote)
        if (bench !== null && bench > 0) {
          const cage = priceCageMilli(code, input.side, toMilli(bench), l)
          if (input.side === 'buy' && cage.maxMilli !== null && priceMilli > cage.maxMilli) {
            return refuse(
              'PRICE_OUTSIDE_CAGE',
              `买入价 ${formatMilli(priceMilli, d)} 高于价格笼子上限 ${formatMilli(cage.maxMilli, d)} (基准价 ${bench})`,
              `buy price ${formatMilli(priceMilli, d)} is above the price-cage cap ${formatMilli(cage.maxMilli, d)} (benchmark ${bench})`,
            )
          }
          if (input.side === 'sell' && cage.minMilli !== null && priceMilli < cage.minMilli) {
            return refuse(
              'PRICE_OUTSIDE_CAGE',
              `卖出价 ${formatMilli(priceMilli, d)} 低于价格笼子下限 ${formatMilli(cage.minMilli, d)} (基准价 ${bench})`,
              `sell price ${formatMilli(priceMilli, d)} is below the price-cage floor ${formatMilli(cage.minMilli, d)} (benchmark ${bench})`,
            )
          }
        }
      }
    }
  }

  return {
    ok: true,
    code,
    priceMilli,
    request: {
      stock_code: code,
      order_type: input.side === 'buy' ? STOCK_BUY : STOCK_SELL,
      order_volume: input.quantity,
      price_type: xt.priceType,
      // "如果price_type为指定价, 那price为指定的价格, 否则填0" — a market order carries the caller's
      // protective price when one is given (its use by xtquant is UNVERIFIED), else 0.
      price: priceMilli / 1000,
      strategy_name: STRATEGY_NAME,
      order_remark: input.clientOrderId,
    },
  }
}
