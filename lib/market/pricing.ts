import { BOARD_RULES } from './board'
import { cageBenchmark, priceCageMilli } from './cage'
import { shanghaiDate } from './calendar'
import { parseCode } from './codes'
import { MarketRuleError, reason, type Reason } from './errors'
import { limitPricesMilli, type LimitMilli } from './limits'
import { formatMilli, fromMilli, isMilliExact, toMilli } from './money'
import { acceptsOrders } from './phase'
import type { Quote } from './quote'
import { roundMilliToTick } from './ticks'
import type { TriggerKind } from './trigger-types'
import type { Side } from './types'
import { xtPriceTypeFor, XT_PRICE_TYPE } from './xt'

/**
 * Order price modes:
 * - TRIGGER_PRICE: limit at the trigger price (normally Signal.price, the quote that fired) ± N ticks;
 * - LATEST_OFFSET: limit at the latest price ± N ticks;
 * - BEST_OPPOSITE: limit at ask1 (buy) / bid1 (sell) ± N ticks — a marketable limit;
 * - MARKET: exchange market order (best-5 IOC) where allowed; otherwise (BJ, call auctions, lunch)
 *   falls back to a BEST_OPPOSITE marketable limit and says so in `notes`.
 * Offsets always move toward the aggressive side (up for buys, down for sells).
 *
 * Every limit price is then rounded to the tick toward the passive side (buy down, sell up),
 * clamped into the day's limit band and into the price cage. The cage is applied whatever the
 * phase: it only binds in continuous trading, and a price inside it is valid in every phase.
 */
export type PriceMode = 'TRIGGER_PRICE' | 'LATEST_OFFSET' | 'BEST_OPPOSITE' | 'MARKET'

export interface PricingSpec {
  mode: PriceMode
  /** Non-negative whole ticks toward the aggressive side; default 0. */
  offsetTicks?: number
}

/**
 * Defaults per trigger kind. Stops use a marketable limit a few ticks through bid1 rather than a
 * market type: it fills like a market order when there are bids, works in auctions and on BJ, and
 * cannot trade through the protective band.
 */
export const DEFAULT_PRICING: Readonly<Record<TriggerKind, Readonly<PricingSpec>>> = {
  ENTRY: { mode: 'TRIGGER_PRICE', offsetTicks: 0 },
  TAKE_PROFIT: { mode: 'TRIGGER_PRICE', offsetTicks: 0 },
  STOP_LOSS: { mode: 'BEST_OPPOSITE', offsetTicks: 5 },
  TRAILING_STOP: { mode: 'BEST_OPPOSITE', offsetTicks: 5 },
}

export const MAX_OFFSET_TICKS = 100

export interface PriceOrderInput {
  code: string
  side: Side
  quote: Quote
  /** Decides whether a market order is accepted now (continuous trading only). */
  now: Date
  mode: PriceMode
  offsetTicks?: number
  /** TRIGGER_PRICE only; default quote.last. */
  triggerPrice?: number
  st?: boolean
  /** No daily limit today (IPO days): only the cage bounds the price. */
  noLimit?: boolean
}

export interface PriceOrderOk {
  ok: true
  priceType: 'limit' | 'market'
  xtPriceType: number
  /** Limit price, or for market orders the protective/reference price (its use by xtquant is UNVERIFIED). */
  price: number
  priceMilli: number
  limits: { up: number; down: number } | null
  /** The cage bound applied (max for buys, min for sells), or null when there was no benchmark. */
  cageBound: number | null
  notes: Reason[]
}

export type PriceOrderResult = PriceOrderOk | ({ ok: false } & Reason)

function refuse(code: string, message: string, messageEn: string): PriceOrderResult {
  return { ok: false, code, message, messageEn }
}

function validMilli(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && isMilliExact(v) ? toMilli(v) : null
}

/** Today's limits in mills: the published ones when the quote has them, else computed from prevClose. */
export function resolveLimits(code: string, quote: Quote, opts: { st?: boolean; noLimit?: boolean; day: string }): { limits: LimitMilli | null; notes: Reason[] } | ({ ok: false } & Reason) {
  const notes: Reason[] = []
  if (opts.noLimit) return { limits: null, notes }
  const t = BOARD_RULES[parseCode(code).board].tickMilli
  const up = validMilli(quote.limitUp)
  const down = validMilli(quote.limitDown)
  const prev = validMilli(quote.prevClose)
  const computed = prev === null ? null : limitPricesMilli(code, prev, { st: opts.st, date: opts.day })
  if (up !== null && down !== null && up > down) {
    const published = { upMilli: roundMilliToTick(up, t, 'down'), downMilli: roundMilliToTick(down, t, 'up') }
    if (computed && (computed.upMilli !== published.upMilli || computed.downMilli !== published.downMilli)) {
      const d = t === 1 ? 3 : 2
      notes.push(
        reason(
          'LIMITS_PUBLISHED_DIFFER',
          `行情公布的涨跌停价 ${formatMilli(published.downMilli, d)}–${formatMilli(published.upMilli, d)} 与按昨收计算的 ${formatMilli(computed.downMilli, d)}–${formatMilli(computed.upMilli, d)} 不同 (除权日或ST标记?), 以公布价为准`,
          `published limits ${formatMilli(published.downMilli, d)}–${formatMilli(published.upMilli, d)} differ from those computed from the previous close ${formatMilli(computed.downMilli, d)}–${formatMilli(computed.upMilli, d)} (ex-rights day or ST flag?); using the published ones`,
        ),
      )
    }
    return { limits: published, notes }
  }
  if (computed) return { limits: computed, notes }
  return {
    ok: false,
    ...reason('NO_LIMIT_REFERENCE', `${code} 行情既无涨跌停价也无有效昨收价, 无法确定有效价格区间`, `${code}: the quote has neither limit prices nor a valid previous close; cannot bound the order price`),
  }
}

export function priceOrder(input: PriceOrderInput): PriceOrderResult {
  const parsed = parseCode(input.code)
  const code = parsed.code
  const t = BOARD_RULES[parsed.board].tickMilli
  const d = t === 1 ? 3 : 2
  const { side, quote } = input
  const buy = side === 'buy'
  const notes: Reason[] = []

  let quoteCode: string
  try {
    quoteCode = parseCode(quote.code).code
  } catch {
    quoteCode = String(quote.code)
  }
  if (quoteCode !== code) {
    return refuse('QUOTE_CODE_MISMATCH', `行情代码 ${quote.code} 与委托代码 ${code} 不一致`, `quote is for ${quote.code}, the order is for ${code}`)
  }
  const offset = input.offsetTicks ?? 0
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET_TICKS) {
    return refuse('OFFSET_TICKS_INVALID', `价格偏移须为0到${MAX_OFFSET_TICKS}之间的整数档, 收到 ${String(offset)}`, `price offset must be a whole number of ticks from 0 to ${MAX_OFFSET_TICKS}, got ${String(offset)}`)
  }

  let day: string
  try {
    day = shanghaiDate(input.now)
  } catch (e) {
    if (e instanceof MarketRuleError) return { ok: false, ...e.toReason() }
    throw e
  }
  const lim = resolveLimits(code, quote, { st: input.st, noLimit: input.noLimit, day })
  if ('ok' in lim) return lim
  const limits = lim.limits
  notes.push(...lim.notes)

  let mode = input.mode
  let priceType: 'limit' | 'market' = 'limit'
  let xtPriceType: number = XT_PRICE_TYPE.FIX_PRICE
  if (mode === 'MARKET') {
    const xt = xtPriceTypeFor(code, 'market')
    let marketOpen = false
    try {
      marketOpen = acceptsOrders(input.now, 'market')
    } catch (e) {
      if (!(e instanceof MarketRuleError)) throw e
    }
    if (!xt.ok) {
      notes.push(reason('MARKET_FALLBACK_TO_LIMIT', `${xt.message}; 改用对手价${offset}档的可成交限价单`, `${xt.messageEn}; using a marketable limit ${offset} ticks through the opposite best instead`))
    } else if (!marketOpen) {
      notes.push(
        reason(
          'MARKET_FALLBACK_TO_LIMIT',
          `市价委托只在连续竞价时段(09:30–11:30, 13:00–14:57)有效, 改用对手价${offset}档的可成交限价单`,
          `market orders are only accepted in continuous trading (09:30–11:30, 13:00–14:57); using a marketable limit ${offset} ticks through the opposite best instead`,
        ),
      )
    } else {
      priceType = 'market'
      xtPriceType = xt.priceType
      if (!xt.verified) notes.push(reason('MARKET_TYPE_UNVERIFIED', `${code} 的市价委托类型映射未经验证`, `the market order type mapping for ${code} is unverified`))
      notes.push(reason('MARKET_PROTECTIVE_PRICE', '市价单的价格字段按保护限价填写 (xtquant如何使用该价格未经验证)', 'the price sent with a market order is a protective price (how xtquant uses it is unverified)'))
    }
    mode = 'BEST_OPPOSITE'
  }

  const dir = buy ? 1 : -1
  const lastMilli = validMilli(quote.last)
  const firstLevel = (levels: Quote['bids']) => {
    for (const l of levels) {
      const m = validMilli(l.price)
      if (m !== null) return m
    }
    return null
  }
  // Infinity / 0 stand for "as aggressive as the band allows" and are clamped below.
  let raw: number
  if (mode === 'TRIGGER_PRICE' || mode === 'LATEST_OFFSET') {
    const base = mode === 'TRIGGER_PRICE' && input.triggerPrice !== undefined ? validMilli(input.triggerPrice) : lastMilli
    if (base === null) {
      return refuse('NO_REFERENCE_PRICE', `${code} 没有有效的${mode === 'TRIGGER_PRICE' ? '触发价' : '最新价'}, 无法定价`, `${code} has no valid ${mode === 'TRIGGER_PRICE' ? 'trigger' : 'latest'} price to price the order from`)
    }
    raw = base + dir * offset * t
  } else {
    const best = firstLevel(buy ? quote.asks : quote.bids)
    if (best === null) {
      raw = buy ? Number.POSITIVE_INFINITY : 0
      notes.push(
        buy
          ? reason('BOOK_NO_ASKS', `${code} 卖盘为空 (可能涨停), 以允许的最高价挂买单, 可能无法成交`, `${code} has no asks (probably limit-up); bidding at the highest allowed price, the order may not fill`)
          : reason('BOOK_NO_BIDS', `${code} 买盘为空 (可能跌停), 以允许的最低价挂卖单排队, 可能无法成交`, `${code} has no bids (probably limit-down); offering at the lowest allowed price, the order may not fill`),
      )
    } else {
      raw = best + dir * offset * t
    }
  }

  let price = Number.isFinite(raw) ? roundMilliToTick(Math.max(raw, 0), t, buy ? 'down' : 'up') : raw
  if (limits) {
    const clamped = Math.min(Math.max(price, limits.downMilli), limits.upMilli)
    if (clamped !== price && Number.isFinite(price) && price !== 0) {
      notes.push(
        reason(
          'PRICE_CLAMPED_TO_LIMIT',
          `委托价 ${formatMilli(price, d)} 超出涨跌停区间 ${formatMilli(limits.downMilli, d)}–${formatMilli(limits.upMilli, d)}, 调整为 ${formatMilli(clamped, d)}`,
          `order price ${formatMilli(price, d)} is outside the limit band ${formatMilli(limits.downMilli, d)}–${formatMilli(limits.upMilli, d)}; adjusted to ${formatMilli(clamped, d)}`,
        ),
      )
    }
    price = clamped
  }

  const bench = cageBenchmark(side, quote)
  let cageBound: number | null = null
  if (bench !== null && bench > 0) {
    const benchMilli = toMilli(bench)
    const cage = priceCageMilli(code, side, benchMilli, limits)
    if (buy && cage.maxMilli !== null) {
      cageBound = cage.maxMilli
      if (price > cage.maxMilli) {
        if (Number.isFinite(price)) {
          notes.push(
            reason(
              'PRICE_CLAMPED_TO_CAGE',
              `买入价 ${formatMilli(price, d)} 超出价格笼子上限 ${formatMilli(cage.maxMilli, d)} (基准价 ${formatMilli(benchMilli, d)}), 调整为上限`,
              `buy price ${formatMilli(price, d)} is above the price-cage cap ${formatMilli(cage.maxMilli, d)} (benchmark ${formatMilli(benchMilli, d)}); lowered to the cap`,
            ),
          )
        }
        price = cage.maxMilli
      }
    } else if (!buy && cage.minMilli !== null) {
      cageBound = cage.minMilli
      if (price < cage.minMilli) {
        if (price !== 0) {
          notes.push(
            reason(
              'PRICE_CLAMPED_TO_CAGE',
              `卖出价 ${formatMilli(price, d)} 低于价格笼子下限 ${formatMilli(cage.minMilli, d)} (基准价 ${formatMilli(benchMilli, d)}), 调整为下限`,
              `sell price ${formatMilli(price, d)} is below the price-cage floor ${formatMilli(cage.minMilli, d)} (benchmark ${formatMilli(benchMilli, d)}); raised to the floor`,
            ),
          )
        }
        price = cage.minMilli
      }
    }
    if (!cage.verified) notes.push(reason('CAGE_RULE_UNVERIFIED', `${parsed.board === 'BJ' ? '北交所' : '基金'}价格笼子规则未经验证, 按保守口径计算`, `the ${parsed.board === 'BJ' ? 'BJ' : 'fund'} price-cage rule is unverified; the conservative reading was applied`))
  }

  if (!Number.isFinite(price) || price <= 0) {
    return refuse('NO_REFERENCE_PRICE', `${code} 盘口、最新价和涨跌停价都不可用, 无法给出有效委托价`, `${code}: no book, last price or limit band is available to derive a valid order price`)
  }
  if (limits && (price < limits.downMilli || price > limits.upMilli)) {
    return refuse(
      'PRICE_NO_VALID_BAND',
      `${code} 价格笼子与涨跌停区间 ${formatMilli(limits.downMilli, d)}–${formatMilli(limits.upMilli, d)} 没有交集 (行情数据异常?), 不下单`,
      `${code}: the price cage does not overlap the limit band ${formatMilli(limits.downMilli, d)}–${formatMilli(limits.upMilli, d)} (bad quote data?); no order`,
    )
  }

  return {
    ok: true,
    priceType,
    xtPriceType,
    price: fromMilli(price),
    priceMilli: price,
    limits: limits && { up: fromMilli(limits.upMilli), down: fromMilli(limits.downMilli) },
    cageBound: cageBound === null ? null : fromMilli(cageBound),
    notes,
  }
}
