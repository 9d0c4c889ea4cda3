/**
 * Simulated market clock shared by the paper exchange and, in demo mode, the worker.
 *
 * Market time runs at `speed`× wall time from an anchor. With `skipClosed`, time the market spends
 * closed is skipped: the lunch break jumps to shortly before 13:00, the close (and weekends, holidays)
 * to shortly before the next trading day's opening auction (09:14:00 with the default 60 s lead),
 * and the 09:00–09:14 pre-open likewise. After 15:00 the clock first runs for a short dwell
 * (default 120 market seconds) so pollers see the day's final order states (expired 54s, last
 * fills) before the night is skipped. The skip is computed analytically, so a clock nobody reads
 * for a while never overshoots a trading session. At the default 12× a trading day (4 h of sessions
 * plus the auctions) takes about 21 wall minutes.
 *
 * Wall mode: speed 1, no skipping, anchored to the real time (Asia/Shanghai is derived as always).
 * The clock can be set, paused, resumed and stepped; while paused it stands still, exactly where it
 * was set (also in closed time, which is how tests freeze it at 20:00). A running skipping clock
 * leaves closed time on its next read.
 *
 * The calendar (lib/market) throws for a year without exchange data; the clock then stops skipping
 * and reports the error in its snapshot instead of guessing a schedule.
 */
import { MarketRuleError, shanghaiDate, shanghaiSecondOfDay, shanghaiTime, type MarketPhase } from '@/lib/market'
import { isTradingDay, marketPhase, nextTradingDay } from './calendar'

export const DEFAULT_SIM_SPEED = 12
/** Seconds before the next phase that a skip lands on (09:14:00, 12:59:00). */
export const DEFAULT_SKIP_LEAD_SEC = 60
/** Market seconds the clock keeps running after 15:00 before it skips the night. */
export const DEFAULT_CLOSE_DWELL_SEC = 120

export interface ClockSnapshot {
  /** Market time, ISO. */
  now: string
  speed: number
  paused: boolean
  skipClosed: boolean
  /** Shanghai date when it is a trading day, else null. */
  tradingDay: string | null
  phase: MarketPhase | 'unknown'
  /** Set when the calendar cannot answer for this date. */
  calendarError?: string
}

export interface SimClockOptions {
  start: Date
  speed?: number
  paused?: boolean
  skipClosed?: boolean
  skipLeadSec?: number
  /** Market seconds to keep running after 15:00 before skipping the night. */
  closeDwellSec?: number
  /** Wall clock in ms (injectable for tests). */
  wall?: () => number
}

const hms = (h: number, m: number, s = 0) => h * 3600 + m * 60 + s
const OPEN_AUCTION = hms(9, 15)
const LUNCH_START = hms(11, 30)
const LUNCH_END = hms(13, 0)
const CLOSE = hms(15, 0)

/**
 * Where a skipping clock at `t` should jump to, or null when `t` is inside a session that runs
 * (opening auction through the close plus the dwell, minus the lunch break). Throws MarketRuleError
 * from the calendar.
 */
export function skipTarget(t: Date, leadSec = DEFAULT_SKIP_LEAD_SEC, dwellSec = DEFAULT_CLOSE_DWELL_SEC): Date | null {
  const day = shanghaiDate(t)
  const sec = shanghaiSecondOfDay(t)
  const lead = (target: Date) => new Date(target.getTime() - leadSec * 1000)
  if (isTradingDay(day)) {
    if (sec < OPEN_AUCTION - leadSec) return lead(shanghaiTime(day, '09:15'))
    if (sec < OPEN_AUCTION) return null
    if (sec >= LUNCH_START && sec < LUNCH_END - leadSec) return lead(shanghaiTime(day, '13:00'))
    if (sec < CLOSE + dwellSec) return null
  }
  return lead(shanghaiTime(nextTradingDay(day), '09:15'))
}

/** The next instant after a running `t` at which the session pauses (11:30, or the end of the close dwell). */
function nextSessionEnd(t: Date, dwellSec: number): Date {
  const day = shanghaiDate(t)
  const sec = shanghaiSecondOfDay(t)
  if (sec < LUNCH_START) return shanghaiTime(day, '11:30')
  return new Date(shanghaiTime(day, '15:00').getTime() + dwellSec * 1000)
}

/**
 * Adds `marketMs` of running market time to `from`, skipping closed time. Pure.
 */
export function advanceSkipping(from: Date, marketMs: number, leadSec = DEFAULT_SKIP_LEAD_SEC, dwellSec = DEFAULT_CLOSE_DWELL_SEC): Date {
  let t = from
  let budget = Math.max(0, marketMs)
  for (let i = 0; i < 10_000; i++) {
    const jump = skipTarget(t, leadSec, dwellSec)
    if (jump) {
      t = jump
      continue
    }
    const end = nextSessionEnd(t, dwellSec)
    const room = end.getTime() - t.getTime()
    if (budget < room) return new Date(t.getTime() + budget)
    budget -= room
    t = end
  }
  return t
}

export class SimClock {
  private anchorWall: number
  private anchorMarket: number
  private _speed: number
  private _paused: boolean
  private _skip: boolean
  private readonly lead: number
  private readonly dwell: number
  private readonly wall: () => number
  private calendarError: string | null = null

  constructor(opts: SimClockOptions) {
    this.wall = opts.wall ?? Date.now
    this._speed = opts.speed ?? DEFAULT_SIM_SPEED
    if (!(this._speed > 0 && Number.isFinite(this._speed))) throw new RangeError(`speed must be a positive number, got ${opts.speed}`)
    this._paused = opts.paused ?? false
    this._skip = opts.skipClosed ?? true
    this.lead = opts.skipLeadSec ?? DEFAULT_SKIP_LEAD_SEC
    this.dwell = opts.closeDwellSec ?? DEFAULT_CLOSE_DWELL_SEC
    this.anchorWall = this.wall()
    this.anchorMarket = opts.start.getTime()
  }

  /** A real-time clock: speed 1, no skipping, the current instant. */
  static wallClock(wall: () => number = Date.now): SimClock {
    return new SimClock({ start: new Date(wall()), speed: 1, skipClosed: false, wall })
  }

  get speed(): number {
    return this._speed
  }

  get paused(): boolean {
    return this._paused
  }

  get skipClosed(): boolean {
    return this._skip
  }

  /** The current market time. */
  now(): Date {
    const w = this.wall()
    if (this._paused) return new Date(this.anchorMarket)
    const elapsed = (w - this.anchorWall) * this._speed
    let t: Date
    if (!this._skip) t = new Date(this.anchorMarket + elapsed)
    else {
      try {
        t = advanceSkipping(new Date(this.anchorMarket), elapsed, this.lead, this.dwell)
        this.calendarError = null
      } catch (e) {
        if (!(e instanceof MarketRuleError)) throw e
        this.calendarError = e.message
        t = new Date(this.anchorMarket + elapsed)
      }
    }
    // Re-anchor so the skip computation stays short.
    this.anchorWall = w
    this.anchorMarket = t.getTime()
    return t
  }

  set(opts: { now?: Date; speed?: number; paused?: boolean; skipClosed?: boolean }): void {
    const current = this.now()
    if (opts.speed !== undefined) {
      if (!(opts.speed > 0 && Number.isFinite(opts.speed))) throw new RangeError(`speed must be a positive number, got ${opts.speed}`)
      this._speed = opts.speed
    }
    if (opts.paused !== undefined) this._paused = opts.paused
    if (opts.skipClosed !== undefined) this._skip = opts.skipClosed
    // An explicit time is honoured exactly; a running skipping clock leaves closed time on its next read.
    this.anchorWall = this.wall()
    this.anchorMarket = (opts.now ?? current).getTime()
  }

  /** Advances market time by `ms` (skipping closed time when enabled), paused or not. */
  step(ms: number): Date {
    const current = this.now()
    let t: Date
    if (this._skip) {
      try {
        t = advanceSkipping(current, ms, this.lead, this.dwell)
      } catch (e) {
        if (!(e instanceof MarketRuleError)) throw e
        this.calendarError = e.message
        t = new Date(current.getTime() + ms)
      }
    } else t = new Date(current.getTime() + ms)
    this.anchorWall = this.wall()
    this.anchorMarket = t.getTime()
    return t
  }

  snapshot(): ClockSnapshot {
    const t = this.now()
    let tradingDay: string | null = null
    let phase: MarketPhase | 'unknown' = 'unknown'
    let err = this.calendarError ?? undefined
    try {
      const d = shanghaiDate(t)
      tradingDay = isTradingDay(d) ? d : null
      phase = marketPhase(t)
    } catch (e) {
      if (!(e instanceof MarketRuleError)) throw e
      err = e.message
    }
    return { now: t.toISOString(), speed: this._speed, paused: this._paused, skipClosed: this._skip, tradingDay, phase, ...(err ? { calendarError: err } : {}) }
  }
}

/** Default demo start: shortly before the opening auction of the next trading day after `from` (or today, before 09:14). */
export function defaultDemoStart(from: Date, leadSec = DEFAULT_SKIP_LEAD_SEC): Date {
  const day = shanghaiDate(from)
  const openLead = new Date(shanghaiTime(day, '09:15').getTime() - leadSec * 1000)
  if (isTradingDay(day) && from.getTime() <= openLead.getTime()) return openLead
  return new Date(shanghaiTime(nextTradingDay(day), '09:15').getTime() - leadSec * 1000)
}

/**
 * Follows a paper exchange's clock over HTTP (GET /control/clock, no token needed): for the worker
 * in MARKET_CLOCK=sim mode. `now()` extrapolates from the last sync (speed, pause), so it can be
 * called synchronously; call `sync()` every few seconds. Extrapolation does not skip closed time:
 * right after a skip, `now()` lags until the next sync.
 */
export class RemoteSimClock {
  private readonly url: string
  private last: { market: number; wall: number; speed: number; paused: boolean } | null = null
  private readonly wall: () => number

  constructor(simUrl: string, opts: { wall?: () => number } = {}) {
    this.url = `${simUrl.replace(/\/+$/, '')}/control/clock`
    this.wall = opts.wall ?? Date.now
  }

  async sync(timeoutMs = 3000): Promise<ClockSnapshot> {
    const ctrl = new AbortController()
    const timer = setTimeout(() => ctrl.abort(), timeoutMs)
    try {
      const res = await fetch(this.url, { signal: ctrl.signal })
      if (!res.ok) throw new Error(`sim clock: HTTP ${res.status} from ${this.url}`)
      const snap = (await res.json()) as ClockSnapshot
      const market = Date.parse(snap.now)
      if (!Number.isFinite(market)) throw new Error(`sim clock: bad time ${JSON.stringify(snap.now)}`)
      this.last = { market, wall: this.wall(), speed: snap.speed, paused: snap.paused }
      return snap
    } finally {
      clearTimeout(timer)
    }
  }

  /** Extrapolated market time; throws before the first successful sync. */
  now(): Date {
    if (!this.last) throw new Error('sim clock not synced yet: call sync() first')
    const l = this.last
    return new Date(l.paused ? l.market : l.market + (this.wall() - l.wall) * l.speed)
  }
}
