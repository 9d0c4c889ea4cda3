/**
 * The simulated market clock: speed, pause, set, step, skipping lunch / nights / weekends /
 * holidays with a post-close dwell, wall mode, the calendar guard, and the remote follower.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { marketPhase, shanghaiSecondOfDay, shanghaiTime } from '@/lib/market'
import { advanceSkipping, defaultDemoStart, RemoteSimClock, SimClock, skipTarget } from '@/lib/paper/clock'
import { at, startSim, type Sim } from './helpers'

function fakeWall(start = 1_000_000) {
  let t = start
  return { now: () => t, add: (ms: number) => void (t += ms) }
}

describe('SimClock', () => {
  it('runs at speed× wall time and stands still while paused', () => {
    const w = fakeWall()
    const c = new SimClock({ start: at('10:00'), speed: 12, wall: w.now })
    w.add(10_000)
    expect(c.now()).toEqual(at('10:02'))
    c.set({ paused: true })
    w.add(60_000)
    expect(c.now()).toEqual(at('10:02'))
    c.set({ paused: false, speed: 60 })
    w.add(1000)
    expect(c.now()).toEqual(at('10:03'))
    expect(c.snapshot()).toMatchObject({ now: at('10:03').toISOString(), speed: 60, paused: false, tradingDay: '2026-09-14', phase: 'continuous' })
  })

  it('skips the lunch break to 12:59:00 without losing trading time', () => {
    const w = fakeWall()
    const c = new SimClock({ start: at('11:29'), speed: 12, wall: w.now })
    w.add(5_000) // 60 market seconds: exactly 11:30 → skipped to 12:59
    expect(c.now()).toEqual(at('12:59'))
    w.add(5_000)
    expect(c.now()).toEqual(at('13:00'))
  })

  it('after the close it dwells 120 s, then jumps to 09:14 of the next trading day (weekend, holiday)', () => {
    const w = fakeWall()
    const c = new SimClock({ start: at('14:59'), speed: 60, wall: w.now })
    w.add(1000)
    expect(c.now()).toEqual(at('15:00'))
    expect(c.snapshot().phase).toBe('closed')
    w.add(1000)
    expect(c.now()).toEqual(at('15:01'))
    w.add(1000) // 15:02 = end of the dwell → next trading day 09:14
    expect(c.now()).toEqual(at('09:14', '2026-09-15'))
    // Friday → Monday
    c.set({ now: at('15:01', '2026-09-18') })
    w.add(2000)
    expect(c.now()).toEqual(at('09:15', '2026-09-21'))
    // Thursday 2026-09-24 → Friday 09-25 is a holiday → Monday 09-28
    c.set({ now: at('15:01', '2026-09-24') })
    w.add(1000)
    expect(c.now()).toEqual(at('09:14', '2026-09-28'))
  })

  it('an explicit time is honoured while paused, even in closed time; running it leaves closed time', () => {
    const w = fakeWall()
    const c = new SimClock({ start: at('20:00'), speed: 12, paused: true, wall: w.now })
    w.add(10_000)
    expect(c.now()).toEqual(at('20:00'))
    expect(c.snapshot()).toMatchObject({ phase: 'closed', paused: true })
    c.set({ paused: false })
    expect(c.now()).toEqual(at('09:14', '2026-09-15'))
  })

  it('step() advances market time paused or not, skipping closed time', () => {
    const w = fakeWall()
    const c = new SimClock({ start: at('11:29:58'), speed: 12, paused: true, wall: w.now })
    expect(c.step(3000)).toEqual(at('12:59:01'))
    expect(c.now()).toEqual(at('12:59:01'))
    const noSkip = new SimClock({ start: at('11:29:58'), paused: true, skipClosed: false, wall: w.now })
    expect(noSkip.step(3000)).toEqual(at('11:30:01'))
  })

  it('wall mode follows the real clock at speed 1 without skipping', () => {
    const w = fakeWall(at('03:00').getTime())
    const c = SimClock.wallClock(w.now)
    expect(c.now()).toEqual(at('03:00'))
    w.add(1234)
    expect(c.now().getTime()).toBe(at('03:00').getTime() + 1234)
    expect(c.snapshot()).toMatchObject({ speed: 1, skipClosed: false })
  })

  it('a year without exchange data runs on the provisional weekday rule', () => {
    const w = fakeWall()
    const c = new SimClock({ start: new Date('2027-01-04T02:00:00Z'), speed: 12, wall: w.now })
    w.add(1000)
    expect(c.now()).toEqual(new Date('2027-01-04T02:00:12Z'))
    expect(c.snapshot().calendarError).toBeFalsy()
    expect(c.snapshot().phase).toBe('continuous')
    expect(c.snapshot().tradingDay).toBe('2027-01-04')
  })

  it('defaultDemoStart: 09:14 today before the open, else the next trading day', () => {
    expect(defaultDemoStart(at('08:00'))).toEqual(at('09:14'))
    expect(defaultDemoStart(at('10:00'))).toEqual(at('09:14', '2026-09-15'))
    expect(defaultDemoStart(at('10:00', '2026-09-19'))).toEqual(at('09:14', '2026-09-21'))
  })
})

describe('advanceSkipping properties', () => {
  // Market-time budgets of up to a day each (≈ 5 trading days), starts far enough from 2027 (no calendar data).
  const start = fc.integer({ min: shanghaiTime('2026-01-05', '00:00').getTime(), max: shanghaiTime('2026-11-20', '00:00').getTime() }).map((ms) => new Date(ms))
  const dur = fc.integer({ min: 0, max: 86_400_000 })

  it('never lands in the lunch break or the night (beyond the lead minute and the close dwell), and is additive (a+b = a then b)', () => {
    fc.assert(
      fc.property(start, dur, dur, (t, a, b) => {
        const x = advanceSkipping(t, a)
        expect(skipTarget(x)).toBeNull()
        const ph = marketPhase(x)
        const sec = shanghaiSecondOfDay(x)
        // closed only during the post-close dwell; pre-open only in the minute before the auction (or 09:25–09:30)
        if (ph === 'closed') expect(sec >= 15 * 3600 && sec < 15 * 3600 + 120).toBe(true)
        if (ph === 'pre_open') expect((sec >= 9 * 3600 + 14 * 60 && sec < 9 * 3600 + 15 * 60) || (sec >= 9 * 3600 + 25 * 60 && sec < 9.5 * 3600)).toBe(true)
        // lunch only in the lead minute before 13:00
        if (ph === 'lunch_break') expect(sec >= 12 * 3600 + 59 * 60 && sec < 13 * 3600).toBe(true)
        expect(advanceSkipping(x, b).getTime()).toBe(advanceSkipping(t, a + b).getTime())
        expect(x.getTime()).toBeGreaterThanOrEqual(t.getTime())
      }),
      { numRuns: 300 },
    )
  })

  it('is monotonic in the elapsed time', () => {
    fc.assert(
      fc.property(start, dur, dur, (t, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(advanceSkipping(t, lo).getTime()).toBeLessThanOrEqual(advanceSkipping(t, hi).getTime())
      }),
      { numRuns: 300 },
    )
  })
})

describe('the control API clock and RemoteSimClock', () => {
  let sim: Sim
  beforeAll(async () => {
    sim = await startSim({ start: at('10:00'), paused: true })
  })
  afterAll(async () => {
    await sim.close()
  })

  it('GET /control/clock needs no token; POST /control/clock sets and freezes; tick steps', async () => {
    const r = await fetch(`${sim.url}/control/clock`)
    expect(r.status).toBe(200)
    expect(await r.json()).toMatchObject({ now: at('10:00').toISOString(), paused: true, tradingDay: '2026-09-14', phase: 'continuous', speed: 12 })
    expect((await fetch(`${sim.url}/control/clock`, { method: 'POST', body: '{}' })).status).toBe(401)
    expect(await sim.ctl('clock', { now: at('11:29:57').toISOString() })).toMatchObject({ now: at('11:29:57').toISOString(), paused: true })
    const t = await sim.ctl<{ clock: { now: string; phase: string } }>('tick', { seconds: 6 })
    expect(t.clock).toMatchObject({ now: at('12:59:03').toISOString(), phase: 'lunch_break' })
    expect(await sim.ctl('clock', { now: 'next-open' })).toMatchObject({ now: at('09:14', '2026-09-15').toISOString() })
    await expect(sim.ctl('clock', { now: 'yesterday-ish' })).rejects.toThrow(/400/)
  })

  it('RemoteSimClock follows the exchange clock and extrapolates with its speed', async () => {
    await sim.ctl('clock', { now: at('10:00').toISOString(), paused: false, speed: 100 })
    const remote = new RemoteSimClock(sim.url)
    expect(() => remote.now()).toThrow(/sync/)
    const snap = await remote.sync()
    expect(snap.speed).toBe(100)
    await new Promise((r) => setTimeout(r, 200))
    const local = remote.now().getTime()
    const server = sim.exchange.now().getTime()
    expect(Math.abs(local - server)).toBeLessThan(100 * 100) // within 100 wall ms
    expect(local).toBeGreaterThan(at('10:00').getTime() + 100 * 150)
    await sim.ctl('clock', { paused: true, speed: 12 })
  })
})
