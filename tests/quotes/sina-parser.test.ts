import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeSina } from '@/lib/quotes/http'
import { computeLimitPrices } from '@/lib/quotes/limits'
import { isSinaBlockedBody, parseSina, type SinaRecord } from '@/lib/quotes/sina-parser'
import { bj, fixtureText, gbk } from './helpers/fixtures'

const TEXT = fixtureText('sina_hq.txt')
const LINES = TEXT.split('\n').filter((l) => l.trim() !== '')

type QuoteRecord = Extract<SinaRecord, { kind: 'quote' }>
const asQuote = (r: SinaRecord | undefined): QuoteRecord => {
  expect(r?.kind).toBe('quote')
  return r as QuoteRecord
}

function edited(i: number, changes: Record<number, string>): string {
  const m = /^(var hq_str_\w+=")(.*)(";)$/.exec(LINES[i]!.trim())!
  const f = m[2]!.split(',')
  for (const [k, v] of Object.entries(changes)) f[Number(k)] = v
  return `${m[1]}${f.join(',')}${m[3]}`
}

describe('parseSina on the recorded fixture', () => {
  // GBK bytes with the charset declared, as Sina historically served them.
  const records = parseSina(decodeSina(gbk(TEXT), 'application/javascript; charset=GBK'))

  it('decodes GBK identically to the UTF-8 text, with or without a declared charset', () => {
    expect(records).toEqual(parseSina(TEXT))
    expect(parseSina(decodeSina(gbk(TEXT), null))).toEqual(records) // strict UTF-8 fails → gb18030
    expect(parseSina(decodeSina(new TextEncoder().encode(TEXT), null))).toEqual(records) // UTF-8 (2026-09 note)
    expect(parseSina(decodeSina(gbk(TEXT), 'text/html; charset=utf-8'))).toEqual(records) // lying header
  })

  it('has four quotes and the empty sz160923 record', () => {
    expect(records.map((r) => r.kind)).toEqual(['quote', 'quote', 'quote', 'quote', 'empty'])
    expect(records[4]).toEqual({ kind: 'empty', key: 'sz160923', code: '160923.SZ' })
  })

  it('line 1: sh600000 2026-08-21 (open THEN prev close; book volume THEN price)', () => {
    const r = asQuote(records[0])
    expect(r.quote).toMatchObject({
      code: '600000.SH',
      name: '浦发银行',
      open: 9.09,
      prevClose: 9.11,
      last: 9.05,
      high: 9.15,
      low: 9.03,
      volume: 51_270_289,
      amount: 465_159_863,
      limitUp: null,
      limitDown: null,
      suspended: false,
      source: 'sina',
    })
    expect(r.quote.bids[0]).toEqual({ price: 9.04, volume: 375_500 })
    expect(r.quote.asks[0]).toEqual({ price: 9.05, volume: 436_555 })
    expect(r.quote.bids).toHaveLength(5)
    expect(r.quote.asks).toHaveLength(5)
    expect(r.quote.time).toEqual(bj('2026-08-21 15:34:58'))
    expect(r.status).toBe('00')
    expect(r.extras).toEqual(['D|36500|330325.00'])
    expect(LINES[0]!.slice(LINES[0]!.indexOf('"') + 1, LINES[0]!.lastIndexOf('"')).split(',')).toHaveLength(34)
    const lim = computeLimitPrices(r.code, r.quote.prevClose, r.quote.name, r.quote.time)
    expect(lim).toMatchObject({ up: 10.02, down: 8.2 })
  })

  it('line 2: STAR sh688099 2026-07-17', () => {
    const r = asQuote(records[1])
    expect(r.quote).toMatchObject({
      name: '晶晨股份',
      open: 97.97,
      prevClose: 97.99,
      last: 87.39,
      high: 100.48,
      low: 85.42,
      volume: 25_157_293,
      amount: 2_316_933_303,
    })
    expect(r.quote.bids[0]).toEqual({ price: 87.39, volume: 500 })
    expect(r.quote.asks[0]).toEqual({ price: 87.4, volume: 12_243 })
    expect(r.quote.time).toEqual(bj('2026-07-17 15:34:59'))
    expect(r.status).toBe('00')
    expect(r.extras).toEqual(['D|2800|244720.00'])
    expect(computeLimitPrices(r.code, r.quote.prevClose, r.quote.name, r.quote.time)).toMatchObject({ up: 117.59, down: 78.39, pct: 20 })
  })

  it('line 3: STAR sh688047 at limit-up — all five asks `0,0.000` are omitted, not price 0', () => {
    const r = asQuote(records[2])
    expect(r.quote).toMatchObject({
      name: '龙芯中科',
      open: 106,
      prevClose: 99.68,
      last: 119.62,
      high: 119.62,
      low: 104.5,
      volume: 8_256_723,
      amount: 938_310_086,
    })
    expect(r.quote.asks).toEqual([])
    expect(r.quote.bids[0]).toEqual({ price: 119.62, volume: 25_600 })
    expect(r.quote.bids).toHaveLength(5)
    expect(r.quote.time).toEqual(bj('2024-09-30 15:00:01'))
    expect(r.status).toBe('00')
    expect(r.extras).toEqual([''])
    const lim = computeLimitPrices(r.code, r.quote.prevClose, r.quote.name, r.quote.time)!
    expect(lim.up).toBe(119.62)
    expect(lim.down).toBe(79.74)
    expect(r.quote.last).toBe(lim.up)
    expect(r.quote.bids[0]!.price).toBe(lim.up)
  })

  it('line 4: LOF sz162411 with 33 fields and 3-decimal prices', () => {
    const r = asQuote(records[3])
    expect(r.quote).toMatchObject({
      code: '162411.SZ',
      name: '华宝油气',
      open: 0.489,
      prevClose: 0.488,
      last: 0.491,
      high: 0.492,
      low: 0.488,
      volume: 133_819_867,
      amount: 65_623_147.285,
    })
    expect(r.quote.bids[0]).toEqual({ price: 0.49, volume: 2_422_992 })
    expect(r.quote.asks[0]).toEqual({ price: 0.491, volume: 5_386_166 })
    expect(r.quote.time).toEqual(bj('2019-03-12 15:00:03'))
    expect(r.extras).toEqual([])
    // Fund limits at a 0.001 tick (UNVERIFIED rounding rule).
    expect(computeLimitPrices(r.code, r.quote.prevClose, r.quote.name, r.quote.time)).toMatchObject({ up: 0.537, down: 0.439, tick: 0.001 })
  })
})

describe('parseSina edge cases', () => {
  it('names are kept verbatim (spaces, full-width) through the GBK path', () => {
    const line = edited(0, { 0: '万  科Ａ' }).replace('hq_str_sh600000', 'hq_str_sz000002')
    const r = asQuote(parseSina(decodeSina(gbk(line), null))[0])
    expect(r.quote.name).toBe('万  科Ａ')
    expect(r.code).toBe('000002.SZ')
  })

  it('a non-00 status marks the quote suspended', () => {
    for (const s of ['01', '02', '03', '04', '05', '07', '-1', '-2', '-3']) {
      const r = asQuote(parseSina(edited(0, { 32: s }))[0])
      expect(r.quote.suspended).toBe(true)
      expect(r.status).toBe(s)
    }
    expect(asQuote(parseSina(LINES[0]!)[0]).quote.suspended).toBe(false)
  })

  it('price 0 or nothing traded and no open → suspended', () => {
    expect(asQuote(parseSina(edited(0, { 3: '0.000' }))[0]).quote.suspended).toBe(true)
    expect(asQuote(parseSina(edited(0, { 1: '0.000', 8: '0', 9: '0.000' }))[0]).quote.suspended).toBe(true)
  })

  it('SH index volume (lots on Sina) is converted to shares', () => {
    const r = asQuote(parseSina(edited(0, { 0: '上证指数', 8: '414560247' }).replace('sh600000', 'sh000001'))[0])
    expect(r.quote.volume).toBe(41_456_024_700)
  })

  it('fewer than 33 fields, bad date, non-numeric price → malformed without hurting other lines', () => {
    const short = `var hq_str_sh600001="${Array.from({ length: 32 }, () => '1').join(',')}";`
    const rs = parseSina([short, edited(0, { 30: '2026/08/21' }), edited(0, { 3: 'x' }), LINES[1]!].join('\n'))
    expect(rs.map((r) => r.kind)).toEqual(['malformed', 'malformed', 'malformed', 'quote'])
    expect(rs[0]).toMatchObject({ code: '600001.SH' })
  })

  it('recognises the anti-scraping body and never throws on arbitrary input', () => {
    expect(isSinaBlockedBody('Kinsoku jikou desu!')).toBe(true)
    expect(isSinaBlockedBody(TEXT)).toBe(false)
    expect(parseSina('Kinsoku jikou desu!')).toEqual([{ kind: 'malformed', key: null, code: null, reason: 'not a var hq_str_xx="..." line' }])
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 33 }), fc.string({ maxLength: 12 }), (i, v) => {
        const rs = parseSina(edited(0, { [i]: v.replace(/[,"\n\r]/g, '') }))
        expect(rs).toHaveLength(1)
        expect(['quote', 'malformed']).toContain(rs[0]!.kind)
      }),
      { numRuns: 300 },
    )
  })
})
