import { describe, expect, it } from 'vitest'
import { eastmoneyRowToQuote, parseEastmoneyUlist, type EastmoneyParse, type EastmoneyRow } from '@/lib/quotes/eastmoney-parser'
import { computeLimitPrices } from '@/lib/quotes/limits'
import { bj, fixtureText } from './helpers/fixtures'

const FLTT2 = fixtureText('eastmoney_ulist_fltt2.json')
const RAW = fixtureText('eastmoney_ulist_raw_int.json')

function rowsOf(p: EastmoneyParse): Map<string, EastmoneyRow> {
  expect(p.ok).toBe(true)
  if (!p.ok) return new Map()
  expect(p.badRows).toEqual([])
  return new Map(p.rows.map((r) => [r.secid, r]))
}

interface Expected {
  secid: string
  code: string
  name: string
  last: number
  prev: number
  open: number
  high: number
  low: number
  lots: number
  amount: number
  time: string
  up: number | null
  down: number | null
}
const row = (...a: [string, string, string, number, number, number, number, number, number, number, string, number | null, number | null]): Expected => {
  const [secid, code, name, last, prev, open, high, low, lots, amount, time, up, down] = a
  return { secid, code, name, last, prev, open, high, low, lots, amount, time, up, down }
}
// secid, code, name, last f2, prev f18, open f17, high f15, low f16, lots f5, amount f6, time f124, computed limits
const TABLE: Expected[] = [
  row('1.600000', '600000.SH', '浦发银行', 9.48, 9.18, 9.22, 9.49, 9.16, 1_474_848, 1_386_209_937.0, '2026-09-30 16:11:37', 10.1, 8.26),
  row('0.000001', '000001.SZ', '平安银行', 11.57, 11.35, 11.36, 11.65, 11.33, 1_045_357, 1_205_814_857.64, '2026-09-30 15:34:54', 12.49, 10.22),
  row('1.000001', '000001.SH', '上证指数', 3842.19, 3830.45, 3839.25, 3851.22, 3833.09, 414_560_247, 679_398_992_444.8, '2026-09-30 16:12:00', null, null),
  row('0.300750', '300750.SZ', '宁德时代', 291.11, 286.8, 290.0, 292.7, 285.8, 296_995, 8_613_929_784.25, '2026-09-30 15:34:18', 344.16, 229.44),
  row('1.601398', '601398.SH', '工商银行', 8.28, 8.16, 8.17, 8.3, 8.15, 2_931_711, 2_417_869_721.0, '2026-09-30 16:11:58', 8.98, 7.34),
]

describe('parseEastmoneyUlist, fltt=2 fixture', () => {
  const rows = rowsOf(parseEastmoneyUlist(FLTT2, 'fltt2'))

  it('keys rows by f13.f12: the index 1.000001 and the stock 0.000001 both survive', () => {
    expect([...rows.keys()]).toEqual(['1.600000', '0.000001', '1.000001', '0.300750', '1.601398'])
    expect(rows.get('1.000001')!.name).toBe('上证指数')
    expect(rows.get('0.000001')!.name).toBe('平安银行')
  })

  it.each(TABLE)('$secid → $code $name', ({ secid, code, name, last, prev, open, high, low, lots, amount, time, up, down }) => {
    const r = rows.get(secid)!
    expect(r).toMatchObject({ name, last, prevClose: prev, open, high, low, volumeLots: lots, amount })
    expect(r.time).toEqual(bj(time))
    const q = eastmoneyRowToQuote(r, code)
    expect(q.ok).toBe(true)
    if (!q.ok) return
    expect(q.quote).toMatchObject({
      code,
      name,
      last,
      prevClose: prev,
      open,
      high,
      low,
      volume: lots * 100,
      amount,
      bids: [],
      asks: [],
      limitUp: null,
      limitDown: null,
      suspended: false,
      source: 'eastmoney',
    })
    expect(q.quote.time).toEqual(bj(time))
    const lim = computeLimitPrices(code, prev, name, q.quote.time)
    if (up === null) expect(lim).toBeNull()
    else expect(lim).toMatchObject({ up, down })
  })

  it('f5 is lots: f6 / (f5 × 100) ≈ price for stocks (not for the index)', () => {
    const vwap = (s: string) => Math.round((rows.get(s)!.amount! / (rows.get(s)!.volumeLots! * 100)) * 100) / 100
    expect(vwap('1.600000')).toBe(9.4)
    expect(vwap('0.000001')).toBe(11.53)
    expect(vwap('0.300750')).toBe(290.04)
    expect(vwap('1.601398')).toBe(8.25)
    expect(vwap('1.000001')).not.toBeCloseTo(3842, 0)
  })

  it('accepts diff as an object {"0": {...}, "1": {...}}', () => {
    const j = JSON.parse(FLTT2)
    j.data.diff = Object.fromEntries(j.data.diff.map((r: unknown, i: number) => [String(i), r]))
    expect(rowsOf(parseEastmoneyUlist(JSON.stringify(j)))).toEqual(rows)
  })

  it('"-" means missing: no last price → last 0 and suspended; prev close kept', () => {
    const j = JSON.parse(FLTT2)
    Object.assign(j.data.diff[0], { f2: '-', f5: '-', f6: '-', f15: '-', f16: '-', f17: '-' })
    const row = rowsOf(parseEastmoneyUlist(JSON.stringify(j))).get('1.600000')!
    expect(row.last).toBeNull()
    const q = eastmoneyRowToQuote(row, '600000.SH')
    expect(q).toMatchObject({ ok: true, quote: { last: 0, prevClose: 9.18, open: 0, volume: 0, amount: 0, suspended: true } })
  })

  it('rows without f12/f13 are reported, not guessed', () => {
    const j = JSON.parse(FLTT2)
    delete j.data.diff[1].f13
    const p = parseEastmoneyUlist(JSON.stringify(j))
    expect(p).toMatchObject({ ok: true, badRows: ['diff[1] has no usable f12/f13'] })
    if (p.ok) expect(p.rows.map((r) => r.secid)).toEqual(['1.600000', '1.000001', '0.300750', '1.601398'])
  })

  it('not JSON, wrong shape or rc ≠ 0 → not ok; data null → no rows', () => {
    expect(parseEastmoneyUlist('<html>blocked</html>').ok).toBe(false)
    expect(parseEastmoneyUlist('[]').ok).toBe(false)
    expect(parseEastmoneyUlist('{"rc":0}').ok).toBe(false)
    expect(parseEastmoneyUlist('{"rc":102,"data":null}').ok).toBe(false)
    expect(parseEastmoneyUlist('{"rc":0,"data":{"diff":5}}').ok).toBe(false)
    expect(parseEastmoneyUlist('{"rc":0,"data":null}')).toEqual({ ok: true, rows: [], badRows: [] })
  })
})

describe('parseEastmoneyUlist, raw-int fixture (no fltt)', () => {
  const rows = rowsOf(parseEastmoneyUlist(RAW, 'raw'))

  it('scales prices by f1 decimals and percents by 100', () => {
    expect(rows.get('0.300059')).toMatchObject({ name: '东方财富', last: 15.29, changePct: -1.61, change: -0.25, prevClose: 15.54, decimals: 2 })
    expect(rows.get('0.000002')).toMatchObject({ last: 11.8, changePct: -0.76, change: -0.09, prevClose: 11.89, decimals: 2 })
  })

  it('keeps the name verbatim: two spaces and a full-width Ａ', () => {
    expect(rows.get('0.000002')!.name).toBe('万  科Ａ')
  })

  it('change / implied prev close reproduces the percent', () => {
    for (const r of rows.values()) expect(Math.round((r.change! / r.prevClose!) * 10000) / 100).toBe(r.changePct)
  })

  it('a row without f124 does not become a quote (no time → malformed)', () => {
    expect(eastmoneyRowToQuote(rows.get('0.300059')!, '300059.SZ')).toMatchObject({ ok: false })
  })

  it('f152 takes precedence over f1; 3 decimals for a fund; no decimal count → prices left null', () => {
    const body = (row: object) => JSON.stringify({ rc: 0, data: { diff: [row] } })
    const fund = rowsOf(parseEastmoneyUlist(body({ f1: 2, f152: 3, f2: 491, f18: 488, f12: '162411', f13: 0, f124: 1552374003 }), 'raw')).get('0.162411')!
    expect(fund).toMatchObject({ last: 0.491, prevClose: 0.488, decimals: 3 })
    const unscaled = rowsOf(parseEastmoneyUlist(body({ f2: 1529, f12: '300059', f13: 0 }), 'raw')).get('0.300059')!
    expect(unscaled.last).toBeNull()
    expect(unscaled.decimals).toBeNull()
  })
})
