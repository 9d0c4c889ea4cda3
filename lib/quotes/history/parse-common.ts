import { shanghaiTime } from '@/lib/market'
import { HistorySourceError, type HistoryBar, type HistoryPeriod } from './types'

/** Text from the first `{` to the last `}` (strips `name=` / JSONP wrappers). */
export function unwrapJson(text: string, source: string): unknown {
  const a = text.indexOf('{')
  const b = text.lastIndexOf('}')
  if (a < 0 || b < a) throw new HistorySourceError('malformed', source, `not JSON: ${JSON.stringify(text.slice(0, 80))}`)
  try {
    return JSON.parse(text.slice(a, b + 1))
  } catch (e) {
    throw new HistorySourceError('malformed', source, `invalid JSON: ${JSON.stringify(text.slice(0, 80))}`, { cause: e })
  }
}

export function num(v: unknown): number {
  if (typeof v === 'number') return v
  if (typeof v === 'string' && v.trim() !== '' && v !== '-') return Number(v)
  return NaN
}

/** Round to the mill (3 decimals) so prices convert exactly to integer mills. */
export function px(v: number): number {
  return Math.round(v * 1000) / 1000
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Daily bar end: 15:00 Shanghai of the day. */
export function dayBarEnd(day: string): Date {
  return shanghaiTime(day, '15:00')
}

/** `YYYYMMDDHHMM` or `YYYY-MM-DD HH:MM` → {day, time}. */
export function minuteStamp(s: string): { day: string; time: Date } | null {
  let m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s)
  if (!m) m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(s)
  if (!m) return null
  const day = `${m[1]}-${m[2]}-${m[3]}`
  return { day, time: shanghaiTime(day, `${m[4]}:${m[5]}`) }
}

export function isDay(s: unknown): s is string {
  return typeof s === 'string' && DAY.test(s)
}

/** STAR (688/689) volumes are shares at Tencent; everything else is lots (history-sources.md §1.6). */
export function isStar(code: string): boolean {
  return /^68[89]\d{3}\.SH$/.test(code)
}

/**
 * Builds a bar after checking the price relations (high ≥ max(open, close) ≥ min(open, close) ≥ low > 0).
 * A row that fails the check is bad data: the whole answer is refused rather than replayed wrongly.
 */
export function makeBar(
  source: string,
  period: HistoryPeriod,
  adjust: HistoryBar['adjust'],
  day: string,
  time: Date,
  open: number,
  close: number,
  high: number,
  low: number,
  volumeShares: number,
  amountYuan: number | null,
  allowNegative = false,
): HistoryBar {
  const vals = [open, close, high, low]
  if (vals.some((v) => !Number.isFinite(v)) || (!allowNegative && vals.some((v) => v <= 0))) {
    throw new HistorySourceError('malformed', source, `bad prices on ${day}: ${vals.join(',')}`)
  }
  if (!(high >= Math.max(open, close) && Math.min(open, close) >= low)) {
    throw new HistorySourceError('malformed', source, `inconsistent OHLC on ${day} (open ${open} close ${close} high ${high} low ${low}); is the column order open, close, high, low?`)
  }
  if (!Number.isFinite(volumeShares) || volumeShares < 0) throw new HistorySourceError('malformed', source, `bad volume on ${day}`)
  return { time, day, period, open: px(open), high: px(high), low: px(low), close: px(close), volumeShares: Math.round(volumeShares), amountYuan, adjust, source, partial: false }
}

/** Keep bars inside [start, end] (days), ascending, de-duplicated by time. */
export function clip(bars: HistoryBar[], start: string | null, end: string | null): HistoryBar[] {
  const out: HistoryBar[] = []
  let last = -Infinity
  for (const b of [...bars].sort((a, c) => a.time.getTime() - c.time.getTime())) {
    if (start && b.day < start) continue
    if (end && b.day > end) continue
    const t = b.time.getTime()
    if (t === last) continue
    last = t
    out.push(b)
  }
  return out
}
