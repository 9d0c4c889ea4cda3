import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeGbk } from '@/lib/quotes/http'
import { parseTencent, volumeUnitByCrossCheck, type TencentRecord } from '@/lib/quotes/tencent-parser'
import { bj, fixtureText, gbk } from './helpers/fixtures'

const TEXT = fixtureText('tencent_qt.txt')
const LINES = TEXT.split('\n').filter((l) => l.trim() !== '')

type QuoteRecord = Extract<TencentRecord, { kind: 'quote' }>
function quotes(records: TencentRecord[]): QuoteRecord[] {
  return records.filter((r): r is QuoteRecord => r.kind === 'quote')
}

/** The fixture record on line `i` with some `~` fields replaced. */
function edited(i: number, changes: Record<number, string>): string {
  const line = LINES[i]!
  const m = /^(v_\w+=")(.*)(";)$/.exec(line.trim())!
  const f = m[2]!.split('~')
  for (const [k, v] of Object.entries(changes)) f[Number(k)] = v
  return `${m[1]}${f.join('~')}${m[3]}`
}

function only(text: string): QuoteRecord {
  const rs = parseTencent(text)
  expect(rs).toHaveLength(1)
  expect(rs[0]!.kind).toBe('quote')
  return rs[0] as QuoteRecord
}

const round2 = (x: number) => Math.round(x * 100) / 100

describe('parseTencent on the recorded fixture (GBK bytes → decode → parse)', () => {
  const records = parseTencent(decodeGbk(gbk(TEXT)))

  it('returns a list with both sh600000 records, the STAR record and the unknown marker, in order', () => {
    expect(records.map((r) => r.kind)).toEqual(['quote', 'quote', 'quote', 'unknown'])
    expect(quotes(records).map((r) => r.code)).toEqual(['600000.SH', '688111.SH', '600000.SH'])
  })

  it('GBK decoding yields exactly the UTF-8 parse (names intact)', () => {
    expect(records).toEqual(parseTencent(TEXT))
    expect(quotes(records)[1]!.quote.name).toBe('金山办公')
  })

  it('record 1: 600000 on 2026-09-14', () => {
    const r = quotes(records)[0]!
    const q = r.quote
    expect(q).toMatchObject({
      code: '600000.SH',
      name: '浦发银行',
      last: 9.4,
      prevClose: 9.26,
      open: 9.28,
      high: 9.43,
      low: 9.24,
      volume: 77_187_100,
      amount: 722_307_374,
      limitUp: 10.19,
      limitDown: 8.33,
      suspended: false,
      source: 'tencent',
    })
    expect(r.volumeUnit).toBe('lots')
    expect(r.volumeUnitBy).toBe('crosscheck')
    expect(q.bids[0]).toEqual({ price: 9.39, volume: 114_500 })
    expect(q.asks[0]).toEqual({ price: 9.4, volume: 242_500 })
    expect(q.bids.map((l) => l.price)).toEqual([9.39, 9.38, 9.37, 9.36, 9.35])
    expect(q.asks.map((l) => l.price)).toEqual([9.4, 9.41, 9.42, 9.43, 9.44])
    expect(q.time).toEqual(bj('2026-09-14 16:14:38'))
    // change 0.14 / 1.51%, average price 9.36
    expect(round2(q.last - q.prevClose)).toBe(0.14)
    expect(round2(((q.last - q.prevClose) / q.prevClose) * 100)).toBe(1.51)
    expect(round2(q.amount / q.volume)).toBe(9.36)
  })

  it('record 2: STAR 688111, field 6 in shares (cross-check agrees with the prefix)', () => {
    const r = quotes(records)[1]!
    const q = r.quote
    expect(q).toMatchObject({
      code: '688111.SH',
      name: '金山办公',
      last: 228.59,
      prevClose: 228.82,
      open: 226,
      high: 232.7,
      low: 226,
      volume: 3_506_475,
      amount: 806_688_058,
      limitUp: 274.58,
      limitDown: 183.06,
      suspended: false,
    })
    expect(r.volumeUnit).toBe('shares')
    expect(r.volumeUnitBy).toBe('crosscheck')
    expect(r.warnings).toEqual([])
    expect(round2(q.amount / q.volume)).toBe(230.06)
    expect(round2(q.last - q.prevClose)).toBe(-0.23)
    expect(round2(((q.last - q.prevClose) / q.prevClose) * 100)).toBe(-0.1)
    // Book volume unit for STAR is UNVERIFIED; documented choice: lots (×100) like every other board.
    expect(q.bids[0]).toEqual({ price: 228.56, volume: 200 })
    expect(q.asks[0]).toEqual({ price: 228.59, volume: 21_300 })
    expect(q.time).toEqual(bj('2026-09-14 16:14:39'))
  })

  it('record 3: 600000 on 2026-08-21', () => {
    const q = quotes(records)[2]!.quote
    expect(q).toMatchObject({
      last: 9.05,
      prevClose: 9.11,
      open: 9.09,
      high: 9.15,
      low: 9.03,
      volume: 51_270_300,
      amount: 465_159_863,
      limitUp: 10.02,
      limitDown: 8.2,
    })
    expect(q.bids[0]).toEqual({ price: 9.04, volume: 375_500 })
    expect(q.asks[0]).toEqual({ price: 9.05, volume: 436_600 })
    expect(q.time).toEqual(bj('2026-08-21 16:14:42'))
    expect(round2(q.last - q.prevClose)).toBe(-0.06)
    expect(round2(((q.last - q.prevClose) / q.prevClose) * 100)).toBe(-0.66)
  })

  it('cross-source: Tencent volume is Sina 51,270,289 shares rounded to lots; amount identical', () => {
    const q = quotes(records)[2]!.quote
    expect(Math.abs(q.volume - 51_270_289)).toBeLessThan(100)
    expect(q.amount).toBe(465_159_863)
  })

  it('prices are exact in mills (toMilli-safe)', () => {
    for (const { quote: q } of quotes(records)) {
      for (const p of [q.last, q.prevClose, q.open, q.high, q.low, ...q.bids.map((l) => l.price), ...q.asks.map((l) => l.price)]) {
        expect(Number.isInteger(Math.round(p * 1000))).toBe(true)
        expect(Math.round(p * 1000) / 1000).toBe(p)
      }
    }
  })
})

describe('parseTencent edge cases', () => {
  it('empty record → empty; v_pv_none_match → unknown', () => {
    expect(parseTencent('v_sh999999="";\nv_pv_none_match="1";\n')).toEqual([
      { kind: 'empty', key: 'sh999999', code: '999999.SH' },
      { kind: 'unknown' },
    ])
  })

  it('records with ≤ 49 fields are malformed, not quotes, and do not affect neighbours', () => {
    const short = `v_sz000001="${Array.from({ length: 49 }, () => '1').join('~')}";`
    const rs = parseTencent(`${short}\n${LINES[0]}\n`)
    expect(rs[0]).toMatchObject({ kind: 'malformed', code: '000001.SZ' })
    expect(rs[1]!.kind).toBe('quote')
  })

  it('a fund-sized record of 50 fields is accepted', () => {
    const f = LINES[0]!.trim().slice('v_sh600000="'.length, -2).split('~').slice(0, 50)
    const r = only(`v_sh600000="${f.join('~')}";`)
    expect(r.quote.limitUp).toBe(10.19)
  })

  it('limit -1 → null limits and not tradable', () => {
    const r = only(edited(0, { 47: '-1', 48: '-1' }))
    expect(r.quote.limitUp).toBeNull()
    expect(r.quote.limitDown).toBeNull()
    expect(r.quote.suspended).toBe(true)
  })

  it('volume 0 and open 0 → suspended; price 0 → suspended; a live quote is not', () => {
    expect(only(edited(0, { 5: '0.00', 6: '0', 35: '9.40/0/0', 36: '0' })).quote.suspended).toBe(true)
    expect(only(edited(0, { 3: '0.00' })).quote.suspended).toBe(true)
    expect(only(LINES[0]!).quote.suspended).toBe(false)
  })

  it('empty book levels `0.00~0` are omitted, never reported as price 0', () => {
    const q = only(edited(0, { 21: '0.00', 22: '0', 23: '0.00', 24: '0', 25: '0.00', 26: '0', 27: '0.00', 28: '0' })).quote
    expect(q.asks).toEqual([{ price: 9.4, volume: 242_500 }])
    const allEmpty = only(edited(1, { 19: '0.00', 20: '0', 21: '0.00', 22: '0', 23: '0.00', 24: '0', 25: '0.00', 26: '0', 27: '0.00', 28: '0' })).quote
    expect(allEmpty.asks).toEqual([])
  })

  it('STAR whose field 6 is really lots: the amount cross-check wins and warns', () => {
    // 688111 volume rewritten as 35065 lots: 806688058 / (35065 × 100) = 230.05, a plausible price.
    const r = only(edited(1, { 6: '35065', 35: '228.59/35065/806688058', 36: '35065' }))
    expect(r.volumeUnit).toBe('lots')
    expect(r.quote.volume).toBe(3_506_500)
    expect(r.warnings).toHaveLength(1)
    expect(r.warnings[0]).toContain('688111.SH')
  })

  it('no trades: the prefix decides (STAR shares, main board lots)', () => {
    const star = only(edited(1, { 6: '0', 35: '228.59/0/0', 36: '0' }))
    expect(star.volumeUnitBy).toBe('prefix')
    expect(star.volumeUnit).toBe('shares')
    const main = only(edited(0, { 6: '0', 35: '9.40/0/0', 36: '0' }))
    expect(main.volumeUnitBy).toBe('prefix')
    expect(main.volumeUnit).toBe('lots')
  })

  it('amount falls back to field 57 (万元, 4 decimals) when field 35 is missing', () => {
    expect(only(edited(0, { 35: '' })).quote.amount).toBe(722_307_374)
  })

  it('code mismatch between key and field 2, bad time, non-numeric price → malformed', () => {
    expect(parseTencent(edited(0, { 2: '600001' }))[0]).toMatchObject({ kind: 'malformed', code: '600000.SH' })
    expect(parseTencent(edited(0, { 30: '2026-09-14' }))[0]).toMatchObject({ kind: 'malformed' })
    expect(parseTencent(edited(0, { 30: '20261314161438' }))[0]).toMatchObject({ kind: 'malformed' })
    expect(parseTencent(edited(0, { 3: 'abc' }))[0]).toMatchObject({ kind: 'malformed' })
  })

  it('time is Beijing (UTC+8) whatever the process TZ', () => {
    const before = process.env.TZ
    try {
      process.env.TZ = 'America/New_York'
      const ny = only(LINES[0]!).quote.time
      process.env.TZ = 'Asia/Tokyo'
      const tokyo = only(LINES[0]!).quote.time
      expect(ny.toISOString()).toBe('2026-09-14T08:14:38.000Z')
      expect(tokyo.toISOString()).toBe('2026-09-14T08:14:38.000Z')
    } finally {
      if (before === undefined) delete process.env.TZ
      else process.env.TZ = before
    }
  })

  it('garbage segments are reported as malformed with no key; never throws on arbitrary input', () => {
    expect(parseTencent('<html>503 Service Unavailable</html>')).toEqual([
      { kind: 'malformed', key: null, code: null, reason: 'not a v_xx="..." record' },
    ])
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const rs = parseTencent(s)
        for (const r of rs) if (r.kind === 'quote') expect(Number.isFinite(r.quote.last)).toBe(true)
      }),
      { numRuns: 300 },
    )
    // Random field-level corruption of a real record: either a valid quote or malformed, never a throw.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 87 }), fc.string({ maxLength: 12 }), (i, v) => {
        const rs = parseTencent(edited(0, { [i]: v.replace(/[~";]/g, '') }))
        expect(rs).toHaveLength(1)
        expect(['quote', 'malformed']).toContain(rs[0]!.kind)
      }),
      { numRuns: 300 },
    )
  })
})

describe('volumeUnitByCrossCheck', () => {
  it('decides shares, lots, or inconclusive', () => {
    expect(volumeUnitByCrossCheck(3_506_475, 806_688_058, 226, 232.7)).toBe('shares')
    expect(volumeUnitByCrossCheck(771_871, 722_307_374, 9.24, 9.43)).toBe('lots')
    expect(volumeUnitByCrossCheck(0, 0, 9.24, 9.43)).toBeNull()
    // Neither reading fits the price range (e.g. an index): inconclusive.
    expect(volumeUnitByCrossCheck(414_560_247, 679_398_992_444.8, 3833.09, 3851.22)).toBeNull()
  })
})
