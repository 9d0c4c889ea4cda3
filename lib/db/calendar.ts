/**
 * Stored exchange-calendar layers (admin entries, fetched exchange days, worker observations).
 * lib/market/calendar.ts decides which layer wins; this file only reads and writes rows.
 */
import type { CalendarData, CalendarDayEntry } from '@/lib/market'
import { getDb } from './client'
import { isUniqueViolation, writeTx } from './tx'
import { writeAudit } from './audit'

export interface Actor {
  id: number | null
  label: string
}

export interface CalendarRow {
  date: string
  origin: 'admin' | 'exchange' | 'observed'
  status: 'closed' | 'open'
  kind: string | null
  label: string | null
  source: string
  createdBy: string | null
  updatedAt: Date
}

export interface CalendarYearRow {
  year: number
  origin: 'admin' | 'exchange'
  source: string
  createdBy: string | null
  updatedAt: Date
}

/** Changes whenever any stored calendar row changes: readers reload the layers only then. */
export async function calendarStamp(): Promise<string> {
  const db = getDb()
  const [d, y] = await Promise.all([
    db.calendarDay.aggregate({ _max: { updatedAt: true }, _count: { _all: true } }),
    db.calendarYear.aggregate({ _max: { updatedAt: true }, _count: { _all: true } }),
  ])
  return `${d._count._all}:${d._max.updatedAt?.getTime() ?? 0}:${y._count._all}:${y._max.updatedAt?.getTime() ?? 0}`
}

export async function loadCalendarData(): Promise<CalendarData> {
  const db = getDb()
  const [days, years] = await Promise.all([db.calendarDay.findMany({ orderBy: { date: 'asc' } }), db.calendarYear.findMany({ orderBy: { year: 'asc' } })])
  return {
    days: days.map((r) => ({ date: r.date, status: r.status as CalendarDayEntry['status'], origin: r.origin as CalendarDayEntry['origin'], kind: r.kind ?? undefined, source: r.source })),
    years: years.map((r) => ({ year: r.year, origin: r.origin as 'admin' | 'exchange', source: r.source })),
  }
}

export async function listCalendarRows(year: number): Promise<{ days: CalendarRow[]; years: CalendarYearRow[] }> {
  const db = getDb()
  const [days, years] = await Promise.all([
    db.calendarDay.findMany({ where: { date: { gte: `${year}-01-01`, lte: `${year}-12-31` } }, orderBy: [{ date: 'asc' }, { origin: 'asc' }] }),
    db.calendarYear.findMany({ where: { year } }),
  ])
  return { days: days as CalendarRow[], years: years as CalendarYearRow[] }
}

export interface AdminDayInput {
  date: string
  status: 'closed' | 'open'
  kind: string
  label: string
}

/**
 * Saves an admin import in one transaction: upserts each day (origin admin), optionally marks the
 * year complete, and writes one audit entry with what was there before.
 */
export async function saveAdminCalendar(input: { year: number; days: AdminDayInput[]; complete: boolean; source: string }, actor: Actor): Promise<{ saved: number }> {
  return writeTx(getDb(), async (tx) => {
    const before = await tx.calendarDay.findMany({ where: { origin: 'admin', date: { in: input.days.map((d) => d.date) } } })
    const yearBefore = await tx.calendarYear.findUnique({ where: { year_origin: { year: input.year, origin: 'admin' } } })
    for (const d of input.days) {
      const data = { status: d.status, kind: d.kind, label: d.label || null, source: input.source, createdBy: actor.label }
      await tx.calendarDay.upsert({ where: { date_origin: { date: d.date, origin: 'admin' } }, create: { date: d.date, origin: 'admin', ...data }, update: data })
    }
    if (input.complete) {
      await tx.calendarYear.upsert({
        where: { year_origin: { year: input.year, origin: 'admin' } },
        create: { year: input.year, origin: 'admin', source: input.source, createdBy: actor.label },
        update: { source: input.source, createdBy: actor.label },
      })
    }
    await writeAudit(tx, {
      actorId: actor.id,
      actor: actor.label,
      action: 'calendar.import',
      entity: 'CalendarYear',
      entityId: input.year,
      before: { days: before.map((r) => ({ date: r.date, status: r.status, kind: r.kind, source: r.source })), complete: !!yearBefore },
      after: { days: input.days, complete: input.complete || !!yearBefore, source: input.source },
    })
    return { saved: input.days.length }
  })
}

/** Removes one admin entry (the layers below it speak again). Audit-logged with the old row. */
export async function deleteAdminCalendarDay(date: string, actor: Actor): Promise<boolean> {
  return writeTx(getDb(), async (tx) => {
    const row = await tx.calendarDay.findUnique({ where: { date_origin: { date, origin: 'admin' } } })
    if (!row) return false
    await tx.calendarDay.delete({ where: { id: row.id } })
    await writeAudit(tx, { actorId: actor.id, actor: actor.label, action: 'calendar.delete', entity: 'CalendarDay', entityId: date, before: { date: row.date, status: row.status, kind: row.kind, label: row.label, source: row.source }, after: null })
    return true
  })
}

/** Withdraws the admin's "complete year" mark. Audit-logged. */
export async function unmarkAdminYear(year: number, actor: Actor): Promise<boolean> {
  return writeTx(getDb(), async (tx) => {
    const row = await tx.calendarYear.findUnique({ where: { year_origin: { year, origin: 'admin' } } })
    if (!row) return false
    await tx.calendarYear.delete({ where: { id: row.id } })
    await writeAudit(tx, { actorId: actor.id, actor: actor.label, action: 'calendar.year.unmark', entity: 'CalendarYear', entityId: year, before: { source: row.source }, after: null })
    return true
  })
}

/**
 * The worker's observation of a provisional day. The first observation of a day stands (a day
 * seen closed at 09:35 is not reopened by a late quote; the admin can correct it).
 */
export async function recordObservedDay(date: string, status: 'closed' | 'open', kind: string, source: string): Promise<boolean> {
  try {
    await getDb().calendarDay.create({ data: { date, origin: 'observed', status, kind, source, createdBy: 'worker' } })
    return true
  } catch (e) {
    if (isUniqueViolation(e)) return false
    throw e
  }
}

/** Days fetched from the exchange's calendar; replaces earlier fetched values for the same days. */
export async function saveExchangeDays(days: Array<{ date: string; trading: boolean }>, source: string, completeYears: number[]): Promise<{ changed: number }> {
  return writeTx(getDb(), async (tx) => {
    const existing = new Map((await tx.calendarDay.findMany({ where: { origin: 'exchange', date: { in: days.map((d) => d.date) } } })).map((r) => [r.date, r]))
    let changed = 0
    for (const d of days) {
      const status = d.trading ? 'open' : 'closed'
      const have = existing.get(d.date)
      if (have && have.status === status) continue
      changed++
      await tx.calendarDay.upsert({
        where: { date_origin: { date: d.date, origin: 'exchange' } },
        create: { date: d.date, origin: 'exchange', status, kind: d.trading ? 'open' : 'holiday', source, createdBy: 'worker' },
        update: { status, kind: d.trading ? 'open' : 'holiday', source },
      })
    }
    for (const year of completeYears) {
      await tx.calendarYear.upsert({ where: { year_origin: { year, origin: 'exchange' } }, create: { year, origin: 'exchange', source, createdBy: 'worker' }, update: { source } })
    }
    if (changed) await writeAudit(tx, { actor: 'worker', action: 'calendar.fetch', entity: 'CalendarYear', entityId: completeYears.join(',') || days[0]?.date.slice(0, 4), after: { changed, source } })
    return { changed }
  })
}
