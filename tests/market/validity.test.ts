/** Validity and daily entry windows (issue 14): pure checks on passed-in instants. */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { entryAllowed, expiryAction, formatWindowTime, isExpired, isTradingDay, lastDayOfTradingDays, parseWindowTime, shanghaiTime, validWindow } from '@/lib/market'

const all = { validUntilDay: null, windowStartMin: null, windowEndMin: null }

describe('validity', () => {
  it('N trading days count the arming day when it trades and skip closures', () => {
    expect(lastDayOfTradingDays('2026-09-28', 1)).toBe('2026-09-28') // Monday
    expect(lastDayOfTradingDays('2026-09-28', 3)).toBe('2026-09-30')
    // National Day closure 1–7 October: the 4th trading day from 28 September is 8 October.
    expect(lastDayOfTradingDays('2026-09-28', 4)).toBe('2026-10-08')
    // Armed on a Saturday: the first day is the next trading day.
    expect(lastDayOfTradingDays('2026-12-05', 1)).toBe('2026-12-07')
    expect(() => lastDayOfTradingDays('2026-12-07', 0)).toThrow()
  })

  it('the last N-th day is always a trading day and N distinct trading days are covered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 30 }), (offset, n) => {
        const from = new Date(Date.UTC(2026, 0, 5) + offset * 86_400_000).toISOString().slice(0, 10)
        const last = lastDayOfTradingDays(from, n)
        expect(isTradingDay(last)).toBe(true)
        let count = 0
        for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= last; d = new Date(d.getTime() + 86_400_000)) if (isTradingDay(d.toISOString().slice(0, 10))) count++
        expect(count).toBe(n)
      }),
    )
  })

  it('is valid through its last day (Shanghai date), expired the day after', () => {
    const v = { validUntilDay: '2026-12-07' }
    expect(isExpired(v, shanghaiTime('2026-12-07', '14:59'))).toBe(false)
    expect(isExpired(v, shanghaiTime('2026-12-07', '23:59'))).toBe(false)
    expect(isExpired(v, shanghaiTime('2026-12-08', '00:00'))).toBe(true)
    // 2026-12-07T17:00Z is already the 8th in Shanghai.
    expect(isExpired(v, new Date('2026-12-07T17:00:00Z'))).toBe(true)
    expect(isExpired({ validUntilDay: null }, shanghaiTime('2099-01-05', '10:00'))).toBe(false)
  })

  it('expiry closes only a WATCHING monitor; held positions keep their exits', () => {
    const v = { validUntilDay: '2026-12-04' }
    const now = shanghaiTime('2026-12-07', '10:00')
    expect(expiryAction('WATCHING', v, now)).toBe('close')
    for (const s of ['HOLDING', 'EXIT_PENDING', 'ENTRY_PENDING', 'CLOSED', 'PAUSED'] as const) expect(expiryAction(s, v, now)).toBe('none')
    expect(expiryAction('WATCHING', { validUntilDay: '2026-12-07' }, now)).toBe('none')
  })
})

describe('daily entry window', () => {
  it('parses and formats HH:MM, rejects nonsense', () => {
    expect(parseWindowTime('09:35')).toBe(575)
    expect(parseWindowTime('14:50')).toBe(890)
    expect(parseWindowTime('24:00')).toBeNull()
    expect(parseWindowTime('9:5')).toBeNull()
    expect(parseWindowTime('abc')).toBeNull()
    expect(formatWindowTime(575)).toBe('09:35')
  })

  it('a window is both ends or neither, start before end', () => {
    expect(validWindow(null, null)).toBe(true)
    expect(validWindow(575, 890)).toBe(true)
    expect(validWindow(575, null)).toBe(false)
    expect(validWindow(890, 575)).toBe(false)
    expect(validWindow(575, 575)).toBe(false)
  })

  it('entries only inside [start, end) on the Shanghai clock, and never after expiry', () => {
    const v = { validUntilDay: null, windowStartMin: 575, windowEndMin: 890 }
    expect(entryAllowed(v, shanghaiTime('2026-12-07', '09:34:59'))).toBe(false)
    expect(entryAllowed(v, shanghaiTime('2026-12-07', '09:35'))).toBe(true)
    expect(entryAllowed(v, shanghaiTime('2026-12-07', '14:49:59'))).toBe(true)
    expect(entryAllowed(v, shanghaiTime('2026-12-07', '14:50'))).toBe(false)
    expect(entryAllowed(all, shanghaiTime('2026-12-07', '09:30'))).toBe(true)
    expect(entryAllowed({ ...all, validUntilDay: '2026-12-04' }, shanghaiTime('2026-12-07', '10:00'))).toBe(false)
  })
})
