/**
 * The worker's side of the trading calendar:
 *  - keeps lib/market's stored layers current (an admin import takes effect on the next tick);
 *  - on a provisional day (a year nobody has published), confirms the session from the quote feed:
 *    a trade of the day seen → open; none by 09:35 while quotes do arrive → recorded closed and
 *    everyone told. Until confirmed, no order is sent;
 *  - tells admins once a day while today is provisional, and weekly in December while next year
 *    is not loaded;
 *  - in December and January, fetches the coming year from the exchange's published calendar
 *    (at most once a day, in the background); a failure leaves the provisional rule in place.
 */
import type { Logger } from 'pino'
import { dayInfo, isCalendarYearCovered, plausibleYearSchedule, shanghaiDate, shanghaiSecondOfDay, type Quote } from '@/lib/market'
import { fetchExchangeCalendarYear, type CalendarFeedOptions, type CalendarFeedYear } from '@/lib/quotes'
import { recordObservedDay, saveExchangeDays } from '@/lib/db/calendar'
import { setServiceHealth } from '@/lib/db/worker-status'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { notifyAdmins, notifyAllUsers } from '../notifications'
import { calendarChanged, syncCalendar } from './calendar'

/** Seconds since Shanghai midnight by which a provisional day must show a trade of the day. */
export const SESSION_CONFIRM_BY_SEC = 9 * 3600 + 35 * 60
/** A quote counts as a trade of the day from the opening match on. */
const FIRST_TRADE_SEC = 9 * 3600 + 25 * 60
const SYNC_EVERY_MS = 5_000
const FETCH_EVERY_MS = 24 * 3_600_000
const FETCH_RETRY_MS = 3 * 3_600_000

export type SessionState = 'published' | 'confirmed' | 'unconfirmed' | 'closed'

export interface CalendarWatchOptions {
  log: Logger
  /** The exchange calendar feed; `baseUrl: ''` disables fetching. */
  feed: CalendarFeedOptions & { pauseMs?: number }
  /** Tests replace the fetch (e.g. to count calls); default fetchExchangeCalendarYear. */
  fetchYear?: (year: number, opts: CalendarFeedOptions & { pauseMs?: number }) => Promise<CalendarFeedYear>
}

export class CalendarWatch {
  private lastSync = 0
  private confirmedDay: string | null = null
  private lastFetchAt = 0
  private lastFetchOk = true
  private fetching: Promise<void> | null = null
  /** Notices already written (their dedupe keys make a repeat harmless; this spares the query). */
  private noticed = new Set<string>()

  constructor(private readonly o: CalendarWatchOptions) {}

  /** Every tick, before the market phase is computed: fresh layers, daily notices, the feed. */
  async beforeTick(now: Date): Promise<void> {
    if (Date.now() - this.lastSync >= SYNC_EVERY_MS) {
      this.lastSync = Date.now()
      const { changed } = await syncCalendar({ maxAgeMs: 0 })
      if (changed) this.o.log.info('trading calendar layers reloaded')
    }
    const day = shanghaiDate(now)
    const info = dayInfo(day)
    const year = Number(day.slice(0, 4))
    if (info.provisional) await this.noticeOnce(`calendar-provisional:${day}`, { type: 'CALENDAR_PROVISIONAL', params: { year, day } })
    const month = Number(day.slice(5, 7))
    if (month === 12 && !isCalendarYearCovered(year + 1)) {
      const week = Math.floor(Number(day.slice(8, 10)) / 7)
      await this.noticeOnce(`calendar-next-year:${year + 1}:w${week}`, { type: 'CALENDAR_NEXT_YEAR_MISSING', params: { year: year + 1 } })
    }
    this.maybeFetch(now)
  }

  /**
   * The session state for this cycle. `quotes` are the cycle's quotes for `requested` codes.
   * Only a provisional trading day needs confirming; a published day is 'published'.
   */
  async confirmSession(now: Date, quotes: Map<string, Quote>, requested: number): Promise<SessionState> {
    const day = shanghaiDate(now)
    const info = dayInfo(day)
    if (!info.provisional) return 'published'
    if (!info.trading) return 'closed'
    if (info.origin === 'observed') return 'confirmed'
    if (this.confirmedDay === day) return 'confirmed'
    const traded = [...quotes.values()].find((q) => !q.suspended && q.volume > 0 && shanghaiDate(q.time) === day && shanghaiSecondOfDay(q.time) >= FIRST_TRADE_SEC)
    if (traded) {
      this.confirmedDay = day
      await recordObservedDay(day, 'open', 'trades-seen', `${traded.source}: ${traded.code} ${traded.time.toISOString()}`)
      calendarChanged()
      this.o.log.info({ day, code: traded.code, quoteTime: traded.time.toISOString() }, 'provisional day confirmed open from the quote feed')
      return 'confirmed'
    }
    // Without any quote we cannot tell a closed market from a dead feed: keep waiting.
    if (shanghaiSecondOfDay(now) < SESSION_CONFIRM_BY_SEC || requested === 0 || quotes.size === 0) return 'unconfirmed'
    const recorded = await recordObservedDay(day, 'closed', 'no-quotes', `no trade of ${day} in ${quotes.size} quotes by 09:35`)
    calendarChanged()
    await syncCalendar({ maxAgeMs: 0 })
    if (recorded) {
      const sec = shanghaiSecondOfDay(now)
      const time = `${String(Math.floor(sec / 3600)).padStart(2, '0')}:${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}`
      await writeTx(getDb(), (tx) => notifyAllUsers(tx, { type: 'CALENDAR_DAY_CLOSED', params: { day, time, count: quotes.size }, dedupeKey: `calendar-closed:${day}` }))
      this.o.log.warn({ day, quotes: quotes.size }, 'provisional day shows no trade by 09:35: recorded closed')
    }
    return 'closed'
  }

  private async noticeOnce(dedupeKey: string, input: { type: 'CALENDAR_PROVISIONAL' | 'CALENDAR_NEXT_YEAR_MISSING'; params: Record<string, string | number> }): Promise<void> {
    if (this.noticed.has(dedupeKey)) return
    await writeTx(getDb(), (tx) => notifyAdmins(tx, { ...input, dedupeKey }))
    if (this.noticed.size > 100) this.noticed.clear()
    this.noticed.add(dedupeKey)
  }

  /** Waits for a fetch under way (tests; a clean shutdown). */
  async settled(): Promise<void> {
    await this.fetching
  }

  private maybeFetch(now: Date): void {
    if (this.fetching || this.o.feed.baseUrl === '' || this.o.feed.baseUrl === null) return
    const day = shanghaiDate(now)
    const month = Number(day.slice(5, 7))
    const target = month === 12 ? Number(day.slice(0, 4)) + 1 : month === 1 ? Number(day.slice(0, 4)) : null
    if (target === null || isCalendarYearCovered(target)) return
    if (Date.now() - this.lastFetchAt < (this.lastFetchOk ? FETCH_EVERY_MS : FETCH_RETRY_MS)) return
    this.lastFetchAt = Date.now()
    this.fetching = this.fetchYear(target)
      .catch((e) => this.o.log.error({ err: e, year: target }, 'calendar fetch failed'))
      .finally(() => {
        this.fetching = null
      })
  }

  private async fetchYear(year: number): Promise<void> {
    const res = await (this.o.fetchYear ?? fetchExchangeCalendarYear)(year, this.o.feed)
    const days = res.months.flatMap((m) => m.days)
    const check = res.complete ? plausibleYearSchedule(year, days) : null
    if (!check || !check.ok) {
      this.lastFetchOk = false
      const error = check ? check.reason.message : res.errors.map((e) => `${e.month}: ${e.error.message}`).slice(0, 3).join('; ')
      await setServiceHealth('calendar-feed', false, { error, details: { year, source: res.source, months: res.months.length } })
      await writeTx(getDb(), (tx) => notifyAdmins(tx, { type: 'CALENDAR_FETCH_FAILED', params: { year, source: res.source, error }, dedupeKey: `calendar-fetch-failed:${year}:${new Date().toISOString().slice(0, 10)}` }))
      this.o.log.warn({ year, error }, 'exchange calendar not taken: the provisional rule stays')
      return
    }
    this.lastFetchOk = true
    const saved = await saveExchangeDays(days, res.source, [year])
    await setServiceHealth('calendar-feed', true, { details: { year, source: res.source, months: res.months.length, closures: check.closures } })
    calendarChanged()
    await syncCalendar({ maxAgeMs: 0 })
    await writeTx(getDb(), (tx) =>
      notifyAdmins(tx, { type: 'CALENDAR_FETCHED', params: { year, source: res.source, months: res.months.length, closures: check.closures, complete: `${year}: ✓` }, dedupeKey: `calendar-fetched:${year}` }),
    )
    this.o.log.info({ year, source: res.source, changed: saved.changed }, 'exchange calendar fetched and stored')
  }
}
