import { beforeEach, describe, expect, it } from 'vitest'
import { emptyMemo, evaluate, normalizeMemo, type EvaluateResult, type MonitorInput, type Quote } from '@/lib/market'
import { at, monitor, quote } from './helpers'

/** Feeds the result back the way the worker persists it (memo through a JSON column). */
function apply(m: MonitorInput, r: EvaluateResult): MonitorInput {
  return { ...m, state: r.state, highestSinceEntry: r.highestSinceEntry, memo: JSON.parse(JSON.stringify(r.memo)) }
}

let clock = 0
beforeEach(() => {
  clock = 0
})
/** A fresh quote 1 s after the previous one, evaluated at its own time. */
function tick(m: MonitorInput, last: number, over: Partial<Quote> = {}, hhmm = '10:00', day?: string): { m: MonitorInput; r: EvaluateResult } {
  clock += 1000
  const t = new Date(at(hhmm, day).getTime() + clock)
  const q = quote({ last, time: t, ...over })
  const r = evaluate(m, q, t)
  return { m: apply(m, r), r }
}
const codes = (r: EvaluateResult) => r.notes.map((n) => n.code)

describe('evaluate: entry', () => {
  it('auto-trade: price in the zone → one ENTRY order, ENTRY_PENDING', () => {
    const { m, r } = tick(monitor(), 9.8)
    expect(r.state).toBe('ENTRY_PENDING')
    expect(r.signals).toHaveLength(1)
    const s = r.signals[0]
    expect(s).toMatchObject({ code: '600000.SH', kind: 'ENTRY', episode: 1, action: 'order', side: 'buy', price: 9.8, level: 10, tradingDay: '2026-09-14', dedupeKey: '600000.SH:ENTRY:1:order' })
    expect(s.reason.code).toBe('ENTRY_ZONE_REACHED')
    expect(s.reason.message).toContain('9.80')
    expect(s.reason.messageEn).toContain('[9.50, 10.00]')
    // further quotes in the zone while pending: nothing
    expect(tick(m, 9.7).r.signals).toEqual([])
  })

  it('zone bounds are inclusive; outside the zone nothing fires', () => {
    expect(tick(monitor(), 10).r.signals).toHaveLength(1)
    expect(tick(monitor(), 9.5).r.signals).toHaveLength(1)
    expect(tick(monitor(), 10.01).r.signals).toEqual([])
    expect(tick(monitor(), 9.49).r.signals).toEqual([])
  })

  it('a gap through the zone into the stop never buys', () => {
    const { r } = tick(monitor(), 8.9)
    expect(r.signals).toEqual([])
    expect(r.state).toBe('WATCHING')
    expect(codes(r)).toContain('ENTRY_BLOCKED_BELOW_STOP')
    const exact = tick(monitor(), 9)
    expect(exact.r.signals).toEqual([])
  })

  it('notify-only: notify once, stay WATCHING, re-notify only after leaving by the band and the cooldown', () => {
    let m = monitor({ autoTrade: false, options: { hysteresisPct: 0.01, renotifyCooldownSec: 600 } })
    const step = (p: number) => {
      const x = tick(m, p)
      m = x.m
      return x.r.signals.map((s) => s.action)
    }
    const first = tick(m, 9.8)
    m = first.m
    expect(first.r.signals.map((s) => s.action)).toEqual(['notify'])
    expect(first.r.signals[0].dedupeKey).toBe('600000.SH:ENTRY:1:notify')
    expect(first.r.state).toBe('WATCHING')
    // still in the zone: silent
    for (let i = 0; i < 5; i++) expect(step(9.8)).toEqual([])
    // leaves beyond the band (10.00 × 1.01 = 10.10) and comes back inside the cooldown: silent
    expect(step(10.11)).toEqual([])
    expect(step(9.9)).toEqual([])
    // cooldown since the notification passes → one renotify, never an order
    clock += 600_000
    const again = tick(m, 9.9)
    m = again.m
    expect(again.r.signals.map((s) => s.action)).toEqual(['renotify'])
    expect(again.r.signals[0].dedupeKey).toMatch(/^600000\.SH:ENTRY:1:renotify:/)
    // after the renotify it must leave again: waiting in the zone is silent
    clock += 700_000
    expect(step(9.9)).toEqual([])
    // leaving only inside the band does not count
    expect(step(10.1)).toEqual([])
    expect(step(9.4)).toEqual([]) // below 9.50 × 0.99 = 9.405: beyond the low band, outside the zone
    clock += 700_000
    expect(step(9.6)).toEqual(['renotify'])
  })

  it('notify-only within the band never re-notifies, however long', () => {
    let m = monitor({ autoTrade: false, options: { hysteresisPct: 0.01, renotifyCooldownSec: 60 } })
    const first = tick(m, 9.8)
    expect(first.r.signals.map((s) => s.action)).toEqual(['notify'])
    m = first.m
    for (let i = 0; i < 20; i++) {
      clock += 200_000
      const x = tick(m, i % 2 ? 10.1 : 9.9)
      m = x.m
      expect(x.r.signals).toEqual([])
    }
  })
})

describe('evaluate: exits', () => {
  const holding = (over: Partial<MonitorInput> = {}) => monitor({ state: 'HOLDING', position: { volume: 1000, canUseVolume: 1000 }, highestSinceEntry: 10, ...over })

  it('stop-loss → order, EXIT_PENDING', () => {
    const { r } = tick(holding(), 8.95)
    expect(r.state).toBe('EXIT_PENDING')
    expect(r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order', side: 'sell', level: 9, price: 8.95, dedupeKey: '600000.SH:STOP_LOSS:1:order' }])
    expect(r.memo.exitKind).toBe('STOP_LOSS')
  })

  it('take-profit → order', () => {
    const { r } = tick(holding(), 12.05)
    expect(r.signals).toMatchObject([{ kind: 'TAKE_PROFIT', action: 'order', level: 12 }])
  })

  it('nothing between the levels; the highest price is tracked', () => {
    let m = holding()
    for (const p of [10.5, 11.2, 10.8]) {
      const x = tick(m, p)
      m = x.m
      expect(x.r.signals).toEqual([])
    }
    expect(m.highestSinceEntry).toBe(11.2)
  })

  it('trailing stop: tick-aligned level below the highest', () => {
    let m = holding({ trailingStopPct: 0.05, takeProfit: 20 })
    let x = tick(m, 12.34) // highest 12.34 → 12.34 × 0.95 = 11.723 → 11.72
    m = x.m
    x = tick(m, 11.73)
    m = x.m
    expect(x.r.signals).toEqual([])
    x = tick(m, 11.72)
    expect(x.r.signals).toMatchObject([{ kind: 'TRAILING_STOP', action: 'order', level: 11.72 }])
    expect(x.r.signals[0].reason.message).toContain('12.34')
  })

  it('stop-loss outranks the trailing stop in the same quote', () => {
    let m = holding({ trailingStopPct: 0.05 })
    m = tick(m, 11).m
    const x = tick(m, 8.5)
    expect(x.r.signals.map((s) => s.kind)).toEqual(['STOP_LOSS'])
  })

  it('an auto take-profit is not suppressed by a notify-only trailing stop that also fires', () => {
    let m = holding({ trailingStopPct: 0.05, autoStopLoss: false, takeProfit: 12 })
    m = tick(m, 20).m // TP notify? no: TP is auto → order at 20
    expect(m.state).toBe('EXIT_PENDING')
    // start over with the high already recorded
    m = holding({ trailingStopPct: 0.05, autoStopLoss: false, takeProfit: 12, highestSinceEntry: 20 })
    const x = tick(m, 15)
    expect(x.r.signals).toMatchObject([{ kind: 'TAKE_PROFIT', action: 'order' }])
    // the notify-only trailing stop may still speak while the TP order works (it ranks higher)
    const y = tick(x.m, 15)
    expect(y.r.signals).toMatchObject([{ kind: 'TRAILING_STOP', action: 'notify' }])
  })

  it('while a take-profit order works, a stop-loss still fires (worker cancels first)', () => {
    let m = tick(holding(), 12.1).m
    expect(m.state).toBe('EXIT_PENDING')
    const x = tick(m, 8.8)
    expect(x.r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order' }])
    expect(x.r.memo.exitKind).toBe('STOP_LOSS')
    m = x.m
    expect(tick(m, 8.7).r.signals).toEqual([])
    expect(tick(m, 12.5).r.signals).toEqual([])
  })

  it('a stop raised above the entry zone while holding still protects the position', () => {
    const m = holding({ stopLoss: 11, takeProfit: 14, highestSinceEntry: 12.5 })
    expect(tick(m, 11.5).r.signals).toEqual([])
    expect(tick(m, 10.99).r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order', level: 11 }])
    // the same levels on a WATCHING monitor are refused (the entry zone would sit under the stop)
    const w = evaluate(monitor({ stopLoss: 11, takeProfit: 14 }), quote({ last: 9.8, time: at('10:00') }), at('10:00'))
    expect(w.signals).toEqual([])
    expect(codes(w)).toContain('STOP_NOT_BELOW_ENTRY')
  })

  it('notify-only exits follow the same machine', () => {
    const m = holding({ autoStopLoss: false })
    const x = tick(m, 8.9)
    expect(x.r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'notify' }])
    expect(x.r.state).toBe('HOLDING')
    expect(tick(x.m, 8.8).r.signals).toEqual([])
    const off = holding({ autoTrade: false })
    expect(tick(off, 12.5).r.signals).toMatchObject([{ kind: 'TAKE_PROFIT', action: 'notify' }])
  })
})

describe('evaluate: T+1 deferral', () => {
  const bought = () => monitor({ state: 'HOLDING', position: { volume: 1000, canUseVolume: 0 }, highestSinceEntry: 10 })

  it('one deferred signal per kind per day, then the order when sellable next day', () => {
    let m = bought()
    let x = tick(m, 8.9, {}, '10:00', '2026-09-14')
    m = x.m
    expect(x.r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'deferred', dedupeKey: '600000.SH:STOP_LOSS:1:deferred:2026-09-14' }])
    expect(x.r.signals[0].reason.code).toBe('T1_NOT_SELLABLE')
    expect(x.r.signals[0].reason.message).toContain('T+1')
    expect(x.r.state).toBe('HOLDING')
    // 77 minutes of polling at the frozen position: silent (prior-art pain point 6)
    for (let i = 0; i < 77 * 20; i++) {
      x = tick(m, 8.8, {}, '10:00', '2026-09-14')
      m = x.m
      expect(x.r.signals).toEqual([])
    }
    // next trading day, still frozen → one more deferral
    clock = 0
    x = tick(m, 8.8, {}, '09:31', '2026-09-15')
    m = x.m
    expect(x.r.signals.map((s) => s.action)).toEqual(['deferred'])
    // broker now reports sellable shares → the order
    m = { ...m, position: { volume: 1000, canUseVolume: 1000 } }
    x = tick(m, 8.8, {}, '09:31', '2026-09-15')
    expect(x.r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order', dedupeKey: '600000.SH:STOP_LOSS:1:order' }])
    expect(x.r.state).toBe('EXIT_PENDING')
  })

  it('a recovered price on the next day does not sell', () => {
    let m = tick(bought(), 8.9, {}, '10:00', '2026-09-14').m
    m = { ...m, position: { volume: 1000, canUseVolume: 1000 } }
    clock = 0
    expect(tick(m, 9.5, {}, '09:31', '2026-09-15').r.signals).toEqual([])
  })

  it('unknown or empty position is deferred with its own reason', () => {
    expect(tick(monitor({ state: 'HOLDING', position: null }), 8.9).r.signals[0].reason.code).toBe('POSITION_UNKNOWN')
    expect(tick(monitor({ state: 'HOLDING', position: { volume: 0, canUseVolume: 0 } }), 8.9).r.signals[0].reason.code).toBe('NO_POSITION')
  })
})

describe('evaluate: gates', () => {
  it('stale, future and previous-day quotes never fire', () => {
    const now = at('10:00')
    const stale = evaluate(monitor(), quote({ last: 9.8, time: new Date(now.getTime() - 31_000) }), now)
    expect(stale.signals).toEqual([])
    expect(codes(stale)).toEqual(['QUOTE_STALE'])
    const fresh = evaluate(monitor(), quote({ last: 9.8, time: new Date(now.getTime() - 29_000) }), now)
    expect(fresh.signals).toHaveLength(1)
    expect(codes(evaluate(monitor(), quote({ last: 9.8, time: new Date(now.getTime() + 60_000) }), now))).toEqual(['QUOTE_FROM_FUTURE'])
    const lenient = monitor({ options: { maxQuoteAgeSec: 86_400 * 3 } })
    expect(codes(evaluate(lenient, quote({ last: 9.8, time: at('14:59', '2026-09-11') }), now))).toEqual(['QUOTE_STALE'])
  })

  it.each([
    ['suspended flag', { suspended: true }],
    ['no volume and no open', { volume: 0, open: 0 }],
    ['last 0', { last: 0 }],
    ['limit −1', { limitDown: -1 }],
  ])('untradable quote (%s) never fires', (_name, over) => {
    const r = evaluate(monitor(), quote({ last: 9.8, time: at('10:00'), ...over }), at('10:00'))
    expect(r.signals).toEqual([])
    expect(codes(r)).toEqual(['QUOTE_NOT_TRADABLE'])
  })

  it.each([
    ['09:10', false, 0],
    ['09:17', true, 0], // 09:15–09:20 indicative prices can be spoofed
    ['09:22', false, 0],
    ['09:22', true, 1],
    ['09:27', true, 0],
    ['09:30', false, 1],
    ['11:30', false, 0],
    ['12:00', true, 0],
    ['13:00', false, 1],
    ['14:58', false, 0],
    ['14:58', true, 1],
    ['15:00', true, 0],
  ])('session gate at %s (allowAuctions %s) → %i signals', (hhmm, allowAuctions, n) => {
    const m = monitor({ options: { allowAuctions } })
    const r = evaluate(m, quote({ last: 9.8, time: at(hhmm) }), at(hhmm))
    expect(r.signals).toHaveLength(n)
  })

  it('holidays never fire; a provisional year fires on a weekday with a fresh quote of that day', () => {
    expect(evaluate(monitor(), quote({ last: 9.8, time: at('10:00', '2026-10-01') }), at('10:00', '2026-10-01')).signals).toEqual([])
    expect(evaluate(monitor(), quote({ last: 9.8, time: at('10:00', '2027-01-04') }), at('10:00', '2027-01-04')).signals).toHaveLength(1)
    // a closed weekday in a provisional year: the feed still shows the last session's quote
    const r = evaluate(monitor(), quote({ last: 9.8, time: at('14:59', '2027-02-05') }), at('10:00', '2027-02-08'))
    expect(r.signals).toEqual([])
    expect(codes(r)).toContain('QUOTE_STALE')
  })

  it('ignoreSession is for replays only', () => {
    expect(evaluate(monitor(), quote({ last: 9.8, time: at('20:00') }), at('20:00'), { ignoreSession: true }).signals).toHaveLength(1)
  })

  it('a quote not newer than the last evaluated one is ignored', () => {
    const q = quote({ last: 10.5, time: at('10:00') })
    const first = evaluate(monitor(), q, at('10:00'))
    const again = evaluate(apply(monitor(), first), { ...q, last: 9.8 }, at('10:00:01'))
    expect(again.signals).toEqual([])
    expect(codes(again)).toEqual(['QUOTE_NOT_NEWER'])
  })

  it('anti-spike: N consecutive quotes beyond the level', () => {
    let m = monitor({ options: { antiSpikeCount: 3 } })
    const seq: Array<[number, number]> = [
      [9.8, 0],
      [9.8, 0],
      [10.2, 0], // interrupted
      [9.8, 0],
      [9.8, 0],
      [9.8, 1],
    ]
    for (const [p, n] of seq) {
      const x = tick(m, p)
      m = x.m
      expect(x.r.signals).toHaveLength(n)
    }
  })

  it('a quote for another code, a closed monitor and invalid levels never fire', () => {
    expect(codes(evaluate(monitor(), quote({ code: '000001.SZ', last: 9.8, time: at('10:00') }), at('10:00')))).toEqual(['QUOTE_CODE_MISMATCH'])
    expect(evaluate(monitor({ state: 'CLOSED' }), quote({ last: 9.8, time: at('10:00') }), at('10:00')).signals).toEqual([])
    const bad = evaluate(monitor({ stopLoss: 9.6 }), quote({ last: 9.8, time: at('10:00') }), at('10:00'))
    expect(bad.signals).toEqual([])
    expect(codes(bad)).toContain('STOP_NOT_BELOW_ENTRY')
  })

  it('does not mutate its input and accepts a missing memo', () => {
    const m = monitor({ memo: null })
    const before = JSON.stringify(m)
    const r = evaluate(m, quote({ last: 9.8, time: at('10:00') }), at('10:00'))
    expect(JSON.stringify(m)).toBe(before)
    expect(r.signals).toHaveLength(1)
    expect(normalizeMemo(JSON.parse(JSON.stringify(r.memo)))).toEqual(r.memo)
    expect(normalizeMemo('garbage')).toEqual(emptyMemo())
  })
})

describe('evaluate: pause and resume', () => {
  it('disabled → PAUSED remembering the state; enabled → back and evaluating', () => {
    let m = monitor({ state: 'HOLDING', position: { volume: 1000, canUseVolume: 1000 }, highestSinceEntry: 10 })
    let x = tick({ ...m, enabled: false }, 8.5)
    expect(x.r.state).toBe('PAUSED')
    expect(x.r.signals).toEqual([])
    expect(x.r.memo.pausedFrom).toBe('HOLDING')
    m = { ...x.m, enabled: true }
    x = tick(m, 8.5)
    expect(x.r.state).toBe('EXIT_PENDING')
    expect(x.r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order' }])
  })

  it('a PAUSED monitor without its previous state resumes as CLOSED (never guesses)', () => {
    const x = tick(monitor({ state: 'PAUSED', memo: emptyMemo() }), 9.8)
    expect(x.r.state).toBe('CLOSED')
    expect(x.r.signals).toEqual([])
  })
})

describe('evaluate: misc', () => {
  it('ENTRY_PENDING: a stop hit produces a note, not a signal', () => {
    const r = tick(monitor({ state: 'ENTRY_PENDING' }), 8.9).r
    expect(r.signals).toEqual([])
    expect(codes(r)).toContain('STOP_HIT_WHILE_ENTRY_PENDING')
  })

  it('auto exits halted for the day become notifications', () => {
    const memo = { ...emptyMemo(), autoExitHaltedDay: '2026-09-14' }
    const r = tick(monitor({ state: 'HOLDING', position: { volume: 1000, canUseVolume: 1000 }, memo }), 8.9).r
    expect(r.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'notify' }])
    expect(r.signals[0].reason.code).toBe('AUTO_EXIT_HALTED')
    expect(r.state).toBe('HOLDING')
    // the next trading day auto exits resume
    clock = 0
    const next = tick(monitor({ state: 'HOLDING', position: { volume: 1000, canUseVolume: 1000 }, memo }), 8.9, {}, '10:00', '2026-09-15').r
    expect(next.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order' }])
  })

  it('funds compare at 0.001', () => {
    const m = monitor({ code: '510300.SH', entryLow: 3.451, entryHigh: 3.455, stopLoss: 3.3, takeProfit: 3.6 })
    expect(evaluate(m, quote({ code: '510300.SH', last: 3.456, time: at('10:00') }), at('10:00')).signals).toEqual([])
    expect(evaluate(m, quote({ code: '510300.SH', last: 3.455, time: at('10:00') }), at('10:00')).signals).toHaveLength(1)
  })
})

describe('bad data guard', () => {
  it('fires nothing on a quote whose last price lies outside its own limit band', async () => {
    const { evaluate: ev } = await import('@/lib/market')
    const now = new Date('2026-11-23T02:00:00Z')
    const r = ev(
      { code: '600000.SH', enabled: true, state: 'WATCHING', episode: 1, entryLow: 9, entryHigh: 9.1, takeProfit: 9.5, stopLoss: 8.8, trailingStopPct: null, autoTrade: true, autoStopLoss: true, autoTakeProfit: true, highestSinceEntry: null, position: null, memo: null },
      { code: '600000.SH', name: 'x', last: 9.05, prevClose: 3.84, open: 9.05, high: 9.05, low: 9.05, volume: 1e6, amount: 9e6, bids: [], asks: [{ price: 9.05, volume: 1e6 }], limitUp: 4.22, limitDown: 3.46, time: new Date(now.getTime() - 1000), suspended: false, source: 't' },
      now,
    )
    expect(r.signals).toEqual([])
    expect(r.notes.map((n) => n.code)).toContain('QUOTE_OUT_OF_BAND')
  })
})
