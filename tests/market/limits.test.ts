import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { limitPercent, limitPrices, limitPricesMilli, MarketRuleError, normalizeCode, ST_10PCT_FROM, toMilli } from '@/lib/market'
import { bigLimit } from './helpers'

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8')

describe('limitPrices: reference table (a-share-rules §5)', () => {
  it.each([
    // code, prevClose, opts, up, down
    ['600000', 17.15, {}, 18.87, 15.44], // worked example: naive float gives 18.86 / 15.43
    ['600000', 9.26, {}, 10.19, 8.33],
    ['600000', 9.11, {}, 10.02, 8.2],
    ['688111', 228.82, {}, 274.58, 183.06],
    ['000001', 11.35, {}, 12.49, 10.22], // exact 12.485 / 10.215: half-up
    ['300750', 286.8, {}, 344.16, 229.44],
    ['601398', 8.16, {}, 8.98, 7.34],
    ['600000', 9.18, {}, 10.1, 8.26],
    ['688099', 97.99, {}, 117.59, 78.39],
    ['688047', 99.68, {}, 119.62, 79.74],
    ['162411', 0.488, {}, 0.537, 0.439], // fund at 0.001 (UNVERIFIED rounding)
    ['920118', 10, {}, 13, 7],
    ['920118', 10.01, {}, 13.01, 7.01], // 13.013 / 7.007
    ['600000', 10, { st: true, date: '2026-07-03' }, 10.5, 9.5],
    ['600000', 10, { st: true, date: ST_10PCT_FROM }, 11, 9],
    ['600000', 10, { st: true }, 11, 9], // default: the 2026 rules
    ['000001', 3.33, { st: true, date: '2025-01-02' }, 3.5, 3.16], // 3.4965 / 3.1635
    ['300750', 10, { st: true, date: '2025-01-02' }, 12, 8], // ST does not change ChiNext
    ['688111', 10, { st: true, date: '2025-01-02' }, 12, 8],
  ] as const)('%s prev %s %o → %s / %s', (code, prev, opts, up, down) => {
    expect(limitPrices(code, prev, opts)).toEqual({ up, down })
  })

  it('returns null on no-limit days', () => {
    expect(limitPrices('688111', 50, { noLimit: true })).toBeNull()
    expect(limitPricesMilli('688111', 50_000, { noLimit: true })).toBeNull()
  })

  it('refuses an invalid previous close or date', () => {
    expect(() => limitPrices('600000', 0)).toThrow(MarketRuleError)
    expect(() => limitPrices('600000', -1)).toThrow(MarketRuleError)
    expect(() => limitPrices('600000', Number.NaN)).toThrow(MarketRuleError)
    expect(() => limitPrices('600000', 9.2649)).toThrow(/3位小数|3 decimals/)
    expect(() => limitPrices('600000', 10, { st: true, date: '2026/07/06' })).toThrow(MarketRuleError)
    expect(() => limitPrices('000001.SH', 10)).toThrow(MarketRuleError)
  })

  it('never goes below one tick', () => {
    expect(limitPrices('600000', 0.01)).toEqual({ up: 0.01, down: 0.01 })
  })

  it('board percentages', () => {
    expect(limitPercent('600000')).toBe(10)
    expect(limitPercent('002415')).toBe(10)
    expect(limitPercent('300750')).toBe(20)
    expect(limitPercent('688111')).toBe(20)
    expect(limitPercent('920118')).toBe(30)
    expect(limitPercent('510300')).toBe(10)
  })
})

describe('limitPrices: published limits in the recorded quotes', () => {
  it('reproduces Tencent fields 47/48 for every stock record', () => {
    const records = fixture('tencent_qt.txt')
      .split(';')
      .map((r) => r.trim())
      .filter((r) => /^v_(sh|sz|bj)\d{6}=/.test(r))
    expect(records).toHaveLength(3)
    for (const rec of records) {
      const f = rec.slice(rec.indexOf('"') + 1, rec.lastIndexOf('"')).split('~')
      const code = normalizeCode(rec.slice(2, 10))
      const prevClose = Number(f[4])
      const published = { up: Number(f[47]), down: Number(f[48]) }
      expect(limitPrices(code, prevClose)).toEqual(published)
    }
  })

  it('reproduces the documented Tencent values exactly', () => {
    expect(limitPrices('600000.SH', 9.26)).toEqual({ up: 10.19, down: 8.33 })
    expect(limitPrices('600000.SH', 9.11)).toEqual({ up: 10.02, down: 8.2 })
    expect(limitPrices('688111.SH', 228.82)).toEqual({ up: 274.58, down: 183.06 })
  })

  it('computes the Sina records (no published limits) as documented', () => {
    const expected: Record<string, { up: number; down: number }> = {
      '600000.SH': { up: 10.02, down: 8.2 },
      '688099.SH': { up: 117.59, down: 78.39 },
      '688047.SH': { up: 119.62, down: 79.74 },
      '162411.SZ': { up: 0.537, down: 0.439 },
    }
    const lines = fixture('sina_hq.txt').split('\n').filter((l) => /hq_str_\w+="[^"]+"/.test(l))
    expect(lines).toHaveLength(4)
    for (const line of lines) {
      const code = normalizeCode(/hq_str_(\w+)=/.exec(line)![1])
      const f = line.slice(line.indexOf('"') + 1, line.lastIndexOf('"')).split(',')
      expect(limitPrices(code, Number(f[2]))).toEqual(expected[code])
    }
    // 688047 closed exactly at its computed limit-up with an empty ask side.
    const star = lines.find((l) => l.includes('sh688047'))!.split(',')
    expect(Number(star[3])).toBe(119.62)
  })

  it('computes the Eastmoney rows and refuses the index row', () => {
    const json = JSON.parse(fixture('eastmoney_ulist_fltt2.json')) as { data: { diff: Array<Record<string, number | string>> } }
    const expected: Record<string, { up: number; down: number } | 'index'> = {
      '1.600000': { up: 10.1, down: 8.26 },
      '0.000001': { up: 12.49, down: 10.22 },
      '1.000001': 'index',
      '0.300750': { up: 344.16, down: 229.44 },
      '1.601398': { up: 8.98, down: 7.34 },
    }
    expect(json.data.diff).toHaveLength(5)
    for (const row of json.data.diff) {
      const key = `${row.f13}.${row.f12}`
      const code = `${row.f12}.${row.f13 === 1 ? 'SH' : 'SZ'}`
      const want = expected[key]
      if (want === 'index') {
        expect(() => normalizeCode(code)).toThrow(expect.objectContaining({ code: 'CODE_INDEX' }))
      } else {
        expect(limitPrices(code, row.f18 as number)).toEqual(want)
      }
    }
  })
})

describe('limitPrices: integer formula == BigInt reference', () => {
  const boards = [
    { code: '600000', pct: 10, tick: 10 },
    { code: '000001', pct: 10, tick: 10 },
    { code: '300750', pct: 20, tick: 10 },
    { code: '688111', pct: 20, tick: 10 },
    { code: '920118', pct: 30, tick: 10 },
    { code: '510300', pct: 10, tick: 1 },
  ]
  it('for random previous closes on every board', () => {
    fc.assert(
      fc.property(fc.constantFrom(...boards), fc.integer({ min: 1, max: 500_000 }), (b, ticks) => {
        const prevMilli = ticks * b.tick
        const r = limitPricesMilli(b.code, prevMilli)!
        expect(r.upMilli).toBe(bigLimit(prevMilli, b.pct, b.tick, 1))
        expect(r.downMilli).toBe(Math.max(bigLimit(prevMilli, b.pct, b.tick, -1), b.tick))
        // and through the yuan API
        const y = limitPrices(b.code, prevMilli / 1000)!
        expect(toMilli(y.up)).toBe(r.upMilli)
        expect(toMilli(y.down)).toBe(r.downMilli)
      }),
      { numRuns: 3000 },
    )
  })

  it('ST main board at 5 % before and 10 % after the switch date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.boolean(), (cents, before) => {
        const prevMilli = cents * 10
        const r = limitPricesMilli('600000', prevMilli, { st: true, date: before ? '2026-07-05' : '2026-07-06' })!
        const pct = before ? 5 : 10
        expect(r.upMilli).toBe(bigLimit(prevMilli, pct, 10, 1))
        expect(r.downMilli).toBe(Math.max(bigLimit(prevMilli, pct, 10, -1), 10))
      }),
    )
  })

  it('differs from naive float rounding where the reference says it must', () => {
    const naive = Math.round(17.15 * 0.9 * 100) / 100
    expect(naive).toBe(15.43)
    expect(limitPrices('600000', 17.15)!.down).toBe(15.44)
  })
})
