/**
 * Staged exits, the take-profit's exit quantity and the breakeven stop (issue 14): tranche planning
 * (lots per slice, odd remainder with the last, small slices merge forward), the trigger (one order
 * per (kind, episode), stops first and selling everything, the next tranche's level after a fill),
 * applyOrderOutcome advancing the tranches across episodes, and the breakeven level.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { applyOrderOutcome, BOARD_RULES, boardOf, estimateFeesMilli, evaluate, nextTradingDay, normalizeMemo, replay, shanghaiTime, type MonitorInput, type ReplayBar } from '@/lib/market'
import { breakevenStopMilli, planTranches, trancheOrderQuantity, trancheSharesWanted, tranchesDone, type ExitPlanConfig, type TrancheSpec } from '@/lib/market/staged-exits'
import { at, monitor, quote } from './helpers'

const codes = ['600000.SH', '000001.SZ', '300750.SZ', '688001.SH', '510300.SH'] as const

describe('planTranches', () => {
  it('examples', () => {
    const pct = (...bps: number[]) => bps.map((bp) => ({ qty: { kind: 'PCT' as const, bp } }))
    expect(planTranches('600000.SH', 1000, pct(3000, 3000, 4000))).toEqual([700, 400, 0])
    // the last slice takes the odd remainder
    expect(planTranches('600000.SH', 1050, pct(3000, 3000, 4000))).toEqual([750, 450, 0])
    // a slice under one lot merges into the next
    expect(planTranches('600000.SH', 300, pct(2000, 3000, 5000))).toEqual([300, 200, 0])
    // the rest is left for the stops
    expect(planTranches('600000.SH', 1000, pct(3000, 3000))).toEqual([700, 400])
    expect(planTranches('600000.SH', 1000, [{ qty: { kind: 'ALL' } }])).toEqual([0])
    expect(planTranches('600000.SH', 1000, [{ qty: { kind: 'SHARES', shares: 250 } }])).toEqual([800])
    // STAR: any size of at least 200
    expect(planTranches('688001.SH', 1000, pct(2500, 2500, 5000))).toEqual([750, 500, 0])
    expect(planTranches('688001.SH', 500, pct(2000, 8000))).toEqual([500, 0])
  })

  it('a tranche never sells more than its own slice (shares that appear later stay for the next tranches and the stops)', () => {
    // 10-for-10 bonus shares after tranche 1: 1 400 held, tranche 2 still sells its 300.
    expect(trancheSharesWanted([700, 400, 100], 1000, 1, 1400)).toBe(300)
    // a partly filled tranche re-fired sells only the rest
    expect(trancheSharesWanted([700, 400, 100], 1000, 1, 600)).toBe(200)
    expect(trancheOrderQuantity('600000.SH', [700, 400, 100], 1, 1400, 1400, 1000)).toBe(300)
  })

  const spec = fc.oneof(
    fc.integer({ min: 1, max: 10_000 }).map((bp) => ({ qty: { kind: 'PCT' as const, bp } })),
    fc.integer({ min: 1, max: 50_000 }).map((shares) => ({ qty: { kind: 'SHARES' as const, shares } })),
  )
  it('property: slices are legal sells, sum to at most the position (exactly when the tranches ask for all of it), targets non-increasing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.integer({ min: 1, max: 200_000 }), fc.array(spec, { minLength: 1, maxLength: 3 }), (code, base, tranches) => {
        const r = BOARD_RULES[boardOf(code)]
        const targets = planTranches(code, base, tranches)
        let prev = base
        let asked = 0
        for (let i = 0; i < targets.length; i++) {
          const t = targets[i]!
          expect(t).toBeLessThanOrEqual(prev)
          expect(t).toBeGreaterThanOrEqual(0)
          const slice = prev - t
          if (slice > 0 && t > 0) {
            // a partial sell: whole lots on 100-share boards, at least one sell lot elsewhere
            expect(slice).toBeGreaterThanOrEqual(r.sellLot)
            if (r.buyStep === r.sellLot) expect(slice % r.sellLot).toBe(0)
          }
          const q = tranches[i]!.qty
          asked += q.kind === 'PCT' ? Math.floor((base * q.bp) / 10_000) : q.shares
          // never sells more than asked so far, and leaves less than one lot of what was asked
          expect(base - t).toBeLessThanOrEqual(Math.min(asked, base))
          expect(Math.min(asked, base) - (base - t)).toBeLessThan(r.sellLot * 2)
          prev = t
        }
        if (asked >= base) expect(targets[targets.length - 1]).toBe(0)
      }),
      { numRuns: 500 },
    )
  })

  it('property: the order for a tranche never exceeds sellable, never sells below the target by more than one lot', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.integer({ min: 1, max: 100_000 }), fc.array(spec, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (code, base, tranches, volRaw, sellRaw) => {
        const targets = planTranches(code, base, tranches)
        const vol = Math.min(volRaw, base)
        const sellable = Math.min(sellRaw, vol)
        const d = tranchesDone(targets, vol)
        if (d >= targets.length) return
        const q = trancheOrderQuantity(code, targets, d, vol, sellable)
        expect(q).toBeLessThanOrEqual(sellable)
        expect(q).toBeGreaterThanOrEqual(0)
        const lot = BOARD_RULES[boardOf(code)].sellLot
        expect(vol - q).toBeGreaterThan(targets[d]! - lot)
      }),
      { numRuns: 500 },
    )
  })
})

describe('breakevenStopMilli', () => {
  it('the lowest tick at which the sale returns the cost plus both sides fees', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.integer({ min: 500, max: 500_000 }), fc.integer({ min: 1, max: 100 }), (code, costRaw, lots) => {
        const tick = BOARD_RULES[boardOf(code)].tickMilli
        const cost = Math.ceil(costRaw / tick) * tick
        const qty = lots * 100
        const lvl = breakevenStopMilli(code, cost, qty)
        expect(lvl % tick).toBe(0)
        expect(lvl).toBeGreaterThan(cost)
        const outlay = cost * qty + estimateFeesMilli(code, 'buy', cost * qty).milli.total
        const net = (l: number) => l * qty - estimateFeesMilli(code, 'sell', l * qty).milli.total
        expect(net(lvl)).toBeGreaterThanOrEqual(outlay)
        expect(net(lvl - tick)).toBeLessThan(outlay)
      }),
      { numRuns: 300 },
    )
  })
  it('example: 1000 shares at 10.00 with the default fees → 10.02', () => {
    // buy 10 000: commission 5, transfer 0.1; sell ~10 020: commission 5.01, stamp 5.01, transfer 0.11
    expect(breakevenStopMilli('600000.SH', 10_000, 1000)).toBe(10_020)
  })
})

const T = (levelMilli: number, qty: TrancheSpec['qty']): TrancheSpec => ({ levelMilli, qty })
const threeTranches = (breakeven: ExitPlanConfig['breakeven'] = null): ExitPlanConfig => ({
  tranches: [T(11_000, { kind: 'PCT', bp: 3000 }), T(12_000, { kind: 'PCT', bp: 3000 }), T(13_000, { kind: 'PCT', bp: 3000 })],
  breakeven,
  costMilli: 10_000,
})

function holding(over: Partial<MonitorInput> = {}): MonitorInput {
  return monitor({ state: 'HOLDING', takeProfit: 11, stopLoss: 9, highestSinceEntry: 10, position: { volume: 1000, canUseVolume: 1000 }, exits: threeTranches(), ...over })
}

describe('trigger with staged exits', () => {
  it('tranche 1 fires at its level, fills, the next episode waits for tranche 2 (not again at once)', () => {
    const r1 = evaluate(holding(), quote({ last: 11 }), at('10:00'))
    expect(r1.signals.map((s) => [s.kind, s.action])).toEqual([['TAKE_PROFIT', 'order']])
    expect(r1.memo.exits).toMatchObject({ baseQty: 1000, targets: [700, 400, 100], done: 0 })
    const t = applyOrderOutcome({ state: r1.state, episode: 1, highestSinceEntry: r1.highestSinceEntry, memo: r1.memo }, { side: 'sell', kind: 'TAKE_PROFIT', filledQuantity: 300, outcome: 'filled', remainingVolume: 700, now: at('10:01') })
    expect(t).toMatchObject({ state: 'HOLDING', episode: 2 })
    expect(t.memo.exits).toMatchObject({ done: 1 })
    const m2 = holding({ episode: 2, memo: t.memo, position: { volume: 700, canUseVolume: 700 } })
    const r2 = evaluate(m2, quote({ last: 11.5, time: at('10:02') }), at('10:02'))
    expect(r2.signals).toEqual([])
    const r3 = evaluate({ ...m2, memo: r2.memo }, quote({ last: 12, time: at('10:03') }), at('10:03'))
    expect(r3.signals.map((s) => [s.kind, s.action, s.level])).toEqual([['TAKE_PROFIT', 'order', 12]])
  })

  it('once every tranche is done the take-profit is silent; the stop sells the rest', () => {
    const memo = normalizeMemo({ exits: { baseQty: 1000, targets: [700, 400, 100], done: 3, breakevenMilli: null, breakevenAt: null } })
    const m = holding({ episode: 4, memo, position: { volume: 100, canUseVolume: 100 } })
    expect(evaluate(m, quote({ last: 20 }), at('10:00')).signals).toEqual([])
    const r = evaluate(m, quote({ last: 9 }), at('10:00'))
    expect(r.signals.map((s) => [s.kind, s.action])).toEqual([['STOP_LOSS', 'order']])
  })

  it('breakeven: activates after the first tranche sold, once, and raises the stop', () => {
    const memo = normalizeMemo({ exits: { baseQty: 1000, targets: [700, 400, 100], done: 1, breakevenMilli: null, breakevenAt: null } })
    const m = holding({ episode: 2, memo, position: { volume: 700, canUseVolume: 700 }, exits: threeTranches({ gainBp: null }) })
    const r = evaluate(m, quote({ last: 11.5 }), at('10:00'))
    expect(r.breakevenActivated).toEqual({ levelMilli: breakevenStopMilli('600000.SH', 10_000, 700) })
    const r2 = evaluate({ ...m, memo: r.memo }, quote({ last: 10.01, time: at('10:01') }), at('10:01'))
    expect(r2.breakevenActivated).toBeUndefined()
    expect(r2.signals.map((s) => [s.kind, s.action, s.level])).toEqual([['STOP_LOSS', 'order', 10.02]])
  })

  it('staged exits switched off while holding: their progress goes, the take-profit is the plain one again', () => {
    const memo = normalizeMemo({ exits: { baseQty: 1000, targets: [700, 400, 100], done: 1, breakevenMilli: 10_020, breakevenAt: 'x' } })
    const r = evaluate(holding({ exits: undefined, memo, position: { volume: 700, canUseVolume: 700 } }), quote({ last: 11 }), at('10:00'))
    expect(r.memo.exits).toBeNull()
    expect(r.signals.map((s) => [s.kind, s.action, s.level])).toEqual([['TAKE_PROFIT', 'order', 11]])
  })

  it('breakeven by gain: after the highest price reached cost + x %', () => {
    const m = holding({ exits: threeTranches({ gainBp: 500 }), takeProfit: 11 })
    expect(evaluate(m, quote({ last: 10.49 }), at('10:00')).breakevenActivated).toBeUndefined()
    expect(evaluate(m, quote({ last: 10.5 }), at('10:00')).breakevenActivated).toBeDefined()
  })

  it('property: one order per (kind, episode); a stop outranks a tranche; nothing sells above sellable', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 850, max: 1400 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (prices, lots) => {
        const vol = lots * 100
        let m = holding({ position: { volume: vol, canUseVolume: vol }, exits: threeTranches({ gainBp: 300 }) })
        const keys = new Set<string>()
        let t = at('10:00').getTime()
        for (const c of prices) {
          t += 3000
          const r = evaluate(m, quote({ last: c / 100, time: new Date(t) }), new Date(t))
          const orders = r.signals.filter((s) => s.action === 'order')
          expect(orders.length).toBeLessThanOrEqual(1)
          for (const o of orders) {
            const k = `${o.kind}:${o.episode}`
            expect(keys.has(k)).toBe(false)
            keys.add(k)
            const sl = Math.max(9000, r.memo.exits?.breakevenMilli ?? 0)
            if (c * 10 <= sl) expect(o.kind).toBe('STOP_LOSS')
          }
          m = { ...m, state: r.state, highestSinceEntry: r.highestSinceEntry, memo: r.memo }
          const o = orders[0]
          if (o && o.kind === 'TAKE_PROFIT') {
            const ex = r.memo.exits!
            const q = trancheOrderQuantity(m.code, ex.targets, ex.done, m.position!.volume, m.position!.canUseVolume)
            expect(q).toBeLessThanOrEqual(m.position!.canUseVolume)
            const left = m.position!.volume - q
            const tr = applyOrderOutcome(m, { side: 'sell', kind: 'TAKE_PROFIT', filledQuantity: q, outcome: 'filled', remainingVolume: left, now: new Date(t) })
            m = { ...m, state: tr.state, episode: tr.episode, memo: tr.memo, position: { volume: left, canUseVolume: left } }
            if (tr.state === 'CLOSED') break
          } else if (o) break
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('replay with staged exits', () => {
  it('three tranches of 30 % then the breakeven stop, as the worker trades them', () => {
    let day = '2026-03-02'
    const rows: Array<[number, number, number, number]> = [[10.2, 10.3, 9.9, 10.1], [10.1, 10.6, 10.1, 10.5], [10.5, 11.05, 10.4, 11], [11, 11, 9.9, 10]]
    const bars: ReplayBar[] = rows.map(([open, high, low, close], i) => {
      if (i > 0) day = nextTradingDay(day)
      return { time: shanghaiTime(day, '15:00'), day, open, high, low, close }
    })
    const r = replay({
      code: '600000.SH',
      bars,
      barSeconds: 86_400,
      prevClose: 10,
      levels: { entryLow: 9.8, entryHigh: 10, takeProfit: 10.5, stopLoss: 9.5, trailingStopPct: null },
      cash: 100_000,
      stagedExits: { exitMode: { kind: 'PCT', bp: 3000 }, tranches: [{ level: 10.8, bp: null, shareBp: 3000 }, { level: 11, bp: null, shareBp: 3000 }], breakeven: { gainBp: null } },
    })
    const sells = r.fills.filter((f) => f.side === 'sell')
    expect(sells.map((f) => [f.kind, f.quantity])).toEqual([
      ['TAKE_PROFIT', 2900],
      ['TAKE_PROFIT', 3000],
      ['TAKE_PROFIT', 3000],
      ['STOP_LOSS', 1000],
    ])
    expect(sells[3]!.price * 1000).toBe(breakevenStopMilli('600000.SH', 10_000, 7000))
    expect(r.finalState).toBe('CLOSED')
  })
})
