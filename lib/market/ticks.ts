import { tickMilliOf } from './board'
import { MarketRuleError } from './errors'

export type RoundMode = 'down' | 'up' | 'nearest'

/** Rounds integer mills to a multiple of `tickMilli`; 'nearest' is half-up (never banker's). */
export function roundMilliToTick(milli: number, tickMilli: number, mode: RoundMode): number {
  if (!Number.isSafeInteger(milli) || !Number.isSafeInteger(tickMilli) || tickMilli <= 0) {
    throw new MarketRuleError('NOT_AN_INTEGER', `价格取整参数无效: ${milli} / ${tickMilli}`, `invalid tick rounding operands: ${milli} / ${tickMilli}`)
  }
  const floor = Math.floor(milli / tickMilli) * tickMilli
  if (floor === milli) return milli
  if (mode === 'down') return floor
  if (mode === 'up') return floor + tickMilli
  return milli - floor >= tickMilli / 2 ? floor + tickMilli : floor
}

export function isOnTick(milli: number, tickMilli: number): boolean {
  return Number.isSafeInteger(milli) && milli % tickMilli === 0
}

/**
 * Rounds a yuan price to the code's tick (0.01 stocks, 0.001 funds). The input may carry more than
 * 3 decimals (a computed level), so it is first scaled to micro-yuan, where the double→integer step
 * is exact to far below any tick, and then rounded once on integers.
 */
export function roundToTick(code: string, price: number, mode: RoundMode): number {
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
    throw new MarketRuleError('PRICE_INVALID', `价格必须是非负有限数字, 收到 ${String(price)}`, `price must be a finite non-negative number, got ${String(price)}`)
  }
  const tickMicro = tickMilliOf(code) * 1000
  const micro = Math.round(price * 1_000_000)
  const roundedMicro = roundMilliToTick(micro, tickMicro, mode)
  return roundedMicro / 1_000_000
}
