import { BOARD_RULES } from './board'
import { parseCode } from './codes'
import type { Side } from './types'

/**
 * Order-quantity rules (a-share-rules §2):
 * - buys: 100-share lots on SH/SZ main, ChiNext and funds; STAR ≥ 200 then any step of 1; BJ ≥ 100
 *   then any step of 1;
 * - sells: whole lots (STAR/BJ: ≥ the minimum); a sell that is not whole lots is allowed only when it
 *   clears the entire sellable remainder. This is stricter than the exchange text (which may also
 *   allow selling just the odd part of a larger holding, UNVERIFIED) and never wrong;
 * - never more than `sellable` (T+1: the broker's can_use_volume), never above the per-order maximum.
 */
export type QuantityCheck =
  | { ok: true }
  | {
      ok: false
      code: string
      /** Chinese explanation (same text as `message`; kept under this name for callers of the brief's API). */
      reason: string
      message: string
      messageEn: string
    }

function fail(code: string, message: string, messageEn: string): QuantityCheck {
  return { ok: false, code, reason: message, message, messageEn }
}

export interface QuantityOptions {
  /** Shares sellable now (can_use_volume). Required to allow an odd-lot sell. */
  sellable?: number
  /** Limit order (default) or market order; the per-order maximum differs on ChiNext and STAR. */
  limitOrder?: boolean
}

export function validateQuantity(code: string, side: Side, quantity: number, opts: QuantityOptions = {}): QuantityCheck {
  const { board } = parseCode(code)
  const r = BOARD_RULES[board]
  const limitOrder = opts.limitOrder ?? true
  const sideZh = side === 'buy' ? '买入' : '卖出'
  const sideEn = side === 'buy' ? 'buy' : 'sell'

  if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity <= 0) {
    return fail('QTY_NOT_POSITIVE_INTEGER', `${sideZh}数量必须是正整数, 收到 ${String(quantity)}`, `${sideEn} quantity must be a positive whole number of shares, got ${String(quantity)}`)
  }

  const max = limitOrder ? r.maxLimitQty : r.maxMarketQty
  if (quantity > max) {
    const kindZh = limitOrder ? '限价' : '市价'
    const kindEn = limitOrder ? 'limit' : 'market'
    return fail('QTY_ABOVE_MAX_PER_ORDER', `${r.name}单笔${kindZh}委托最多${max}股, 收到${quantity}股`, `${r.nameEn} allows at most ${max} shares per ${kindEn} order, got ${quantity}`)
  }

  if (side === 'buy') {
    if (quantity < r.minBuy) {
      return fail('QTY_BELOW_MIN_BUY', `${r.name}买入数量须≥${r.minBuy}股, 收到${quantity}股`, `${r.nameEn} buy quantity must be at least ${r.minBuy} shares, got ${quantity}`)
    }
    if ((quantity - r.minBuy) % r.buyStep !== 0) {
      return fail('QTY_NOT_WHOLE_LOTS', `${r.name}买入数量须为${r.buyStep}股的整数倍, 收到${quantity}股`, `${r.nameEn} buy quantity must be a multiple of ${r.buyStep} shares, got ${quantity}`)
    }
    return { ok: true }
  }

  const sellable = opts.sellable
  if (sellable !== undefined) {
    if (!Number.isSafeInteger(sellable) || sellable < 0) {
      return fail('SELLABLE_INVALID', `可卖数量无效: ${String(sellable)}`, `invalid sellable quantity: ${String(sellable)}`)
    }
    if (quantity > sellable) {
      return fail('QTY_EXCEEDS_SELLABLE', `卖出${quantity}股超过可卖数量${sellable}股 (T+1: 今日买入的股份明日才能卖出)`, `selling ${quantity} shares exceeds the ${sellable} sellable now (T+1: shares bought today can be sold from the next trading day)`)
    }
  }
  const clearsRemainder = sellable !== undefined && quantity === sellable
  if (clearsRemainder) return { ok: true }

  if (quantity < r.sellLot) {
    return fail(
      'QTY_ODD_LOT_SELL',
      `${r.name}卖出不足${r.sellLot}股只能一次性卖出全部可卖余额 (可卖${sellable ?? '未知'}股), 收到${quantity}股`,
      `${r.nameEn} sells below ${r.sellLot} shares are only allowed to clear the whole sellable remainder (sellable: ${sellable ?? 'unknown'}), got ${quantity}`,
    )
  }
  if (r.buyStep === r.sellLot && quantity % r.sellLot !== 0) {
    return fail(
      'QTY_ODD_LOT_SELL',
      `${r.name}卖出须为${r.sellLot}股整数倍, 零股只能与全部可卖余额一起卖出 (可卖${sellable ?? '未知'}股), 收到${quantity}股`,
      `${r.nameEn} sells must be whole lots of ${r.sellLot}; odd shares can only go out with the whole sellable remainder (sellable: ${sellable ?? 'unknown'}), got ${quantity}`,
    )
  }
  return { ok: true }
}

/** Largest valid buy quantity ≤ `n` for the board (0 when below the minimum). */
export function floorBuyQuantity(code: string, n: number, limitOrder = true): number {
  const r = BOARD_RULES[parseCode(code).board]
  const capped = Math.min(Math.floor(n), limitOrder ? r.maxLimitQty : r.maxMarketQty)
  if (capped < r.minBuy) return 0
  return r.minBuy + Math.floor((capped - r.minBuy) / r.buyStep) * r.buyStep
}

/**
 * How many of the shares DingPan manages an exit may sell now, under the odd-lot rule: `managed`
 * (already capped by what the broker holds) when that is a legal sell of the broker's `sellable`
 * (whole lots, or exactly the whole sellable remainder — odd shares may only go out all at once);
 * otherwise its whole lots, leaving the odd part (it cannot be sold without shares DingPan does not
 * manage). 0 when nothing can legally be sold — never a quantity the exchange would refuse, so an
 * odd-lot remainder never loops through refused exits into halted ones.
 */
export function legalExitQuantity(code: string, managed: number, sellable: number): number {
  if (!Number.isSafeInteger(managed) || !Number.isSafeInteger(sellable) || managed <= 0 || sellable <= 0) return 0
  const m = Math.min(managed, sellable)
  if (m === sellable) return m
  const r = BOARD_RULES[parseCode(code).board]
  if (m < r.sellLot) return 0
  return r.buyStep === r.sellLot ? Math.floor(m / r.sellLot) * r.sellLot : m
}

export type ManagedQuantityCheck = { ok: true } | { ok: false; code: 'QTY_NOT_POSITIVE_INTEGER' | 'QTY_ABOVE_HELD' | 'QTY_NOT_SELLABLE_LOTS'; held: number; lot: number }

/**
 * "Mark as managed" with a quantity: at most what the broker holds, and a quantity DingPan can sell
 * by itself later — whole lots (STAR/BJ: at least the minimum lot), or the whole holding (odd
 * shares can only be sold all at once). Shared by the form and the API.
 */
export function checkManagedQuantity(code: string, quantity: number, held: number): ManagedQuantityCheck {
  const r = BOARD_RULES[parseCode(code).board]
  const base = { held, lot: r.sellLot }
  if (!Number.isSafeInteger(quantity) || quantity <= 0) return { ok: false, code: 'QTY_NOT_POSITIVE_INTEGER', ...base }
  if (quantity > held) return { ok: false, code: 'QTY_ABOVE_HELD', ...base }
  if (quantity === held) return { ok: true }
  if (quantity < r.sellLot || (r.buyStep === r.sellLot && quantity % r.sellLot !== 0)) return { ok: false, code: 'QTY_NOT_SELLABLE_LOTS', ...base }
  return { ok: true }
}
