import { afterEach, describe, expect, it } from 'vitest'
import { addDays, calendarDataVersion, coveredYears, dayInfo, isCalendarYearCovered, isProvisionalDay, isTradingDay, MarketRuleError, nextTradingDay, setCalendarData, previousTradingDay, shanghaiDate, shanghaiTime, weekdayOf } from '@/lib/market'

const CLOSURES_2026 = [
  '2026-01-01', '2026-01-02',
  '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23',
  '2026-04-06',
  '2026-05-01', '2026-05-04', '2026-05-05',
  '2026-06-19',
  '2026-09-25',
  '2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07',
]
const MAKEUP_WEEKENDS_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']

describe('isTradingDay 2026 (a-share-rules §13)', () => {
  it('has exactly the 19 published weekday closures', () => {
    expect(CLOSURES_2026).toHaveLength(19)
    const closedWeekdays: string[] = []
    for (let d = '2026-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
      const wd = weekdayOf(d)
      if (wd >= 1 && wd <= 5 && !isTradingDay(d)) closedWeekdays.push(d)
    }
    expect(closedWeekdays).toEqual(CLOSURES_2026)
  })

  it.each(MAKEUP_WEEKENDS_2026)('make-up workday %s is still closed', (d) => {
    expect([0, 6]).toContain(weekdayOf(d))
    expect(isTradingDay(d)).toBe(false)
  })

  it('counts 242 trading days in 2026', () => {
    let n = 0
    for (let d = '2026-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) if (isTradingDay(d)) n++
    // 261 weekdays − 19 closures
    expect(n).toBe(242)
  })

  it('ordinary days', () => {
    expect(isTradingDay('2026-09-14')).toBe(true) // Monday
    expect(isTradingDay('2026-09-24')).toBe(true)
    expect(isTradingDay('2026-09-26')).toBe(false) // Saturday
    expect(isTradingDay('2026-10-08')).toBe(true)
  })

  it('knows the 2024-02-09 exchange-only closure from the override file', () => {
    expect(weekdayOf('2024-02-09')).toBe(5)
    expect(isTradingDay('2024-02-09')).toBe(false)
    expect(isTradingDay('2024-02-08')).toBe(true)
  })
})

describe('a year without published data (provisional)', () => {
  it('keeps trading days for 2027 on the weekday rule, marked provisional', () => {
    expect(coveredYears().at(-1)).toBe(2026)
    expect(isTradingDay('2027-01-01')).toBe(false) // New Year's Day is always closed
    expect(isTradingDay('2027-01-02')).toBe(false) // Saturday
    expect(isTradingDay('2027-01-04')).toBe(true) // Monday
    expect(isTradingDay('2027-06-15')).toBe(true)
    for (const d of ['2027-01-01', '2027-01-04', '2027-06-15']) {
      expect(isProvisionalDay(d)).toBe(true)
      expect(dayInfo(d).origin).toBe('rule')
    }
    expect(isProvisionalDay('2026-06-15')).toBe(false)
    expect(dayInfo('2026-10-01')).toMatchObject({ trading: false, provisional: false, origin: 'package' })
  })
  it('years before the data fall back the same way, never throw', () => {
    expect(isTradingDay('2003-06-02')).toBe(true)
    expect(isProvisionalDay('2003-06-02')).toBe(true)
  })
  it('nextTradingDay runs across the end of 2026 into the provisional year', () => {
    expect(nextTradingDay('2026-12-30')).toBe('2026-12-31')
    expect(nextTradingDay('2026-12-31')).toBe('2027-01-04')
    expect(previousTradingDay('2027-01-04')).toBe('2026-12-31')
  })
  it('rejects malformed dates', () => {
    for (const d of ['2026-02-30', '2026-13-01', '20260914', '2026-9-14', '']) expect(() => isTradingDay(d)).toThrow(expect.objectContaining({ code: 'DATE_FORMAT' }))
  })
})

describe('stored layers (setCalendarData)', () => {
  afterEach(() => setCalendarData({ years: [], days: [] }))

  it('admin closures make a provisional weekday closed, and a complete year stops being provisional', () => {
    setCalendarData({
      years: [],
      days: [{ date: '2027-02-08', status: 'closed', origin: 'admin', kind: 'holiday', source: 'SSE notice' }],
    })
    expect(isTradingDay('2027-02-08')).toBe(false)
    expect(dayInfo('2027-02-08')).toMatchObject({ provisional: false, origin: 'admin', source: 'SSE notice' })
    expect(isProvisionalDay('2027-02-09')).toBe(true)
    setCalendarData({ years: [{ year: 2027, origin: 'admin', source: 'SSE notice' }], days: [{ date: '2027-02-08', status: 'closed', origin: 'admin', source: 'SSE notice' }] })
    expect(isProvisionalDay('2027-02-09')).toBe(false)
    expect(isTradingDay('2027-02-09')).toBe(true)
    expect(coveredYears().at(-1)).toBe(2027)
    expect(isCalendarYearCovered(2027)).toBe(true)
  })

  it('admin beats the exchange feed, the feed beats the package, observations only fill provisional days', () => {
    setCalendarData({
      years: [],
      days: [
        { date: '2027-03-01', status: 'closed', origin: 'exchange', source: 'szse' },
        { date: '2027-03-01', status: 'open', origin: 'admin', source: 'admin' },
        { date: '2027-03-02', status: 'closed', origin: 'exchange', source: 'szse' },
        { date: '2027-03-03', status: 'closed', origin: 'observed', source: 'no quotes by 09:35' },
        { date: '2026-03-04', status: 'closed', origin: 'observed', source: 'no quotes by 09:35' },
      ],
    })
    expect(isTradingDay('2027-03-01')).toBe(true)
    expect(isTradingDay('2027-03-02')).toBe(false)
    expect(dayInfo('2027-03-03')).toMatchObject({ trading: false, provisional: true, origin: 'observed' })
    expect(isTradingDay('2026-03-04')).toBe(true) // a published year is not overridden by an observation
  })

  it('refuses a weekend marked open and keeps the previous data', () => {
    setCalendarData({ years: [], days: [{ date: '2027-02-08', status: 'closed', origin: 'admin', source: 'x' }] })
    const v = calendarDataVersion()
    expect(() => setCalendarData({ years: [], days: [{ date: '2027-01-09', status: 'open', origin: 'admin', source: 'x' }] })).toThrow(expect.objectContaining({ code: 'CALENDAR_WEEKEND_OPEN' }))
    expect(calendarDataVersion()).toBe(v)
    expect(isTradingDay('2027-02-08')).toBe(false)
  })

  it('leaves the 2026 answers unchanged whatever is stored for 2027', () => {
    setCalendarData({ years: [{ year: 2027, origin: 'exchange', source: 'szse' }], days: [{ date: '2027-01-04', status: 'closed', origin: 'exchange', source: 'szse' }] })
    let n = 0
    for (let d = '2026-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) if (isTradingDay(d)) n++
    expect(n).toBe(242)
    expect(nextTradingDay('2026-12-31')).toBe('2027-01-05')
  })
})

describe('next / previous trading day', () => {
  it.each([
    ['2026-09-24', '2026-09-28'], // Thu → Mon (Fri 25 Mid-autumn)
    ['2026-09-30', '2026-10-08'], // National Day
    ['2026-02-13', '2026-02-24'], // Spring Festival
    ['2026-01-02', '2026-01-05'],
    ['2026-09-14', '2026-09-15'],
  ])('next after %s is %s', (d, want) => expect(nextTradingDay(d)).toBe(want))

  it.each([
    ['2026-10-08', '2026-09-30'],
    ['2026-02-24', '2026-02-13'],
    ['2026-01-05', '2025-12-31'],
    ['2026-09-28', '2026-09-24'],
  ])('previous before %s is %s', (d, want) => expect(previousTradingDay(d)).toBe(want))
})

describe('shanghaiDate / shanghaiTime', () => {
  it('uses +08:00 regardless of the process time zone', () => {
    expect(shanghaiDate(new Date('2026-09-13T16:00:00Z'))).toBe('2026-09-14')
    expect(shanghaiDate(new Date('2026-09-13T15:59:59.999Z'))).toBe('2026-09-13')
    expect(shanghaiDate(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01')
    expect(shanghaiTime('2026-09-14', '09:30').toISOString()).toBe('2026-09-14T01:30:00.000Z')
    expect(shanghaiTime('2026-09-14', '00:15:30').toISOString()).toBe('2026-09-13T16:15:30.000Z')
  })
  it('round-trips every hour of a day', () => {
    for (let h = 0; h < 24; h++) {
      const hh = String(h).padStart(2, '0')
      expect(shanghaiDate(shanghaiTime('2026-03-08', `${hh}:59`))).toBe('2026-03-08')
    }
  })
  it('rejects invalid instants and times', () => {
    expect(() => shanghaiDate(new Date(Number.NaN))).toThrow(MarketRuleError)
    expect(() => shanghaiTime('2026-09-14', '24:00')).toThrow(MarketRuleError)
  })
})
