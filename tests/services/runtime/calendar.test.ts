// The admin's calendar import against real databases: a notice with one bad line changes nothing;
// a clean one is stored (audit-logged, everyone told) and lib/market answers from it at once; a
// "complete year" ends the provisional rule; removing an entry lets the layer below speak again.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { dayInfo, isTradingDay, setCalendarData } from '@/lib/market'
import { ValidationError } from '@/lib/errors'
import { calendarChanged, calendarOverview, deleteCalendarEntry, previewCalendarImport, saveCalendarImport, syncCalendar } from '@/lib/services/runtime/calendar'
import { providers } from '../../helpers/db'
import { makeUser, useTestDb } from '../helpers'

const NOTICE_2027 = [
  '一、元旦：1月1日（星期五）休市，1月4日（星期一）起照常开市。',
  '二、春节：2月5日（星期五）至2月12日（星期五）休市，2月15日（星期一）起照常开市。',
  '2027-02-20 调休上班',
].join('\n')

afterEach(() => {
  setCalendarData({ years: [], days: [] })
  calendarChanged()
})

describe.each(providers())('trading calendar import (%s)', (provider) => {
  useTestDb(provider)

  it('refuses a notice with a bad line as a whole and stores nothing', async () => {
    const admin = await makeUser()
    const text = `${NOTICE_2027}\n2027-02-30\nhello`
    const preview = await previewCalendarImport({ year: 2027, text })
    expect(preview.rows.filter((r) => r.error).map((r) => [r.line, r.error!.code])).toEqual([
      [4, 'IMPORT_BAD_DATE'],
      [5, 'IMPORT_NO_DATE'],
    ])
    await expect(saveCalendarImport({ year: 2027, text, source: 'SSE notice', complete: true }, { id: admin, label: 'admin@example.com' })).rejects.toBeInstanceOf(ValidationError)
    expect(await getDb().calendarDay.count()).toBe(0)
    expect(await getDb().calendarYear.count()).toBe(0)
    expect(await getDb().auditLog.count({ where: { action: 'calendar.import' } })).toBe(0)
    expect(dayInfo('2027-02-08')).toMatchObject({ trading: true, provisional: true })
  })

  it('stores a clean notice, answers from it at once, and a complete year is no longer provisional', async () => {
    const admin = await makeUser()
    const res = await saveCalendarImport({ year: 2027, text: NOTICE_2027, source: 'SSE notice 2026-12-22', complete: true }, { id: admin, label: 'admin@example.com' })
    expect(res.saved).toBe(8) // 1 Jan, 6 Spring Festival weekdays, 1 make-up Saturday
    expect(isTradingDay('2027-02-08')).toBe(false)
    expect(dayInfo('2027-02-08')).toMatchObject({ provisional: false, origin: 'admin', source: 'SSE notice 2026-12-22' })
    expect(dayInfo('2027-03-01')).toMatchObject({ trading: true, provisional: false, origin: 'admin' })
    const audit = await getDb().auditLog.findFirstOrThrow({ where: { action: 'calendar.import' } })
    expect(audit).toMatchObject({ actor: 'admin@example.com', entity: 'CalendarYear', entityId: '2027' })
    expect(await getDb().notification.count({ where: { type: 'CALENDAR_UPDATED' } })).toBeGreaterThan(0)

    const view = await calendarOverview(2027, new Date('2027-02-08T02:00:00Z'))
    expect(view.summary.covered).toBe(true)
    expect(view.summary.closures.map((c) => c.date)).toEqual(['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'])
    expect(view.summary.makeups).toEqual([expect.objectContaining({ date: '2027-02-20', origin: 'admin' })])
    expect(view.today).toMatchObject({ date: '2027-02-08', trading: false })

    // Another process (the worker) reads the same rows: a fresh load answers the same.
    setCalendarData({ years: [], days: [] })
    calendarChanged()
    expect(isTradingDay('2027-02-08')).toBe(true)
    await syncCalendar({ maxAgeMs: 0 })
    expect(isTradingDay('2027-02-08')).toBe(false)

    // Removing one entry: the year is still complete, so that weekday opens again.
    await deleteCalendarEntry({ date: '2027-02-08' }, { id: admin, label: 'admin@example.com' })
    expect(isTradingDay('2027-02-08')).toBe(true)
    await deleteCalendarEntry({ year: 2027, unmarkComplete: true }, { id: admin, label: 'admin@example.com' })
    expect(dayInfo('2027-03-01').provisional).toBe(true)
    expect(await getDb().auditLog.count({ where: { action: { in: ['calendar.delete', 'calendar.year.unmark'] } } })).toBe(2)
  })
})
