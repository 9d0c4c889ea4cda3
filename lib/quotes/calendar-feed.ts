/**
 * Exchange trading-calendar feed: the Shenzhen Stock Exchange's monthly calendar, the JSON behind
 * https://www.szse.cn/aboutus/calendar/. One GET per month:
 *
 *   GET {base}/api/report/exchange/onepersistenthour/monthList?month=2026-10
 *   → {"data":[{"zrxh":5,"jybz":"0","jyrq":"2026-10-01"}, … one row per natural day …],"nowdate":"2026-09-17"}
 *
 *   jyrq  交易日期  the date, YYYY-MM-DD
 *   jybz  交易标志  "1" trading day, "0" closed
 *   zrxh  周日序号  weekday 1–7 = Sunday–Saturday
 *   nowdate        the server's own date
 *
 * A real answer is stored verbatim in tests/fixtures/szse_calendar_month.json (provenance in
 * tests/fixtures/README.md). SSE and SZSE equities share one trading calendar.
 *
 * The calendar decides whether orders go out, so a body is used whole or not at all: every natural
 * day of the month exactly once, nothing outside the month, no weekend marked trading, and zrxh (when
 * sent) agreeing with the date. Anything else rejects the month with a CalendarFeedError that names
 * the problems; the caller keeps whatever calendar it had.
 *
 * Deliberately not assumed: what SZSE answers for a month it has not scheduled yet (an empty list is
 * rejected as "no days"; a weekday-only answer cannot be told apart from a real one here).
 */
import { z } from 'zod'
import { httpGetBytes, decodeUtf8 } from './http'
import { QuoteSourceError, type QuoteSourceErrorKind } from './types'

export const SZSE_CALENDAR_BASE = 'https://www.szse.cn'
export const SZSE_CALENDAR_PATH = '/api/report/exchange/onepersistenthour/monthList'
/** The page the endpoint belongs to; browsers send it as Referer. */
export const SZSE_CALENDAR_REFERER = 'https://www.szse.cn/aboutus/calendar/'
export const CALENDAR_FEED_TIMEOUT_MS = 10_000
/** Gap between the months of a year fetch, so a refresh is twelve unhurried requests, not a burst. */
export const CALENDAR_FEED_PAUSE_MS = 300

export interface CalendarFeedOptions {
  /**
   * Scheme + host (+ optional path prefix); the SZSE path is appended. Undefined → the real SZSE host.
   * Empty string or null → the feed is disabled and nothing is requested (env CALENDAR_FEED_URL="").
   */
  baseUrl?: string | null
  /** Per-request timeout covering headers and body. Default 10 s. */
  timeoutMs?: number
  fetchImpl?: typeof fetch
  signal?: AbortSignal
  /** Clock for fetchedAt. */
  now?: () => Date
  /** Provenance label; default `szse` for www.szse.cn, `szse-format@host` for any other host. */
  source?: string
}

export interface CalendarFeedDay {
  date: string
  trading: boolean
}

export interface CalendarFeedMonth {
  month: string
  /** Every natural day of the month, ascending. */
  days: CalendarFeedDay[]
  source: string
  url: string
  /** When the answer arrived. */
  fetchedAt: Date
  /** The server's `nowdate`, when it sent one. */
  serverDate: string | null
}

export type CalendarFeedErrorKind = QuoteSourceErrorKind | 'disabled'

/** One month could not be had: transport trouble, a refused body, or the feed switched off. */
export class CalendarFeedError extends Error {
  override readonly name = 'CalendarFeedError'
  readonly kind: CalendarFeedErrorKind
  readonly month: string
  readonly source: string
  readonly status?: number

  constructor(kind: CalendarFeedErrorKind, month: string, source: string, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(`${source} ${month}: ${kind}: ${message}`, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.kind = kind
    this.month = month
    this.source = source
    if (opts.status !== undefined) this.status = opts.status
  }
}

export function isCalendarFeedError(e: unknown): e is CalendarFeedError {
  return e instanceof CalendarFeedError
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const WEEKDAY = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

// Unknown keys are ignored rather than refused: an extra field from SZSE must not cost the calendar.
// jybz is a string on the wire; a bare 0/1 number means the same thing and is accepted.
const rowSchema = z.object({
  jyrq: z.string(),
  jybz: z.union([z.enum(['0', '1']), z.literal(0), z.literal(1)]),
  zrxh: z.number().int().min(1).max(7).optional(),
})
const bodySchema = z.object({
  data: z.array(rowSchema),
  nowdate: z.string().optional(),
})

function monthParts(month: string): { y: number; m: number; length: number } {
  const match = typeof month === 'string' ? MONTH_RE.exec(month) : null
  if (!match) throw new RangeError(`month must be YYYY-MM, got ${String(month)}`)
  const y = Number(match[1])
  const m = Number(match[2])
  return { y, m, length: new Date(Date.UTC(y, m, 0)).getUTCDate() }
}

/** 0 = Sunday … 6 = Saturday, or null when `day` is not a real date. */
function weekdayOrNull(day: string): number | null {
  const match = DAY_RE.exec(day)
  if (!match) return null
  const y = Number(match[1])
  const m = Number(match[2])
  const d = Number(match[3])
  const probe = new Date(Date.UTC(y, m - 1, d))
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null
  return probe.getUTCDay()
}

function listProblems(problems: string[]): string {
  const shown = problems.slice(0, 6).join('; ')
  return problems.length > 6 ? `${shown}; and ${problems.length - 6} more` : shown
}

/**
 * Validate one month's body (text as received) and return its days, ascending. Throws a
 * CalendarFeedError of kind `malformed` listing what is wrong; never returns part of a month.
 */
export function parseExchangeCalendarMonth(month: string, body: string, source = 'szse'): { days: CalendarFeedDay[]; serverDate: string | null } {
  const { y, m, length } = monthParts(month)
  const bad = (why: string): never => {
    throw new CalendarFeedError('malformed', month, source, why)
  }
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    bad(`body is not JSON: ${JSON.stringify(body.slice(0, 80))}`)
  }
  const parsed = bodySchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    bad(`unexpected shape: ${listProblems(issues)}`)
  }
  const rows = parsed.data!.data
  if (rows.length === 0) bad('no days in the answer (month not published?)')

  const problems: string[] = []
  const byDate = new Map<string, boolean>()
  const prefix = `${month}-`
  for (const row of rows) {
    const weekday = weekdayOrNull(row.jyrq)
    const trading = row.jybz === '1' || row.jybz === 1
    if (weekday === null) {
      problems.push(`${JSON.stringify(row.jyrq)} is not a date`)
      continue
    }
    if (!row.jyrq.startsWith(prefix)) {
      problems.push(`${row.jyrq} is outside ${month}`)
      continue
    }
    if (byDate.has(row.jyrq)) {
      problems.push(`${row.jyrq} appears more than once`)
      continue
    }
    if (row.zrxh !== undefined && row.zrxh !== weekday + 1) {
      problems.push(`${row.jyrq} is a ${WEEKDAY[weekday]} but zrxh says ${row.zrxh}`)
    }
    if (trading && (weekday === 0 || weekday === 6)) {
      problems.push(`${row.jyrq} is a ${WEEKDAY[weekday]} but marked trading`)
    }
    byDate.set(row.jyrq, trading)
  }
  const days: CalendarFeedDay[] = []
  for (let d = 1; d <= length; d++) {
    const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
    const trading = byDate.get(date)
    if (trading === undefined) problems.push(`${date} is missing`)
    else days.push({ date, trading })
  }
  if (problems.length > 0) bad(listProblems(problems))
  return { days, serverDate: parsed.data!.nowdate ?? null }
}

/** The request URL for one month, or null when the feed is disabled. */
export function calendarFeedUrl(month: string, baseUrl: string | null | undefined = SZSE_CALENDAR_BASE): string | null {
  monthParts(month)
  const base = baseUrl === undefined ? SZSE_CALENDAR_BASE : baseUrl
  if (base === null || base.trim() === '') return null
  return `${base.trim().replace(/\/+$/, '')}${SZSE_CALENDAR_PATH}?month=${month}`
}

function sourceLabel(opts: CalendarFeedOptions): string {
  if (opts.source) return opts.source
  const base = opts.baseUrl === undefined ? SZSE_CALENDAR_BASE : opts.baseUrl
  if (base === null || base.trim() === '') return 'szse'
  try {
    const host = new URL(base.trim()).host
    return host === 'www.szse.cn' || host === 'szse.cn' ? 'szse' : `szse-format@${host}`
  } catch {
    return `szse-format@${base.trim()}`
  }
}

/**
 * Fetch and validate one month. Rejects with CalendarFeedError (`disabled`, `timeout`, `http`,
 * `network`, `blocked`, `malformed`); rejects with the signal's reason when `opts.signal` aborts.
 */
export async function fetchExchangeCalendarMonth(month: string, opts: CalendarFeedOptions = {}): Promise<CalendarFeedMonth> {
  const source = sourceLabel(opts)
  const url = calendarFeedUrl(month, opts.baseUrl)
  if (url === null) throw new CalendarFeedError('disabled', month, source, 'no calendar feed URL configured')
  try {
    new URL(url)
  } catch (e) {
    throw new CalendarFeedError('network', month, source, `invalid feed URL ${url}`, { cause: e })
  }
  let bytes: Uint8Array
  try {
    const res = await httpGetBytes(source, url, {
      timeoutMs: opts.timeoutMs ?? CALENDAR_FEED_TIMEOUT_MS,
      signal: opts.signal,
      fetchImpl: opts.fetchImpl,
      headers: { Accept: 'application/json, text/plain, */*', Referer: SZSE_CALENDAR_REFERER },
    })
    bytes = res.bytes
  } catch (e) {
    if (e instanceof QuoteSourceError) {
      throw new CalendarFeedError(e.kind, month, source, e.message.replace(`${source}: ${e.kind}: `, ''), { status: e.status, cause: e })
    }
    throw e
  }
  const fetchedAt = opts.now ? opts.now() : new Date()
  const { days, serverDate } = parseExchangeCalendarMonth(month, decodeUtf8(bytes), source)
  return { month, days, source, url, fetchedAt, serverDate }
}

export interface CalendarFeedYear {
  year: number
  source: string
  /** Months that arrived whole and valid, ascending. */
  months: CalendarFeedMonth[]
  /** One entry per month that did not. */
  errors: Array<{ month: string; error: CalendarFeedError }>
  /** All twelve months arrived. */
  complete: boolean
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Fetch January–December of `year` one month after another (`pauseMs` apart, default 300 ms). A
 * failed month is reported in `errors` and the others are kept; only an abort of `opts.signal`
 * rejects. A disabled feed answers twelve `disabled` errors without touching the network.
 */
export async function fetchExchangeCalendarYear(year: number, opts: CalendarFeedOptions & { pauseMs?: number } = {}): Promise<CalendarFeedYear> {
  if (!Number.isInteger(year) || year < 1990 || year > 9999) throw new RangeError(`year must be an integer from 1990, got ${String(year)}`)
  const source = sourceLabel(opts)
  const months: CalendarFeedMonth[] = []
  const errors: CalendarFeedYear['errors'] = []
  const pauseMs = opts.pauseMs ?? CALENDAR_FEED_PAUSE_MS
  let requested = false
  for (let m = 1; m <= 12; m++) {
    const month = `${year}-${String(m).padStart(2, '0')}`
    if (calendarFeedUrl(month, opts.baseUrl) === null) {
      errors.push({ month, error: new CalendarFeedError('disabled', month, source, 'no calendar feed URL configured') })
      continue
    }
    if (requested) await pause(pauseMs, opts.signal)
    requested = true
    try {
      months.push(await fetchExchangeCalendarMonth(month, { ...opts, source }))
    } catch (e) {
      if (e instanceof CalendarFeedError) errors.push({ month, error: e })
      else throw e
    }
  }
  return { year, source, months, errors, complete: errors.length === 0 }
}
