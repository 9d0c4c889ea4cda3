/**
 * The price model: deterministic per seed and code, every price on the tick and inside the limit
 * band, a sane 5-level book, day chaining, scenarios (locks, suspension) and overrides.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isOnTick, limitPricesMilli, normalizeCode, tickMilliOf, toMilli } from '@/lib/market'
import { PriceModel, stepTime, STEPS_PER_DAY, type PriceModelConfig } from '@/lib/paper/price-model'
import { DEMO_SCENARIOS, KNOWN_INSTRUMENTS, SCENARIO_SCRIPTS } from '@/lib/paper/scenarios'
import { at, DAY, NEXT_DAY } from './helpers'

const model = (over: Partial<PriceModelConfig> = {}) => new PriceModel({ seed: 42, baseDay: DAY, scenarios: {}, overrides: {}, ...over })

const CODES = ['600000.SH', '000001.SZ', '300750.SZ', '688111.SH', '601398.SH', '510300.SH', '002594.SZ', '603288.SH', '301029.SZ', '688981.SH', '159915.SZ', '920118.BJ']
const codeArb = fc.constantFrom(...CODES)
const timeArb = fc.integer({ min: 0, max: 6 * 3600 + 1800 }).map((s) => new Date(at('09:00').getTime() + s * 1000))

describe('determinism', () => {
  it('the same seed gives the same quotes; another seed another path', () => {
    const a = model()
    const b = model()
    const c = model({ seed: 7 })
    let differs = 0
    for (const code of CODES) {
      for (const hhmm of ['09:26', '09:45', '10:30', '11:29', '13:05', '14:30', '15:10']) {
        const t = at(hhmm)
        expect(b.quote(code, t)).toEqual(a.quote(code, t))
        if (c.quote(code, t).last !== a.quote(code, t).last) differs++
      }
    }
    expect(differs).toBeGreaterThan(20)
  })

  it('known codes have real names and their configured previous close; others a synthetic series', () => {
    const m = model()
    for (const k of Object.values(KNOWN_INSTRUMENTS)) expect(m.quote(k.code, at('10:00'))).toMatchObject({ name: k.name, prevClose: k.prevClose })
    expect(m.quote('002594.SZ', at('10:00')).name).toBe('模拟002594')
    expect(m.quote('510300.SH', at('10:00')).prevClose).toBe(4.1)
  })
})

describe('prices and books respect the rules (property)', () => {
  it('on the tick, inside the limit band, with a tick-spaced book around the last price', () => {
    const m = model()
    fc.assert(
      fc.property(codeArb, timeArb, (code, t) => {
        const q = m.quote(code, t)
        const tick = tickMilliOf(code)
        const lim = limitPricesMilli(code, toMilli(q.prevClose))!
        expect(q.code).toBe(normalizeCode(code))
        expect(q.limitUp).toBe(lim.upMilli / 1000)
        expect(q.limitDown).toBe(lim.downMilli / 1000)
        for (const p of [q.last, q.prevClose, ...(q.suspended ? [] : [q.open, q.high, q.low])]) expect(isOnTick(toMilli(p), tick)).toBe(true)
        expect(toMilli(q.last)).toBeGreaterThanOrEqual(lim.downMilli)
        expect(toMilli(q.last)).toBeLessThanOrEqual(lim.upMilli)
        expect(q.volume % 100).toBe(0)
        for (const side of [q.bids, q.asks]) {
          expect(side.length).toBeLessThanOrEqual(5)
          for (const l of side) {
            expect(isOnTick(toMilli(l.price), tick)).toBe(true)
            expect(l.volume % 100).toBe(0)
            expect(l.volume).toBeGreaterThan(0)
            expect(toMilli(l.price)).toBeGreaterThanOrEqual(lim.downMilli)
            expect(toMilli(l.price)).toBeLessThanOrEqual(lim.upMilli)
          }
        }
        for (let i = 1; i < q.bids.length; i++) expect(toMilli(q.bids[i - 1]!.price) - toMilli(q.bids[i]!.price)).toBe(tick)
        for (let i = 1; i < q.asks.length; i++) expect(toMilli(q.asks[i]!.price) - toMilli(q.asks[i - 1]!.price)).toBe(tick)
        if (q.bids.length && q.asks.length) {
          expect(toMilli(q.asks[0]!.price) - toMilli(q.bids[0]!.price)).toBe(tick)
          expect([q.bids[0]!.price, q.asks[0]!.price]).toContain(q.last)
        }
        if (!q.suspended) {
          expect(q.low).toBeLessThanOrEqual(q.last)
          expect(q.high).toBeGreaterThanOrEqual(q.last)
        }
        expect(q.time.getTime()).toBeLessThanOrEqual(t.getTime())
      }),
      { numRuns: 400 },
    )
  })

  it('cumulative volume and amount never decrease during a day', () => {
    const m = model()
    for (const code of ['600000.SH', '688111.SH']) {
      const path = m.dayPath(code, DAY)
      for (let k = 1; k <= STEPS_PER_DAY; k++) {
        expect(path.cumVolume[k]!).toBeGreaterThanOrEqual(path.cumVolume[k - 1]!)
        expect(path.cumAmount[k]!).toBeGreaterThanOrEqual(path.cumAmount[k - 1]!)
      }
    }
  })
})

describe('sessions and days', () => {
  it('before 09:25: previous close, open 0, volume 0, no book; 09:25 prints the open; lunch and after close freeze', () => {
    const m = model()
    expect(m.quote('600000.SH', at('09:20'))).toMatchObject({ last: 9.2, open: 0, volume: 0, bids: [], asks: [], suspended: true })
    const open = m.quote('600000.SH', at('09:26'))
    expect(open.open).toBeGreaterThan(0)
    expect(open.volume).toBeGreaterThan(0)
    expect(open.suspended).toBe(false)
    const lunch = m.quote('600000.SH', at('12:00'))
    expect(lunch.time).toEqual(at('11:29:57'))
    expect(m.quote('600000.SH', at('13:00'))).toMatchObject({ time: at('13:00') })
    const close = m.quote('600000.SH', at('16:00'))
    expect(close.time).toEqual(at('15:00'))
    // Saturday shows Friday's close
    expect(m.quote('600000.SH', at('10:00', '2026-09-19')).time).toEqual(at('15:00', '2026-09-18'))
  })

  it('the next trading day’s previous close is this day’s close', () => {
    const m = model()
    const day0 = m.quote('600000.SH', at('15:30'))
    expect(m.quote('600000.SH', at('10:00', NEXT_DAY)).prevClose).toBe(day0.last)
    expect(m.dayPath('600000.SH', NEXT_DAY).prevCloseMilli).toBe(m.dayPath('600000.SH', DAY).price[STEPS_PER_DAY])
  })

  it('stepTimesBetween lists the continuous-trading steps in a window', () => {
    const m = model()
    const steps = m.stepTimesBetween(at('11:29:50'), at('13:00:04'))
    expect(steps).toEqual([at('11:29:51'), at('11:29:54'), at('11:29:57'), at('13:00'), at('13:00:03')])
    expect(stepTime(DAY, 0)).toEqual(at('09:30'))
    expect(stepTime(DAY, 2400)).toEqual(at('13:00'))
  })
})

describe('scenarios and overrides', () => {
  it('limit-up lock: no asks, bids at the limit; limit-down lock: no bids', () => {
    const m = model({ scenarios: { '688111.SH': { script: SCENARIO_SCRIPTS.limitUpLock, startDay: DAY }, '600000.SH': { script: SCENARIO_SCRIPTS.limitDownLock, startDay: DAY } } })
    const up = m.quote('688111.SH', at('11:00'))
    expect(up.last).toBe(up.limitUp)
    expect(up.asks).toEqual([])
    expect(up.bids[0]).toMatchObject({ price: up.limitUp })
    const down = m.quote('600000.SH', at('11:00'))
    expect(down.last).toBe(down.limitDown)
    expect(down.bids).toEqual([])
    expect(down.asks[0]!.price).toBe(down.limitDown)
    // the scripted day is over: the next day is a random walk again (not locked)
    expect(m.quote('688111.SH', at('10:00', NEXT_DAY)).asks.length).toBeGreaterThan(0)
  })

  it('suspension repeats day after day: no trades, open 0, volume 0', () => {
    const m = model({ scenarios: { '600300.SH': { script: SCENARIO_SCRIPTS.suspended, startDay: DAY } } })
    for (const day of [DAY, NEXT_DAY, '2026-09-21']) {
      expect(m.quote('600300.SH', at('10:00', day))).toMatchObject({ suspended: true, open: 0, volume: 0, bids: [], asks: [] })
    }
  })

  it('scripted keyframes are followed (within the noise) in percent of the previous close', () => {
    const m = model({ scenarios: { '601398.SH': { script: SCENARIO_SCRIPTS.gapDownStop, startDay: DAY } } })
    const open = m.quote('601398.SH', at('09:26')).open
    expect(open).toBeGreaterThanOrEqual(7.82)
    expect(open).toBeLessThanOrEqual(7.84)
  })

  it('an override pins the price and synthesises a book; clearing it restores the model', () => {
    const m = model()
    const before = m.quote('600000.SH', at('10:00'))
    m.setOverride('600000.SH', { last: 9.5, prevClose: 9.2 })
    const q = m.quote('600000.SH', at('10:00:05'))
    expect(q).toMatchObject({ last: 9.5, prevClose: 9.2, limitUp: 10.12, limitDown: 8.28, suspended: false })
    expect(q.asks[0]!.price).toBe(9.5)
    expect(q.bids[0]!.price).toBe(9.49)
    expect(q.time).toEqual(at('10:00:03'))
    m.setOverride('600000.SH', null)
    expect(m.quote('600000.SH', at('10:00'))).toEqual(before)
  })

  it('every demo scenario has valid suggested levels (lib/market rules) and a known instrument or name', async () => {
    const { validateMonitorLevels } = await import('@/lib/market')
    for (const s of DEMO_SCENARIOS) {
      const r = validateMonitorLevels({ ...s.monitor, episode: 1 }, undefined, s.monitor.holding ? 'HOLDING' : 'WATCHING')
      expect(r, s.code).toEqual([])
      expect(s.name).toBeTruthy()
      expect(s.expect.length).toBeGreaterThan(0)
    }
  })
})
