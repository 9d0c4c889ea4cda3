/**
 * The market clock as the web app reads it. Real mode (MARKET_CLOCK=wall): wall time, every rule
 * converts to Asia/Shanghai itself. Demo mode (MARKET_CLOCK=sim): the paper exchange's simulated
 * clock, the same one the worker uses, so the dashboard's phase and quote freshness agree with the
 * worker. One SimClock per process, re-synced at most every `minSyncMs`; when the exchange does not
 * answer, the reading says so (`error`) and, if it was synced before, extrapolates (`estimated`).
 */
import { dayInfo, marketPhase, MarketRuleError, nextPhaseChange, shanghaiDate, type CalendarOrigin, type MarketPhase } from '@/lib/market'
import { SimClock } from './clock'

export interface ClockConfig {
  mode: 'wall' | 'sim'
  simUrl?: string
}

export interface MarketClockReading {
  mode: 'wall' | 'sim'
  /** Market time; null when a simulated clock was never reachable. */
  now: Date | null
  /** True when `now` is extrapolated from an earlier sync because the exchange did not answer now. */
  estimated: boolean
  error: string | null
  /**
   * Market seconds per wall second: 1 for the wall clock, the simulated clock's speed (0 while
   * paused). Quote freshness is judged in the quotes' own clock at this rate.
   */
  speed?: number
}

interface SimState {
  url: string
  clock: SimClock
  lastSyncAt: number
  synced: boolean
  lastError: string | null
}

const g = globalThis as unknown as { __dingpanWebSimClock?: SimState }

export async function readMarketClock(cfg: ClockConfig, minSyncMs = 1_000): Promise<MarketClockReading> {
  if (cfg.mode !== 'sim' || !cfg.simUrl) return { mode: 'wall', now: new Date(), estimated: false, error: null, speed: 1 }
  let s = g.__dingpanWebSimClock
  if (!s || s.url !== cfg.simUrl) {
    s = { url: cfg.simUrl, clock: new SimClock(cfg.simUrl), lastSyncAt: 0, synced: false, lastError: null }
    g.__dingpanWebSimClock = s
  }
  // After a failure, retry at most every few seconds: a hanging exchange must not hold every request.
  if (Date.now() - s.lastSyncAt >= (s.lastError ? Math.max(minSyncMs, 3_000) : minSyncMs)) {
    s.lastSyncAt = Date.now()
    try {
      await s.clock.sync()
      s.synced = true
      s.lastError = null
    } catch (e) {
      s.lastError = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e)
    }
  }
  if (!s.synced) return { mode: 'sim', now: null, estimated: false, error: s.lastError, speed: 1 }
  return { mode: 'sim', now: s.clock.now(), estimated: !!s.lastError, error: s.lastError, speed: s.clock.rate }
}

export interface CalendarReading {
  day: string
  trading: boolean
  /** No published schedule covers the day: the weekday rule, confirmed from quotes by the worker. */
  provisional: boolean
  origin: CalendarOrigin
  source: string
}

export interface PhaseReading {
  phase: MarketPhase | 'unknown'
  next: { phase: MarketPhase; at: Date } | null
  /** Today's calendar answer and where it came from (callers sync the stored layers first). */
  calendar: CalendarReading | null
  /** Set when the time cannot be read as a market time. */
  error: string | null
}

/** The phase at the market clock's time, and when the next one starts. */
export function phaseAt(now: Date | null): PhaseReading {
  if (!now) return { phase: 'unknown', next: null, calendar: null, error: null }
  try {
    const info = dayInfo(shanghaiDate(now))
    return { phase: marketPhase(now), next: nextPhaseChange(now), calendar: { day: info.date, trading: info.trading, provisional: info.provisional, origin: info.origin, source: info.source }, error: null }
  } catch (e) {
    if (e instanceof MarketRuleError) return { phase: 'unknown', next: null, calendar: null, error: e.message }
    throw e
  }
}

export const TRADING_PHASES: ReadonlyArray<MarketPhase> = ['opening_auction', 'continuous', 'closing_auction']
