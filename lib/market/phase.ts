import { isTradingDay, nextTradingDay, shanghaiDate, shanghaiSecondOfDay, shanghaiTime } from './calendar'
import type { OrderKind } from './types'

/**
 * Market phases in Asia/Shanghai (a-share-rules §7; SH, SZ and BJ share the times). Each window is
 * [start, end): 11:30:00 is already the lunch break, 15:00:00 is already closed.
 *
 *   closed            before 09:00, after 15:00, and all day on non-trading days
 *   pre_open          09:00–09:15 — the worker wakes, reconnects and refreshes positions; no orders
 *   opening_auction   09:15–09:25 — limit orders accepted; cancels only until 09:20
 *   pre_open          09:25–09:30 — the opening match is done and nothing is matched until 09:30.
 *                     Sources disagree on whether orders/cancels are accepted then and brokers differ,
 *                     so we treat it like pre-open: no orders, no cancels, wait for 09:30
 *   continuous        09:30–11:30 and 13:00–14:57
 *   lunch_break       11:30–13:00 — broker handling of orders is UNVERIFIED; we send nothing
 *   closing_auction   14:57–15:00 — limit orders only, no cancels
 * STAR/ChiNext after-hours fixed-price trading (15:05–15:30) is out of scope and counts as closed.
 *
 * Every function here consults the exchange calendar and therefore throws
 * CALENDAR_YEAR_NOT_COVERED for a year without data: refusing loudly is the intended behaviour.
 */
export type MarketPhase = 'closed' | 'pre_open' | 'opening_auction' | 'continuous' | 'lunch_break' | 'closing_auction'

const hms = (h: number, m: number, s = 0) => h * 3600 + m * 60 + s

/** Phase starting at each boundary of a trading day (seconds since Shanghai midnight). */
export const TRADING_DAY_SCHEDULE: ReadonlyArray<{ start: number; hhmm: string; phase: MarketPhase }> = [
  { start: 0, hhmm: '00:00', phase: 'closed' },
  { start: hms(9, 0), hhmm: '09:00', phase: 'pre_open' },
  { start: hms(9, 15), hhmm: '09:15', phase: 'opening_auction' },
  { start: hms(9, 25), hhmm: '09:25', phase: 'pre_open' },
  { start: hms(9, 30), hhmm: '09:30', phase: 'continuous' },
  { start: hms(11, 30), hhmm: '11:30', phase: 'lunch_break' },
  { start: hms(13, 0), hhmm: '13:00', phase: 'continuous' },
  { start: hms(14, 57), hhmm: '14:57', phase: 'closing_auction' },
  { start: hms(15, 0), hhmm: '15:00', phase: 'closed' },
]

const OPENING_NO_CANCEL_FROM = hms(9, 20)

function phaseAtSecond(sec: number): MarketPhase {
  let phase: MarketPhase = 'closed'
  for (const b of TRADING_DAY_SCHEDULE) if (sec >= b.start) phase = b.phase
  return phase
}

export function marketPhase(at: Date): MarketPhase {
  const day = shanghaiDate(at)
  if (!isTradingDay(day)) return 'closed'
  return phaseAtSecond(shanghaiSecondOfDay(at))
}

/**
 * When the phase next changes, and to what. The worker sleeps until `at`; the UI shows it as
 * "next session". Runs into the next trading day (its 09:00 pre-open) after the close.
 */
export function nextPhaseChange(at: Date): { phase: MarketPhase; at: Date } {
  const day = shanghaiDate(at)
  const current = marketPhase(at)
  if (isTradingDay(day)) {
    const sec = shanghaiSecondOfDay(at)
    for (const b of TRADING_DAY_SCHEDULE) {
      if (b.start > sec && b.phase !== current) return { phase: b.phase, at: shanghaiTime(day, b.hhmm) }
    }
  }
  return { phase: 'pre_open', at: shanghaiTime(nextTradingDay(day), '09:00') }
}

/** Cancels are refused 09:20–09:25 and 14:57–15:00; we also hold them 09:25–09:30, at lunch and when closed. */
export function canCancelAt(at: Date): boolean {
  const phase = marketPhase(at)
  if (phase === 'continuous') return true
  if (phase === 'opening_auction') return shanghaiSecondOfDay(at) < OPENING_NO_CANCEL_FROM
  return false
}

/**
 * Whether the exchange accepts a new order now: limit orders in both call auctions and continuous
 * trading; market orders only in continuous trading (a market order in an auction becomes 废单).
 */
export function acceptsOrders(at: Date, kind: OrderKind): boolean {
  const phase = marketPhase(at)
  if (kind === 'market') return phase === 'continuous'
  return phase === 'continuous' || phase === 'opening_auction' || phase === 'closing_auction'
}

/** Seconds since Shanghai midnight at which opening-auction prices stop being cancellable (09:20). */
export const OPENING_AUCTION_FIRM_FROM_SEC = OPENING_NO_CANCEL_FROM
