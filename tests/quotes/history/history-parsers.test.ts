import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createHistoryService,
  HistorySourceError,
  parseEastmoneyKline,
  parseTencentDaily,
  parseTencentMinute,
  type HistoryErrorKind,
} from '@/lib/quotes/history'
import { bj, fixtureText } from '../helpers/fixtures'

function kindOf(f: () => unknown): HistoryErrorKind | 'none' {
  try {
    f()
    return 'none'
  } catch (e) {
    if (e instanceof HistorySourceError) return e.kind
    throw e
  }
}

describe('Tencent fqkline (daily)', () => {
  it('parses the 600519 qfq fixture: open, CLOSE, high, low order, lots → shares, 15:00 bar end', () => {
    const s = parseTencentDaily(fixtureText('tencent_fqkline_day_qfq.json'), { code: '600519.SH', adjust: 'qfq' })
    expect(s.adjust).toBe('qfq')
    expect(s.bars).toHaveLength(5)
    const last = s.bars.at(-1)!
    expect(last).toMatchObject({ day: '2026-08-28', open: 1289, close: 1297.4, high: 1297.89, low: 1288, volumeShares: 1_612_600, amountYuan: null, source: 'tencent' })
    expect(last.time).toEqual(bj('2026-08-28 15:00:00'))
    expect(s.prevClose).toBe(1272.83)
  })

  it('falls back to the bare `day` key (index asked with qfq) and reports the data as unadjusted', () => {
    const s = parseTencentDaily(fixtureText('tencent_fqkline_day_index_raw_1990.json'), { code: '000001.SH', adjust: 'qfq' })
    expect(s.adjust).toBe('none')
    expect(s.bars[0]).toMatchObject({ day: '1990-12-19', open: 113.1, close: 113.1, volumeShares: 265_000 })
    expect(s.bars.length).toBeGreaterThan(1000)
    for (let i = 1; i < s.bars.length; i++) expect(s.bars[i]!.time.getTime()).toBeGreaterThan(s.bars[i - 1]!.time.getTime())
  })

  it('reads newfqkline 11-element rows with the amount in 万元', () => {
    const s = parseTencentDaily(fixtureText('tencent_newfqkline_day_bfq_stock.json'), { code: '600000.SH', adjust: 'none' })
    const d = s.bars.find((b) => b.day === '2026-09-14')!
    // Cross-check (history-sources §6): 771 871 lots, 72 230.74 万元.
    expect(d).toMatchObject({ open: 9.28, close: 9.4, high: 9.43, low: 9.24, volumeShares: 77_187_100, amountYuan: 722_307_400 })
  })

  it('param error is an unknown code, never an empty series', () => {
    expect(kindOf(() => parseTencentDaily(fixtureText('tencent_fqkline_param_error.json'), { code: '600519.SH', adjust: 'qfq' }))).toBe('unknown_code')
  })

  it('an empty bar array is no_data; a missing node is unknown_code; junk is malformed', () => {
    expect(kindOf(() => parseTencentDaily('{"code":0,"msg":"","data":{"sh600000":{"qfqday":[],"qt":{}}}}', { code: '600000.SH', adjust: 'qfq' }))).toBe('no_data')
    expect(kindOf(() => parseTencentDaily('{"code":0,"msg":"","data":{}}', { code: '600000.SH', adjust: 'qfq' }))).toBe('unknown_code')
    expect(kindOf(() => parseTencentDaily('<html>blocked</html>', { code: '600000.SH', adjust: 'qfq' }))).toBe('malformed')
  })

  it('refuses a row whose columns are not open, close, high, low (high below close)', () => {
    const bad = '{"code":0,"msg":"","data":{"sh600000":{"day":[["2026-09-01","9.00","9.50","9.40","8.90","100"]]}}}'
    expect(kindOf(() => parseTencentDaily(bad, { code: '600000.SH', adjust: 'none' }))).toBe('malformed')
  })

  it('STAR volume is already shares', () => {
    const t = '{"code":0,"msg":"","data":{"sh688111":{"day":[["2026-09-01","200.00","201.00","202.00","199.00","1000.000"]]}}}'
    expect(parseTencentDaily(t, { code: '688111.SH', adjust: 'none' }).bars[0]!.volumeShares).toBe(1000)
  })
})

describe('Tencent mkline (minutes)', () => {
  it('parses m5 rows with bar-end times', () => {
    const s = parseTencentMinute(fixtureText('tencent_mkline_m5.json'), { code: '600519.SH', period: 'm5' })
    expect(s.bars).toHaveLength(3)
    expect(s.bars[2]).toMatchObject({ day: '2026-08-28', open: 1297.11, close: 1297.4, high: 1297.89, low: 1297.1, volumeShares: 73_400, period: 'm5', adjust: 'none' })
    expect(s.bars[2]!.time).toEqual(bj('2026-08-28 15:00:00'))
    expect(s.prevClose).toBe(1292.3)
  })
  it('unknown code: node with qt [] and no m<N> key', () => {
    expect(kindOf(() => parseTencentMinute('{"code":0,"msg":"","data":{"sh999999":{"qt":{"sh999999":[]}}}}', { code: '999999.SH', period: 'm1' }))).toBe('unknown_code')
  })
})

describe('Eastmoney kline/get', () => {
  it('parses the 601872 qfq fixture: lots → shares, amount in yuan', () => {
    const s = parseEastmoneyKline(fixtureText('eastmoney_kline_day_qfq.json'), { code: '601872.SH', period: 'day', adjust: 'qfq' })
    expect(s.bars).toHaveLength(10)
    expect(s.bars[0]).toMatchObject({ day: '2024-12-18', open: 6.11, close: 6.18, high: 6.28, low: 6.1, volumeShares: 84_274_300, amountYuan: 542_829_495 })
    expect(s.prevClose).toBe(6.08)
  })
  it('rc 100 with data null is unknown_code; empty klines is no_data', () => {
    expect(kindOf(() => parseEastmoneyKline(fixtureText('eastmoney_kline_rc100_null.json'), { code: '601872.SH', period: 'day', adjust: 'qfq' }))).toBe('unknown_code')
    expect(kindOf(() => parseEastmoneyKline('{"rc":0,"data":{"klines":[],"preKPrice":0.0}}', { code: '601872.SH', period: 'day', adjust: 'qfq' }))).toBe('no_data')
  })
  it('minute rows are labelled by bar end', () => {
    const s = parseEastmoneyKline('{"rc":0,"data":{"klines":["2024-03-20 09:35,10.00,10.05,10.06,9.99,1200,1205000.00"]}}', { code: '000001.SZ', period: 'm5', adjust: 'none' })
    expect(s.bars[0]!.time).toEqual(bj('2024-03-20 09:35:00'))
    expect(s.bars[0]!.day).toBe('2024-03-20')
  })
  it('a negative qfq price (subtractive adjustment) is refused', () => {
    expect(kindOf(() => parseEastmoneyKline('{"rc":0,"data":{"klines":["2001-08-27,-89.74,-89.00,-88.00,-90.00,1,1"]}}', { code: '600519.SH', period: 'day', adjust: 'qfq' }))).toBe('malformed')
  })
})

describe('history service over HTTP (local stand-in servers)', () => {
  let tencent: http.Server
  let eastmoney: http.Server
  let tUrl = ''
  let eUrl = ''
  const seen: string[] = []
  const listen = (s: http.Server) => new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)))
  beforeAll(async () => {
    tencent = http.createServer((req, res) => {
      seen.push(`t ${req.url}`)
      if (req.url!.includes('sh600519')) res.end(fixtureText('tencent_fqkline_day_qfq.json'))
      else res.end(fixtureText('tencent_fqkline_param_error.json'))
    })
    eastmoney = http.createServer((req, res) => {
      seen.push(`e ${req.url}`)
      if (req.url!.includes('secid=1.601872')) res.end(fixtureText('eastmoney_kline_day_qfq.json'))
      else if (req.url!.includes('secid=1.600000')) res.writeHead(503).end('busy')
      else res.end(fixtureText('eastmoney_kline_rc100_null.json'))
    })
    tUrl = await listen(tencent)
    eUrl = await listen(eastmoney)
  })
  afterAll(() => {
    tencent.close()
    eastmoney.close()
  })

  it('sends the documented Tencent param (six segments) and serves from the first source', async () => {
    const svc = createHistoryService({ providers: ['tencent', 'eastmoney'], baseUrls: { tencent: tUrl, eastmoney: eUrl } })
    const s = await svc.getBars({ code: '600519.SH', period: 'day', adjust: 'qfq', start: null, end: null, count: 5 })
    expect(s.source).toBe('tencent')
    expect(seen.at(-1)).toBe('t /appstock/app/fqkline/get?param=sh600519,day,,,5,qfq')
  })

  it('fails over to Eastmoney when Tencent rejects the code, and clips to the date range', async () => {
    const svc = createHistoryService({ providers: ['tencent', 'eastmoney'], baseUrls: { tencent: tUrl, eastmoney: eUrl } })
    const s = await svc.getBars({ code: '601872.SH', period: 'day', adjust: 'qfq', start: '2024-12-20', end: '2024-12-26', count: 100 })
    expect(s.source).toBe('eastmoney')
    expect(s.bars.map((b) => b.day)).toEqual(['2024-12-20', '2024-12-23', '2024-12-24', '2024-12-25', '2024-12-26'])
    expect(seen.at(-1)).toContain('klt=101&fqt=1&beg=20241220&end=20241226')
  })

  it('no bars in range is no_data, not a failure of the sources', async () => {
    const svc = createHistoryService({ providers: ['eastmoney'], baseUrls: { eastmoney: eUrl } })
    await expect(svc.getBars({ code: '601872.SH', period: 'day', adjust: 'qfq', start: '2025-06-01', end: '2025-06-30', count: 10 })).rejects.toMatchObject({ kind: 'no_data' })
  })

  it('every source down → source_down; every source rejecting the code → unknown_code', async () => {
    const dead = createHistoryService({ providers: ['tencent', 'eastmoney'], baseUrls: { tencent: 'http://127.0.0.1:1', eastmoney: eUrl }, timeoutMs: 2000 })
    await expect(dead.getBars({ code: '600000.SH', period: 'day', adjust: 'none', start: null, end: null, count: 5 })).rejects.toMatchObject({ kind: 'source_down' })
    const svc = createHistoryService({ providers: ['tencent', 'eastmoney'], baseUrls: { tencent: tUrl, eastmoney: eUrl } })
    await expect(svc.getBars({ code: '000002.SZ', period: 'day', adjust: 'none', start: null, end: null, count: 5 })).rejects.toMatchObject({ kind: 'unknown_code' })
  })

  it('Tencent minute bars are raw only: a qfq minute request goes to Eastmoney', async () => {
    const svc = createHistoryService({ providers: ['tencent', 'eastmoney'], baseUrls: { tencent: tUrl, eastmoney: eUrl } })
    const before = seen.length
    await expect(svc.getBars({ code: '601872.SH', period: 'm1', adjust: 'qfq', start: null, end: null, count: 5 })).rejects.toBeInstanceOf(HistorySourceError)
    expect(seen.slice(before).every((s) => s.startsWith('e '))).toBe(true)
  })
})
