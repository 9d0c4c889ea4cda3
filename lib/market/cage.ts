import { BOARD_RULES } from './board'
import { parseCode } from './codes'
import { MarketRuleError } from './errors'
import { fromMilli, toMilli, toMilliExact } from './money'
import type { Quote } from './quote'
import { roundMilliToTick } from './ticks'
import type { Side } from './types'

/**
 * Price cage (有效申报价格范围, a-share-rules §6) for limit orders in continuous trading:
 * - main board / ChiNext: buy ≤ max(102 % × benchmark, benchmark + 10 ticks),
 *                         sell ≥ min(98 % × benchmark, benchmark − 10 ticks);
 * - STAR: buy ≤ 102 % × benchmark, sell ≥ 98 % × benchmark;
 * - BJ: sources conflict (±5 % or 10 ticks vs 2 % + 10 ticks). We use the narrowest range that is
 *   valid under both readings, i.e. the main-board formula (UNVERIFIED);
 * - funds: no source; the main-board formula at the 0.001 tick is applied because a cage that may
 *   not exist only narrows our prices (UNVERIFIED).
 * The 102 %/98 % bound is rounded toward the benchmark (buy cap down, sell floor up): the
 * conservative choice while the exchange's own rounding is unverified.
 */
export interface CageMilli {
  /** Lowest valid sell price (null for buys: a buy below the benchmark is never caged). */
  minMilli: number | null
  /** Highest valid buy price (null for sells). */
  maxMilli: number | null
  verified: boolean
}

export function priceCageMilli(
  code: string,
  side: Side,
  benchmarkMilli: number,
  limits?: { upMilli: number; downMilli: number } | null,
): CageMilli {
  const rules = BOARD_RULES[parseCode(code).board]
  const t = rules.tickMilli
  if (!Number.isSafeInteger(benchmarkMilli) || benchmarkMilli <= 0) {
    throw new MarketRuleError('CAGE_BENCHMARK_INVALID', `价格笼子基准价无效: ${benchmarkMilli / 1000}`, `invalid price-cage benchmark: ${benchmarkMilli / 1000}`)
  }
  if (side === 'buy') {
    const pct = roundMilliToTick(Math.floor((benchmarkMilli * 102) / 100), t, 'down')
    let max = rules.cage === 'PCT' ? pct : Math.max(pct, roundMilliToTick(benchmarkMilli + 10 * t, t, 'down'))
    if (limits) max = Math.min(max, limits.upMilli)
    return { minMilli: null, maxMilli: max, verified: rules.cageVerified }
  }
  const pct = roundMilliToTick(Math.ceil((benchmarkMilli * 98) / 100), t, 'up')
  let min = rules.cage === 'PCT' ? pct : Math.min(pct, roundMilliToTick(benchmarkMilli - 10 * t, t, 'up'))
  min = Math.max(min, t)
  if (limits) min = Math.max(min, limits.downMilli)
  return { minMilli: min, maxMilli: null, verified: rules.cageVerified }
}

export interface PriceCage {
  /** Lowest valid sell price, yuan; null for a buy. */
  min: number | null
  /** Highest valid buy price, yuan; null for a sell. */
  max: number | null
  /** False for BJ and funds, whose cage rule is not confirmed. */
  verified: boolean
}

/**
 * The bound a limit order must respect in continuous trading. Pass today's limits to keep the cage
 * inside the limit band (the cage never extends beyond it).
 */
export function priceCage(code: string, side: Side, benchmark: number, limits?: { up: number; down: number } | null): PriceCage {
  const l = limits ? { upMilli: toMilliExact(limits.up, '涨停价'), downMilli: toMilliExact(limits.down, '跌停价') } : null
  const c = priceCageMilli(code, side, toMilliExact(benchmark, '基准价'), l)
  return {
    min: c.minMilli === null ? null : fromMilli(c.minMilli),
    max: c.maxMilli === null ? null : fromMilli(c.maxMilli),
    verified: c.verified,
  }
}

/**
 * Cage benchmark: the best opposite quote (ask1 for a buy, bid1 for a sell); if that side is empty,
 * the best same-side quote; if the book is empty, the last price. Null when there is no price at all.
 */
export function cageBenchmark(side: Side, quote: Pick<Quote, 'bids' | 'asks' | 'last'>): number | null {
  const opposite = side === 'buy' ? quote.asks : quote.bids
  const same = side === 'buy' ? quote.bids : quote.asks
  const firstValid = (levels: Quote['bids']) => levels.find((l) => Number.isFinite(l.price) && l.price > 0)?.price
  const p = firstValid(opposite) ?? firstValid(same) ?? (quote.last > 0 ? quote.last : undefined)
  return p === undefined ? null : fromMilli(toMilli(p))
}
