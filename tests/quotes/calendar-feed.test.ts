/**
 * The exchange calendar feed against the recorded SZSE answer and a local server on 127.0.0.1 that
 * speaks the same wire format on the real path (`/api/report/exchange/onepersistenthour/monthList?month=YYYY-MM`).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  CalendarFeedError,
  calendarFeedUrl,
  fetchExchangeCalendarMonth,
  fetchExchangeCalendarYear,
  parseExchangeCalendarMonth,
  SZSE_CALENDAR_PATH,
} from '@/lib/quotes'
import { isTradingDay } from '@/lib/market'
import { fixtureText } from './helpers/fixtures'

const FIXTURE = fixtureText('szse_calendar_month.json')

// ---------------------------------------------------------------------------------------------
// A stand-in for www.szse.cn. Months it has no special behaviour for are built with the wire
// format of the fixture: weekdays trade unless listed in `closures`.

type Behaviour =
  | { kind: 'serve' }
  | { kind: 'raw'; body: string; status?: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }

interface FakeCalendar {
  base: string
  requests: Array<{ url: string; referer: string | undefined; at: number }>
  behaviour: Map<string, Behaviour>
  closures: Set<string>
  maxInFlight: number
  close(): Promise<void>
}

function monthBody(month: string, closures: Set<string>): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const length = new Date(Date.UTC(y, m, 0)).getUTCDate()
  const data = []
  for (let d = 1; d <= length; d++) {
    const jyrq = `${month}-${String(d).padStart(2, '0')}`
    const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
    const open = wd !== 0 && wd !== 6 && !closures.has(jyrq)
    data.push({ zrxh: wd + 1, jybz: open ? '1' : '0', jyrq })
  }
  return JSON.stringify({ data, nowdate: '2026-12-15' })
}

async function startFakeCalendar(): Promise<FakeCalendar> {
  const hanging = new Set<http.ServerResponse>()
  let inFlight = 0
  const fake: Omit<FakeCalendar, 'base' | 'close'> = {
    requests: [],
    behaviour: new Map(),
    closures: new Set(),
    maxInFlight: 0,
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    fake.requests.push({ url: req.url ?? '', referer: req.headers.referer, at: Date.now() })
    if (url.pathname !== SZSE_CALENDAR_PATH) {
      res.writeHead(404).end('not found')
      return
    }
    const month = url.searchParams.get('month') ?? ''
    const b = fake.behaviour.get(month) ?? { kind: 'serve' }
    inFlight++
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight)
    res.on('close', () => inFlight--)
    if (b.kind === 'hang') {
      hanging.add(res)
      return
    }
    if (b.kind === 'status') {
      res.writeHead(b.status, { 'content-type': 'text/html' }).end('<html>error</html>')
      return
    }
    const body = b.kind === 'raw' ? b.body : month === '2026-10' ? FIXTURE : monthBody(month, fake.closures)
    res.writeHead(b.kind === 'raw' ? (b.status ?? 200) : 200, { 'content-type': 'application/json;charset=UTF-8' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(fake, {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}

let fake: FakeCalendar
beforeAll(async () => {
  fake = await startFakeCalendar()
})
afterAll(async () => {
  await fake.close()
})
afterEach(() => {
  fake.requests.length = 0
  fake.behaviour.clear()
  fake.closures.clear()
  fake.maxInFlight = 0
})

async function feedError(p: Promise<unknown>): Promise<CalendarFeedError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(CalendarFeedError)
  return e as CalendarFeedError
}

function mutateFixture(f: (rows: Array<{ zrxh: number; jybz: string; jyrq: string }>) => void): string {
  const body = JSON.parse(FIXTURE) as { data: Array<{ zrxh: number; jybz: string; jyrq: string }>; nowdate: string }
  f(body.data)
  return JSON.stringify(body)
}

// ---------------------------------------------------------------------------------------------

describe('the recorded SZSE answer (tests/fixtures/szse_calendar_month.json, 2026-10)', () => {
  it('parses to every day of October 2026 with the National Day closure', () => {
    const { days, serverDate } = parseExchangeCalendarMonth('2026-10', FIXTURE)
    expect(days).toHaveLength(31)
    expect(days.map((d) => d.date)).toEqual(Array.from({ length: 31 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`))
    expect(days.filter((d) => d.trading)).toHaveLength(17)
    for (let d = 1; d <= 7; d++) expect(days[d - 1]).toEqual({ date: `2026-10-0${d}`, trading: false })
    expect(days[7]).toEqual({ date: '2026-10-08', trading: true })
    // Saturday 10-10 is closed although it is a make-up workday for offices.
    expect(days[9]).toEqual({ date: '2026-10-10', trading: false })
    expect(serverDate).toBe('2026-09-17')
  })

  it('agrees day by day with the built-in calendar of lib/market', () => {
    for (const { date, trading } of parseExchangeCalendarMonth('2026-10', FIXTURE).days) {
      expect({ date, trading: isTradingDay(date) }).toEqual({ date, trading })
    }
  })

  it('is refused for any other month', () => {
    expect(() => parseExchangeCalendarMonth('2026-11', FIXTURE)).toThrow(/2026-10-01 is outside 2026-11/)
  })

  it.each([
    ['a missing day', mutateFixture((r) => r.splice(30, 1)), /2026-10-31 is missing/],
    ['a weekend marked trading', mutateFixture((r) => (r[2]!.jybz = '1')), /2026-10-03 is a Saturday but marked trading/],
    ['a duplicated day', mutateFixture((r) => r.push({ ...r[0]! })), /2026-10-01 appears more than once/],
    ['a day from another month', mutateFixture((r) => (r[0]!.jyrq = '2026-09-30')), /2026-09-30 is outside 2026-10.*2026-10-01 is missing/],
    ['an impossible date', mutateFixture((r) => (r[0]!.jyrq = '2026-10-32')), /"2026-10-32" is not a date/],
    ['a weekday number that contradicts the date', mutateFixture((r) => (r[0]!.zrxh = 2)), /2026-10-01 is a Thursday but zrxh says 2/],
    ['an unknown flag', mutateFixture((r) => (r[0]!.jybz = '2')), /data\.0\.jybz/],
    ['no data list', '{"nowdate":"2026-09-17"}', /unexpected shape: data/],
    ['an empty list', '{"data":[],"nowdate":"2026-09-17"}', /no days/],
    ['an HTML page', '<html><body>访问受限</body></html>', /not JSON/],
  ])('rejects %s as malformed, never half-used', (_, body, message) => {
    let caught: unknown
    try {
      parseExchangeCalendarMonth('2026-10', body)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(CalendarFeedError)
    expect((caught as CalendarFeedError).kind).toBe('malformed')
    expect((caught as CalendarFeedError).message).toMatch(message)
  })

  it('ignores fields it does not know and accepts a numeric flag', () => {
    const body = mutateFixture((r) => {
      for (const row of r) Object.assign(row, { extra: 'x', jybz: Number(row.jybz) })
    })
    expect(parseExchangeCalendarMonth('2026-10', body).days.filter((d) => d.trading)).toHaveLength(17)
  })
})

describe('calendarFeedUrl', () => {
  it('defaults to the real SZSE endpoint and is disabled by an empty base', () => {
    expect(calendarFeedUrl('2027-01')).toBe('https://www.szse.cn/api/report/exchange/onepersistenthour/monthList?month=2027-01')
    expect(calendarFeedUrl('2027-01', undefined)).toBe('https://www.szse.cn/api/report/exchange/onepersistenthour/monthList?month=2027-01')
    expect(calendarFeedUrl('2027-01', 'http://127.0.0.1:8100/')).toBe('http://127.0.0.1:8100/api/report/exchange/onepersistenthour/monthList?month=2027-01')
    expect(calendarFeedUrl('2027-01', '')).toBeNull()
    expect(calendarFeedUrl('2027-01', '  ')).toBeNull()
    expect(calendarFeedUrl('2027-01', null)).toBeNull()
    expect(() => calendarFeedUrl('2027-13')).toThrow(RangeError)
    expect(() => calendarFeedUrl('2027-1')).toThrow(RangeError)
  })
})

describe('fetchExchangeCalendarMonth', () => {
  it('asks the default SZSE URL through an injected fetch and keeps the answer', async () => {
    const seen: Array<{ url: string; referer: string | null }> = []
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), referer: new Headers(init?.headers).get('referer') })
      return new Response(FIXTURE, { headers: { 'content-type': 'application/json;charset=UTF-8' } })
    }) as typeof fetch
    const at = new Date('2026-12-01T01:00:00Z')
    const got = await fetchExchangeCalendarMonth('2026-10', { fetchImpl, now: () => at })
    expect(seen).toEqual([{ url: 'https://www.szse.cn/api/report/exchange/onepersistenthour/monthList?month=2026-10', referer: 'https://www.szse.cn/aboutus/calendar/' }])
    expect(got.source).toBe('szse')
    expect(got.month).toBe('2026-10')
    expect(got.fetchedAt).toBe(at)
    expect(got.days).toHaveLength(31)
  })

  it('serves the recorded bytes over HTTP from the local server', async () => {
    const got = await fetchExchangeCalendarMonth('2026-10', { baseUrl: fake.base })
    expect(got.source).toBe(`szse-format@${new URL(fake.base).host}`)
    expect(got.url).toBe(`${fake.base}${SZSE_CALENDAR_PATH}?month=2026-10`)
    expect(got.days.filter((d) => d.trading)).toHaveLength(17)
    expect(fake.requests.map((r) => r.url)).toEqual([`${SZSE_CALENDAR_PATH}?month=2026-10`])
    expect(fake.requests[0]!.referer).toBe('https://www.szse.cn/aboutus/calendar/')
  })

  it('reports an HTTP error with its status', async () => {
    fake.behaviour.set('2027-03', { kind: 'status', status: 500 })
    const e = await feedError(fetchExchangeCalendarMonth('2027-03', { baseUrl: fake.base }))
    expect(e.kind).toBe('http')
    expect(e.status).toBe(500)
    expect(e.month).toBe('2027-03')
  })

  it('gives up on a server that never answers within the timeout', async () => {
    fake.behaviour.set('2027-01', { kind: 'hang' })
    const started = Date.now()
    const e = await feedError(fetchExchangeCalendarMonth('2027-01', { baseUrl: fake.base, timeoutMs: 300 }))
    const elapsed = Date.now() - started
    expect(e.kind).toBe('timeout')
    expect(elapsed).toBeGreaterThanOrEqual(280)
    expect(elapsed).toBeLessThan(2_000)
  })

  it('reports a refused connection as a network error', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const e = await feedError(fetchExchangeCalendarMonth('2027-01', { baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2_000 }))
    expect(e.kind).toBe('network')
  })

  it('does not touch the network when disabled', async () => {
    const e = await feedError(fetchExchangeCalendarMonth('2027-01', { baseUrl: '' }))
    expect(e.kind).toBe('disabled')
    expect(fake.requests).toHaveLength(0)
  })
})

describe('fetchExchangeCalendarYear', () => {
  it('fetches the twelve months one after another and keeps every day', async () => {
    fake.closures.add('2026-01-01').add('2026-02-16').add('2026-05-01')
    const year = await fetchExchangeCalendarYear(2026, { baseUrl: fake.base, pauseMs: 20 })
    expect(year.complete).toBe(true)
    expect(year.errors).toEqual([])
    expect(year.months.map((m) => m.month)).toEqual(Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`))
    const days = year.months.flatMap((m) => m.days)
    expect(days).toHaveLength(365)
    expect(new Set(days.map((d) => d.date)).size).toBe(365)
    const byDate = new Map(days.map((d) => [d.date, d.trading]))
    expect(byDate.get('2026-01-01')).toBe(false)
    expect(byDate.get('2026-01-02')).toBe(true)
    expect(byDate.get('2026-10-01')).toBe(false)
    expect(byDate.get('2026-10-08')).toBe(true)
    expect(year.months.every((m) => m.source === year.source && m.source.startsWith('szse-format@'))).toBe(true)
    expect(fake.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('month'))).toEqual(year.months.map((m) => m.month))
    expect(fake.maxInFlight).toBe(1)
    for (let i = 1; i < fake.requests.length; i++) {
      expect(fake.requests[i]!.at - fake.requests[i - 1]!.at).toBeGreaterThanOrEqual(15)
    }
  })

  it('reports a month that answers 500 and keeps the other eleven', async () => {
    fake.behaviour.set('2027-04', { kind: 'status', status: 500 })
    const year = await fetchExchangeCalendarYear(2027, { baseUrl: fake.base, pauseMs: 0 })
    expect(year.complete).toBe(false)
    expect(year.months).toHaveLength(11)
    expect(year.months.some((m) => m.month === '2027-04')).toBe(false)
    expect(year.errors).toHaveLength(1)
    expect(year.errors[0]!.month).toBe('2027-04')
    expect(year.errors[0]!.error.kind).toBe('http')
    expect(year.errors[0]!.error.status).toBe(500)
  })

  it('rejects malformed months with their reasons and keeps the valid ones', async () => {
    const june = JSON.parse(monthBody('2027-06', new Set())) as { data: Array<{ jybz: string; jyrq: string }> }
    june.data.pop()
    const august = JSON.parse(monthBody('2027-08', new Set())) as { data: Array<{ jybz: string; jyrq: string }> }
    august.data.find((r) => r.jyrq === '2027-08-07')!.jybz = '1'
    fake.behaviour.set('2027-06', { kind: 'raw', body: JSON.stringify(june) })
    fake.behaviour.set('2027-08', { kind: 'raw', body: JSON.stringify(august) })
    // The server answers September with October's calendar.
    fake.behaviour.set('2027-09', { kind: 'raw', body: monthBody('2027-10', new Set()) })
    const year = await fetchExchangeCalendarYear(2027, { baseUrl: fake.base, pauseMs: 0 })
    expect(year.months.map((m) => m.month)).toEqual(['2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-07', '2027-10', '2027-11', '2027-12'])
    const reasons = Object.fromEntries(year.errors.map(({ month, error }) => [month, `${error.kind}: ${error.message}`]))
    expect(Object.keys(reasons)).toEqual(['2027-06', '2027-08', '2027-09'])
    expect(reasons['2027-06']).toMatch(/^malformed: .*2027-06-30 is missing/)
    expect(reasons['2027-08']).toMatch(/^malformed: .*2027-08-07 is a Saturday but marked trading/)
    expect(reasons['2027-09']).toMatch(/^malformed: .*2027-10-01 is outside 2027-09/)
  })

  it('times out a hanging month within its timeout and goes on with the rest', async () => {
    fake.behaviour.set('2027-02', { kind: 'hang' })
    const started = Date.now()
    const year = await fetchExchangeCalendarYear(2027, { baseUrl: fake.base, pauseMs: 0, timeoutMs: 300 })
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(year.months).toHaveLength(11)
    expect(year.errors.map((e) => [e.month, e.error.kind])).toEqual([['2027-02', 'timeout']])
  })

  it('answers twelve disabled months without a request when the feed is off', async () => {
    const year = await fetchExchangeCalendarYear(2027, { baseUrl: '' })
    expect(year.months).toEqual([])
    expect(year.errors.map((e) => e.error.kind)).toEqual(Array(12).fill('disabled'))
    expect(fake.requests).toHaveLength(0)
  })

  it('stops with the abort reason when the caller aborts', async () => {
    fake.behaviour.set('2027-03', { kind: 'hang' })
    const ctrl = new AbortController()
    const reason = new Error('shutting down')
    setTimeout(() => ctrl.abort(reason), 200)
    await expect(fetchExchangeCalendarYear(2027, { baseUrl: fake.base, pauseMs: 0, signal: ctrl.signal })).rejects.toBe(reason)
    expect(fake.requests.length).toBe(3)
  })

  it('refuses a nonsense year', async () => {
    await expect(fetchExchangeCalendarYear(27, { baseUrl: fake.base })).rejects.toThrow(RangeError)
  })
})
