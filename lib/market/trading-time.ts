import { addDays, isTradingDay, shanghaiDate, shanghaiSecondOfDay, shanghaiTime } from './calendar'

/**
 * Trading time: the seconds of continuous trading (09:30–11:30, 13:00–14:57 on trading days) —
 * the only time in which a resting order can fill and be cancelled. An order's unfilled timeout is
 * counted in it: an order placed at 11:29 with a 120 s timeout is due at 13:01, not at 13:00:00
 * (the lunch break is not "waiting to fill"), and one placed just before the close is due after the
 * next open. Pure: the caller passes the instants.
 */
const SESSIONS: ReadonlyArray<readonly [number, number]> = [
  [9 * 3600 + 30 * 60, 11 * 3600 + 30 * 60],
  [13 * 3600, 14 * 3600 + 57 * 60],
]
/** A timeout longer than a few weeks of trading is a configuration error: stop looking there. */
const MAX_DAYS = 60

function dayStartMs(day: string): number {
  return shanghaiTime(day, '00:00').getTime()
}

/** Trading seconds in [from, to) (0 when to ≤ from). */
export function tradingSecondsBetween(from: Date, to: Date): number {
  const a = from.getTime()
  const b = to.getTime()
  if (!(b > a)) return 0
  let total = 0
  let day = shanghaiDate(from)
  const last = shanghaiDate(to)
  for (let i = 0; day <= last && i < 4000; i++, day = addDays(day, 1)) {
    if (!isTradingDay(day)) continue
    const base = dayStartMs(day)
    for (const [s, e] of SESSIONS) {
      const lo = Math.max(a, base + s * 1000)
      const hi = Math.min(b, base + e * 1000)
      if (hi > lo) total += hi - lo
    }
  }
  return total / 1000
}

/**
 * The instant at which `seconds` of trading time have passed since `from` (a start outside the
 * sessions counts from the next open). Falls back to wall time after MAX_DAYS without enough
 * trading time (never earlier than `from + seconds`).
 */
export function addTradingSeconds(from: Date, seconds: number): Date {
  let left = Math.max(0, seconds) * 1000
  const a = from.getTime()
  let day = shanghaiDate(from)
  for (let i = 0; i < MAX_DAYS; i++, day = addDays(day, 1)) {
    if (!isTradingDay(day)) continue
    const base = dayStartMs(day)
    for (const [s, e] of SESSIONS) {
      const lo = Math.max(a, base + s * 1000)
      const hi = base + e * 1000
      if (hi <= lo) continue
      if (left <= 0) return new Date(lo)
      if (hi - lo >= left) return new Date(lo + left)
      left -= hi - lo
    }
  }
  return new Date(a + Math.max(0, seconds) * 1000)
}

/** Whether `at` is inside a continuous-trading session (the clock of an order's timeout runs). */
export function inTradingTime(at: Date): boolean {
  if (!isTradingDay(shanghaiDate(at))) return false
  const sec = shanghaiSecondOfDay(at)
  return SESSIONS.some(([s, e]) => sec >= s && sec < e)
}
