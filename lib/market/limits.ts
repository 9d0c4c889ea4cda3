import { BOARD_RULES } from './board'
import { parseCode } from './codes'
import { MarketRuleError } from './errors'
import { formatMilli, fromMilli, toMilliExact } from './money'

/**
 * Main-board ST/*ST stocks moved from ±5 % to ±10 % with the 2026 rule revision (a-share-rules §11;
 * the date is confirmed only by third-party code). Kept date-dependent so historical checks hold.
 */
export const ST_10PCT_FROM = '2026-07-06'

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/

export interface LimitOptions {
  /** Risk-warning (ST / *ST) stock; only changes the main-board percentage. */
  st?: boolean
  /** No daily limit today (IPO days, first day of relisting): limitPrices returns null. */
  noLimit?: boolean
  /** Trading day 'YYYY-MM-DD' the limit applies to; default: the current (2026) rules. */
  date?: string
}

/** Integer limit percent for the code on the given day. */
export function limitPercent(code: string, opts: LimitOptions = {}): number {
  const { board } = parseCode(code)
  if (opts.date !== undefined && !DAY_RE.test(opts.date)) {
    throw new MarketRuleError('DATE_FORMAT', `日期格式应为 YYYY-MM-DD, 收到 ${opts.date}`, `date must be YYYY-MM-DD, got ${opts.date}`)
  }
  if (opts.st && (board === 'SH_MAIN' || board === 'SZ_MAIN')) {
    return opts.date !== undefined && opts.date < ST_10PCT_FROM ? 5 : 10
  }
  return BOARD_RULES[board].limitPct
}

export interface LimitMilli {
  upMilli: number
  downMilli: number
}

/**
 * base × (1 ± p/100), half-up to the tick, all in integers (a-share-rules §5):
 * with m = base in mills and t = tick in mills, limit = floor((m·(100 ± p) + 50·t) / (100·t)) · t.
 * For t = 10 this is the reference `floor((2c(100±p) + 100) / 200)` in cents. Applying it at the
 * 0.001 fund tick is an inference (UNVERIFIED).
 */
export function limitPricesMilli(code: string, prevCloseMilli: number, opts: LimitOptions = {}): LimitMilli | null {
  if (opts.noLimit) return null
  if (!Number.isSafeInteger(prevCloseMilli) || prevCloseMilli <= 0) {
    throw new MarketRuleError('PREV_CLOSE_INVALID', `昨收价无效 (${prevCloseMilli / 1000}), 无法计算涨跌停价`, `invalid previous close (${prevCloseMilli / 1000}); cannot compute limit prices`)
  }
  const p = limitPercent(code, opts)
  const t = BOARD_RULES[parseCode(code).board].tickMilli
  const up = Math.floor((prevCloseMilli * (100 + p) + 50 * t) / (100 * t)) * t
  const down = Math.floor((prevCloseMilli * (100 - p) + 50 * t) / (100 * t)) * t
  // A limit-down of 0 would make every price "valid"; the lowest orderable price is one tick.
  return { upMilli: up, downMilli: Math.max(down, t) }
}

/**
 * Daily limit prices in yuan, or null when no limit applies. Prefer exchange-published limits
 * (quote.limitUp / limitDown) when the source has them; this is the fallback and cross-check.
 */
export function limitPrices(code: string, prevClose: number, opts: LimitOptions = {}): { up: number; down: number } | null {
  if (opts.noLimit) {
    parseCode(code)
    return null
  }
  if (typeof prevClose !== 'number' || !Number.isFinite(prevClose) || prevClose <= 0) {
    throw new MarketRuleError('PREV_CLOSE_INVALID', `昨收价无效 (${String(prevClose)}), 无法计算涨跌停价`, `invalid previous close (${String(prevClose)}); cannot compute limit prices`)
  }
  const r = limitPricesMilli(code, toMilliExact(prevClose, '昨收价'), opts)
  return r && { up: fromMilli(r.upMilli), down: fromMilli(r.downMilli) }
}

/** Describes a price band for messages, e.g. "8.33–10.19". */
export function describeBand(l: LimitMilli, decimals: 2 | 3): string {
  return `${formatMilli(l.downMilli, decimals)}–${formatMilli(l.upMilli, decimals)}`
}
