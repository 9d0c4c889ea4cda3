/**
 * Deterministic price model of the paper exchange: for any valid code and trading day, a path of
 * prices on a 3-second grid of trading time, cumulative volume and amount, and a 5-level book —
 * all a pure function of (seed, code, base day, scripts, overrides).
 *
 * Grid: step k = trading seconds since 09:30 / 3: the morning 09:30–11:29:57 is k 0–2399, the
 * afternoon 13:00–14:59:57 k 2400–4799 (trading minute m ↔ k = 20·m). Step 0 is the opening-auction print (shown from 09:25);
 * the closing call auction (14:57–15:00, k 4740–4799) has no trades and k 4800 is the close.
 * Before 09:25 a quote shows the previous close, open 0, volume 0 and an empty book (no auction
 * indicative prices are simulated); after 15:00 and on closed days, the last session's close.
 *
 * Paths: a scripted day follows its keyframes (scenarios.ts) with ±noise ticks; otherwise a random
 * walk (stochastic rounding of N(0, σ_step) ticks with weak mean reversion to the previous close).
 * Prices are integer mills on the tick, clamped to the limit band; at limit-up the asks are empty,
 * at limit-down the bids. Each day's previous close is the previous trading day's model close,
 * chained from the base day (which uses the instrument's configured previous close).
 *
 * Volumes are multiples of 100 shares (book levels too), so the Tencent wire format (lots) is exact.
 */
import { addDays, limitPricesMilli, parseCode, shanghaiDate, shanghaiSecondOfDay, shanghaiTime, tickMilliOf, type Quote } from '@/lib/market'
import { isTradingDay, nextTradingDay, previousTradingDay } from './calendar'
import { sessionDayOf } from './engine'
import { KNOWN_INSTRUMENTS, type InstrumentSpec, type ScenarioDay, type ScenarioScript } from './scenarios'

export const STEP_SEC = 3
export const STEPS_PER_DAY = 4800
const CLOSING_AUCTION_STEP = 4740
const hms = (h: number, m: number, s = 0) => h * 3600 + m * 60 + s

/** FNV-1a 32-bit. */
export function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: a small deterministic PRNG in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12)
  const v = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Integer hash of several numbers, for per-step book volumes without storing them. */
function mix(...xs: number[]): number {
  let h = 0x9e3779b9
  for (const x of xs) {
    h ^= x >>> 0
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
    h ^= h >>> 16
  }
  return h >>> 0
}

export interface DayPath {
  day: string
  prevCloseMilli: number
  limits: { upMilli: number; downMilli: number }
  suspended: boolean
  /** price[k] in mills, k = 0 … 4800. */
  price: Int32Array
  /** Cumulative shares traded up to and including step k. */
  cumVolume: Float64Array
  /** Cumulative amount in yuan. */
  cumAmount: Float64Array
  high: Int32Array
  low: Int32Array
  /** 1: the last trade was at the ask (ask1 = price); 0: at the bid (bid1 = price). */
  atAsk: Uint8Array
  lockUpFrom: number | null
  lockDownFrom: number | null
  daySeed: number
}

export interface PriceOverride {
  last: number
  prevClose?: number
  open?: number
  high?: number
  low?: number
  volume?: number
  limitUp?: number | null
  limitDown?: number | null
  bids?: Array<{ price: number; volume: number }>
  asks?: Array<{ price: number; volume: number }>
  suspended?: boolean
  name?: string
}

export interface ScenarioAssignment {
  script: ScenarioScript
  /** Day 0 of the script. */
  startDay: string
  name?: string
  prevClose?: number
}

/**
 * An ex-rights / ex-dividend day (除权除息) of a code: that day's previous close (the exchange's
 * reference price, and so the limit band and the path) is (close − cash per share) / (1 + bonus
 * shares per share), half-up to the tick.
 */
export interface ExRightsEvent {
  day: string
  /** Cash dividend per share, yuan (10派3 → 0.3). */
  cash?: number
  /** Bonus / transferred shares per share (10送5 → 0.5, 10转10 → 1). */
  bonus?: number
}

export interface PriceModelConfig {
  seed: number
  /** First day of the chain: its previous close is the instrument's configured one. */
  baseDay: string
  scenarios: Record<string, ScenarioAssignment>
  overrides: Record<string, PriceOverride>
  exRights?: Record<string, ExRightsEvent>
}

/** The ex-rights reference price in mills for a close in mills (half-up to the tick, at least one tick). */
export function exRightsReferenceMilli(closeMilli: number, ev: ExRightsEvent, tickMilli: number): number {
  const cash = Math.round((ev.cash ?? 0) * 1000)
  const bonusPpm = Math.round((ev.bonus ?? 0) * 1_000_000)
  const num = BigInt(closeMilli - cash) * 1_000_000n
  const den = BigInt(1_000_000 + bonusPpm) * BigInt(tickMilli)
  const ticks = (2n * num + den) / (2n * den)
  return Math.max(tickMilli, Number(ticks) * tickMilli)
}

/** Minutes of trading since 09:30 (0…240) → step index. */
export function minuteToStep(minute: number): number {
  return Math.round(Math.min(240, Math.max(0, minute)) * 20)
}

/** The instant of step k on `day`. */
export function stepTime(day: string, k: number): Date {
  const sec = k < 2400 ? hms(9, 30) + k * STEP_SEC : hms(13, 0) + (k - 2400) * STEP_SEC
  const base = shanghaiTime(day, '00:00').getTime()
  return new Date(base + sec * 1000)
}

export function syntheticInstrument(code: string, seed: number): InstrumentSpec {
  const p = parseCode(code)
  const rng = mulberry32(hash32(`${seed}|instrument|${p.code}`))
  const r = rng()
  let prev: number
  if (p.board === 'FUND') prev = Math.round((0.8 + r * 4) * 1000) / 1000
  else if (p.board === 'STAR' || p.board === 'CHINEXT') prev = Math.round((15 + r * 120) * 100) / 100
  else prev = Math.round((3 + r * 40) * 100) / 100
  return { code: p.code, name: `模拟${p.digits}`, prevClose: prev, volatility: 0.02, activity: 60 }
}

export class PriceModel {
  readonly config: PriceModelConfig
  private readonly cache = new Map<string, DayPath>()

  constructor(config: PriceModelConfig) {
    this.config = config
  }

  instrument(code: string): InstrumentSpec {
    const c = parseCode(code).code
    const known = KNOWN_INSTRUMENTS[c] ?? syntheticInstrument(c, this.config.seed)
    const sc = this.config.scenarios[c]
    const ov = this.config.overrides[c]
    return {
      ...known,
      name: ov?.name ?? sc?.name ?? known.name,
      prevClose: sc?.prevClose ?? known.prevClose,
    }
  }

  /** Sets (or clears) the ex-rights day of a code; paths from that day on change. */
  setExRights(code: string, ev: ExRightsEvent | null) {
    const c = parseCode(code).code
    const all = (this.config.exRights ??= {})
    if (ev) all[c] = ev
    else delete all[c]
    this.invalidate(c)
  }

  /** Forget cached paths of a code (after a scenario or override change). */
  invalidate(code?: string) {
    if (!code) this.cache.clear()
    else for (const k of [...this.cache.keys()]) if (k.startsWith(`${code}|`)) this.cache.delete(k)
  }

  setScenario(code: string, a: ScenarioAssignment | null) {
    const c = parseCode(code).code
    if (a) this.config.scenarios[c] = a
    else delete this.config.scenarios[c]
    this.invalidate(c)
  }

  setOverride(code: string, o: PriceOverride | null) {
    const c = parseCode(code).code
    if (o) this.config.overrides[c] = o
    else delete this.config.overrides[c]
    this.invalidate(c)
  }

  private scriptDay(code: string, day: string): ScenarioDay | null {
    const a = this.config.scenarios[code]
    if (!a || day < a.startDay) return null
    let idx = 0
    let d = isTradingDay(a.startDay) ? a.startDay : nextTradingDay(a.startDay)
    const n = a.script.days.length
    while (d < day && (idx < n || a.script.repeatLast)) {
      d = nextTradingDay(d)
      idx++
    }
    if (d !== day) return null
    if (idx >= n) return a.script.repeatLast ? a.script.days[n - 1]! : null
    return a.script.days[idx] ?? null
  }

  /** The full path of a trading day (cached); previous closes chain from the base day. */
  dayPath(code: string, day: string): DayPath {
    const c = parseCode(code).code
    const hit = this.cache.get(`${c}|${day}`)
    if (hit) return hit
    const base = this.config.baseDay
    const chain = [day]
    for (let d = day; d > base; ) {
      const prev = previousTradingDay(d)
      if (prev < base || this.cache.has(`${c}|${prev}`)) break
      chain.push(prev)
      d = prev
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const dd = chain[i]!
      let prevClose = Math.round(this.instrument(c).prevClose * 1000)
      if (dd > base) {
        const prev = previousTradingDay(dd)
        const p = prev >= base ? this.cache.get(`${c}|${prev}`) : undefined
        if (p) prevClose = p.price[STEPS_PER_DAY]!
      }
      const ex = this.config.exRights?.[c]
      if (ex && ex.day === dd) prevClose = exRightsReferenceMilli(prevClose, ex, tickMilliOf(c))
      this.cache.set(`${c}|${dd}`, this.generate(c, dd, prevClose))
    }
    return this.cache.get(`${c}|${day}`)!
  }

  private generate(code: string, day: string, prevCloseMilli: number): DayPath {
    const inst = this.instrument(code)
    const tick = tickMilliOf(code)
    const daySeed = hash32(`${this.config.seed}|${code}|${day}`)
    const rng = mulberry32(daySeed)
    const limits = limitPricesMilli(code, prevCloseMilli, { date: day }) ?? { upMilli: prevCloseMilli * 2, downMilli: tick }
    const script = this.scriptDay(code, day)
    const n = STEPS_PER_DAY + 1
    const price = new Int32Array(n)
    const cumVolume = new Float64Array(n)
    const cumAmount = new Float64Array(n)
    const high = new Int32Array(n)
    const low = new Int32Array(n)
    const atAsk = new Uint8Array(n)
    const clamp = (p: number) => Math.min(limits.upMilli, Math.max(limits.downMilli, p))
    const onTick = (p: number) => Math.round(p / tick) * tick

    if (script?.suspended) {
      price.fill(prevCloseMilli)
      high.fill(0)
      low.fill(0)
      return { day, prevCloseMilli, limits, suspended: true, price, cumVolume, cumAmount, high, low, atAsk, lockUpFrom: null, lockDownFrom: null, daySeed }
    }

    const lockUpFrom = script?.limitUpFrom !== undefined ? minuteToStep(script.limitUpFrom) : null
    const lockDownFrom = script?.limitDownFrom !== undefined ? minuteToStep(script.limitDownFrom) : null
    const points = script ? [...script.points].sort((a, b) => a[0] - b[0]) : null
    const target = (k: number): number => {
      const m = k / 20
      const pts = points!
      let pct = pts[0]![1]
      if (m >= pts[pts.length - 1]![0]) pct = pts[pts.length - 1]![1]
      else {
        for (let i = 0; i < pts.length - 1; i++) {
          const [m0, p0] = pts[i]!
          const [m1, p1] = pts[i + 1]!
          if (m >= m0 && m <= m1) {
            pct = m1 === m0 ? p1 : p0 + ((p1 - p0) * (m - m0)) / (m1 - m0)
            break
          }
        }
      }
      return prevCloseMilli * (1 + pct / 100)
    }

    const noiseAmp = script?.noiseTicks ?? 1
    let noise = 0
    const sigmaTicks = (inst.volatility * prevCloseMilli) / Math.sqrt(CLOSING_AUCTION_STEP) / tick
    let p: number
    if (script) p = clamp(onTick(target(0)))
    else p = clamp(onTick(prevCloseMilli * (1 + normal(rng) * 0.004)))
    const lots = () => Math.max(1, Math.round(inst.activity * (0.3 + 1.4 * rng())))
    let vol = lots() * 100 * 20 // opening auction volume
    let amount = (vol * p) / 1000
    price[0] = p
    cumVolume[0] = vol
    cumAmount[0] = amount
    high[0] = p
    low[0] = p
    atAsk[0] = rng() < 0.5 ? 1 : 0
    for (let k = 1; k <= STEPS_PER_DAY; k++) {
      const auction = k >= CLOSING_AUCTION_STEP && k < STEPS_PER_DAY
      if (auction) {
        price[k] = price[k - 1]!
        cumVolume[k] = cumVolume[k - 1]!
        cumAmount[k] = cumAmount[k - 1]!
        high[k] = high[k - 1]!
        low[k] = low[k - 1]!
        atAsk[k] = atAsk[k - 1]!
        continue
      }
      if (lockUpFrom !== null && k >= lockUpFrom) p = limits.upMilli
      else if (lockDownFrom !== null && k >= lockDownFrom) p = limits.downMilli
      else if (script) {
        if (rng() < 0.15) noise += rng() < 0.5 ? -1 : 1
        noise = Math.max(-noiseAmp, Math.min(noiseAmp, noise))
        p = clamp(onTick(target(k)) + noise * tick)
      } else {
        const drift = (-0.002 * (p - prevCloseMilli)) / tick
        const x = normal(rng) * sigmaTicks + drift
        const move = Math.floor(x + rng())
        p = clamp(p + move * tick)
      }
      const v = k === STEPS_PER_DAY ? lots() * 100 * 15 : lots() * 100
      vol += v
      amount += (v * p) / 1000
      price[k] = p
      cumVolume[k] = vol
      cumAmount[k] = amount
      high[k] = Math.max(high[k - 1]!, p)
      low[k] = Math.min(low[k - 1]!, p)
      atAsk[k] = rng() < 0.5 ? 1 : 0
    }
    return { day, prevCloseMilli, limits, suspended: false, price, cumVolume, cumAmount, high, low, atAsk, lockUpFrom, lockDownFrom, daySeed }
  }

  /** The 5-level book at step k of a path (volumes in shares, multiples of 100). */
  book(code: string, path: DayPath, k: number): { bids: Quote['bids']; asks: Quote['asks'] } {
    if (path.suspended) return { bids: [], asks: [] }
    const tick = tickMilliOf(code)
    const p = path.price[k]!
    const { upMilli, downMilli } = path.limits
    const vol = (side: number, lvl: number) => (5 + (mix(path.daySeed, k, side, lvl) % 400)) * 100
    const bids: Quote['bids'] = []
    const asks: Quote['asks'] = []
    const lockedUp = p >= upMilli
    const lockedDown = p <= downMilli
    const bid1 = lockedUp ? upMilli : lockedDown ? null : path.atAsk[k] ? p - tick : p
    const ask1 = lockedDown ? downMilli : lockedUp ? null : path.atAsk[k] ? p : p + tick
    for (let i = 0; i < 5; i++) {
      if (bid1 !== null) {
        const bp = bid1 - i * tick
        if (bp >= downMilli && bp > 0) bids.push({ price: bp / 1000, volume: i === 0 && lockedUp ? (200 + (mix(path.daySeed, k, 9) % 600)) * 10_000 : vol(0, i) })
      }
      if (ask1 !== null) {
        const ap = ask1 + i * tick
        if (ap <= upMilli) asks.push({ price: ap / 1000, volume: i === 0 && lockedDown ? (200 + (mix(path.daySeed, k, 8) % 600)) * 10_000 : vol(1, i) })
      }
    }
    return { bids, asks }
  }

  /** The quote a market data feed would show at `now`. */
  quote(code: string, now: Date): Quote {
    const c = parseCode(code).code
    const inst = this.instrument(c)
    const ov = this.config.overrides[c]
    if (ov) return this.overrideQuote(c, inst, ov, now)
    const session = sessionDayOf(now)
    const path = this.dayPath(c, session)
    const sameDay = shanghaiDate(now) === session
    const sec = sameDay ? shanghaiSecondOfDay(now) : 24 * 3600
    const base: Omit<Quote, 'last' | 'open' | 'high' | 'low' | 'volume' | 'amount' | 'bids' | 'asks' | 'time'> = {
      code: c,
      name: inst.name,
      prevClose: path.prevCloseMilli / 1000,
      limitUp: path.limits.upMilli / 1000,
      limitDown: path.limits.downMilli / 1000,
      suspended: path.suspended,
      source: 'paper',
    }
    const floor3 = (t: Date) => new Date(Math.floor(t.getTime() / 3000) * 3000)
    if (path.suspended || sec < hms(9, 25)) {
      return { ...base, last: path.prevCloseMilli / 1000, open: 0, high: 0, low: 0, volume: 0, amount: 0, bids: [], asks: [], time: sameDay ? floor3(now) : shanghaiTime(session, '15:00'), suspended: true }
    }
    let k: number
    let time: Date
    if (sec < hms(9, 30)) {
      k = 0
      time = floor3(now)
    } else if (sec < hms(11, 30)) {
      k = Math.floor((sec - hms(9, 30)) / STEP_SEC)
      time = stepTime(session, k)
    } else if (sec < hms(13, 0)) {
      k = 2399
      time = stepTime(session, 2399)
    } else if (sec < hms(14, 57)) {
      k = 2400 + Math.floor((sec - hms(13, 0)) / STEP_SEC)
      time = stepTime(session, k)
    } else if (sec < hms(15, 0)) {
      k = CLOSING_AUCTION_STEP
      time = floor3(now)
    } else {
      k = STEPS_PER_DAY
      time = shanghaiTime(session, '15:00')
    }
    const book = k >= CLOSING_AUCTION_STEP && k < STEPS_PER_DAY ? { bids: [], asks: [] } : this.book(c, path, k)
    return {
      ...base,
      last: path.price[k]! / 1000,
      open: path.price[0]! / 1000,
      high: path.high[k]! / 1000,
      low: path.low[k]! / 1000,
      volume: path.cumVolume[k]!,
      amount: Math.round(path.cumAmount[k]! * 100) / 100,
      bids: book.bids,
      asks: book.asks,
      time,
    }
  }

  private overrideQuote(code: string, inst: InstrumentSpec, ov: PriceOverride, now: Date): Quote {
    const tick = tickMilliOf(code)
    const last = Math.round(ov.last * 1000)
    const prev = Math.round((ov.prevClose ?? inst.prevClose) * 1000)
    let day: string
    try {
      day = sessionDayOf(now)
    } catch {
      day = shanghaiDate(now)
    }
    const computed = limitPricesMilli(code, prev, { date: day })
    const up = ov.limitUp === undefined ? (computed ? computed.upMilli / 1000 : null) : ov.limitUp
    const down = ov.limitDown === undefined ? (computed ? computed.downMilli / 1000 : null) : ov.limitDown
    const lvl = (start: number, dir: 1 | -1) =>
      [0, 1, 2, 3, 4]
        .map((i) => start + dir * i * tick)
        .filter((p) => p > 0 && (up === null || p <= Math.round(up * 1000)) && (down === null || p >= Math.round(down * 1000)))
        .map((p) => ({ price: p / 1000, volume: 10_000 }))
    const bids = ov.bids ?? (ov.suspended ? [] : lvl(last - tick, -1))
    const asks = ov.asks ?? (ov.suspended ? [] : lvl(last, 1))
    const volume = ov.volume ?? (ov.suspended ? 0 : 1_000_000)
    return {
      code,
      name: ov.name ?? inst.name,
      last: last / 1000,
      prevClose: prev / 1000,
      open: ov.open ?? (ov.suspended ? 0 : last / 1000),
      high: ov.high ?? (ov.suspended ? 0 : last / 1000),
      low: ov.low ?? (ov.suspended ? 0 : last / 1000),
      volume,
      amount: Math.round((volume * last) / 1000),
      bids,
      asks,
      limitUp: up,
      limitDown: down,
      // Advances with the clock so resting orders see a fresh quote on each tick; on a day the
      // exchange is closed it stays stamped at the last session's close, as a real feed's does.
      time: isTradingDay(shanghaiDate(now)) ? new Date(Math.floor(now.getTime() / 3000) * 3000) : shanghaiTime(previousTradingDay(shanghaiDate(now)), '15:00'),
      suspended: ov.suspended ?? false,
      source: 'paper',
    }
  }

  /** Quote times at which the market moves between two instants (continuous-trading steps), for catching up. */
  stepTimesBetween(from: Date, to: Date, maxSteps = 20_000): Date[] {
    const out: Date[] = []
    if (to.getTime() <= from.getTime()) return out
    let day = shanghaiDate(from)
    const lastDay = shanghaiDate(to)
    const f = from.getTime()
    const e = to.getTime()
    for (let guard = 0; day <= lastDay && guard < 400 && out.length < maxSteps; guard++) {
      let trading = false
      try {
        trading = isTradingDay(day)
      } catch {
        break
      }
      if (trading) {
        // k(t) is monotonic: find the first step after `from` and the last at or before `to`.
        const first = (ms: number) => {
          let lo = 0
          let hi = CLOSING_AUCTION_STEP
          while (lo < hi) {
            const mid = (lo + hi) >> 1
            if (stepTime(day, mid).getTime() > ms) hi = mid
            else lo = mid + 1
          }
          return lo
        }
        const k0 = first(f)
        const k1 = first(e)
        for (let k = k0; k < k1 && out.length < maxSteps; k++) out.push(stepTime(day, k))
      }
      day = addDays(day, 1)
    }
    return out
  }
}
