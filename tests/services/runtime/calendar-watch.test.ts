// The worker's December fetch of the coming year from an exchange-calendar server speaking SZSE's
// format on 127.0.0.1: a plausible year is stored and ends the provisional rule; a bare weekday grid
// (what a site may serve before the notice is out) is not taken, the admins are told, and 2027
// stays provisional.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { addDays, isProvisionalDay, isTradingDay, setCalendarData, weekdayOf } from '@/lib/market'
import { calendarChanged } from '@/lib/services/runtime/calendar'
import { CalendarWatch } from '@/lib/services/runtime/calendar-watch'
import { providers } from '../../helpers/db'
import { useTestDb } from '../helpers'

const HOLIDAYS_2027 = new Set(['2027-01-01', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-10-01', '2027-10-04', '2027-10-05', '2027-10-06', '2027-10-07'])

async function szseServer(closed: (day: string) => boolean): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    requests.push(u.searchParams.get('month') ?? '')
    const month = u.searchParams.get('month') ?? ''
    const data = []
    for (let d = `${month}-01`; d.startsWith(month); d = addDays(d, 1)) {
      const wd = weekdayOf(d)
      data.push({ zrxh: wd + 1, jybz: wd === 0 || wd === 6 || closed(d) ? '0' : '1', jyrq: d })
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ data, nowdate: '2026-12-07' }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise((r) => server.close(() => r())) }
}

afterEach(() => {
  setCalendarData({ years: [], days: [] })
  calendarChanged()
})

describe.each(providers())('calendar feed in December (%s)', (provider) => {
  useTestDb(provider)
  beforeEach(async () => {
    await getDb().calendarDay.deleteMany({})
    await getDb().calendarYear.deleteMany({})
    await getDb().serviceHealth.deleteMany({})
    calendarChanged()
  })
  const december = new Date('2026-12-07T02:00:00Z')

  it('takes a plausible year: stored as exchange days, 2027 no longer provisional', async () => {
    await getDb().user.create({ data: { email: `a${Date.now()}@example.com`, passwordHash: 'x', role: 'ADMIN' } })
    const srv = await szseServer((d) => HOLIDAYS_2027.has(d))
    try {
      const watch = new CalendarWatch({ log: pino({ level: 'silent' }), feed: { baseUrl: srv.url, timeoutMs: 2_000, pauseMs: 0 } })
      await watch.beforeTick(december)
      await watch.settled()
      expect(srv.requests).toHaveLength(12)
      expect(await getDb().calendarYear.findFirst({ where: { year: 2027, origin: 'exchange' } })).not.toBeNull()
      expect(isProvisionalDay('2027-03-01')).toBe(false)
      expect(isTradingDay('2027-02-08')).toBe(false)
      expect(isTradingDay('2027-02-15')).toBe(true)
      expect(await getDb().notification.count({ where: { type: 'CALENDAR_FETCHED' } })).toBe(1)
      // once covered, nothing is fetched again
      await watch.beforeTick(new Date(december.getTime() + 86_400_000))
      await watch.settled()
      expect(srv.requests).toHaveLength(12)
    } finally {
      await srv.close()
    }
  })

  it('refuses a bare weekday grid: nothing stored, the admins told, 2027 stays provisional', async () => {
    const admin = await getDb().user.create({ data: { email: `b${Date.now()}@example.com`, passwordHash: 'x', role: 'ADMIN' } })
    const srv = await szseServer(() => false)
    try {
      const watch = new CalendarWatch({ log: pino({ level: 'silent' }), feed: { baseUrl: srv.url, timeoutMs: 2_000, pauseMs: 0 } })
      await watch.beforeTick(december)
      await watch.settled()
      expect(await getDb().calendarDay.count({ where: { origin: 'exchange' } })).toBe(0)
      expect(isProvisionalDay('2027-03-01')).toBe(true)
      const failed = await getDb().notification.findFirstOrThrow({ where: { type: 'CALENDAR_FETCH_FAILED', userId: admin.id } })
      expect(failed.body).toMatch(/不可信|not plausible/)
      expect((await getDb().serviceHealth.findUniqueOrThrow({ where: { name: 'calendar-feed' } })).status).toBe('down')
      expect(await getDb().notification.count({ where: { type: 'CALENDAR_NEXT_YEAR_MISSING', userId: admin.id } })).toBe(1)
    } finally {
      await srv.close()
    }
  })
})
