import { describe, expect, it } from 'vitest'
import { parseCalendarImport } from '@/lib/market/calendar-import'

const dates = (text: string, year?: number) => parseCalendarImport(text, { year }).entries.map((e) => `${e.date}:${e.status}`)

describe('parseCalendarImport — text', () => {
  it('reads single dates in the usual spellings', () => {
    expect(dates('2027-01-01\n2027/2/8\n2027.4.5\n20270503\n2027年6月9日', 2027)).toEqual([
      '2027-01-01:closed', '2027-02-08:closed', '2027-04-05:closed', '2027-05-03:closed', '2027-06-09:closed',
    ])
  })

  it('expands ranges and drops the weekend days inside them', () => {
    // 2027-02-06 is a Saturday, 02-07 a Sunday
    expect(dates('春节: 2027-02-05 至 2027-02-10', 2027)).toEqual(['2027-02-05:closed', '2027-02-08:closed', '2027-02-09:closed', '2027-02-10:closed'])
    expect(dates('2月5日至10日', 2027)).toEqual(['2027-02-05:closed', '2027-02-08:closed', '2027-02-09:closed', '2027-02-10:closed'])
    expect(dates('2027-10-01 ~ 2027-10-07')).toHaveLength(5)
    expect(dates('2027-10-01 - 2027-10-05')).toHaveLength(3)
  })

  it('reads the sentences of an exchange notice: only the dates before 休市', () => {
    const notice = [
      '一、元旦：1月1日（星期五）休市，1月4日（星期一）起照常开市。',
      '二、春节：2月5日（星期五）至2月12日（星期五）休市，2月15日（星期一）起照常开市。另外，2月6日（星期六）、2月20日（星期六）为周末休市。',
    ].join('\n')
    const r = parseCalendarImport(notice, { year: 2027 })
    expect(r.errorCount).toBe(0)
    expect(r.entries.map((e) => e.date)).toEqual(['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'])
    expect(r.rows[0].entries[0].label).toBe('元旦')
    expect(r.rows[1].entries[0].label).toBe('春节')
  })

  it('gives per-line errors and keeps the good lines', () => {
    const r = parseCalendarImport(['2027-01-01', '# a comment', 'hello', '2027-02-30', '2026-10-01', '3月5日', '2027-03-10 至 2027-03-01', '2027-05-01 至 2027-12-31', '2027-01-01'].join('\n'), { year: 2027 })
    const byLine = Object.fromEntries(r.rows.map((row) => [row.line, row.error?.code ?? row.warning?.code ?? 'ok']))
    expect(byLine).toEqual({
      1: 'ok',
      3: 'IMPORT_NO_DATE',
      4: 'IMPORT_BAD_DATE',
      5: 'IMPORT_WRONG_YEAR',
      6: 'ok',
      7: 'IMPORT_RANGE_REVERSED',
      8: 'IMPORT_RANGE_TOO_LONG',
      9: 'IMPORT_DUPLICATE',
    })
    expect(r.errorCount).toBe(5)
    expect(r.entries.map((e) => e.date)).toEqual(['2027-01-01', '2027-03-05'])
    for (const row of r.rows.filter((x) => x.error)) expect(row.error!.messageEn.length).toBeGreaterThan(5)
  })

  it('needs a year for month-day dates', () => {
    expect(parseCalendarImport('3月5日').rows[0].error?.code).toBe('IMPORT_NO_YEAR')
  })

  it('make-up workdays are recorded on weekends only; explicit openings on weekdays only', () => {
    const r = parseCalendarImport('2027-02-20 调休上班\n2027-02-22 补班\nopen: 2027-02-09\n开市: 2027-02-13', { year: 2027 })
    expect(r.rows.map((x) => x.error?.code ?? 'ok')).toEqual(['ok', 'IMPORT_MAKEUP_WEEKDAY', 'ok', 'IMPORT_OPEN_WEEKEND'])
    expect(r.entries).toEqual([
      { date: '2027-02-09', status: 'open', kind: 'open', label: '' },
      { date: '2027-02-20', status: 'closed', kind: 'makeup', label: '调休上班' },
    ])
  })

  it('refuses a date both open and closed', () => {
    const r = parseCalendarImport('2027-02-09\nopen: 2027-02-09', { year: 2027 })
    expect(r.rows[1].error?.code).toBe('IMPORT_CONFLICT')
  })

  it('says when there is nothing to import', () => {
    expect(parseCalendarImport('\n# only a comment\n').rows[0].error?.code).toBe('IMPORT_EMPTY')
  })
})

describe('parseCalendarImport — ICS', () => {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'BEGIN:VEVENT',
    'DTSTART;VALUE=DATE:20270101',
    'DTEND;VALUE=DATE:20270102',
    'SUMMARY:元旦 休市',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'DTSTART;VALUE=DATE:20270205',
    'DTEND;VALUE=DATE:20270213',
    'SUMMARY:春节',
    '  休市',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'DTSTART:20270404T160000Z',
    'SUMMARY:清明节',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'SUMMARY:no start',
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n')

  it('reads all-day events with an exclusive DTEND, UTC instants as Shanghai dates, folded lines', () => {
    const r = parseCalendarImport(ics, { year: 2027 })
    expect(r.format).toBe('ics')
    expect(r.rows.map((x) => x.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'IMPORT_ICS_NO_START'])
    expect(r.rows[1].text).toBe('春节 休市')
    expect(r.entries.map((e) => e.date)).toEqual(['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-04-05'])
  })
})
