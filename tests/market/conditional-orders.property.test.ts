/**
 * Issue 14, the properties every new trigger kind keeps, over whole random sessions of the pure
 * machine (evaluate → size → order outcome), not one quote at a time:
 *   - staged take-profit tranches and the breakeven stop with a position only partly sellable (T+1)
 *     and partial fills: one order per trigger key (kind, episode); a stop outranks a tranche (at or
 *     below the effective stop, the original or the breakeven level, no take-profit fires); no order
 *     sells more than is sellable, and all sells together never more than was held;
 *   - the rebound entry with the COOLDOWN re-arm policy over several episodes: one entry order per
 *     episode, each after its own dip into the zone, never above its trigger level nor entryHigh;
 *     a re-arm only after a completed exit, at most the daily budget, each a new episode; a stop
 *     outranks the take-profit while holding; the exits sell what is held, never more.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { applyOrderOutcome, decideRearm, evaluate, normalizeMemo, policyRearm, sizeOrder, type MonitorInput, type Signal } from '@/lib/market'
import { trancheOrderQuantity, type ExitPlanConfig } from '@/lib/market/staged-exits'
import { at, monitor, quote } from './helpers'

const plan = (gainBp: number | null, three: boolean): ExitPlanConfig => ({
  tranches: [
    { levelMilli: 10_500, qty: { kind: 'PCT', bp: 3000 } },
    { levelMilli: 11_000, qty: { kind: 'PCT', bp: 3000 } },
    ...(three ? [{ levelMilli: 11_500, qty: { kind: 'PCT' as const, bp: 3000 } }] : []),
  ],
  breakeven: { gainBp },
  costMilli: 10_000,
})

/** What the signal path sells for an exit signal: a tranche down to its target, a stop everything sellable (sizeOrder). */
function sellQuantity(m: MonitorInput, s: Signal, memoAfter: ReturnType<typeof evaluate>['memo'], now: Date): number {
  const pos = m.position!
  if (s.kind === 'TAKE_PROFIT' && memoAfter.exits) {
    const ex = memoAfter.exits
    return trancheOrderQuantity(m.code, ex.targets, ex.done, pos.volume, pos.canUseVolume, ex.baseQty)
  }
  const r = sizeOrder({ code: m.code, kind: s.kind, quote: quote({ last: s.price, time: now }), now, account: { totalAsset: 1e7, cash: 1e7 }, position: { volume: pos.volume, canUseVolume: pos.canUseVolume } as never })
  return r.ok ? r.quantity : 0
}

describe('staged exits and the breakeven stop over a session (issue 14)', () => {
  it('property: one order per (kind, episode); a stop outranks a tranche; never more than sellable, never more than held', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 880, max: 1_250 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 100, max: 800 }), { nil: null }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 60, maxLength: 60 }),
        (prices, lots, unsellableLots, three, gainBp, fillPct) => {
          const held = lots * 100
          const notYet = Math.min(unsellableLots * 100, held) // bought today: not sellable (T+1)
          let m = monitor({ state: 'HOLDING', takeProfit: 10.5, stopLoss: 9, highestSinceEntry: 10, position: { volume: held, canUseVolume: held - notYet }, exits: plan(gainBp, three) })
          const keys = new Set<string>()
          let sold = 0
          let t = at('10:00').getTime()
          prices.forEach((c, i) => {
            if (m.state === 'CLOSED') return
            t += 3000
            const now = new Date(t)
            const r = evaluate(m, quote({ last: c / 100, time: now }), now)
            const orders = r.signals.filter((s) => s.action === 'order')
            expect(orders.length).toBeLessThanOrEqual(1)
            // The effective stop: the original one, raised to the breakeven level once active.
            const stop = Math.max(9_000, r.memo.exits?.breakevenMilli ?? 0)
            if (c * 10 <= stop) expect(r.signals.filter((s) => s.kind === 'TAKE_PROFIT')).toEqual([])
            const before = m
            m = { ...m, state: r.state, highestSinceEntry: r.highestSinceEntry, memo: r.memo }
            const o = orders[0]
            if (!o) return
            const key = `${o.kind}:${o.episode}`
            expect(keys.has(key)).toBe(false)
            keys.add(key)
            if (c * 10 <= stop) expect(o.kind).toBe('STOP_LOSS')
            const pos = before.position!
            const q = sellQuantity(before, o, r.memo, now)
            expect(q).toBeLessThanOrEqual(pos.canUseVolume)
            expect(q).toBeGreaterThanOrEqual(0)
            // A fill of part (or all) of it; the order ends there.
            const filled = q === 0 ? 0 : Math.max(0, Math.min(q, Math.round((q * fillPct[i]!) / 100 / 100) * 100 || q))
            sold += filled
            expect(sold).toBeLessThanOrEqual(held)
            const left = pos.volume - filled
            expect(left).toBeGreaterThanOrEqual(0)
            const tr = applyOrderOutcome(m, { side: 'sell', kind: o.kind, filledQuantity: filled, outcome: filled === q && q > 0 ? 'filled' : filled > 0 ? 'partially_cancelled' : 'failed', cancelledBy: filled > 0 && filled < q ? 'timeout' : undefined, remainingVolume: left, now } as never)
            m = { ...m, state: tr.state, episode: tr.episode, highestSinceEntry: tr.highestSinceEntry, memo: tr.memo, position: { volume: left, canUseVolume: Math.min(left, pos.canUseVolume - filled) } }
            if (left === 0) expect(tr.state).toBe('CLOSED')
          })
        },
      ),
      { numRuns: 400 },
    )
  })
})

describe('rebound entry with the COOLDOWN re-arm policy over several episodes (issue 14)', () => {
  it('property: one entry per episode after its own dip, never above the cap; re-arms only after a completed exit, within the budget; a stop outranks the take-profit; never more sold than held', () => {
    const price = fc.integer({ min: 880, max: 1_060 }).map((c) => c / 100)
    fc.assert(
      fc.property(
        fc.array(price, { minLength: 1, maxLength: 120 }),
        fc.oneof(fc.record({ reboundTicks: fc.integer({ min: 1, max: 10 }), reboundPct: fc.constant(null) }), fc.record({ reboundTicks: fc.constant(null), reboundPct: fc.integer({ min: 5, max: 300 }).map((bp) => bp / 10_000) })),
        fc.integer({ min: 1, max: 5 }),
        (ps, size, cooldownMin) => {
          // zone 9.50–10.00, stop 9.00, take-profit 10.50; one minute between quotes.
          let m: MonitorInput = monitor({ entryTrigger: 'REBOUND', ...size, entryLow: 9.5, entryHigh: 10, stopLoss: 9, takeProfit: 10.5 })
          const entries = new Map<number, number>()
          const keys = new Set<string>()
          let touchedAt = -1 // the first quote in the zone in the current episode
          let rearms = 0
          let held = 0
          let closedAt: Date | null = null
          let closedCode: string | null = null
          ps.forEach((p, i) => {
            const now = new Date(at('10:00').getTime() + i * 60_000)
            if (m.state === 'CLOSED') {
              const d = decideRearm({ policy: 'COOLDOWN', cooldownMin, closedReasonCode: closedCode, closedAt, now, autoRearms: normalizeMemo(m.memo).autoRearms, maxPerDay: 2 })
              if (d.action !== 'rearm') return
              expect(closedCode).toBe('EXIT_FILLED')
              expect(now.getTime() - closedAt!.getTime()).toBeGreaterThanOrEqual(cooldownMin * 60_000)
              const r = policyRearm(m, now)
              if ('ok' in r) return
              expect(r).toMatchObject({ state: 'WATCHING', episode: m.episode + 1 })
              rearms++
              expect(rearms).toBeLessThanOrEqual(2) // one day: the daily budget
              m = { ...m, state: r.state, episode: r.episode, memo: r.memo, highestSinceEntry: r.highestSinceEntry }
              touchedAt = -1
            }
            if (m.state === 'WATCHING' && touchedAt < 0 && p >= 9.5 && p <= 10) touchedAt = i
            const r = evaluate(m, quote({ last: p, time: now }), now)
            const before = m
            m = { ...m, state: r.state, highestSinceEntry: r.highestSinceEntry, memo: r.memo }
            const o = r.signals.find((s) => s.action === 'order')
            if (!o) return
            const key = `${o.kind}:${o.episode}`
            expect(keys.has(key)).toBe(false)
            keys.add(key)
            if (o.kind === 'ENTRY') {
              expect(before.state).toBe('WATCHING')
              entries.set(o.episode, (entries.get(o.episode) ?? 0) + 1)
              expect(touchedAt).toBeGreaterThanOrEqual(0)
              expect(i).toBeGreaterThan(touchedAt)
              expect(o.maxPrice!).toBeLessThanOrEqual(10)
              expect(o.maxPrice!).toBeLessThanOrEqual(o.level)
              expect(p).toBeGreaterThan(9)
              const tr = applyOrderOutcome(m, { side: 'buy', kind: 'ENTRY', filledQuantity: 1000, avgPrice: Math.min(p, o.maxPrice!), outcome: 'filled', now } as never)
              held = 1000
              // Bought today, sellable in this property anyway: the exits are what is tested.
              m = { ...m, state: tr.state, episode: tr.episode, highestSinceEntry: tr.highestSinceEntry, memo: tr.memo, position: { volume: held, canUseVolume: held } }
              return
            }
            // An exit: a stop outranks the take-profit; it sells what is held, the monitor closes.
            if (p <= 9) expect(o.kind).toBe('STOP_LOSS')
            expect(o.kind).not.toBe('ENTRY')
            const q = sellQuantity(before, o, r.memo, now)
            expect(q).toBeLessThanOrEqual(held)
            const tr = applyOrderOutcome(m, { side: 'sell', kind: o.kind, filledQuantity: q, outcome: 'filled', remainingVolume: held - q, now } as never)
            held -= q
            expect(held).toBeGreaterThanOrEqual(0)
            m = { ...m, state: tr.state, episode: tr.episode, highestSinceEntry: tr.highestSinceEntry, memo: tr.memo, position: held > 0 ? { volume: held, canUseVolume: held } : null }
            if (tr.state === 'CLOSED') {
              closedAt = now
              closedCode = normalizeMemo(tr.memo).closedReason?.code ?? null
            }
          })
          for (const n of entries.values()) expect(n).toBe(1)
          // Every episode after the first began with a policy re-arm after a completed exit.
          expect(entries.size).toBeLessThanOrEqual(rearms + 1)
        },
      ),
      { numRuns: 400 },
    )
  })
})
