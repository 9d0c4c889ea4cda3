import { describe, expect, it } from 'vitest'
import { nextTradingDay, replay, replayVariants, shanghaiTime, type ReplayBar, type ReplayInput } from '@/lib/market'

/** Daily bars from [open, high, low, close] rows on consecutive trading days from 2026-03-02. */
function daily(rows: Array<[number, number, number, number]>, start = '2026-03-02'): ReplayBar[] {
  let day = start
  return rows.map(([open, high, low, close], i) => {
    if (i > 0) day = nextTradingDay(day)
    return { time: shanghaiTime(day, '15:00'), day, open, high, low, close }
  })
}

const LEVELS = { entryLow: 9.8, entryHigh: 10, takeProfit: 11, stopLoss: 9.5, trailingStopPct: null }
const base = (bars: ReplayBar[], over: Partial<ReplayInput> = {}): ReplayInput => ({ code: '600000.SH', bars, barSeconds: 86_400, prevClose: 10, levels: LEVELS, cash: 100_000, ...over })

describe('replay', () => {
  it('enters at the zone edge crossed on the way down and, with stop and take-profit inside one bar, stops out first (adverse extreme first)', () => {
    const r = replay(base(daily([[10.2, 10.3, 9.9, 10.1], [10.1, 11.1, 9.4, 10.5]])))
    expect(r.triggers.map((t) => [t.kind, t.action, t.price])).toEqual([['ENTRY', 'order', 10], ['STOP_LOSS', 'order', 9.5]])
    expect(r.fills.map((f) => [f.side, f.kind, f.price, f.quantity])).toEqual([['buy', 'ENTRY', 10, 9900], ['sell', 'STOP_LOSS', 9.5, 9900]])
    expect(r.firstFired).toBe('ENTRY')
    expect(r.firstExit).toBe('STOP_LOSS')
    expect(r.trades).toHaveLength(1)
    const t = r.trades[0]!
    // buy 99 000 + 24.75 commission + 0.99 transfer; sell 94 050 − (23.52 + 47.03 + 0.95)
    expect(r.fees).toBe(97.24)
    expect(t).toMatchObject({ entryPrice: 10, exitPrice: 9.5, quantity: 9900, exitKind: 'STOP_LOSS', holdingDays: 1, fees: 97.24, pnl: -5047.24 })
    expect(r.endCash).toBe(94_952.76)
    expect(r.realisedPnl).toBe(-5047.24)
    // Peak: 974.26 cash + 9900 × 10.30 on day 1; trough after the stop sells at 9.50.
    expect(r.maxDrawdownYuan).toBe(7991.5)
    expect(r.finalState).toBe('CLOSED')
  })

  it('T+1: a stop on the buy day is deferred and sells on the next day', () => {
    const r = replay(base(daily([[10.2, 10.2, 9.4, 9.45], [9.45, 9.6, 9.3, 9.5]])))
    expect(r.triggers.map((t) => [t.kind, t.action, t.time.toISOString().slice(0, 10)])).toEqual([
      ['ENTRY', 'order', '2026-03-02'],
      ['STOP_LOSS', 'deferred', '2026-03-02'],
      ['STOP_LOSS', 'order', '2026-03-03'],
    ])
    expect(r.fills.at(-1)).toMatchObject({ side: 'sell', price: 9.45 })
    expect(r.trades[0]!.holdingDays).toBe(1)
  })

  it('a bar locked at limit-down fills no sell; the stop sells on the next bar that trades', () => {
    const r = replay(base(daily([[10.2, 10.3, 9.9, 10.1], [9.09, 9.09, 9.09, 9.09], [8.8, 9.0, 8.7, 8.9]])))
    const sells = r.fills.filter((f) => f.side === 'sell')
    expect(sells).toHaveLength(1)
    expect(sells[0]).toMatchObject({ price: 8.8 })
    expect(sells[0]!.time.getTime()).toBeGreaterThan(shanghaiTime('2026-03-04', '09:00').getTime())
    expect(r.triggers.some((t) => t.kind === 'STOP_LOSS' && t.time < shanghaiTime('2026-03-04', '00:00'))).toBe(true)
  })

  it('variants run side by side: stop −3 % / −5 % / −8 % from the entry', () => {
    const bars = daily([[10.2, 10.3, 9.9, 10.1], [10.1, 10.2, 9.4, 9.6], [9.6, 10.9, 9.5, 10.8], [10.8, 11.05, 10.7, 11]])
    const out = replayVariants(base(bars), [
      { label: '-3%', levels: { stopLoss: 9.7 } },
      { label: '-5%', levels: { stopLoss: 9.5 } },
      { label: '-8%', levels: { stopLoss: 9.2 } },
    ])
    expect(out.map((v) => v.label)).toEqual(['-3%', '-5%', '-8%'])
    expect(out.map((v) => v.result.trades[0]?.exitKind)).toEqual(['STOP_LOSS', 'STOP_LOSS', 'TAKE_PROFIT'])
    expect(out.map((v) => v.result.trades[0]?.exitPrice)).toEqual([9.7, 9.5, 11])
    expect(out[2]!.result.realisedPnl).toBeGreaterThan(0)
  })

  it('without an entry zone it manages a position bought at the first open', () => {
    const r = replay(base(daily([[10, 10.2, 9.8, 10.1], [10.1, 10.2, 9.4, 9.6]]), { levels: { ...LEVELS, entryLow: null, entryHigh: null } }))
    expect(r.fills[0]).toMatchObject({ kind: 'START', side: 'buy', price: 10, quantity: 9900 })
    expect(r.trades[0]).toMatchObject({ exitKind: 'STOP_LOSS', exitPrice: 9.5 })
  })

  it('a trailing stop follows the highest price on the path', () => {
    const r = replay(base(daily([[10.2, 10.3, 9.9, 10.1], [10.1, 10.8, 10.1, 10.7], [10.7, 10.75, 10.1, 10.2]]), { levels: { ...LEVELS, takeProfit: null, trailingStopPct: 0.05 } }))
    // Highest 10.80 → trail floor(10.26) = 10.26; day 3 falls through it.
    expect(r.trades[0]).toMatchObject({ exitKind: 'TRAILING_STOP', exitPrice: 10.26 })
  })

  it('skipping points where nothing can fire gives exactly the result of evaluating every point', () => {
    let seed = 7
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const bars: ReplayBar[] = []
    let day = '2026-03-02'
    let p = 10_000
    for (let d = 0; d < 20; d++) {
      const open = shanghaiTime(day, '09:30').getTime()
      for (let i = 0; i < 240; i++) {
        const t = open + (i < 120 ? (i + 1) * 60_000 : 5.5 * 3_600_000 + (i - 119) * 60_000)
        const o = p
        const c = Math.max(8000, Math.min(12_000, o + Math.round((rnd() - 0.5 + (10_000 - o) / 8000) * 8) * 10))
        const h = Math.max(o, c) + Math.round(rnd() * 3) * 10
        const l = Math.min(o, c) - Math.round(rnd() * 3) * 10
        p = c
        bars.push({ time: new Date(t), day, open: o / 1000, high: h / 1000, low: l / 1000, close: c / 1000 })
      }
      day = nextTradingDay(day)
    }
    for (const levels of [LEVELS, { ...LEVELS, trailingStopPct: 0.02, takeProfit: 10.4 }, { ...LEVELS, entryLow: null, entryHigh: null, trailingStopPct: 0.03 }]) {
      const input: ReplayInput = { code: '600000.SH', bars, barSeconds: 60, prevClose: 10, levels, cash: 200_000, rearmAfterExit: true }
      const fast = replay(input)
      const slow = replay({ ...input, exact: true })
      expect(slow.points).toBeGreaterThan(fast.points)
      expect(fast.trades.length).toBeGreaterThan(0)
      const strip = (x: typeof fast) => JSON.stringify({ ...x, points: 0, noteCounts: {} })
      expect(strip(fast)).toBe(strip(slow))
    }
  })
})
