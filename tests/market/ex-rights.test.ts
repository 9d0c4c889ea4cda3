import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { adjustedManagedQty, adjustLevelMilli, adjustLevels, detectExRights, formatFactorPpm, limitPricesMilli, tickMilliOf } from '@/lib/market'

const day = '2026-12-07'

describe('detectExRights', () => {
  it('no change: the quote previous close equals the stored close and the limits match', () => {
    const d = detectExRights({ code: '600000.SH', storedCloseMilli: 9_260, prevCloseMilli: 9_260, limitUpMilli: 10_190, limitDownMilli: 8_330, day })
    expect(d.exRights).toBe(false)
    expect(d.limitsMismatch).toBe(false)
    expect(d.factorPpm).toBe(1_000_000)
  })

  it('10派3 (0.30 cash per share) on a 10.00 close: reference 9.70, factor 0.97', () => {
    const d = detectExRights({ code: '600000.SH', storedCloseMilli: 10_000, prevCloseMilli: 9_700, limitUpMilli: 10_670, limitDownMilli: 8_730, day })
    expect(d).toMatchObject({ exRights: true, source: 'prev_close', referenceMilli: 9_700, factorPpm: 970_000, limitsMismatch: true })
    expect(d.limitsFromStored).toEqual({ upMilli: 11_000, downMilli: 9_000 })
  })

  it('10转10 on STAR: reference halves, factor 0.5', () => {
    const d = detectExRights({ code: '688111.SH', storedCloseMilli: 228_820, prevCloseMilli: 114_410, limitUpMilli: 137_290, limitDownMilli: 91_530, day })
    expect(d).toMatchObject({ exRights: true, source: 'prev_close', factorPpm: 500_000 })
  })

  it('a source with the raw close but the exchange band on the reference: detected from the limits', () => {
    // Reference 9.70: limits 10.67 / 8.73; the quote still says 10.00.
    const d = detectExRights({ code: '600000.SH', storedCloseMilli: 10_000, prevCloseMilli: 10_000, limitUpMilli: 10_670, limitDownMilli: 8_730, day })
    expect(d).toMatchObject({ exRights: true, source: 'limits', referenceMilli: 9_700, factorPpm: 970_000 })
  })

  it('a limit mismatch no reference explains (wrong ST flag) is reported, not detected', () => {
    // ST main board before 2026-07-06: ±5 %, while the input says not ST.
    const d = detectExRights({ code: '600000.SH', storedCloseMilli: 10_000, prevCloseMilli: 10_000, limitUpMilli: 10_500, limitDownMilli: 9_500, day: '2026-07-03' })
    expect(d.exRights).toBe(false)
    expect(d.limitsMismatch).toBe(true)
  })

  it('no stored close or an invalid quote: nothing detected', () => {
    expect(detectExRights({ code: '600000.SH', storedCloseMilli: 0, prevCloseMilli: 9_700, day }).exRights).toBe(false)
    expect(detectExRights({ code: '600000.SH', storedCloseMilli: 10_000, prevCloseMilli: 0, day }).exRights).toBe(false)
  })

  it('without published limits, the previous close alone decides', () => {
    expect(detectExRights({ code: '000001.SZ', storedCloseMilli: 11_400, prevCloseMilli: 11_150, day }).exRights).toBe(true)
    expect(detectExRights({ code: '000001.SZ', storedCloseMilli: 11_400, prevCloseMilli: 11_400, day }).exRights).toBe(false)
  })

  it('funds tick at 0.001: a one-mill reference change counts', () => {
    expect(detectExRights({ code: '510300.SH', storedCloseMilli: 4_100, prevCloseMilli: 4_099, day }).exRights).toBe(true)
  })
})

describe('adjusted levels', () => {
  it('scales to the tick half-up: 8.80 × 0.97 = 8.536 → 8.54', () => {
    expect(adjustLevelMilli('600000.SH', 8_800, 9_700, 10_000)).toBe(8_540)
    expect(adjustLevelMilli('600000.SH', 8_850, 9_700, 10_000)).toBe(8_580) // 8.5845 → 8.58
  })

  it('keeps unset levels and the trailing reference when absent', () => {
    const l = adjustLevels('600000.SH', { entryLowMilli: 0, entryHighMilli: 0, takeProfitMilli: 11_000, stopLossMilli: 9_500, highestSinceEntryMilli: null }, 9_700, 10_000)
    expect(l).toEqual({ entryLowMilli: 0, entryHighMilli: 0, takeProfitMilli: 10_670, stopLossMilli: 9_220, highestSinceEntryMilli: null })
  })

  it('managed quantity follows the broker after 送转, never beyond it', () => {
    expect(adjustedManagedQty(1000, 2000, 5_000, 10_000)).toBe(2000) // 10转10
    expect(adjustedManagedQty(1000, 3000, 5_000, 10_000)).toBe(2000) // 1000 manual shares stay manual
    expect(adjustedManagedQty(1000, 1000, 9_700, 10_000)).toBe(1000) // cash dividend: unchanged
    expect(adjustedManagedQty(1000, 800, 9_700, 10_000)).toBe(800) // broker holds less
    expect(adjustedManagedQty(0, 800, 5_000, 10_000)).toBe(0)
    expect(adjustedManagedQty(1000, null, 5_000, 10_000)).toBe(1000)
  })
})

it('formats the factor with 4 decimals, half-up', () => {
  expect(formatFactorPpm(970_000)).toBe('0.9700')
  expect(formatFactorPpm(903_050)).toBe('0.9031')
  expect(formatFactorPpm(1_000_000)).toBe('1.0000')
  expect(formatFactorPpm(500_000)).toBe('0.5000')
})

describe('properties', () => {
  const codes = ['600000.SH', '000001.SZ', '300750.SZ', '688111.SH', '920118.BJ', '510300.SH']
  it('detection, factor and adjusted levels (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.integer({ min: 100, max: 5_000_000 }),
        fc.integer({ min: 300_000, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 4, maxLength: 4 }),
        (code, storedRaw, factorPpm, lv) => {
          const t = tickMilliOf(code)
          const stored = Math.max(t, Math.round(storedRaw / t) * t)
          const ref = Math.max(t, Math.round((stored * factorPpm) / 1_000_000 / t) * t)
          const published = limitPricesMilli(code, ref, { date: day })!
          const d = detectExRights({ code, storedCloseMilli: stored, prevCloseMilli: ref, limitUpMilli: published.upMilli, limitDownMilli: published.downMilli, day })
          // Detected exactly when the reference moved by a tick or more.
          expect(d.exRights).toBe(ref !== stored)
          if (!d.exRights) return
          expect(d.referenceMilli).toBe(ref)
          // Same data from a source that keeps the raw close: the limits still find the reference
          // when they move (tiny prices can leave the band unchanged).
          const raw = detectExRights({ code, storedCloseMilli: stored, prevCloseMilli: stored, limitUpMilli: published.upMilli, limitDownMilli: published.downMilli, day })
          if (raw.exRights) {
            expect(limitPricesMilli(code, raw.referenceMilli, { date: day })).toEqual(published)
          }
          const [a, b, tp, sl] = lv.map((v) => Math.round(v / t) * t)
          const levels = { entryLowMilli: Math.min(a!, b!), entryHighMilli: Math.max(a!, b!), takeProfitMilli: tp!, stopLossMilli: sl!, highestSinceEntryMilli: tp! }
          const adj = adjustLevels(code, levels, ref, stored)
          for (const [k, v] of Object.entries(adj)) {
            const before = levels[k as keyof typeof levels] as number
            if (before <= 0) continue
            expect(v! % t).toBe(0)
            expect(v!).toBeGreaterThanOrEqual(t)
            // Within half a tick of the exact scaled value (or lifted to one tick).
            const exact = (before * ref) / stored
            if (exact >= t / 2) expect(Math.abs(v! - exact)).toBeLessThanOrEqual(t / 2 + 1e-6)
          }
          // Order is preserved: the zone stays a zone, a stop below the take-profit stays below it.
          expect(adj.entryLowMilli).toBeLessThanOrEqual(adj.entryHighMilli)
          if (levels.stopLossMilli <= levels.takeProfitMilli) expect(adj.stopLossMilli).toBeLessThanOrEqual(adj.takeProfitMilli)
        },
      ),
      { numRuns: 500 },
    )
  })
})
