import packageDays from 'chinese-days/dist/chinese-days.json'
import overridesJson from './calendar-overrides.json'
import { MarketRuleError } from './errors'

/**
 * Exchange trading calendar (a-share-rules §13):
 *   trading day = year covered ∧ Monday–Friday ∧ not a closure.
 * Weekend make-up workdays (调休上班) stay closed, hence the weekday test.
 *
 * The data comes from chinese-days' compiled JSON rather than its functions: those convert Date
 * inputs with the process time zone (isHoliday(2026-10-01 00:30 +08:00) is false under TZ=UTC), and
 * for years without data they silently fall back to plain weekdays. Covered years are derived from
 * the JSON itself, plus the years in calendar-overrides.json; any other year throws, because
 * guessing a holiday schedule would send orders into a closed market.
 */

type DayMap = Record<string, string>

interface OverrideFile {
  years: Record<string, { closures: string[]; source?: string }>
  extraClosures: Array<string | { date: string; source?: string }>
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const MS_PER_DAY = 86_400_000
/** China has had no DST since 1991: Asia/Shanghai is a fixed UTC+08:00. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000

function dayParts(day: string): { y: number; m: number; d: number } {
  const match = typeof day === 'string' ? DAY_RE.exec(day) : null
  if (match) {
    const y = Number(match[1])
    const m = Number(match[2])
    const d = Number(match[3])
    const probe = new Date(Date.UTC(y, m - 1, d))
    if (probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d) return { y, m, d }
  }
  throw new MarketRuleError('DATE_FORMAT', `日期应为有效的 YYYY-MM-DD, 收到 ${String(day)}`, `date must be a valid YYYY-MM-DD, got ${String(day)}`)
}

function loadOverrides(raw: unknown): { years: Set<number>; closures: Set<string> } {
  const bad = (why: string): never => {
    throw new MarketRuleError('CALENDAR_OVERRIDES_INVALID', `calendar-overrides.json 格式错误: ${why}`, `calendar-overrides.json is malformed: ${why}`)
  }
  if (typeof raw !== 'object' || raw === null) bad('not an object')
  const file = raw as Partial<OverrideFile>
  const years = new Set<number>()
  const closures = new Set<string>()
  const addDay = (d: unknown, where: string) => {
    if (typeof d !== 'string') bad(`${where}: ${String(d)} is not a date string`)
    dayParts(d as string)
    closures.add(d as string)
  }
  for (const [year, entry] of Object.entries(file.years ?? {})) {
    if (!/^\d{4}$/.test(year) || !entry || !Array.isArray(entry.closures)) bad(`years.${year} needs a closures array`)
    for (const d of entry.closures) {
      addDay(d, `years.${year}`)
      if (!d.startsWith(`${year}-`)) bad(`years.${year} lists ${d}`)
    }
    years.add(Number(year))
  }
  for (const e of file.extraClosures ?? []) addDay(typeof e === 'string' ? e : e?.date, 'extraClosures')
  return { years, closures }
}

const PACKAGE_HOLIDAYS = (packageDays as { holidays: DayMap }).holidays
const PACKAGE_YEARS = new Set<number>()
for (const section of Object.values(packageDays as Record<string, DayMap>)) {
  for (const d of Object.keys(section)) PACKAGE_YEARS.add(Number(d.slice(0, 4)))
}
const OVERRIDES = loadOverrides(overridesJson)
const COVERED_YEARS = new Set<number>([...PACKAGE_YEARS, ...OVERRIDES.years])

/** Years the calendar knows, ascending. Surface the last one in the UI so an expiring calendar is seen. */
export function coveredYears(): number[] {
  return [...COVERED_YEARS].sort((a, b) => a - b)
}

export function isCalendarYearCovered(year: number): boolean {
  return COVERED_YEARS.has(year)
}

function assertCovered(day: string, y: number): void {
  if (!COVERED_YEARS.has(y)) {
    const last = Math.max(...COVERED_YEARS)
    throw new MarketRuleError(
      'CALENDAR_YEAR_NOT_COVERED',
      `没有${y}年的交易所休市安排 (${day}); 已知年份至${last}年。请在交易所公布后更新 chinese-days 或 lib/market/calendar-overrides.json, 在此之前不交易`,
      `no exchange holiday schedule for ${y} (${day}); calendar data ends in ${last}. Update chinese-days or lib/market/calendar-overrides.json once the exchanges publish it; no trading until then`,
    )
  }
}

/** 0 = Sunday … 6 = Saturday, computed on the calendar date itself (no time zone involved). */
export function weekdayOf(day: string): number {
  const { y, m, d } = dayParts(day)
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}

export function isExchangeClosure(day: string): boolean {
  const { y } = dayParts(day)
  assertCovered(day, y)
  return PACKAGE_HOLIDAYS[day] !== undefined || OVERRIDES.closures.has(day)
}

// The answer for a day never changes within a process (the data is compiled in): remember it.
// Uncovered years throw every time and are never cached.
const TRADING_DAY = new Map<string, boolean>()

/** `day` is 'YYYY-MM-DD' in Asia/Shanghai. Throws CALENDAR_YEAR_NOT_COVERED for a year without data. */
export function isTradingDay(day: string): boolean {
  const hit = TRADING_DAY.get(day)
  if (hit !== undefined) return hit
  const wd = weekdayOf(day)
  const closed = isExchangeClosure(day)
  const open = wd >= 1 && wd <= 5 && !closed
  if (TRADING_DAY.size > 5_000) TRADING_DAY.clear()
  TRADING_DAY.set(day, open)
  return open
}

export function addDays(day: string, n: number): string {
  const { y, m, d } = dayParts(day)
  return new Date(Date.UTC(y, m - 1, d) + n * MS_PER_DAY).toISOString().slice(0, 10)
}

function step(day: string, dir: 1 | -1): string {
  let cur = day
  // The longest exchange closure (Spring Festival plus weekends) is about 10 days.
  for (let i = 0; i < 40; i++) {
    cur = addDays(cur, dir)
    if (isTradingDay(cur)) return cur
  }
  throw new MarketRuleError('CALENDAR_NO_TRADING_DAY', `${day} 前后40天内没有交易日, 日历数据可能有误`, `no trading day within 40 days of ${day}; calendar data looks wrong`)
}

/** First trading day strictly after `day`. Throws when that runs into a year without data. */
export function nextTradingDay(day: string): string {
  dayParts(day)
  return step(day, 1)
}

/** Last trading day strictly before `day`. */
export function previousTradingDay(day: string): string {
  dayParts(day)
  return step(day, -1)
}

/** The Asia/Shanghai calendar date of an instant, independent of the process TZ. */
const DAY_NAMES = new Map<number, string>()

export function shanghaiDate(at: Date): string {
  const ms = at instanceof Date ? at.getTime() : NaN
  if (!Number.isFinite(ms)) {
    throw new MarketRuleError('TIME_INVALID', `无效时间: ${String(at)}`, `invalid time: ${String(at)}`)
  }
  // Hot path (every evaluation): format each Shanghai day once.
  const index = Math.floor((ms + SHANGHAI_OFFSET_MS) / MS_PER_DAY)
  let name = DAY_NAMES.get(index)
  if (name === undefined) {
    name = new Date(index * MS_PER_DAY).toISOString().slice(0, 10)
    if (DAY_NAMES.size > 5_000) DAY_NAMES.clear()
    DAY_NAMES.set(index, name)
  }
  return name
}

/** Seconds since Shanghai midnight for an instant. */
export function shanghaiSecondOfDay(at: Date): number {
  const ms = at.getTime()
  if (!Number.isFinite(ms)) {
    throw new MarketRuleError('TIME_INVALID', `无效时间: ${String(at)}`, `invalid time: ${String(at)}`)
  }
  const local = ms + SHANGHAI_OFFSET_MS
  return Math.floor((((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 1000)
}

/** The instant of a Shanghai wall-clock time, e.g. shanghaiTime('2026-09-14', '09:30') → 01:30Z. */
export function shanghaiTime(day: string, hhmm: string): Date {
  const { y, m, d } = dayParts(day)
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(hhmm)
  if (!t || Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3] ?? 0) > 59) {
    throw new MarketRuleError('TIME_FORMAT', `时间应为 HH:MM 或 HH:MM:SS, 收到 ${hhmm}`, `time must be HH:MM or HH:MM:SS, got ${hhmm}`)
  }
  return new Date(Date.UTC(y, m - 1, d, Number(t[1]), Number(t[2]), Number(t[3] ?? 0)) - SHANGHAI_OFFSET_MS)
}
