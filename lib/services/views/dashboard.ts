/**
 * The dashboard ("实时监测"): one row per live monitor against its newest quote, and a header strip
 * with the market phase (from the market clock in use), the worker heartbeat, the bridge, the kill
 * switch and today's order count. Pure helpers (freshness, distances, trailing level) are exported
 * for the tests; `buildDashboard` only reads.
 */
import { accountScope, badgeOf, scopeFilter, type AccountBadge } from './account-filter'
import { fromMilli, roundMilliToTick, shanghaiDate, shanghaiTime, addDays, tickMilliOf, type MarketPhase } from '@/lib/market'
import { countOrdersBetween, getHealthRow, lastTriggers, latestBeat, listLiveStocks, type LiveStockRow } from '@/lib/db/dashboard'
import { getSnapshots } from '@/lib/db/quotes'
import { closedReasonOf, exitsViewOf } from './stock-view'
import { conditionsOf } from './conditions'
import { tradedLevelsMilli } from '../trading/shapes'
import { loadRuntimeSettings, type RuntimeDefaults } from '../runtime/runtime-settings'
import { workerStatus, type WorkerStatus } from '../runtime/health'
import { phaseAt, TRADING_PHASES, type MarketClockReading } from '../runtime/market-clock-view'
import { syncCalendar } from '../runtime/calendar'

export type Freshness = 'fresh' | 'stale' | 'closed' | 'none' | 'unknown'

/**
 * How trustworthy the shown price is, from the quote's exchange time against the market clock:
 * during a trading phase fresh up to `maxAgeSec`, stale after; outside trading phases the last
 * quote is legitimately old ('closed'); no quote → 'none'; no market clock → 'unknown'.
 *
 * The age is measured in the clock the quotes come from, at that clock's pace: `speed` market
 * seconds pass per real second (1 for real quotes; the demo's simulated clock runs faster, so a
 * quote fetched one 3-second worker cycle ago is 3 s old, not the 36 simulated seconds the
 * exchange clock moved meanwhile). A paused simulated clock (speed 0) is read as is.
 */
export function quoteFreshness(quoteTime: Date | null, now: Date | null, phase: MarketPhase | 'unknown', maxAgeSec: number, speed = 1): { state: Freshness; ageSec: number | null } {
  if (!quoteTime) return { state: 'none', ageSec: null }
  if (!now) return { state: 'unknown', ageSec: null }
  const rate = Number.isFinite(speed) && speed > 0 ? speed : 1
  const ageSec = Math.round((now.getTime() - quoteTime.getTime()) / 1000 / rate)
  if (phase === 'unknown') return { state: 'unknown', ageSec }
  if (!TRADING_PHASES.includes(phase)) return { state: 'closed', ageSec }
  return { state: ageSec <= maxAgeSec ? 'fresh' : 'stale', ageSec }
}

export interface ZoneDistance {
  where: 'below' | 'inside' | 'above'
  /** Relative move from the last price to the nearest zone edge: +0.02 = must rise 2 %; 0 inside. */
  pct: number
}

/** Distance from the last price to the entry zone [low, high], as a fraction of the last price. */
export function zoneDistance(lastMilli: number, lowMilli: number, highMilli: number): ZoneDistance | null {
  if (!(lastMilli > 0)) return null
  if (lastMilli < lowMilli) return { where: 'below', pct: (lowMilli - lastMilli) / lastMilli }
  if (lastMilli > highMilli) return { where: 'above', pct: (highMilli - lastMilli) / lastMilli }
  return { where: 'inside', pct: 0 }
}

/** Relative move from the last price to a level (+ = above the price). */
export function levelDistance(lastMilli: number, levelMilli: number): number | null {
  return lastMilli > 0 ? (levelMilli - lastMilli) / lastMilli : null
}

/** The trailing stop level the trigger compares against: highest × (1 − pct), floored to the tick. */
export function trailingLevelMilli(code: string, highestMilli: number | null, trailingStopBp: number | null): number | null {
  if (highestMilli == null || trailingStopBp == null || !(highestMilli > 0)) return null
  const raw = Math.floor((highestMilli * (10_000 - trailingStopBp)) / 10_000)
  return roundMilliToTick(raw, tickMilliOf(code), 'down')
}

/** [start, end) of the Asia/Shanghai calendar day of `at`. */
export function shanghaiDayRange(at: Date): { day: string; from: Date; to: Date } {
  const day = shanghaiDate(at)
  return { day, from: shanghaiTime(day, '00:00'), to: shanghaiTime(addDays(day, 1), '00:00') }
}

/**
 * The worker re-checks the bridge at least every 30 s while it runs. A row older than this is not
 * evidence of anything any more: an "up" nobody confirmed lately is shown as unconfirmed, never as
 * connected (a "down" stays down — the last thing known is a failure).
 */
export const BRIDGE_UNCONFIRMED_AFTER_SEC = 90

export function bridgeStatus(stored: string, checkedAt: Date, wallNow: Date): 'up' | 'down' | 'unconfirmed' {
  if (stored !== 'up') return 'down'
  return wallNow.getTime() - checkedAt.getTime() > BRIDGE_UNCONFIRMED_AFTER_SEC * 1000 ? 'unconfirmed' : 'up'
}

export interface DashboardOptions {
  clock: MarketClockReading
  defaults: RuntimeDefaults
  staleAfterSec: number
  wallNow?: Date
  /** ?account=<id> (issue 13): one account's monitors; an account the user does not see → NotFoundError. */
  account?: string | number | null
}

function stagedExitsOf(s: LiveStockRow): { done: number; total: number; breakevenLevel: number | null } | null {
  const ex = exitsViewOf(s)
  if (ex.exitQtyMode === 'ALL' && ex.tranches.length === 0 && !ex.breakevenStop) return null
  return { done: ex.tranchesDone, total: 1 + ex.tranches.length, breakevenLevel: ex.breakevenLevel }
}

function rowOf(s: LiveStockRow, snap: Awaited<ReturnType<typeof getSnapshots>>[number] | undefined, trig: { kind: string; outcome: string; quoteTime: Date } | undefined, ctx: { now: Date | null; phase: MarketPhase | 'unknown'; maxAgeSec: number; speed: number }) {
  const trail = s.state === 'HOLDING' || s.state === 'EXIT_PENDING' ? trailingLevelMilli(s.code, s.highestSinceEntryMilli, s.trailingStopBp) : null
  const last = snap && snap.lastMilli > 0 ? snap.lastMilli : null
  const fresh = quoteFreshness(snap?.quoteTime ?? null, ctx.now, ctx.phase, ctx.maxAgeSec, ctx.speed)
  const closed = s.state === 'CLOSED'
  // The levels traded on: relative to cost once held (shown with their percentage).
  const lv = tradedLevelsMilli(s)
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    state: s.state,
    closedReason: closedReasonOf(s),
    enabled: s.enabled,
    autoTrade: s.quantConfig?.autoTrade ?? false,
    entryLow: fromMilli(s.entryLowMilli),
    entryHigh: fromMilli(s.entryHighMilli),
    takeProfit: fromMilli(lv.takeProfitMilli),
    stopLoss: fromMilli(lv.stopLossMilli),
    /** The take-profit / stop-loss as a fraction of cost when set that way (+x / -y), else null. */
    takeProfitCostPct: s.takeProfitBp == null ? null : s.takeProfitBp / 10_000,
    stopLossCostPct: s.stopLossBp == null ? null : s.stopLossBp / 10_000,
    trailingStopPct: s.trailingStopBp == null ? null : s.trailingStopBp / 10_000,
    trailingLevel: trail == null ? null : fromMilli(trail),
    /** Staged exits (issue 14): tranches done of all, and the breakeven stop once active; null when not set. */
    stagedExits: stagedExitsOf(s),
    positionQty: s.positionQty,
    exitsPausedAt: s.exitsPausedAt?.toISOString() ?? null,
    exitsPausedWhy: s.exitsPausedWhy,
    /** Validity, entry window, entry quantity, entry trigger and re-arm policy (issue 14), by the market clock. */
    conditions: conditionsOf(s, ctx.now),
    quote: snap
      ? {
          last: last == null ? null : fromMilli(last),
          prevClose: snap.prevCloseMilli > 0 ? fromMilli(snap.prevCloseMilli) : null,
          changePct: last != null && snap.prevCloseMilli > 0 ? (last - snap.prevCloseMilli) / snap.prevCloseMilli : null,
          time: snap.quoteTime.toISOString(),
          source: snap.source,
          suspended: snap.suspended,
        }
      : null,
    freshness: fresh.state,
    quoteAgeSec: fresh.ageSec,
    // A closed monitor waits for nothing: no distance to its levels is shown ("需跌 4.51%" would be noise).
    zone: last == null || closed ? null : zoneDistance(last, s.entryLowMilli, s.entryHighMilli),
    takeProfitPct: last == null || closed ? null : levelDistance(last, lv.takeProfitMilli),
    stopLossPct: last == null || closed ? null : levelDistance(last, lv.stopLossMilli),
    lastSignal: trig
      ? { kind: trig.kind, outcome: trig.outcome, at: trig.quoteTime.toISOString() }
      : s.lastSignalKind && s.lastSignalAt
        ? { kind: s.lastSignalKind as string, outcome: null, at: s.lastSignalAt.toISOString() }
        : null,
  }
}

export type DashboardRow = ReturnType<typeof rowOf> & { account: AccountBadge | null }

export async function buildDashboard(userId: number, o: DashboardOptions) {
  const wallNow = o.wallNow ?? new Date()
  const now = o.clock.now
  await syncCalendar()
  const phase = phaseAt(now)
  const scope = await accountScope(userId, o.account)
  const filter = scopeFilter(scope)
  // The chosen account's bridge ('bridge' is the default account's, 'bridge:<id>' any other's).
  const bridgeName = scope.selected && scope.selected.id !== scope.defaultId ? `bridge:${scope.selected.id}` : 'bridge'
  const [settings, stocks, beat, bridge] = await Promise.all([loadRuntimeSettings(o.defaults), listLiveStocks(userId, filter), latestBeat(), getHealthRow(bridgeName)])
  const today = now ? shanghaiDayRange(now) : null
  const [snaps, triggers, ordersToday] = await Promise.all([
    getSnapshots([...new Set(stocks.map((s) => s.code))]),
    lastTriggers(stocks.map((s) => s.id)),
    today ? countOrdersBetween(userId, today.from, today.to, filter) : Promise.resolve(null),
  ])
  const snapBy = new Map(snaps.map((q) => [q.code, q]))
  const maxAgeSec = settings.risk.maxQuoteAgeSec
  const rows = stocks.map((s) => ({ ...rowOf(s, snapBy.get(s.code), triggers.get(s.id), { now, phase: phase.phase, maxAgeSec, speed: o.clock.speed ?? 1 }), account: badgeOf(scope, s.brokerAccountId) }))

  const lastBeatAt = beat ? (beat.cycleEndedAt ?? beat.cycleStartedAt) : null
  const wStatus: WorkerStatus = workerStatus(lastBeatAt, wallNow, o.staleAfterSec)
  return {
    generatedAt: wallNow.toISOString(),
    /** The accounts the user sees (paper / live) and the one the view is filtered to, if any. */
    accounts: scope.accounts,
    account: scope.selected,
    /** The account whose bridge the header shows (the chosen one, else the install default), paper or live. */
    bridgeAccount: scope.selected ?? badgeOf(scope, null),
    clock: { mode: o.clock.mode, now: now?.toISOString() ?? null, estimated: o.clock.estimated, error: o.clock.error, speed: o.clock.speed ?? 1 },
    market: { phase: phase.phase, next: phase.next ? { phase: phase.next.phase, at: phase.next.at.toISOString() } : null, error: phase.error, day: now ? shanghaiDate(now) : null, calendar: phase.calendar },
    worker: {
      status: wStatus,
      lastBeatAt: lastBeatAt?.toISOString() ?? null,
      ageSec: lastBeatAt ? Math.max(0, Math.round((wallNow.getTime() - lastBeatAt.getTime()) / 1000)) : null,
      staleAfterSec: o.staleAfterSec,
      phase: beat?.marketPhase ?? null,
      clockMode: beat?.clockMode ?? null,
      errors: beat?.errors ?? 0,
      errorText: beat?.errorText ?? null,
    },
    bridge: bridge
      ? {
          status: bridgeStatus(bridge.status, bridge.updatedAt, wallNow),
          checkedAt: bridge.updatedAt.toISOString(),
          checkedAgeSec: Math.max(0, Math.round((wallNow.getTime() - bridge.updatedAt.getTime()) / 1000)),
          lastOkAt: bridge.lastOkAt?.toISOString() ?? null,
          lastErrorAt: bridge.lastErrorAt?.toISOString() ?? null,
          lastError: bridge.lastError,
        }
      : { status: 'unknown' as const, checkedAt: null, checkedAgeSec: null, lastOkAt: null, lastErrorAt: null, lastError: null },
    killSwitch: { on: settings.killSwitch.on === true, at: settings.killSwitch.at ?? null, by: settings.killSwitch.by ?? null, reason: settings.killSwitch.reason ?? null },
    ordersToday,
    maxQuoteAgeSec: maxAgeSec,
    rows,
  }
}

export type Dashboard = Awaited<ReturnType<typeof buildDashboard>>
