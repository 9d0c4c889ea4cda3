/**
 * The paper exchange's SZSE-format calendar endpoint, read by lib/quotes' calendar feed exactly as the
 * worker reads www.szse.cn: same path, same wire format, every day answered from lib/market.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchExchangeCalendarMonth, fetchExchangeCalendarYear, parseExchangeCalendarMonth, SZSE_CALENDAR_PATH } from '@/lib/quotes'
import { isTradingDay } from '@/lib/market'
import { fixtureText } from '../quotes/helpers/fixtures'
import { at, DAY, startSim, type Sim } from './helpers'

let sim: Sim
beforeAll(async () => {
  sim = await startSim({ start: at('10:10') })
})
afterAll(async () => {
  await sim.close()
})

describe(`GET ${SZSE_CALENDAR_PATH}`, () => {
  it('answers October 2026 as the recorded SZSE answer does, with the simulated date as nowdate', async () => {
    const got = await fetchExchangeCalendarMonth('2026-10', { baseUrl: sim.url })
    expect(got.days).toEqual(parseExchangeCalendarMonth('2026-10', fixtureText('szse_calendar_month.json')).days)
    expect(got.serverDate).toBe(DAY)
  })

  it('serves a whole year that passes the feed validation, day by day equal to lib/market', async () => {
    const year = await fetchExchangeCalendarYear(2027, { baseUrl: sim.url, pauseMs: 0 })
    expect(year.errors).toEqual([])
    const days = year.months.flatMap((m) => m.days)
    expect(days).toHaveLength(365)
    for (const d of days) expect(d).toEqual({ date: d.date, trading: isTradingDay(d.date) })
  })

  it('refuses a month it cannot read', async () => {
    for (const q of ['', '?month=2027-13', '?month=2027-1', '?month=0050-01']) {
      const res = await fetch(`${sim.url}${SZSE_CALENDAR_PATH}${q}`)
      expect(res.status).toBe(400)
    }
  })
})
