import { describe, expect, it } from 'vitest'
import { acceptsOrders, canCancelAt, marketPhase, MarketRuleError, nextPhaseChange, shanghaiTime } from '@/lib/market'

const T = (hhmm: string, day = '2026-09-14') => shanghaiTime(day, hhmm)

describe('marketPhase (Asia/Shanghai, whatever the process TZ)', () => {
  it.each([
    ['00:00:00', 'closed'],
    ['08:59:59', 'closed'],
    ['09:00:00', 'pre_open'],
    ['09:14:59', 'pre_open'],
    ['09:15:00', 'opening_auction'],
    ['09:19:59', 'opening_auction'],
    ['09:20:00', 'opening_auction'],
    ['09:24:59', 'opening_auction'],
    ['09:25:00', 'pre_open'],
    ['09:29:59', 'pre_open'],
    ['09:30:00', 'continuous'],
    ['11:29:59', 'continuous'],
    ['11:30:00', 'lunch_break'],
    ['12:59:59', 'lunch_break'],
    ['13:00:00', 'continuous'],
    ['14:56:59', 'continuous'],
    ['14:57:00', 'closing_auction'],
    ['14:59:59', 'closing_auction'],
    ['15:00:00', 'closed'],
    ['23:59:59', 'closed'],
  ])('%s → %s', (hhmm, phase) => {
    expect(marketPhase(T(hhmm))).toBe(phase)
  })

  it('holidays and weekends are closed all day', () => {
    expect(marketPhase(T('10:00', '2026-10-01'))).toBe('closed')
    expect(marketPhase(T('10:00', '2026-09-19'))).toBe('closed') // Saturday
    expect(marketPhase(T('10:00', '2026-10-10'))).toBe('closed') // make-up Saturday
  })

  it('trades on the provisional rule in a year without published data', () => {
    expect(marketPhase(T('10:00', '2027-01-04'))).toBe('continuous')
    expect(marketPhase(T('10:00', '2027-01-01'))).toBe('closed')
    expect(() => marketPhase(new Date(Number.NaN))).toThrow(MarketRuleError)
  })
})

describe('nextPhaseChange', () => {
  it.each([
    ['2026-09-14', '08:00', 'pre_open', '2026-09-14T01:00:00.000Z'],
    ['2026-09-14', '09:10', 'opening_auction', '2026-09-14T01:15:00.000Z'],
    ['2026-09-14', '09:15', 'pre_open', '2026-09-14T01:25:00.000Z'],
    ['2026-09-14', '09:27', 'continuous', '2026-09-14T01:30:00.000Z'],
    ['2026-09-14', '10:00', 'lunch_break', '2026-09-14T03:30:00.000Z'],
    ['2026-09-14', '11:30', 'continuous', '2026-09-14T05:00:00.000Z'],
    ['2026-09-14', '14:00', 'closing_auction', '2026-09-14T06:57:00.000Z'],
    ['2026-09-14', '14:58', 'closed', '2026-09-14T07:00:00.000Z'],
    ['2026-09-14', '15:00', 'pre_open', '2026-09-15T01:00:00.000Z'],
    ['2026-09-24', '16:00', 'pre_open', '2026-09-28T01:00:00.000Z'], // over Mid-autumn + weekend
    ['2026-09-30', '15:30', 'pre_open', '2026-10-08T01:00:00.000Z'], // over National Day
    ['2026-10-03', '10:00', 'pre_open', '2026-10-08T01:00:00.000Z'],
  ] as const)('%s %s → %s at %s', (day, hhmm, phase, iso) => {
    const r = nextPhaseChange(T(hhmm, day))
    expect(r.phase).toBe(phase)
    expect(r.at.toISOString()).toBe(iso)
    expect(marketPhase(r.at)).toBe(phase)
  })

  it('is always in the future and the phase really changes there', () => {
    for (let m = 0; m < 24 * 60; m += 7) {
      const at = new Date(T('00:00').getTime() + m * 60_000 + 13_000)
      const r = nextPhaseChange(at)
      expect(r.at.getTime()).toBeGreaterThan(at.getTime())
      expect(marketPhase(r.at)).toBe(r.phase)
      expect(marketPhase(new Date(r.at.getTime() - 1000))).not.toBe(r.phase)
    }
  })

  it('runs across the end of the published calendar into the provisional year', () => {
    const r = nextPhaseChange(T('15:30', '2026-12-31'))
    expect(r.phase).toBe('pre_open')
    expect(r.at.toISOString()).toBe('2027-01-04T01:00:00.000Z')
  })
})

describe('canCancelAt / acceptsOrders', () => {
  it.each([
    ['09:00', false, false, false],
    ['09:16', true, true, false],
    ['09:20', false, true, false],
    ['09:24', false, true, false],
    ['09:26', false, false, false],
    ['09:30', true, true, true],
    ['11:00', true, true, true],
    ['12:00', false, false, false],
    ['13:00', true, true, true],
    ['14:57', false, true, false],
    ['14:59', false, true, false],
    ['15:00', false, false, false],
  ])('%s: cancel %s, limit %s, market %s', (hhmm, cancel, limit, market) => {
    expect(canCancelAt(T(hhmm))).toBe(cancel)
    expect(acceptsOrders(T(hhmm), 'limit')).toBe(limit)
    expect(acceptsOrders(T(hhmm), 'market')).toBe(market)
  })
  it('nothing on a holiday', () => {
    expect(canCancelAt(T('10:00', '2026-10-01'))).toBe(false)
    expect(acceptsOrders(T('10:00', '2026-10-01'), 'limit')).toBe(false)
  })
})
