/**
 * Computed daily limit prices for quotes whose source publishes none (Sina, Eastmoney): a thin
 * view over lib/market's limitPrices (integer half-up to the tick, a-share-rules.md §4-5).
 *
 * The providers do NOT put computed limits into quotes: `Quote.limitUp/limitDown` are documented as
 * exchange-published values or null, and a provider cannot know no-limit days (first 5 trading days
 * after an IPO, relisting day...) or ex-rights reference prices. Callers use this as a fallback or a
 * cross-check.
 */
import { isStName, limitPercent, limitPrices, shanghaiDate, ST_10PCT_FROM, tickSize } from '@/lib/market'

export { isStName, ST_10PCT_FROM }

export interface LimitPrices {
  up: number
  down: number
  /** Limit percent applied, e.g. 10. */
  pct: number
  /** Tick in yuan: 0.01 for stocks, 0.001 for funds (fund rounding UNVERIFIED). */
  tick: number
}

/**
 * Limits from the reference price (前收盘价). Null for instruments without a known band (indices,
 * bonds, unknown ranges) or a non-positive base. `on` selects the ST rule (defaults to now).
 */
export function computeLimitPrices(code: string, prevClose: number, name = '', on: Date = new Date()): LimitPrices | null {
  if (!(prevClose > 0)) return null
  try {
    const opts = { st: isStName(name), date: shanghaiDate(on) }
    const l = limitPrices(code, prevClose, opts)
    return l ? { up: l.up, down: l.down, pct: limitPercent(code, opts), tick: tickSize(code) } : null
  } catch {
    return null // not a tradable A-share or fund code (indices, bonds…)
  }
}
