import { describe, expect, it } from 'vitest'
import { applyOrderOutcome, emptyMemo, evaluate, markPositionManaged, normalizeMemo, rearm, setEnabled, type MonitorInput, type TransitionResult } from '@/lib/market'
import { at, monitor, quote } from './helpers'

const NOW = at('10:30')
const withResult = (m: MonitorInput, r: TransitionResult): MonitorInput => ({ ...m, state: r.state, episode: r.episode, highestSinceEntry: r.highestSinceEntry, memo: JSON.parse(JSON.stringify(r.memo)) })

describe('applyOrderOutcome: entries', () => {
  const pending = () => monitor({ state: 'ENTRY_PENDING', episode: 3 })

  it('filled → HOLDING, same episode, highest seeded with the fill price', () => {
    const r = applyOrderOutcome(pending(), { side: 'buy', filledQuantity: 1000, avgPrice: 9.87, outcome: 'filled', now: NOW })
    expect(r).toMatchObject({ state: 'HOLDING', episode: 3, episodeChanged: false, highestSinceEntry: 9.87, reason: { code: 'ENTRY_FILLED' } })
  })

  it('partly filled then cancelled → HOLDING (the shares need their stops)', () => {
    expect(applyOrderOutcome(pending(), { side: 'buy', filledQuantity: 300, outcome: 'partially_cancelled', cancelledBy: 'timeout', now: NOW })).toMatchObject({ state: 'HOLDING', episode: 3 })
  })

  it('unfilled timeout → WATCHING with a new episode, bounded per day', () => {
    let m = pending()
    const r1 = applyOrderOutcome(m, { side: 'buy', filledQuantity: 0, outcome: 'cancelled', cancelledBy: 'timeout', now: NOW })
    expect(r1).toMatchObject({ state: 'WATCHING', episode: 4, episodeChanged: true, reason: { code: 'ENTRY_TIMEOUT_REARMED' } })
    expect(r1.memo.kinds).toEqual({})
    m = { ...withResult(m, r1), state: 'ENTRY_PENDING' }
    const r2 = applyOrderOutcome(m, { side: 'buy', filledQuantity: 0, outcome: 'cancelled', cancelledBy: 'timeout', now: NOW })
    expect(r2).toMatchObject({ state: 'WATCHING', episode: 5 })
    m = { ...withResult(m, r2), state: 'ENTRY_PENDING' }
    const r3 = applyOrderOutcome(m, { side: 'buy', filledQuantity: 0, outcome: 'cancelled', cancelledBy: 'timeout', now: NOW })
    expect(r3).toMatchObject({ state: 'CLOSED', episode: 5, reason: { code: 'AUTO_REARM_LIMIT' } })
    // the budget is per trading day
    m = { ...withResult(m, r2), state: 'ENTRY_PENDING' }
    expect(applyOrderOutcome(m, { side: 'buy', filledQuantity: 0, outcome: 'cancelled', cancelledBy: 'timeout', now: at('10:30', '2026-09-15') })).toMatchObject({ state: 'WATCHING', episode: 6 })
  })

  it.each([
    ['rejected', undefined],
    ['failed', undefined],
    ['cancelled', 'user'],
    ['cancelled', undefined],
  ] as const)('%s (by %s) with no fill → CLOSED, needs the user', (outcome, by) => {
    const r = applyOrderOutcome(pending(), { side: 'buy', filledQuantity: 0, outcome, cancelledBy: by, now: NOW })
    expect(r).toMatchObject({ state: 'CLOSED', episode: 3, reason: { code: 'ENTRY_NOT_FILLED' } })
    expect(r.reason.message).toContain('重新启用')
  })

  it('an unfilled outcome for a monitor that is not pending changes nothing', () => {
    expect(applyOrderOutcome(monitor({ state: 'HOLDING' }), { side: 'buy', filledQuantity: 0, outcome: 'rejected', now: NOW })).toMatchObject({ state: 'HOLDING', reason: { code: 'OUTCOME_IGNORED' } })
  })

  it('keeps a pause: the transition goes to pausedFrom', () => {
    const paused = monitor({ state: 'PAUSED', episode: 3, memo: { ...emptyMemo(), pausedFrom: 'ENTRY_PENDING' } })
    const r = applyOrderOutcome(paused, { side: 'buy', filledQuantity: 100, outcome: 'filled', now: NOW })
    expect(r.state).toBe('PAUSED')
    expect(r.memo.pausedFrom).toBe('HOLDING')
  })
})

describe('applyOrderOutcome: exits', () => {
  const exiting = () => monitor({ state: 'EXIT_PENDING', episode: 2, memo: { ...emptyMemo(), exitKind: 'STOP_LOSS', kinds: { STOP_LOSS: { ordered: true, notifiedAt: null, lastNotifiedAt: null, left: false, deferredDay: null } } } })

  it('filled, nothing left → CLOSED', () => {
    expect(applyOrderOutcome(exiting(), { side: 'sell', filledQuantity: 1000, outcome: 'filled', remainingVolume: 0, now: NOW })).toMatchObject({ state: 'CLOSED', episode: 2, reason: { code: 'EXIT_FILLED' } })
    expect(applyOrderOutcome(exiting(), { side: 'sell', filledQuantity: 1000, outcome: 'filled', now: NOW })).toMatchObject({ state: 'CLOSED' })
  })

  it('filled but unsellable shares remain → HOLDING with a new episode', () => {
    const r = applyOrderOutcome(exiting(), { side: 'sell', filledQuantity: 1000, outcome: 'filled', remainingVolume: 500, now: NOW })
    expect(r).toMatchObject({ state: 'HOLDING', episode: 3, episodeChanged: true, reason: { code: 'EXIT_FILLED_REMAINDER' } })
    expect(r.memo.kinds).toEqual({})
  })

  it('cancelled / rejected exits retry within the daily budget, then notify only', () => {
    let m = exiting()
    const seen: string[] = []
    for (let i = 0; i < 3; i++) {
      const r = applyOrderOutcome(m, { side: 'sell', filledQuantity: 0, outcome: i === 1 ? 'rejected' : 'cancelled', cancelledBy: 'system', remainingVolume: 1000, now: NOW })
      seen.push(`${r.state}:${r.episode}:${r.reason.code}`)
      m = { ...withResult(m, r), state: 'EXIT_PENDING' }
    }
    expect(seen).toEqual(['HOLDING:3:EXIT_RETRY', 'HOLDING:4:EXIT_RETRY', 'HOLDING:5:AUTO_EXIT_HALTED'])
    // halted: the next stop-loss quote notifies instead of ordering
    const held = { ...m, state: 'HOLDING' as const, position: { volume: 1000, canUseVolume: 1000 } }
    const e = evaluate(held, quote({ last: 8.5, time: at('10:31') }), at('10:31'))
    expect(e.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'notify', episode: 5 }])
  })

  it('an exit cancelled by the unfilled timeout (to re-price it) never uses the budget and never halts', () => {
    let m = exiting()
    for (let i = 0; i < 10; i++) {
      const r = applyOrderOutcome(m, { side: 'sell', filledQuantity: 0, outcome: 'cancelled', cancelledBy: 'timeout', remainingVolume: 1000, now: NOW })
      expect(r).toMatchObject({ state: 'HOLDING', reason: { code: 'EXIT_TIMEOUT_REPRICE' } })
      expect(r.memo.autoExitHaltedDay ?? null).toBeNull()
      m = { ...withResult(m, r), state: 'EXIT_PENDING' }
    }
  })

  it('an exit cancelled for a higher-priority exit stays EXIT_PENDING on that exit (no budget, no re-arm)', () => {
    const r = applyOrderOutcome(exiting(), { side: 'sell', filledQuantity: 300, outcome: 'partially_cancelled', cancelledBy: 'superseded', remainingVolume: 700, now: NOW })
    expect(r).toMatchObject({ state: 'EXIT_PENDING', episode: 2, reason: { code: 'EXIT_SUPERSEDED' } })
  })

  it('the final state names its reason: every way to CLOSED stores it in the memo, a new episode clears it', () => {
    const filled = applyOrderOutcome(exiting(), { side: 'sell', filledQuantity: 1000, outcome: 'filled', remainingVolume: 0, now: NOW })
    expect(filled.state).toBe('CLOSED')
    expect(filled.memo.closedReason).toMatchObject({ code: 'EXIT_FILLED' })
    expect(normalizeMemo(JSON.parse(JSON.stringify(filled.memo))).closedReason).toMatchObject({ code: 'EXIT_FILLED', message: expect.stringContaining('清仓') })
    const back = rearm({ ...exiting(), state: 'CLOSED', memo: filled.memo })
    expect('memo' in back && back.memo.closedReason).toBeFalsy()
  })

  it('partial fill with shares left → HOLDING, new episode', () => {
    expect(applyOrderOutcome(exiting(), { side: 'sell', filledQuantity: 400, outcome: 'partially_cancelled', cancelledBy: 'timeout', remainingVolume: 600, now: NOW })).toMatchObject({ state: 'HOLDING', episode: 3 })
  })
})

describe('rearm / markPositionManaged / setEnabled', () => {
  it('rearm: CLOSED → WATCHING, episode + 1, clean memo', () => {
    const m = monitor({ state: 'CLOSED', episode: 7, highestSinceEntry: 12, memo: { ...emptyMemo(), kinds: { ENTRY: { ordered: true, notifiedAt: null, lastNotifiedAt: null, left: false, deferredDay: null } }, autoExitHaltedDay: '2026-09-14' } })
    const r = rearm(m)
    expect(r).toMatchObject({ state: 'WATCHING', episode: 8, episodeChanged: true, highestSinceEntry: null })
    if ('memo' in r) {
      expect(r.memo.kinds).toEqual({})
      expect(r.memo.autoExitHaltedDay).toBeNull()
    }
  })

  it('rearm is refused while a position or order is open', () => {
    for (const state of ['HOLDING', 'ENTRY_PENDING', 'EXIT_PENDING'] as const) {
      expect(rearm(monitor({ state }))).toMatchObject({ ok: false, code: 'REARM_NOT_ALLOWED' })
    }
  })

  it('markPositionManaged: WATCHING keeps the episode, CLOSED starts a new one', () => {
    expect(markPositionManaged(monitor({ state: 'WATCHING', episode: 2 }), { avgPrice: 9.8 })).toMatchObject({ state: 'HOLDING', episode: 2, highestSinceEntry: 9.8 })
    expect(markPositionManaged(monitor({ state: 'CLOSED', episode: 2 }))).toMatchObject({ state: 'HOLDING', episode: 3, highestSinceEntry: null })
    expect(markPositionManaged(monitor({ state: 'EXIT_PENDING' }))).toMatchObject({ ok: false, code: 'ORDER_IN_FLIGHT' })
    expect(markPositionManaged(monitor({ state: 'HOLDING' }))).toMatchObject({ state: 'HOLDING', reason: { code: 'ALREADY_HOLDING' } })
  })

  it('a notify-only entry, then the user marks the position → exits armed in the same episode', () => {
    let m = monitor({ autoTrade: false })
    const e = evaluate(m, quote({ last: 9.8, time: at('10:00') }), at('10:00'))
    expect(e.signals).toMatchObject([{ kind: 'ENTRY', action: 'notify' }])
    m = { ...m, state: e.state, memo: e.memo }
    const r = markPositionManaged(m, { avgPrice: 9.8 })
    if (!('memo' in r)) throw new Error('refused')
    m = { ...withResult(m, r), autoTrade: true, position: { volume: 1000, canUseVolume: 1000 } }
    const x = evaluate(m, quote({ last: 8.9, time: at('10:01') }), at('10:01'))
    expect(x.signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order', episode: 1 }])
  })

  it('setEnabled pauses and resumes', () => {
    const p = setEnabled(monitor({ state: 'HOLDING' }), false)
    expect(p).toMatchObject({ state: 'PAUSED', memo: { pausedFrom: 'HOLDING' } })
    const back = setEnabled({ ...monitor(), state: 'PAUSED', memo: p.memo }, true)
    expect(back).toMatchObject({ state: 'HOLDING', memo: { pausedFrom: null } })
  })
})

describe('applyOrderOutcome: late buy fills never leave shares without a stop', () => {
  it('CLOSED + late fill → HOLDING in a new episode, and the stop-loss can fire again', () => {
    const closed = monitor({ state: 'CLOSED', episode: 4, memo: { ...emptyMemo(), kinds: { STOP_LOSS: { ordered: true, notifiedAt: null, lastNotifiedAt: null, left: false, deferredDay: null } } } })
    const r = applyOrderOutcome(closed, { side: 'buy', filledQuantity: 500, outcome: 'filled', now: NOW })
    expect(r).toMatchObject({ state: 'HOLDING', episode: 5, episodeChanged: true })
    const m = { ...withResult(closed, r), position: { volume: 500, canUseVolume: 500 } }
    expect(evaluate(m, quote({ last: 8.9, time: at('10:31') }), at('10:31')).signals).toMatchObject([{ kind: 'STOP_LOSS', action: 'order', episode: 5 }])
  })
  it('WATCHING (after a timeout re-arm) + late fill → HOLDING, same episode', () => {
    expect(applyOrderOutcome(monitor({ state: 'WATCHING', episode: 6 }), { side: 'buy', filledQuantity: 100, outcome: 'partially_cancelled', now: NOW })).toMatchObject({ state: 'HOLDING', episode: 6 })
  })
  it('EXIT_PENDING + late buy fill stays EXIT_PENDING', () => {
    expect(applyOrderOutcome(monitor({ state: 'EXIT_PENDING', episode: 6 }), { side: 'buy', filledQuantity: 100, outcome: 'filled', now: NOW })).toMatchObject({ state: 'EXIT_PENDING', episode: 6, reason: { code: 'ENTRY_FILLED_DURING_EXIT' } })
  })
})
