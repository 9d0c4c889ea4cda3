/**
 * The trading calendar's stored layers, for the web app and the worker: loading them into
 * lib/market (which stays pure), the admin's import (preview with per-line errors, then save,
 * audit-logged), and the overview the settings and status pages show.
 */
import { calendarDataVersion, dayInfo, parseCalendarImport, setCalendarData, shanghaiDate, yearSummary, type DayInfo, type ImportResult, type YearSummary } from '@/lib/market'
import { calendarStamp, deleteAdminCalendarDay, listCalendarRows, loadCalendarData, saveAdminCalendar, unmarkAdminYear, type Actor, type CalendarRow, type CalendarYearRow } from '@/lib/db/calendar'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { getServiceHealth } from '@/lib/db/worker-status'
import { ValidationError } from '@/lib/errors'
import { notifyAllUsers } from '../notifications'

let loadedStamp: string | null = null
let loadedVersion = -1
let checkedAt = 0

/**
 * Installs the stored layers into lib/market when they changed. `maxAgeMs` bounds how often the
 * stamp is read (web requests share one read per second; the worker reads it every tick).
 */
export async function syncCalendar(opts: { maxAgeMs?: number } = {}): Promise<{ changed: boolean }> {
  const now = Date.now()
  // lib/market's data may have been replaced by someone else since (a test, another loader)
  const ours = loadedVersion === calendarDataVersion()
  if (ours && loadedStamp !== null && now - checkedAt < (opts.maxAgeMs ?? 1_000)) return { changed: false }
  checkedAt = now
  const stamp = await calendarStamp()
  if (ours && stamp === loadedStamp) return { changed: false }
  setCalendarData(await loadCalendarData())
  loadedStamp = stamp
  loadedVersion = calendarDataVersion()
  return { changed: true }
}

/** Forces the next syncCalendar to read the database (after this process wrote a layer). */
export function calendarChanged(): void {
  checkedAt = 0
}

export interface CalendarOverview {
  year: number
  today: DayInfo
  summary: YearSummary
  /** The stored rows behind the layers (including ones a higher layer overrides). */
  rows: CalendarRow[]
  years: CalendarYearRow[]
  feed: { ok: boolean; lastOkAt: Date | null; lastErrorAt: Date | null; lastError: string | null; details: unknown } | null
}

export async function calendarOverview(year: number, now: Date): Promise<CalendarOverview> {
  await syncCalendar()
  const [stored, feed] = await Promise.all([listCalendarRows(year), getServiceHealth('calendar-feed')])
  return {
    year,
    today: dayInfo(shanghaiDate(now)),
    summary: yearSummary(year),
    rows: stored.days,
    years: stored.years,
    feed: feed ? { ok: feed.status === 'up', lastOkAt: feed.lastOkAt, lastErrorAt: feed.lastErrorAt, lastError: feed.lastError, details: feed.details } : null,
  }
}

/** Today's calendar answer for headers and the status page. */
export async function calendarToday(now: Date): Promise<DayInfo & { year: number; covered: boolean }> {
  await syncCalendar()
  const info = dayInfo(shanghaiDate(now))
  const year = Number(info.date.slice(0, 4))
  return { ...info, year, covered: !info.provisional }
}

export interface ImportPreview extends ImportResult {
  /** For each entry, what the calendar says about the day now (so the admin sees what changes). */
  current: Record<string, { trading: boolean; provisional: boolean; origin: string }>
}

export async function previewCalendarImport(input: { year: number; text: string }): Promise<ImportPreview> {
  await syncCalendar()
  const result = parseCalendarImport(input.text, { year: input.year })
  const current: ImportPreview['current'] = {}
  for (const e of result.entries) {
    const info = dayInfo(e.date)
    current[e.date] = { trading: info.trading, provisional: info.provisional, origin: info.origin }
  }
  return { ...result, current }
}

/**
 * Saves an import only when every line parsed: a notice with one bad line is not half-applied.
 * Everyone is told (the days decide when their monitors trade).
 */
export async function saveCalendarImport(input: { year: number; text: string; source: string; complete: boolean }, actor: Actor): Promise<{ saved: number; preview: ImportPreview }> {
  const preview = await previewCalendarImport(input)
  if (preview.errorCount > 0) throw new ValidationError({ text: ['calendar.importHasErrors'] })
  if (preview.entries.length === 0 && !input.complete) throw new ValidationError({ text: ['calendar.textRequired'] })
  const res = await saveAdminCalendar(
    { year: input.year, complete: input.complete, source: input.source, days: preview.entries.map((e) => ({ date: e.date, status: e.status, kind: e.kind, label: e.label })) },
    actor,
  )
  await writeTx(getDb(), (tx) =>
    notifyAllUsers(tx, {
      type: 'CALENDAR_UPDATED',
      params: { year: input.year, actor: actor.label, count: res.saved, source: input.source, complete: input.complete ? `${input.year}: ✓` : '' },
      dedupeKey: `calendar-updated:${input.year}:${Date.now()}`,
    }),
  )
  calendarChanged()
  await syncCalendar()
  return { saved: res.saved, preview }
}

export async function deleteCalendarEntry(input: { date: string } | { year: number; unmarkComplete: true }, actor: Actor): Promise<{ deleted: boolean }> {
  const deleted = 'date' in input ? await deleteAdminCalendarDay(input.date, actor) : await unmarkAdminYear(input.year, actor)
  calendarChanged()
  await syncCalendar()
  return { deleted }
}
