import { parseCode, type Board } from './codes'

/**
 * Board-level constants (a-share-rules.md §2, §4, §6). Kept in one table so a rule change (the 2026
 * revision is not fully verified) is a one-line edit. Fund rows and BJ maxima are UNVERIFIED.
 */
export interface BoardRules {
  name: string
  nameEn: string
  /** Minimum price step in mills: 10 (0.01 yuan) for stocks, 1 (0.001 yuan) for funds. */
  tickMilli: number
  /** Daily limit percent (integer); main-board ST handled in limits.ts. */
  limitPct: number
  /** Smallest buy quantity. */
  minBuy: number
  /** Buy increment above the minimum. */
  buyStep: number
  /** A sell below this size (or not a multiple of buyStep on 100-lot boards) must clear the holding. */
  sellLot: number
  /** Max shares per limit / market order. */
  maxLimitQty: number
  maxMarketQty: number
  /**
   * Price-cage shape: 'PCT_OR_TICKS' = max(2 %, 10 ticks) (main board, ChiNext); 'PCT' = pure 2 % (STAR).
   * BJ and funds use 'PCT_OR_TICKS' as the conservative reading (UNVERIFIED).
   */
  cage: 'PCT_OR_TICKS' | 'PCT'
  cageVerified: boolean
  maxQtyVerified: boolean
}

export const BOARD_RULES: Readonly<Record<Board, BoardRules>> = {
  SH_MAIN: { name: '沪市主板', nameEn: 'SH main board', tickMilli: 10, limitPct: 10, minBuy: 100, buyStep: 100, sellLot: 100, maxLimitQty: 1_000_000, maxMarketQty: 1_000_000, cage: 'PCT_OR_TICKS', cageVerified: true, maxQtyVerified: true },
  SZ_MAIN: { name: '深市主板', nameEn: 'SZ main board', tickMilli: 10, limitPct: 10, minBuy: 100, buyStep: 100, sellLot: 100, maxLimitQty: 1_000_000, maxMarketQty: 1_000_000, cage: 'PCT_OR_TICKS', cageVerified: true, maxQtyVerified: true },
  CHINEXT: { name: '创业板', nameEn: 'ChiNext', tickMilli: 10, limitPct: 20, minBuy: 100, buyStep: 100, sellLot: 100, maxLimitQty: 300_000, maxMarketQty: 150_000, cage: 'PCT_OR_TICKS', cageVerified: true, maxQtyVerified: true },
  STAR: { name: '科创板', nameEn: 'STAR Market', tickMilli: 10, limitPct: 20, minBuy: 200, buyStep: 1, sellLot: 200, maxLimitQty: 100_000, maxMarketQty: 50_000, cage: 'PCT', cageVerified: true, maxQtyVerified: true },
  // BJ: 1,000,000 is "often quoted" only; market orders are refused for BJ anyway.
  BJ: { name: '北交所', nameEn: 'Beijing Stock Exchange', tickMilli: 10, limitPct: 30, minBuy: 100, buyStep: 1, sellLot: 100, maxLimitQty: 1_000_000, maxMarketQty: 1_000_000, cage: 'PCT_OR_TICKS', cageVerified: false, maxQtyVerified: false },
  FUND: { name: '场内基金', nameEn: 'exchange fund', tickMilli: 1, limitPct: 10, minBuy: 100, buyStep: 100, sellLot: 100, maxLimitQty: 1_000_000, maxMarketQty: 1_000_000, cage: 'PCT_OR_TICKS', cageVerified: false, maxQtyVerified: false },
}

export function boardOf(code: string): Board {
  return parseCode(code).board
}

export function rulesOf(code: string): BoardRules {
  return BOARD_RULES[parseCode(code).board]
}

export function isFund(code: string): boolean {
  return parseCode(code).board === 'FUND'
}

/** Tick in mills: 10 for stocks, 1 for funds. */
export function tickMilliOf(code: string): number {
  return rulesOf(code).tickMilli
}

/** Tick in yuan: 0.01 or 0.001. */
export function tickSize(code: string): number {
  return tickMilliOf(code) / 1000
}

/** Decimals a price of this code is displayed with. */
export function priceDecimals(code: string): 2 | 3 {
  return tickMilliOf(code) === 1 ? 3 : 2
}

/** Risk-warning stocks carry an `ST` / `*ST` name prefix (the broker's instrument data can say too). */
export function isStName(name: string): boolean {
  return /^\s*\*?ST/i.test(name)
}
