import packageDays from 'chinese-days/dist/chinese-days.json'
import overridesJson from './calendar-overrides.json'
import { MarketRuleError, type Reason } from './errors'

/**
 * Exchange trading calendar (a-share-rules §13), in layers, highest first:
 *   1. admin     — closures, make-up days and "year complete" marks entered on the settings page;
 *   2. exchange  — days fetched from the exchange's published monthly calendar;
 *   3. shipped   — calendar-overrides.json in this repo;
 *   4. package   — chinese-days' compiled JSON (State-Council holidays, 2004–2026 in 1.5.7);
 *   5. observed  — on a provisional day, what the worker saw in the quote feed (no trades by 09:35);
 *   6. rule      — a year nobody has published yet: Monday–Friday except 1 January, PROVISIONAL.
 * Weekends are always closed (weekend make-up workdays 调休上班 stay closed for the exchanges).
 *
 * A year without published data must not stop monitoring: the worker keeps watching on the
 * provisional rule, and the guards downstream keep a closed weekday from trading (a quote dated
 * another day, or one that did not advance, fires nothing; the worker confirms the session from the
 * quote feed before sending). Everything shown to the trader carries `provisional`.
 *
 * The data from layers 1, 2 and 5 lives in the database; callers pass it in with
 * `setCalendarData()` (this module stays pure: no I/O). chinese-days' functions are not used: they
 * convert Date inputs with the process time zone and silently treat unknown years as weekdays.
 */

type DayMap = Record<string, string>

interface OverrideFile {
  years: Record<string, { closures: string[]; source?: string }>
  extraClosures: Array<string | { date: string; source?: string }>
}

/** Where a day's answer came from. */
export type CalendarOrigin = 'admin' | 'exchange' | 'shipped' | 'package' | 'observed' | 'rule'

/** One stored day (from the database): a closure, a make-up weekend (info only), or a day known open. */
export interface CalendarDayEntry {
  date: string
  /** 'closed' = no trading that day; 'open' = a trading day (fetched or confirmed from quotes). */
  status: 'closed' | 'open'
  origin: 'admin' | 'exchange' | 'observed'
  /** e.g. 'makeup' for a weekend 调休 workday, 'holiday', 'observed-no-quotes'. Informational. */
  kind?: string
  source: string
}

/** A year declared complete: its weekday closures are all known, so nothing in it is provisional. */
export interface CalendarYearEntry {
  year: number
  origin: 'admin' | 'exchange'
  source: string
}

export interface CalendarData {
  years: CalendarYearEntry[]
  days: CalendarDayEntry[]
}

export interface DayInfo {
  date: string
  trading: boolean
  /** True when no published source covers the day: the answer is the weekday rule (or an observation). */
  provisional: boolean
  origin: CalendarOrigin
  source: string
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const MS_PER_DAY = 86_400_000
/** China has had no DST since 1991: Asia/Shanghai is a fixed UTC+08:00. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000
const PACKAGE_SOURCE = 'chinese-days 1.5.7 (国务院节假日安排)'
const RULE_SOURCE = '未公布: 周一至周五交易, 1月1日休市 (临时规则) / not published: Monday–Friday except 1 January (provisional rule)'

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

/** True for a valid 'YYYY-MM-DD' calendar date. */
export function isValidDay(day: string): boolean {
  try {
    dayParts(day)
    return true
  } catch {
    return false
  }
}

function loadOverrides(raw: unknown): { years: Map<number, string>; closures: Map<string, string> } {
  const bad = (why: string): never => {
    throw new MarketRuleError('CALENDAR_OVERRIDES_INVALID', `calendar-overrides.json 格式错误: ${why}`, `calendar-overrides.json is malformed: ${why}`)
  }
  if (typeof raw !== 'object' || raw === null) bad('not an object')
  const file = raw as Partial<OverrideFile>
  const years = new Map<number, string>()
  const closures = new Map<string, string>()
  const addDay = (d: unknown, where: string, source: string) => {
    if (typeof d !== 'string') bad(`${where}: ${String(d)} is not a date string`)
    dayParts(d as string)
    closures.set(d as string, source)
  }
  for (const [year, entry] of Object.entries(file.years ?? {})) {
    if (!/^\d{4}$/.test(year) || !entry || !Array.isArray(entry.closures)) bad(`years.${year} needs a closures array`)
    const source = `calendar-overrides.json: ${entry.source ?? year}`
    for (const d of entry.closures) {
      addDay(d, `years.${year}`, source)
      if (!d.startsWith(`${year}-`)) bad(`years.${year} lists ${d}`)
    }
    years.set(Number(year), source)
  }
  for (const e of file.extraClosures ?? []) {
    const date = typeof e === 'string' ? e : e?.date
    const source = typeof e === 'string' ? 'calendar-overrides.json' : `calendar-overrides.json: ${e?.source ?? ''}`
    addDay(date, 'extraClosures', source)
  }
  return { years, closures }
}

const PACKAGE_HOLIDAYS = (packageDays as { holidays: DayMap }).holidays
const PACKAGE_WORKDAYS = (packageDays as { workdays: DayMap }).workdays
const PACKAGE_YEARS = new Set<number>()
for (const section of Object.values(packageDays as Record<string, DayMap>)) {
  for (const d of Object.keys(section)) PACKAGE_YEARS.add(Number(d.slice(0, 4)))
}
const SHIPPED = loadOverrides(overridesJson)

/** The stored layers (admin, exchange, observed), indexed. Replaced as a whole by setCalendarData. */
interface Layers {
  admin: Map<string, CalendarDayEntry>
  exchange: Map<string, CalendarDayEntry>
  observed: Map<string, CalendarDayEntry>
  years: Map<number, { origin: CalendarOrigin; source: string }>
}

function shippedYears(): Map<number, { origin: CalendarOrigin; source: string }> {
  const years = new Map<number, { origin: CalendarOrigin; source: string }>()
  for (const y of PACKAGE_YEARS) years.set(y, { origin: 'package', source: PACKAGE_SOURCE })
  for (const [y, source] of SHIPPED.years) years.set(y, { origin: 'shipped', source })
  return years
}

let layers: Layers = { admin: new Map(), exchange: new Map(), observed: new Map(), years: shippedYears() }
let dataVersion = 0

// The answer for a day only changes when the data is replaced: remember it until then.
const DAY_INFO = new Map<string, DayInfo>()

/**
 * Installs the stored layers (admin entries, fetched exchange days, observations). Validates every
 * entry: a malformed date or a weekend marked open throws and leaves the previous data in place.
 */
export function setCalendarData(data: CalendarData): void {
  const next: Layers = { admin: new Map(), exchange: new Map(), observed: new Map(), years: shippedYears() }
  for (const e of data.days) {
    const { y, m, d } = dayParts(e.date)
    const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
    if (e.status === 'open' && (wd === 0 || wd === 6)) {
      throw new MarketRuleError('CALENDAR_WEEKEND_OPEN', `${e.date} 是周末, 交易所不开市`, `${e.date} is a weekend; the exchanges do not open`)
    }
    next[e.origin].set(e.date, e)
  }
  for (const y of data.years) {
    if (!Number.isInteger(y.year)) throw new MarketRuleError('CALENDAR_YEAR_INVALID', `无效年份 ${String(y.year)}`, `invalid year ${String(y.year)}`)
    const have = next.years.get(y.year)
    // admin beats exchange beats the shipped layers as the named source of a complete year
    if (!have || y.origin === 'admin' || (y.origin === 'exchange' && have.origin !== 'admin')) next.years.set(y.year, { origin: y.origin, source: y.source })
  }
  layers = next
  dataVersion++
  DAY_INFO.clear()
}

/** Bumped by every setCalendarData: lets callers cache what they derived from the calendar. */
export function calendarDataVersion(): number {
  return dataVersion
}

/** Years with a complete published schedule, ascending, with where that came from. */
export function coveredYearSources(): Array<{ year: number; origin: CalendarOrigin; source: string }> {
  return [...layers.years.entries()].sort((a, b) => a[0] - b[0]).map(([year, v]) => ({ year, ...v }))
}

/** Years the calendar knows completely, ascending. Surface the last one in the UI. */
export function coveredYears(): number[] {
  return [...layers.years.keys()].sort((a, b) => a - b)
}

export function isCalendarYearCovered(year: number): boolean {
  return layers.years.has(year)
}

/** 0 = Sunday … 6 = Saturday, computed on the calendar date itself (no time zone involved). */
export function weekdayOf(day: string): number {
  const { y, m, d } = dayParts(day)
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}

function computeDayInfo(day: string): DayInfo {
  const { y, m, d } = dayParts(day)
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  const weekend = wd === 0 || wd === 6
  const covered = layers.years.has(y)
  const stated = layers.admin.get(day) ?? layers.exchange.get(day)
  if (stated) return { date: day, trading: !weekend && stated.status === 'open', provisional: false, origin: stated.origin, source: stated.source }
  if (weekend) return { date: day, trading: false, provisional: !covered, origin: covered ? (layers.years.get(y)!.origin) : 'rule', source: covered ? layers.years.get(y)!.source : RULE_SOURCE }
  const shipped = SHIPPED.closures.get(day)
  if (shipped !== undefined) return { date: day, trading: false, provisional: false, origin: 'shipped', source: shipped }
  if (PACKAGE_HOLIDAYS[day] !== undefined) return { date: day, trading: false, provisional: false, origin: 'package', source: `${PACKAGE_SOURCE}: ${PACKAGE_HOLIDAYS[day]}` }
  // 1 January is a statutory holiday every year, whether or not a source remembered to list it.
  if (m === 1 && d === 1) return { date: day, trading: false, provisional: !covered, origin: 'rule', source: RULE_SOURCE }
  if (covered) {
    const year = layers.years.get(y)!
    return { date: day, trading: true, provisional: false, origin: year.origin, source: year.source }
  }
  const observed = layers.observed.get(day)
  if (observed) return { date: day, trading: observed.status === 'open', provisional: true, origin: 'observed', source: observed.source }
  return { date: day, trading: true, provisional: true, origin: 'rule', source: RULE_SOURCE }
}

/** Everything known about a day: open or not, whether that is provisional, and where it came from. */
export function dayInfo(day: string): DayInfo {
  let hit = DAY_INFO.get(day)
  if (hit === undefined) {
    hit = computeDayInfo(day)
    if (DAY_INFO.size > 5_000) DAY_INFO.clear()
    DAY_INFO.set(day, hit)
  }
  return hit
}

/** A weekday on which the exchanges are closed. */
export function isExchangeClosure(day: string): boolean {
  return weekdayOf(day) % 6 !== 0 && !dayInfo(day).trading
}

/** `day` is 'YYYY-MM-DD' in Asia/Shanghai. Never throws for a year without data: see dayInfo().provisional. */
export function isTradingDay(day: string): boolean {
  return dayInfo(day).trading
}

/** True when no published source covers the day (the worker then confirms the session from quotes). */
export function isProvisionalDay(day: string): boolean {
  return dayInfo(day).provisional
}

export interface YearSummary {
  year: number
  /** The whole year is published (no day of it is provisional unless listed below). */
  covered: boolean
  coveredBy: { origin: CalendarOrigin; source: string } | null
  tradingDays: number
  provisionalDays: number
  /** Weekdays without trading, with where each came from. */
  closures: DayInfo[]
  /** Weekend make-up workdays (调休上班): closed for the exchanges, listed because notices name them. */
  makeups: Array<{ date: string; origin: CalendarOrigin; source: string }>
}

/** What the calendar says about a whole year, for the settings page and the status page. */
export function yearSummary(year: number): YearSummary {
  const closures: DayInfo[] = []
  const makeups: YearSummary['makeups'] = []
  let tradingDays = 0
  let provisionalDays = 0
  for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) {
    const info = dayInfo(d)
    if (info.provisional) provisionalDays++
    if (info.trading) tradingDays++
    else if (weekdayOf(d) % 6 !== 0) closures.push(info)
    else {
      const stated = layers.admin.get(d) ?? layers.exchange.get(d)
      if (stated?.kind === 'makeup') makeups.push({ date: d, origin: stated.origin, source: stated.source })
      else if (PACKAGE_WORKDAYS[d] !== undefined) makeups.push({ date: d, origin: 'package', source: `${PACKAGE_SOURCE}: ${PACKAGE_WORKDAYS[d]}` })
    }
  }
  const cov = layers.years.get(year) ?? null
  return { year, covered: cov !== null, coveredBy: cov, tradingDays, provisionalDays, closures, makeups }
}

/**
 * Whether a fetched year looks like a published schedule rather than a bare weekday grid (which an
 * exchange site may serve for months it has not published yet): every day present once, no
 * weekend open, 1 January closed, and the Spring Festival and National Day weeks closed.
 */
export function plausibleYearSchedule(year: number, days: Array<{ date: string; trading: boolean }>): { ok: true; closures: number } | { ok: false; reason: Reason } {
  const bad = (zh: string, en: string) => ({ ok: false as const, reason: { code: 'CALENDAR_IMPLAUSIBLE', message: `${year} 年交易日历不可信: ${zh}`, messageEn: `the ${year} calendar is not plausible: ${en}` } })
  const byDate = new Map<string, boolean>()
  for (const d of days) {
    if (!isValidDay(d.date) || !d.date.startsWith(`${year}-`)) return bad(`日期 ${d.date} 不属于该年`, `date ${d.date} is not in that year`)
    if (byDate.has(d.date)) return bad(`${d.date} 出现两次`, `${d.date} appears twice`)
    if (d.trading && weekdayOf(d.date) % 6 === 0) return bad(`周末 ${d.date} 标为交易日`, `weekend ${d.date} marked as trading`)
    byDate.set(d.date, d.trading)
  }
  const total = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / MS_PER_DAY
  if (byDate.size !== total) return bad(`只有 ${byDate.size}/${total} 天`, `only ${byDate.size} of ${total} days`)
  if (byDate.get(`${year}-01-01`)) return bad('1月1日标为交易日', '1 January marked as trading')
  const closedWeekdays = (from: string, to: string) => [...byDate].filter(([d, t]) => d >= from && d <= to && !t && weekdayOf(d) % 6 !== 0).length
  if (closedWeekdays(`${year}-01-20`, `${year}-02-25`) < 3) return bad('没有春节休市', 'no Spring Festival closure')
  if (closedWeekdays(`${year}-10-01`, `${year}-10-08`) < 3) return bad('没有国庆休市', 'no National Day closure')
  return { ok: true, closures: closedWeekdays(`${year}-01-01`, `${year}-12-31`) }
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

/** First trading day strictly after `day` (provisional beyond the published years). */
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
