import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  applyOrderOutcome,
  emptyMemo,
  evaluate,
  markPositionManaged,
  nextTradingDay,
  rearm,
  shanghaiDate,
  shanghaiTime,
  toMilli,
  type MonitorInput,
  type OrderOutcome,
  type Quote,
  type Signal,
} from '@/lib/market'

type Ev =
  | { t: 'quote'; dt: number; cents: number; age: number; suspended: boolean }
  | { t: 'outcome'; outcome: OrderOutcome; fillPct: number; by: 'timeout' | 'user' }
  | { t: 'toggle' }
  | { t: 'enable' }
  | { t: 'nextDay' }
  | { t: 'rearm' }
  | { t: 'manage' }

const evArb: fc.Arbitrary<Ev> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ t: fc.constant('quote' as const), dt: fc.integer({ min: 1, max: 400 }), cents: fc.oneof(fc.integer({ min: 940, max: 1010 }), fc.integer({ min: 870, max: 910 }), fc.integer({ min: 1180, max: 1250 }), fc.integer({ min: 820, max: 1350 })), age: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 30 }) }, { weight: 1, arbitrary: fc.integer({ min: 31, max: 120 }) }), suspended: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('outcome' as const), outcome: fc.constantFrom<OrderOutcome>('filled', 'partially_cancelled', 'cancelled', 'rejected', 'failed'), fillPct: fc.constantFrom(0, 50, 100), by: fc.constantFrom<'timeout' | 'user'>('timeout', 'user') }) },
  { weight: 1, arbitrary: fc.constant({ t: 'toggle' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'enable' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'nextDay' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'rearm' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'manage' as const }) },
)

const cfgArb = fc.record({
  autoTrade: fc.boolean(),
  autoStopLoss: fc.boolean(),
  autoTakeProfit: fc.boolean(),
  trailing: fc.constantFrom(null, 0.03, 0.05),
  antiSpike: fc.integer({ min: 1, max: 3 }),
  allowAuctions: fc.boolean(),
  hysteresis: fc.constantFrom(0, 0.005, 0.02),
  cooldown: fc.constantFrom(0, 60, 1800),
})

const SL = 9
const TP = 12

describe('trigger state machine properties (random quote and event sequences)', () => {
  it('one order per (kind, episode); no signal from stale or suspended quotes; stop-loss priority; T+1 respected', () => {
    const seen = { entryOrders: 0, exitOrders: 0, deferred: 0, notify: 0, renotify: 0 }
    fc.assert(
      fc.property(cfgArb, fc.array(evArb, { minLength: 10, maxLength: 150, size: 'max' }), (cfg, events) => {
        let day = '2026-09-14'
        let now = shanghaiTime(day, '09:30')
        let volume = 0
        let canUse = 0
        let m: MonitorInput = {
          code: '600000.SH',
          enabled: true,
          state: 'WATCHING',
          episode: 1,
          entryLow: 9.5,
          entryHigh: 10,
          takeProfit: TP,
          stopLoss: SL,
          trailingStopPct: cfg.trailing,
          autoTrade: cfg.autoTrade,
          autoStopLoss: cfg.autoStopLoss,
          autoTakeProfit: cfg.autoTakeProfit,
          highestSinceEntry: null,
          position: { volume: 0, canUseVolume: 0 },
          memo: emptyMemo(),
          options: { antiSpikeCount: cfg.antiSpike, allowAuctions: cfg.allowAuctions, hysteresisPct: cfg.hysteresis, renotifyCooldownSec: cfg.cooldown, maxQuoteAgeSec: 30, maxAutoRearmsPerDay: 2 },
        }
        const orderKeys = new Set<string>()
        const deferredKeys = new Set<string>()
        let lastEpisode = m.episode
        const position = () => ({ volume, canUseVolume: canUse })

        const newDay = () => {
          day = nextTradingDay(day)
          now = shanghaiTime(day, '09:30')
          canUse = volume // T+1: yesterday's buys become sellable
        }

        for (const ev of events) {
          if (ev.t === 'nextDay') {
            newDay()
            continue
          }
          if (ev.t === 'toggle' || ev.t === 'enable') {
            m = { ...m, enabled: ev.t === 'enable' ? true : !m.enabled }
            continue
          }
          if (ev.t === 'rearm') {
            const r = rearm(m)
            if ('memo' in r) m = { ...m, state: r.state, episode: r.episode, highestSinceEntry: r.highestSinceEntry, memo: r.memo }
            continue
          }
          if (ev.t === 'manage') {
            const r = markPositionManaged(m, { avgPrice: 9.8 })
            if ('memo' in r) m = { ...m, state: r.state, episode: r.episode, highestSinceEntry: r.highestSinceEntry, memo: r.memo }
            continue
          }
          if (ev.t === 'outcome') {
            const eff = m.state === 'PAUSED' ? (m.memo as { pausedFrom: string | null }).pausedFrom : m.state
            const side = eff === 'EXIT_PENDING' ? 'sell' : 'buy'
            let filled = 0
            if (side === 'buy') {
              filled = ev.outcome === 'filled' ? 1000 : ev.outcome === 'partially_cancelled' ? (ev.fillPct * 1000) / 100 : 0
              volume += filled // bought today: not sellable (T+1)
            } else {
              filled = ev.outcome === 'filled' ? canUse : ev.outcome === 'partially_cancelled' ? Math.floor((canUse * ev.fillPct) / 100) : 0
              volume -= filled
              canUse -= filled
            }
            const r = applyOrderOutcome(m, { side, filledQuantity: filled, outcome: ev.outcome, cancelledBy: ev.by, remainingVolume: side === 'sell' ? volume : undefined, now })
            m = { ...m, state: r.state, episode: r.episode, highestSinceEntry: r.highestSinceEntry, memo: JSON.parse(JSON.stringify(r.memo)) }
            continue
          }

          // quote
          now = new Date(now.getTime() + ev.dt * 1000)
          if (now.getTime() > shanghaiTime(day, '15:00').getTime()) newDay()
          const last = ev.cents / 100
          const q: Quote = {
            code: '600000.SH',
            name: 'P',
            last,
            prevClose: 10,
            open: 10,
            high: last,
            low: last,
            volume: 1000,
            amount: 1000,
            bids: [{ price: last - 0.01, volume: 100 }],
            asks: [{ price: last, volume: 100 }],
            // Consistent with the last price (a quote outside its own band is bad data and fires nothing).
            limitUp: Math.max(11, last),
            limitDown: Math.min(9, last),
            time: new Date(now.getTime() - ev.age * 1000),
            suspended: ev.suspended,
          source: 'prop',
          }
          m = { ...m, position: position() }
          const r = evaluate(m, q, now)
          // idempotent: the same input gives the same signals
          const again = evaluate(m, q, now)
          expect(again.signals.map((s) => s.dedupeKey)).toEqual(r.signals.map((s) => s.dedupeKey))

          const stale = ev.age > 30
          if (stale || ev.suspended) expect(r.signals).toEqual([])
          if (!m.enabled) expect(r.signals).toEqual([])
          if (toMilli(last) <= toMilli(SL)) {
            // never an entry or a take-profit at or below the stop; with anti-spike 1 only the stop-loss itself.
            // (With N > 1 an already-confirmed trailing stop may go first while the stop-loss is still counting.)
            for (const s of r.signals) expect(cfg.antiSpike === 1 ? ['STOP_LOSS'] : ['STOP_LOSS', 'TRAILING_STOP']).toContain(s.kind)
          }
          expect(r.signals.length).toBeLessThanOrEqual(1)
          for (const s of r.signals as Signal[]) {
            expect(s.episode).toBe(m.episode)
            expect(s.tradingDay).toBe(shanghaiDate(now))
            if (s.action === 'order') seen[s.kind === 'ENTRY' ? 'entryOrders' : 'exitOrders']++
            else seen[s.action]++
            if (s.action === 'order') {
              const key = `${s.kind}:${s.episode}`
              expect(orderKeys.has(key)).toBe(false)
              orderKeys.add(key)
              expect(m.autoTrade).toBe(true)
              if (s.kind !== 'ENTRY') {
                expect(canUse).toBeGreaterThan(0)
                expect(s.kind === 'TAKE_PROFIT' ? m.autoTakeProfit : m.autoStopLoss).toBe(true)
              }
            }
            if (s.action === 'deferred') {
              const key = `${s.kind}:${s.episode}:${s.tradingDay}`
              expect(deferredKeys.has(key)).toBe(false)
              deferredKeys.add(key)
              expect(s.kind).not.toBe('ENTRY')
            }
          }
          const next: MonitorInput = { ...m, state: r.state, highestSinceEntry: r.highestSinceEntry, memo: JSON.parse(JSON.stringify(r.memo)) }
          // persisted and evaluated again with the same quote: never a second signal
          expect(evaluate(next, q, now).signals).toEqual([])
          m = next
          expect(m.episode).toBeGreaterThanOrEqual(lastEpisode)
          lastEpisode = m.episode
        }
      }),
      { numRuns: 400 },
    )
    // the sequences must actually exercise the order path
    expect(seen.entryOrders).toBeGreaterThan(20)
    expect(seen.exitOrders).toBeGreaterThan(50)
    expect(seen.deferred).toBeGreaterThan(20)
    expect(seen.notify).toBeGreaterThan(50)
    expect(seen.renotify).toBeGreaterThan(5)
  })
})
