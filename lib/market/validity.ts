import { isTradingDay, isValidDay, nextTradingDay, shanghaiDate, shanghaiSecondOfDay } from './calendar'
import type { MonitorState } from './trigger-types'

/**
 * Validity and daily windows of a monitor (issue 14). Pure: every instant is passed in.
 *   - validity: the monitor is valid through `validUntilDay` (an Asia/Shanghai date, inclusive),
 *     given directly or as N trading days counted from the day it is armed;
 *   - window: an optional daily window [start, end) in minutes since Shanghai midnight outside
 *     which no entry triggers. Exits (stop-loss above all) are never held back by the window.
 * On expiry a monitor with nothing held or working closes (reason 'expired'); a HOLDING monitor is
 * never closed by expiry: its exits keep protecting the position, expiry only stops new entries.
 */
export interface Validity {
  /** Last valid Shanghai day (YYYY-MM-DD), inclusive; null = no end. */
  validUntilDay: string | null
  /** Entry window start / end in minutes since Shanghai midnight; both null = all day. */
  windowStartMin: number | null
  windowEndMin: number | null
}

/** The last day of a monitor valid for `n` trading days from `fromDay` (fromDay counts if it trades). */
export function lastDayOfTradingDays(fromDay: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`trading days must be a positive integer, got ${n}`)
  let day = isTradingDay(fromDay) ? fromDay : nextTradingDay(fromDay)
  for (let i = 1; i < n; i++) day = nextTradingDay(day)
  return day
}

/** 'HH:MM' → minutes since midnight, or null when malformed. */
export function parseWindowTime(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim())
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  if (h > 23 || min > 59) return null
  return h * 60 + min
}

export function formatWindowTime(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`
}

/** A window is both ends or neither, start strictly before end, within one day. */
export function validWindow(startMin: number | null, endMin: number | null): boolean {
  if (startMin === null && endMin === null) return true
  if (startMin === null || endMin === null) return false
  return Number.isSafeInteger(startMin) && Number.isSafeInteger(endMin) && startMin >= 0 && endMin <= 24 * 60 && startMin < endMin
}

/** Past its last valid day (Shanghai date of `now` after validUntilDay). */
export function isExpired(v: Pick<Validity, 'validUntilDay'>, now: Date): boolean {
  if (v.validUntilDay === null) return false
  if (!isValidDay(v.validUntilDay)) return false
  return shanghaiDate(now) > v.validUntilDay
}

/** May an entry trigger at `now`? Inside the validity and the daily window [start, end). */
export function entryAllowed(v: Validity, now: Date): boolean {
  if (isExpired(v, now)) return false
  if (v.windowStartMin === null || v.windowEndMin === null) return true
  const minute = Math.floor(shanghaiSecondOfDay(now) / 60)
  return minute >= v.windowStartMin && minute < v.windowEndMin
}

/**
 * What expiry does to a monitor in `state`: 'close' when nothing is held or working (WATCHING),
 * otherwise 'none' — a HOLDING / EXIT_PENDING monitor keeps its exits, an ENTRY_PENDING one
 * settles its working order first (no new entry is triggered either way).
 */
export function expiryAction(state: MonitorState, v: Pick<Validity, 'validUntilDay'>, now: Date): 'close' | 'none' {
  return state === 'WATCHING' && isExpired(v, now) ? 'close' : 'none'
}
