// Replay with a monitor's own settings (issue 15): the anti-spike count, relative levels resolved
// against the modelled fill, and the unfilled-order timeout counted in trading time, all through
// lib/market's own evaluate / resolveLevelsMilli / onUnfilledTimeout.
import { describe, expect, it } from 'vitest'
import { replay, shanghaiTime, type ReplayBar, type ReplayInput } from '@/lib/market'

/** One-minute bars of one day from [open, high, low, close] rows, ending 09:31, 09:32, … */
function minutes(day: string, rows: Array<[number, number, number, number]>, from = '09:30'): ReplayBar[] {
  const t0 = shanghaiTime(day, from).getTime()
  return rows.map(([open, high, low, close], i) => ({ time: new Date(t0 + (i + 1) * 60_000), day, open, high, low, close }))
}
const flat = (p: number, n: number): Array<[number, number, number, number]> => Array.from({ length: n }, () => [p, p, p, p])
const base = (bars: ReplayBar[], over: Partial<ReplayInput> = {}): ReplayInput => ({
  code: '600000.SH',
  bars,
  barSeconds: 60,
  prevClose: 10,
  levels: { entryLow: 9.8, entryHigh: 10, takeProfit: 11, stopLoss: 9.5, trailingStopPct: null },
  cash: 100_000,
  ...over,
})

describe('replay with the monitor settings', () => {
  it('antiSpikeCount 2 fires later than 1 on the same bars', () => {
    const bars = minutes('2026-03-02', [[10.2, 10.2, 10.1, 10.1], [10.1, 10.1, 9.95, 9.96], [9.96, 9.99, 9.9, 9.92]])
    const one = replay(base(bars, { options: { antiSpikeCount: 1 } }))
    const two = replay(base(bars, { options: { antiSpikeCount: 2 } }))
    expect(one.triggers[0]).toMatchObject({ kind: 'ENTRY', action: 'order' })
    expect(two.triggers[0]).toMatchObject({ kind: 'ENTRY', action: 'order' })
    expect(two.triggers[0]!.time.getTime()).toBeGreaterThan(one.triggers[0]!.time.getTime())
    expect(two.fills[0]!.price).toBeLessThan(one.fills[0]!.price)
  })

  it('a relative stop −5 % resolves against the modelled entry fill, not the entry zone', () => {
    const bars = [...minutes('2026-03-02', [[10.2, 10.2, 10, 10.05]]), ...minutes('2026-03-03', [[10, 10, 9.45, 9.6]])]
    const r = replay(base(bars, { levels: { entryLow: 9.8, entryHigh: 10, takeProfit: null, stopLoss: null, trailingStopPct: null }, relative: { takeProfitBp: null, stopLossBp: 500 } }))
    expect(r.fills[0]).toMatchObject({ side: 'buy', price: 10 })
    // Cost 10.00 → stop 9.50 (against the zone's low 9.80 it would be 9.31, never reached).
    const stop = r.triggers.find((t) => t.kind === 'STOP_LOSS')
    expect(stop).toMatchObject({ action: 'order', level: 9.5, price: 9.5 })
    expect(r.trades[0]).toMatchObject({ exitKind: 'STOP_LOSS', exitPrice: 9.5 })
    // Absolute levels are unchanged without `relative`: no stop at all here.
    expect(replay(base(bars, { levels: { entryLow: 9.8, entryHigh: 10, takeProfit: 10.5, stopLoss: null, trailingStopPct: null } })).trades).toHaveLength(0)
  })

  describe('unfilled timeout (trading time, onUnfilledTimeout)', () => {
    // prevClose 10 → limit-up 11.00, limit-down 9.00. A bar with high = low at a limit is locked.
    const entryAtLimitUp = (bars: ReplayBar[], timeout: number | null) =>
      replay(base(bars, { levels: { entryLow: 10.9, entryHigh: 11, takeProfit: null, stopLoss: 10, trailingStopPct: null }, pricing: { ENTRY: { mode: 'MARKET' } }, unfilledTimeoutSec: timeout }))

    it('an entry unfilled at its timeout is cancelled and the monitor watches again (daily re-arm budget), instead of waiting for the close', () => {
      const bars = minutes('2026-03-02', [...flat(11, 8), [11, 11, 10.95, 10.95]])
      const r = entryAtLimitUp(bars, 60)
      const ev = r.orders.map((o) => [o.time.toISOString(), o.status, o.note])
      const placed = r.orders.filter((o) => o.status === 'placed')
      const cancelled = r.orders.filter((o) => o.status === 'cancelled')
      // Placed, cancelled 60 s later, re-armed and placed again: three rounds (the first plus two re-arms), then CLOSED.
      expect(placed).toHaveLength(3)
      expect(cancelled).toHaveLength(3)
      for (let i = 0; i < 3; i++) {
        expect(cancelled[i]!.note, JSON.stringify(ev)).toBe('unfilled timeout')
        expect(cancelled[i]!.time.getTime() - placed[i]!.time.getTime()).toBe(60_000)
      }
      expect(r.finalState).toBe('CLOSED')
      expect(r.fills).toHaveLength(0)
      // Without a timeout the one order rests (until the day's end) and fills when the board opens.
      const eod = entryAtLimitUp(bars, null)
      expect(eod.orders.map((o) => o.status)).toEqual(['placed'])
      expect(eod.fills[0]).toMatchObject({ side: 'buy', price: 11 })
    })

    it('the timeout counts trading time: an order placed before the lunch break is due after it', () => {
      const bars = [...minutes('2026-03-02', flat(11, 2), '11:28'), ...minutes('2026-03-02', flat(11, 3), '13:00')]
      const r = entryAtLimitUp(bars, 120)
      const placed = r.orders.find((o) => o.status === 'placed')!
      const cancelled = r.orders.find((o) => o.status === 'cancelled')!
      expect(placed.time.toISOString()).toBe(shanghaiTime('2026-03-02', '11:28').toISOString().replace(':00.000Z', ':30.000Z'))
      // 90 s before 11:30, 30 s after 13:00: due 13:00:30, the first point at or after it.
      expect(cancelled.time.getTime()).toBe(shanghaiTime('2026-03-02', '13:00').getTime() + 30_000)
    })

    it('a sell resting at limit-down is not cancelled by the timeout; it fills when the board opens', () => {
      const bars = minutes('2026-03-02', [[10, 10, 9.9, 9.9], ...flat(9, 6), [9, 9.2, 9, 9.1]])
      const r = replay(base(bars, { levels: { entryLow: null, entryHigh: null, takeProfit: null, stopLoss: 9.5, trailingStopPct: null }, pricing: { STOP_LOSS: { mode: 'TRIGGER_PRICE' } }, unfilledTimeoutSec: 60 }))
      expect(r.orders.map((o) => [o.kind, o.status])).toEqual([
        ['STOP_LOSS', 'placed'],
        ['STOP_LOSS', 'queued'],
      ])
      expect(r.orders[1]!.note).toBe('unfilled timeout: queued at limit-down')
      expect(r.fills.at(-1)).toMatchObject({ side: 'sell', kind: 'STOP_LOSS', price: 9 })
      expect(r.fills.at(-1)!.time.getTime()).toBeGreaterThan(bars[6]!.time.getTime())
      expect(r.finalState).toBe('CLOSED')
    })
  })
})
