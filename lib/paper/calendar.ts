/**
 * The simulated exchange's own calendar: DingPan's (lib/market) plus closures only the exchange
 * knows. The real exchanges can be closed on a weekday DingPan's provisional calendar believes open
 * (a year whose notice was never entered, an unannounced closure); the simulator must be able to
 * play that, or the guards that keep such a day from trading are never tested. On such a day the
 * quotes stay those of the last session, no phase opens, and orders are refused.
 *
 * Process-wide, like the lib/market calendar it wraps: a test sets it for the exchange it starts.
 */
import * as market from '@/lib/market'
import type { MarketPhase, OrderKind } from '@/lib/market'

const closures = new Set<string>()

/** Replaces the exchange-only closures ('YYYY-MM-DD' each). */
export function setUnannouncedClosures(days: Iterable<string>): void {
  const next = new Set<string>()
  for (const d of days) {
    if (!market.isValidDay(d)) throw new RangeError(`closure ${String(d)} is not a YYYY-MM-DD date`)
    next.add(d)
  }
  closures.clear()
  for (const d of next) closures.add(d)
}

export function unannouncedClosures(): string[] {
  return [...closures].sort()
}

export function isTradingDay(day: string): boolean {
  return !closures.has(day) && market.isTradingDay(day)
}

function step(day: string, dir: 1 | -1): string {
  let cur = day
  for (let i = 0; i < 60; i++) {
    cur = market.addDays(cur, dir)
    if (isTradingDay(cur)) return cur
  }
  throw new market.MarketRuleError('CALENDAR_NO_TRADING_DAY', `${day} 前后60天内没有交易日`, `no trading day within 60 days of ${day}`)
}

export function nextTradingDay(day: string): string {
  return closures.size === 0 ? market.nextTradingDay(day) : step(day, 1)
}

export function previousTradingDay(day: string): string {
  return closures.size === 0 ? market.previousTradingDay(day) : step(day, -1)
}

const closedAt = (at: Date) => closures.size > 0 && closures.has(market.shanghaiDate(at))

export function marketPhase(at: Date): MarketPhase {
  return closedAt(at) ? 'closed' : market.marketPhase(at)
}

export function acceptsOrders(at: Date, kind: OrderKind): boolean {
  return !closedAt(at) && market.acceptsOrders(at, kind)
}

export function canCancelAt(at: Date): boolean {
  return !closedAt(at) && market.canCancelAt(at)
}
