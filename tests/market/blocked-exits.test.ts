// Exits that never reached the market (kill switch, an intent withdrawn before sending) use none of
// the daily retry budget: unit cases and a property over random sequences of blocks and real failures.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { applyOrderOutcome, emptyMemo, evaluate, normalizeMemo, type MonitorInput, type OrderOutcome, type TransitionResult } from '@/lib/market'
import { at, monitor, quote } from './helpers'

const NOW = at('10:30')
const withResult = (m: MonitorInput, r: TransitionResult): MonitorInput => ({ ...m, state: r.state, episode: r.episode, highestSinceEntry: r.highestSinceEntry, memo: JSON.parse(JSON.stringify(r.memo)) })
const held = { volume: 1000, canUseVolume: 1000 }

/** HOLDING below the stop: the stop-loss orders and the monitor is EXIT_PENDING. */
function firedStop(m: MonitorInput, t: Date): MonitorInput {
  const e = evaluate({ ...m, state: 'HOLDING', position: held }, quote({ last: 8.5, time: t }), t)
  expect(e.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order' }])
  return { ...m, state: e.state, highestSinceEntry: e.highestSinceEntry, memo: JSON.parse(JSON.stringify(e.memo)) }
}

describe('applyOrderOutcome: blocked exits', () => {
  const holding = () => monitor({ state: 'HOLDING', episode: 2, highestSinceEntry: 10, position: held })

  it('kill switch: HOLDING in the same episode, no budget used, and the same stop orders again on the next quote', () => {
    let m = firedStop(holding(), at('10:30'))
    const r = applyOrderOutcome(m, { side: 'sell', kind: 'STOP_LOSS', filledQuantity: 0, outcome: 'failed', blocked: 'kill_switch', remainingVolume: 1000, now: NOW })
    expect(r).toMatchObject({ state: 'HOLDING', episode: 2, episodeChanged: false, reason: { code: 'EXIT_BLOCKED' } })
    expect(r.memo.autoRearms).toBeNull()
    expect(r.memo.exitKind).toBeNull()
    m = withResult(m, r)
    const again = evaluate({ ...m, position: held }, quote({ last: 8.5, time: at('10:31') }), at('10:31'))
    expect(again.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order', episode: 2 }])
  })

  it('withdrawn before sending: HOLDING, episode + 1, no budget used', () => {
    const m = firedStop(holding(), at('10:30'))
    const r = applyOrderOutcome(m, { side: 'sell', kind: 'STOP_LOSS', filledQuantity: 0, outcome: 'failed', blocked: 'withdrawn', remainingVolume: 1000, now: NOW })
    expect(r).toMatchObject({ state: 'HOLDING', episode: 3, reason: { code: 'EXIT_WITHDRAWN' } })
    expect(r.memo.autoRearms).toBeNull()
    expect(r.memo.autoExitHaltedDay).toBeNull()
  })

  it('entries ignore it: a blocked entry closes like any failed one', () => {
    const pending = monitor({ state: 'ENTRY_PENDING', episode: 3 })
    for (const blocked of ['kill_switch', 'withdrawn'] as const) {
      expect(applyOrderOutcome(pending, { side: 'buy', filledQuantity: 0, outcome: 'failed', blocked, now: NOW })).toMatchObject({ state: 'CLOSED', episode: 3 })
    }
  })

  it('a paused monitor keeps its pause', () => {
    const m = firedStop(holding(), at('10:30'))
    const paused = { ...m, state: 'PAUSED' as const, memo: { ...normalizeMemo(m.memo), pausedFrom: 'EXIT_PENDING' as const } }
    const r = applyOrderOutcome(paused, { side: 'sell', kind: 'STOP_LOSS', filledQuantity: 0, outcome: 'failed', blocked: 'withdrawn', now: NOW })
    expect(r).toMatchObject({ state: 'PAUSED', episode: 3 })
    expect(r.memo.pausedFrom).toBe('HOLDING')
  })
})

type Step = { t: 'kill' } | { t: 'withdrawn' } | { t: 'fail'; outcome: OrderOutcome }

describe('blocked exits: property', () => {
  it('any number of blocks leaves exactly the budget for real failures, and exits never halt from blocks alone', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 3, arbitrary: fc.constant<Step>({ t: 'kill' }) },
            { weight: 2, arbitrary: fc.constant<Step>({ t: 'withdrawn' }) },
            { weight: 2, arbitrary: fc.constantFrom<OrderOutcome>('cancelled', 'rejected', 'failed').map((outcome): Step => ({ t: 'fail', outcome })) },
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (steps) => {
          let m: MonitorInput = monitor({ state: 'HOLDING', episode: 1, highestSinceEntry: 10, position: held, memo: emptyMemo() })
          let minute = 0
          let failures = 0
          for (const s of steps) {
            const t = at(`10:${String(minute++ % 60).padStart(2, '0')}`)
            const halted = normalizeMemo(m.memo).autoExitHaltedDay !== null
            const e = evaluate({ ...m, position: held, memo: { ...normalizeMemo(m.memo), lastQuoteMs: null } }, quote({ last: 8.5, time: t }), t)
            if (halted) {
              // the budget is gone: the stop only notifies, and only real failures can have used it
              expect(e.signals.every((x) => x.action !== 'order')).toBe(true)
              expect(failures).toBeGreaterThan(2)
              return
            }
            expect(e.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order' }])
            const fired: MonitorInput = { ...m, state: e.state, highestSinceEntry: e.highestSinceEntry, memo: JSON.parse(JSON.stringify(e.memo)) }
            const r =
              s.t === 'fail'
                ? applyOrderOutcome(fired, { side: 'sell', kind: 'STOP_LOSS', filledQuantity: 0, outcome: s.outcome, cancelledBy: 'system', remainingVolume: 1000, now: t })
                : applyOrderOutcome(fired, { side: 'sell', kind: 'STOP_LOSS', filledQuantity: 0, outcome: 'failed', blocked: s.t === 'kill' ? 'kill_switch' : 'withdrawn', remainingVolume: 1000, now: t })
            if (s.t === 'fail') failures++
            expect(r.state).toBe('HOLDING')
            const used = normalizeMemo(r.memo).autoRearms?.count ?? 0
            expect(used).toBe(Math.min(failures, 2))
            if (s.t === 'kill') expect(r.episode).toBe(m.episode)
            else expect(r.episode).toBe(m.episode + 1)
            m = withResult(fired, r)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
