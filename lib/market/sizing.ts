import { BOARD_RULES } from './board'
import { parseCode } from './codes'
import { MarketRuleError, reason, type Reason } from './errors'
import { estimateFeesMilli, type FeeEstimate, type FeeRates } from './fees'
import { formatYuan, fromMilli, mulDiv, toMilli, toPpm } from './money'
import { DEFAULT_PRICING, priceOrder, type PricingSpec } from './pricing'
import { validateQuantity } from './quantity'
import { entryAmountCapMilli, entrySharesCap, exitQuantityFor, type EntryQuantityMode, type ExitQuantityMode } from './quantity-modes'
import type { Quote } from './quote'
import { sideOfKind, type PositionInfo, type TriggerKind } from './trigger-types'
import type { Side } from './types'
import { xtOrderTypeFor } from './xt'

/**
 * Sizes and prices the order for a signal.
 *
 * Entry: target = maxPositionPct × totalAsset − value already held in this stock; the quantity is
 * the largest valid one (validateQuantity passes) whose value ≤ target and whose value + estimated
 * fees ≤ available cash, at the order price (for market orders the protective price, which is the
 * higher one). Below one lot, or below minTradeAmount → refusal with the numbers.
 * Exit: everything sellable now (canUseVolume), capped at the per-order maximum (the caller sends
 * the rest next); nothing sellable → 'T1_NOT_SELLABLE'.
 */
export interface SizingConfig {
  /** Fraction of total assets one stock may hold, e.g. 0.2. */
  maxPositionPct: number
  /** Yuan; entries smaller than this are not worth the minimum commission. */
  minTradeAmount: number
}

export const DEFAULT_SIZING: Readonly<SizingConfig> = { maxPositionPct: 0.2, minTradeAmount: 5000 }

export interface SizeOrderInput {
  code: string
  /** ENTRY buys; every other kind sells. */
  kind: TriggerKind
  quote: Quote
  now: Date
  /** Default: DEFAULT_PRICING[kind]. */
  pricing?: PricingSpec
  /** TRIGGER_PRICE mode: normally Signal.price. */
  triggerPrice?: number
  st?: boolean
  noLimit?: boolean
  account: { totalAsset: number; cash: number }
  /** Entry: market value of this stock already held, yuan. */
  heldValue?: number
  /** Exit: the broker position (canUseVolume = sellable now). */
  position?: PositionInfo | null
  sizing?: Partial<SizingConfig>
  fees?: Partial<FeeRates>
  /** Entry: % of assets (default), a fixed amount or fixed shares, within the position cap and the cash. */
  entryMode?: EntryQuantityMode
  /** Exit: all (default), % of the position or shares; never more than sellable, whole lots. */
  exitMode?: ExitQuantityMode
}

export interface SizeOrderOk {
  ok: true
  side: Side
  quantity: number
  priceType: 'limit' | 'market'
  xtPriceType: number
  /** STOCK_BUY 23 / STOCK_SELL 24. */
  xtOrderType: number
  /** Limit price; for market orders the protective/reference price. */
  price: number
  /** quantity × price, yuan. */
  value: number
  estFees: FeeEstimate
  notes: Reason[]
}

export type SizeOrderResult = SizeOrderOk | ({ ok: false; notes?: Reason[] } & Reason)

function refuse(code: string, message: string, messageEn: string, notes?: Reason[]): SizeOrderResult {
  return { ok: false, code, message, messageEn, ...(notes && notes.length ? { notes } : {}) }
}

function nonNegativeMilli(v: number | undefined, what: string, whatEn: string): number | Reason {
  if (v === undefined) return 0
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return reason('ACCOUNT_INVALID', `${what}无效: ${String(v)}`, `invalid ${whatEn}: ${String(v)}`)
  return toMilli(v)
}

export function sizeOrder(input: SizeOrderInput): SizeOrderResult {
  let parsed
  try {
    parsed = parseCode(input.code)
  } catch (e) {
    if (e instanceof MarketRuleError) return { ok: false, ...e.toReason() }
    throw e
  }
  const code = parsed.code
  const rules = BOARD_RULES[parsed.board]
  const side = sideOfKind(input.kind)
  const spec = input.pricing ?? DEFAULT_PRICING[input.kind]
  const priced = priceOrder({ code, side, quote: input.quote, now: input.now, mode: spec.mode, offsetTicks: spec.offsetTicks, triggerPrice: input.triggerPrice, st: input.st, noLimit: input.noLimit })
  if (!priced.ok) return priced
  const notes = [...priced.notes]
  const limitOrder = priced.priceType === 'limit'
  const price = priced.priceMilli
  const maxQty = limitOrder ? rules.maxLimitQty : rules.maxMarketQty
  const ok = (quantity: number): SizeOrderResult => {
    const value = price * quantity
    return {
      ok: true,
      side,
      quantity,
      priceType: priced.priceType,
      xtPriceType: priced.xtPriceType,
      xtOrderType: xtOrderTypeFor(side),
      price: priced.price,
      value: fromMilli(value),
      estFees: estimateFeesMilli(code, side, value, input.fees),
      notes,
    }
  }

  if (side === 'sell') {
    const pos = input.position
    if (!pos) return refuse('POSITION_UNKNOWN', `${code} 持仓未知, 不下卖单`, `${code}: position unknown; no sell order`, notes)
    if (!Number.isSafeInteger(pos.canUseVolume) || pos.canUseVolume <= 0) {
      if (!(pos.volume > 0)) return refuse('NO_POSITION', `${code} 没有持仓, 无可卖股份`, `${code}: no shares held, nothing to sell`, notes)
      return refuse('T1_NOT_SELLABLE', `${code} 持仓${pos.volume}股, 今日可卖0股 (T+1), 下一交易日再卖`, `${code}: ${pos.volume} shares held but 0 sellable today (T+1); sell on the next trading day`, notes)
    }
    // can_use_volume above the total volume is inconsistent broker data: never sell more than is held.
    const sellable = Number.isSafeInteger(pos.volume) && pos.volume >= 0 ? Math.min(pos.canUseVolume, pos.volume) : pos.canUseVolume
    if (sellable <= 0) return refuse('NO_POSITION', `${code} 没有持仓, 无可卖股份`, `${code}: no shares held, nothing to sell`, notes)
    let qty = input.exitMode && input.exitMode.kind !== 'ALL' ? exitQuantityFor(code, input.exitMode, pos.volume, sellable) : sellable
    if (qty <= 0) return refuse('NO_POSITION', `${code} 没有可卖股份`, `${code}: nothing can be sold`, notes)
    if (qty > maxQty) {
      qty = maxQty
      notes.push(reason('SIZE_SPLIT_REQUIRED', `可卖${sellable}股超过单笔上限${maxQty}股, 本单卖${qty}股, 余下的需另下单`, `${sellable} sellable exceeds the ${maxQty}-share order maximum; this order sells ${qty}, send the rest separately`))
    }
    const v = validateQuantity(code, 'sell', qty, { sellable, limitOrder })
    if (!v.ok) return refuse(v.code, v.message, v.messageEn, notes)
    return ok(qty)
  }

  const cfg: SizingConfig = { ...DEFAULT_SIZING, ...(input.sizing ?? {}) }
  const asset = nonNegativeMilli(input.account?.totalAsset, '总资产', 'total assets')
  const cash = nonNegativeMilli(input.account?.cash, '可用资金', 'available cash')
  const held = nonNegativeMilli(input.heldValue, '已持仓市值', 'held value')
  for (const r of [asset, cash, held]) if (typeof r !== 'number') return refuse(r.code, r.message, r.messageEn, notes)
  const pctPpm = toPpm(cfg.maxPositionPct, '仓位上限')
  if (!(pctPpm > 0 && pctPpm <= 1_000_000)) {
    return refuse('SIZING_CONFIG_INVALID', `单股仓位上限须在 0 到 100% 之间, 收到 ${cfg.maxPositionPct}`, `max position per stock must be between 0 and 100 %, got ${cfg.maxPositionPct}`, notes)
  }
  if (!(typeof cfg.minTradeAmount === 'number' && Number.isFinite(cfg.minTradeAmount) && cfg.minTradeAmount >= 0)) {
    return refuse('SIZING_CONFIG_INVALID', `最小交易金额无效: ${String(cfg.minTradeAmount)}`, `invalid minimum trade amount: ${String(cfg.minTradeAmount)}`, notes)
  }
  const cap = mulDiv(asset as number, pctPpm, 1_000_000, 'floor')
  const amountCap = input.entryMode ? entryAmountCapMilli(input.entryMode) : null
  const target = Math.min(cap - (held as number), amountCap ?? Number.MAX_SAFE_INTEGER)
  const pctText = `${(pctPpm / 10_000).toFixed(2).replace(/\.?0+$/, '')}%`
  if (target <= 0) {
    return refuse('SIZE_POSITION_FULL', `${code} 已持仓 ${formatYuan(held as number)} 元, 已达仓位上限 ${pctText} × 总资产 = ${formatYuan(cap)} 元`, `${code}: ${formatYuan(held as number)} already held, at the position cap of ${pctText} of assets = ${formatYuan(cap)}`, notes)
  }

  // Valid buy sizes are minBuy + k·buyStep; cost(k) grows with k, so binary-search the largest k
  // within the target value, the per-order maximum and the cash (value + fees).
  const sizeAt = (k: number) => rules.minBuy + k * rules.buyStep
  const kMaxTarget = Math.floor((Math.floor(target / price) - rules.minBuy) / rules.buyStep)
  const kMaxOrder = Math.floor((maxQty - rules.minBuy) / rules.buyStep)
  const sharesCap = input.entryMode ? entrySharesCap(code, input.entryMode, limitOrder) : null
  const kMaxShares = sharesCap === null ? Number.MAX_SAFE_INTEGER : Math.floor((sharesCap - rules.minBuy) / rules.buyStep)
  const kHi = Math.min(kMaxTarget, kMaxOrder, kMaxShares)
  const fits = (k: number) => {
    const value = price * sizeAt(k)
    return value + estimateFeesMilli(code, 'buy', value, input.fees).milli.total <= (cash as number)
  }
  const minCost = price * rules.minBuy
  if (kHi < 0) {
    return refuse(
      'SIZE_BELOW_ONE_LOT',
      `仓位额度 ${formatYuan(target)} 元按价格 ${fromMilli(price)} 买不到${rules.name}最小数量${rules.minBuy}股 (需 ${formatYuan(minCost)} 元)`,
      `the position budget of ${formatYuan(target)} buys less than the ${rules.nameEn} minimum of ${rules.minBuy} shares at ${fromMilli(price)} (needs ${formatYuan(minCost)})`,
      notes,
    )
  }
  if (!fits(0)) {
    const need = minCost + estimateFeesMilli(code, 'buy', minCost, input.fees).milli.total
    return refuse(
      'SIZE_CASH_INSUFFICIENT',
      `可用资金 ${formatYuan(cash as number)} 元不足以按价格 ${fromMilli(price)} 买入${rules.minBuy}股 (含费用需 ${formatYuan(need)} 元)`,
      `available cash ${formatYuan(cash as number)} cannot buy ${rules.minBuy} shares at ${fromMilli(price)} (needs ${formatYuan(need)} including fees)`,
      notes,
    )
  }
  let lo = 0
  let hi = kHi
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2)
    if (fits(mid)) lo = mid
    else hi = mid - 1
  }
  const qty = sizeAt(lo)
  if (lo < kHi) notes.push(reason('SIZE_LIMITED_BY_CASH', `受可用资金 ${formatYuan(cash as number)} 元限制, 买入${qty}股`, `limited by available cash of ${formatYuan(cash as number)}: buying ${qty} shares`))
  if (kHi === kMaxOrder && kMaxOrder < kMaxTarget) notes.push(reason('SIZE_CAPPED_MAX_PER_ORDER', `单笔上限${maxQty}股`, `capped at the ${maxQty}-share order maximum`))
  const value = price * qty
  const minAmount = toMilli(cfg.minTradeAmount)
  if (value < minAmount) {
    return refuse('SIZE_BELOW_MIN_TRADE_AMOUNT', `买入金额 ${formatYuan(value)} 元低于最小交易金额 ${formatYuan(minAmount)} 元`, `order value ${formatYuan(value)} is below the minimum trade amount of ${formatYuan(minAmount)}`, notes)
  }
  const v = validateQuantity(code, 'buy', qty, { limitOrder })
  if (!v.ok) return refuse(v.code, v.message, v.messageEn, notes)
  return ok(qty)
}
