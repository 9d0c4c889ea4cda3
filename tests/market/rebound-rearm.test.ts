// Rebound entry (反弹买入) and the re-arm policy (issue 14): unit and property tests of the pure parts.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decideRearm, evaluate, normalizeMemo, policyRearm, reboundTriggerMilli, type MonitorInput, type Signal } from '@/lib/market'
import { at, DAY, monitor, quote } from './helpers'

const rebound = (over: Partial<MonitorInput> = {}) => monitor({ entryTrigger: 'REBOUND', reboundTicks: 3, entryLow: 9.5, entryHigh: 10, stopLoss: 9, ...over })

/** Feeds prices one second apart from 10:00:00 and returns every signal and the final result. */
function run(m: MonitorInput, prices: number[]) {
  let cur = m
  const signals: Signal[] = []
  let last = null as ReturnType<typeof evaluate> | null
  prices.forEach((p, i) => {
    const t = new Date(at('10:00').getTime() + i * 1000)
    const r = evaluate(cur, quote({ last: p, time: t }), t)
    signals.push(...r.signals)
    cur = { ...cur, state: r.state, memo: r.memo, highestSinceEntry: r.highestSinceEntry }
    last = r
  })
  return { signals, last: last!, monitor: cur }
}

describe('rebound entry', () => {
  it('trigger level: ticks added, or the percent rounded up to the tick', () => {
    expect(reboundTriggerMilli(9500, 10, null, 3)).toBe(9530)
    expect(reboundTriggerMilli(9500, 10, 0.01, null)).toBe(9600) // 9.595 → 9.60
    expect(reboundTriggerMilli(9510, 10, 0.005, null)).toBe(9560) // 9.55755 → 9.56
    expect(reboundTriggerMilli(9500, 10, null, null)).toBeNull()
  })

  it('a dip into the zone then a rebound of 3 ticks buys once, at most the trigger level', () => {
    const { signals, last } = run(rebound(), [10.2, 9.8, 9.6, 9.55, 9.57, 9.58, 9.6, 9.7])
    const orders = signals.filter((s) => s.action === 'order')
    expect(orders).toHaveLength(1)
    expect(orders[0]!.price).toBe(9.58)
    expect(orders[0]!.level).toBe(9.58)
    expect(orders[0]!.maxPrice).toBe(9.58)
    expect(orders[0]!.reason.message).toContain('反弹')
    expect(orders[0]!.reason.messageEn).toContain('rebounded from the low of 9.55')
    expect(last.state).toBe('ENTRY_PENDING')
  })

  it('never fires before the zone was touched (a rise from below the zone is no rebound)', () => {
    const { signals } = run(rebound(), [9.3, 9.31, 9.35, 9.4, 10.5, 10.6])
    expect(signals).toHaveLength(0)
  })

  it('the low may go below entryLow down to the stop; at or below the stop nothing buys and the low is forgotten', () => {
    // Zone at 9.6, then 9.2 (below the zone, above the stop 9.0), rebound to 9.23: buys from 9.2.
    const a = run(rebound(), [9.6, 9.2, 9.23])
    expect(a.signals.filter((s) => s.action === 'order').map((s) => s.level)).toEqual([9.23])
    // Through the stop: nothing; a rise back to 9.4 (below the zone) is no rebound until the zone is entered again.
    const b = run(rebound(), [9.6, 8.95, 9.0, 9.4, 9.45])
    expect(b.signals).toHaveLength(0)
    expect(normalizeMemo(b.monitor.memo).reboundLowMilli ?? null).toBeNull()
  })

  it('a trigger level above entryHigh: the buy is capped at entryHigh', () => {
    const { signals } = run(rebound({ reboundTicks: null, reboundPct: 0.05 }), [9.9, 10.4])
    expect(signals).toHaveLength(1)
    expect(signals[0]!.level).toBe(10.4) // 9.9 × 1.05 = 10.395 → 10.40
    expect(signals[0]!.maxPrice).toBe(10)
  })

  it('a new episode starts without a low', () => {
    const { monitor: m } = run(rebound(), [9.6])
    expect(normalizeMemo(m.memo).reboundLowMilli).toBe(9600)
    const closed = { ...m, state: 'CLOSED' as const }
    const r = policyRearm({ state: 'CLOSED', episode: closed.episode, highestSinceEntry: null, memo: { ...normalizeMemo(closed.memo), closedReason: { code: 'EXIT_FILLED', message: '', messageEn: '' } } }, at('10:00'))
    if ('ok' in r) throw new Error('refused')
    expect(r.state).toBe('WATCHING')
    expect(r.episode).toBe(2)
    expect(r.memo.reboundLowMilli ?? null).toBeNull()
  })

  it('notify-only: one notification, no order', () => {
    const { signals } = run(rebound({ autoTrade: false }), [9.6, 9.55, 9.58, 9.6])
    expect(signals.map((s) => s.action)).toEqual(['notify'])
  })

  it('anti-spike: the rebound must hold for N quotes', () => {
    const m = rebound({ options: { ...monitor().options, antiSpikeCount: 2 } })
    expect(run(m, [9.6, 9.55, 9.58]).signals).toHaveLength(0)
    expect(run(m, [9.6, 9.55, 9.58, 9.59]).signals.filter((s) => s.action === 'order')).toHaveLength(1)
  })

  const prices = fc.array(fc.integer({ min: 8_800, max: 10_600 }).map((m) => Math.round(m / 10) / 100), { minLength: 1, maxLength: 40 })
  const size = fc.oneof(fc.record({ reboundTicks: fc.integer({ min: 1, max: 30 }), reboundPct: fc.constant(null) }), fc.record({ reboundTicks: fc.constant(null), reboundPct: fc.integer({ min: 1, max: 800 }).map((bp) => bp / 10_000) }))

  it('property: never before the zone was touched; never above the cap; one order per (kind, episode)', () => {
    fc.assert(
      fc.property(prices, size, fc.boolean(), (ps, sz, auto) => {
        const m = rebound({ ...sz, autoTrade: auto })
        const { signals } = run(m, ps)
        const firstInZone = ps.findIndex((p) => p >= 9.5 && p <= 10)
        if (firstInZone < 0) expect(signals).toHaveLength(0)
        expect(signals.filter((s) => s.action === 'order').length).toBeLessThanOrEqual(1)
        expect(signals.filter((s) => s.action === 'notify').length).toBeLessThanOrEqual(1)
        for (const s of signals) {
          expect(s.kind).toBe('ENTRY')
          expect(s.maxPrice).toBeDefined()
          expect(s.maxPrice!).toBeLessThanOrEqual(10)
          expect(s.maxPrice!).toBeLessThanOrEqual(s.level)
          expect(s.price).toBeGreaterThanOrEqual(s.level)
          expect(s.price).toBeGreaterThan(9) // never at or below the stop
          // The zone was touched before the quote that fired.
          const idx = (s.quoteTime.getTime() - at('10:00').getTime()) / 1000
          expect(ps[idx]).toBe(s.price)
          expect(firstInZone).toBeGreaterThanOrEqual(0)
          expect(idx).toBeGreaterThan(firstInZone)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('property: ZONE monitors are unchanged by rebound fields', () => {
    fc.assert(
      fc.property(prices, size, (ps, sz) => {
        const a = run(monitor({ entryLow: 9.5, entryHigh: 10, stopLoss: 9 }), ps).signals
        const b = run(monitor({ entryLow: 9.5, entryHigh: 10, stopLoss: 9, entryTrigger: 'ZONE', ...sz }), ps).signals
        expect(b).toEqual(a)
      }),
      { numRuns: 200 },
    )
  })
})

describe('re-arm policy', () => {
  const closedAt = at('10:00')
  const base = { policy: 'COOLDOWN', cooldownMin: 30, closedReasonCode: 'EXIT_FILLED', closedAt, now: at('10:29'), autoRearms: null, maxPerDay: 2 }

  it('CLOSE never re-arms; only a completed exit re-arms', () => {
    expect(decideRearm({ ...base, policy: 'CLOSE', now: at('14:00') }).action).toBe('never')
    for (const code of ['ENTRY_NOT_FILLED', 'expired', 'AUTO_REARM_LIMIT', 'RESUME_STATE_UNKNOWN', null]) {
      expect(decideRearm({ ...base, closedReasonCode: code, now: at('14:00') }).action).toBe('never')
    }
  })

  it('COOLDOWN: waits until the minutes have passed', () => {
    expect(decideRearm(base).action).toBe('wait')
    expect(decideRearm({ ...base, now: at('10:30') }).action).toBe('rearm')
  })

  it('NEXT_DAY: only on the next trading day', () => {
    const nd = { ...base, policy: 'NEXT_DAY' }
    expect(decideRearm({ ...nd, now: at('14:59') }).action).toBe('wait')
    // 2026-09-19 is a Saturday; the Monday after trades.
    expect(decideRearm({ ...nd, closedAt: at('14:00', '2026-09-18'), now: at('10:00', '2026-09-19') }).action).toBe('wait')
    expect(decideRearm({ ...nd, closedAt: at('14:00', '2026-09-18'), now: at('09:30', '2026-09-21') }).action).toBe('rearm')
    expect(decideRearm({ ...nd, now: at('09:30', '2026-09-15') }).action).toBe('rearm')
  })

  it('the daily budget bounds automatic re-arms', () => {
    expect(decideRearm({ ...base, now: at('11:00'), autoRearms: { day: DAY, count: 2 } }).action).toBe('wait')
    expect(decideRearm({ ...base, now: at('11:00'), autoRearms: { day: '2026-09-11', count: 2 } }).action).toBe('rearm')
    const memo = { ...normalizeMemo(null), autoRearms: { day: DAY, count: 2 }, closedReason: { code: 'EXIT_FILLED', message: '', messageEn: '' } }
    expect('ok' in policyRearm({ state: 'CLOSED', episode: 3, highestSinceEntry: null, memo }, at('11:00'))).toBe(true)
  })

  it('property: COOLDOWN re-arms exactly when the cooldown has passed (trading day, budget left)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 240 }), fc.integer({ min: 0, max: 300 }), (cool, elapsed) => {
        const now = new Date(closedAt.getTime() + elapsed * 60_000)
        const d = decideRearm({ ...base, cooldownMin: cool, now })
        expect(d.action).toBe(elapsed >= cool ? 'rearm' : 'wait')
      }),
    )
  })
})
