import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { fromPrefixed, parseCanonical, toPrefixed, toSecid } from '@/lib/quotes/codes'
import { computeLimitPrices, isStName } from '@/lib/quotes/limits'
import { beijingTime, parseCompactBeijing, parseDashedBeijing, parseDecimal, round3 } from '@/lib/quotes/parse-util'

describe('code forms', () => {
  it('maps canonical ⇄ prefixed ⇄ secid from the suffix only', () => {
    expect(toPrefixed('600000.SH')).toBe('sh600000')
    expect(toPrefixed('000001.SZ')).toBe('sz000001')
    expect(toPrefixed('920118.BJ')).toBe('bj920118')
    expect(fromPrefixed('sh600000')).toBe('600000.SH')
    expect(fromPrefixed('bj920118')).toBe('920118.BJ')
    expect(toSecid('600000.SH')).toBe('1.600000')
    expect(toSecid('000001.SH')).toBe('1.000001')
    expect(toSecid('000001.SZ')).toBe('0.000001')
    expect(toSecid('920118.BJ')).toBe('0.920118')
  })

  it('rejects anything that is not canonical', () => {
    for (const c of ['600000', 'sh600000', '600000.sh', '60000.SH', '600000.HK', ' 600000.SH', '600000.SH ']) {
      expect(parseCanonical(c)).toBeNull()
      expect(toPrefixed(c)).toBeNull()
      expect(toSecid(c)).toBeNull()
    }
    for (const k of ['pv_none_match', 's_sh600000', 'hk00700', 'SH600000']) expect(fromPrefixed(k)).toBeNull()
  })

  it('round-trips every canonical code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), fc.constantFrom('SH', 'SZ', 'BJ'), (n, ex) => {
        const code = `${String(n).padStart(6, '0')}.${ex}`
        expect(fromPrefixed(toPrefixed(code)!)).toBe(code)
      }),
    )
  })
})

describe('computeLimitPrices (integer half-up, a-share-rules §5)', () => {
  const d = new Date('2026-09-30T07:00:00Z')

  it('worked example 17.15 → 18.87 / 15.44 where float math gives 18.86 / 15.43', () => {
    expect(computeLimitPrices('600001.SH', 17.15, '', d)).toMatchObject({ up: 18.87, down: 15.44, pct: 10 })
  })

  it('reproduces the exchange-published Tencent limits', () => {
    expect(computeLimitPrices('600000.SH', 9.26, '浦发银行', d)).toMatchObject({ up: 10.19, down: 8.33 })
    expect(computeLimitPrices('600000.SH', 9.11, '浦发银行', d)).toMatchObject({ up: 10.02, down: 8.2 })
    expect(computeLimitPrices('688111.SH', 228.82, '金山办公', d)).toMatchObject({ up: 274.58, down: 183.06 })
  })

  it('boards: ChiNext ±20%, BJ ±30%, SZ fund at 0.001, indices none', () => {
    expect(computeLimitPrices('300750.SZ', 286.8, '', d)).toMatchObject({ up: 344.16, down: 229.44, pct: 20 })
    expect(computeLimitPrices('920118.BJ', 10, '', d)).toMatchObject({ up: 13, down: 7, pct: 30 })
    expect(computeLimitPrices('510300.SH', 4.001, '', d)).toMatchObject({ up: 4.401, down: 3.601, tick: 0.001 })
    expect(computeLimitPrices('000001.SH', 3830.45, '上证指数', d)).toBeNull()
    expect(computeLimitPrices('399001.SZ', 10000, '', d)).toBeNull()
    expect(computeLimitPrices('600000.SH', 0, '', d)).toBeNull()
  })

  it('main-board ST: ±5% before 2026-07-06 (Beijing date), ±10% from it; STAR ST stays ±20%', () => {
    expect(isStName('*ST金田')).toBe(true)
    expect(isStName('ST中珠')).toBe(true)
    expect(isStName('浦发银行')).toBe(false)
    expect(computeLimitPrices('600001.SH', 10, '*ST测试', new Date('2026-07-05T15:00:00Z'))).toMatchObject({ up: 10.5, down: 9.5, pct: 5 })
    // 2026-07-05 16:00Z is already 2026-07-06 00:00 in Beijing.
    expect(computeLimitPrices('600001.SH', 10, '*ST测试', new Date('2026-07-05T16:00:00Z'))).toMatchObject({ up: 11, down: 9, pct: 10 })
    expect(computeLimitPrices('688001.SH', 10, 'ST测试', new Date('2026-01-05T02:00:00Z'))).toMatchObject({ pct: 20 })
  })

  it('equals the exact half-up value for any price in cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500_000 }), (cents) => {
        const l = computeLimitPrices('600001.SH', cents / 100, '', d)!
        // exact: cents × 1.1 = cents × 11 / 10; half-up to the cent in integers
        expect(Math.round(l.up * 100)).toBe(Math.floor((cents * 11 * 2 + 10) / 20))
        expect(Math.round(l.down * 100)).toBe(Math.floor((cents * 9 * 2 + 10) / 20))
      }),
    )
  })
})

describe('parse helpers', () => {
  it('parseDecimal is strict', () => {
    expect(parseDecimal('9.40')).toBe(9.4)
    expect(parseDecimal('-1')).toBe(-1)
    for (const s of ['', '-', 'abc', '1e5', '0x10', '9.40.1', undefined]) expect(parseDecimal(s)).toBeNull()
  })

  it('round3 makes mills exact', () => {
    expect(round3(0.1 + 0.2)).toBe(0.3)
    expect(round3(-0.0625)).toBe(-0.063)
  })

  it('Beijing wall clock → instant, rejecting impossible dates', () => {
    expect(parseCompactBeijing('20260914161438')).toEqual(new Date('2026-09-14T16:14:38+08:00'))
    expect(parseDashedBeijing('2026-01-01', '00:30:00')).toEqual(new Date('2025-12-31T16:30:00Z'))
    expect(parseCompactBeijing('20260230120000')).toBeNull()
    expect(parseCompactBeijing('20261301120000')).toBeNull()
    expect(parseCompactBeijing('2026091416143')).toBeNull()
    expect(beijingTime(2026, 9, 14, 24, 0, 0)).toBeNull()
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (t) => {
        const s = Math.floor(t.getTime() / 1000) * 1000
        const local = new Date(s + 8 * 3600_000).toISOString() // Beijing wall clock as ISO digits
        const compact = local.slice(0, 19).replace(/[-:T]/g, '')
        expect(parseCompactBeijing(compact)!.getTime()).toBe(s)
      }),
    )
  })
})
