import type { Reason } from './errors'
import type { ExitPlanConfig, ExitsMemo } from './staged-exits'
import type { Side } from './types'

/**
 * Data shapes of the per-monitor trigger state machine. Everything is JSON-serialisable so a
 * database row maps onto MonitorInput directly (memo is a JSON column).
 */
export type MonitorState = 'WATCHING' | 'ENTRY_PENDING' | 'HOLDING' | 'EXIT_PENDING' | 'CLOSED' | 'PAUSED'
export type TriggerKind = 'ENTRY' | 'TAKE_PROFIT' | 'STOP_LOSS' | 'TRAILING_STOP'
export type ExitKind = Exclude<TriggerKind, 'ENTRY'>
export type EntryTrigger = 'ZONE' | 'REBOUND'

/** Exit priority within one quote: a stop always outranks a take-profit. */
export const EXIT_PRIORITY: readonly ExitKind[] = ['STOP_LOSS', 'TRAILING_STOP', 'TAKE_PROFIT']

export const TRIGGER_KINDS: readonly TriggerKind[] = ['ENTRY', 'STOP_LOSS', 'TRAILING_STOP', 'TAKE_PROFIT']

export function sideOfKind(kind: TriggerKind): Side {
  return kind === 'ENTRY' ? 'buy' : 'sell'
}

/**
 * - order: auto-trade wants an order now; the caller sizes, risk-checks and places it and persists
 *   the signal under the unique (stock, kind, episode) key, so a repeat can never create a second order;
 * - notify: notify-only first signal for this (kind, episode);
 * - renotify: a notify-only repeat after the price left the level by the hysteresis band, came back,
 *   and the cooldown passed. Never an order;
 * - deferred: an auto exit is wanted but nothing is sellable (T+1, or the position is unknown/empty).
 *   At most one per (kind, episode, trading day). No order; the exit happens on a later quote.
 */
export type SignalAction = 'order' | 'notify' | 'renotify' | 'deferred'

export interface TriggerOptions {
  /** Also fire in the call auctions (opening from 09:20, when cancels stop, and closing 14:57–15:00). */
  allowAuctions: boolean
  /** N consecutive eligible quotes beyond the level before firing (1 = the first quote fires). */
  antiSpikeCount: number
  /** Fraction, e.g. 0.005: how far the price must leave a level before a notify-only re-notification. */
  hysteresisPct: number
  /** Minimum seconds between two notifications of the same (kind, episode). */
  renotifyCooldownSec: number
  /** Quotes older than this (relative to `now`) never fire. */
  maxQuoteAgeSec: number
  /** Automatic re-arms per trading day after an unfilled entry or a failed exit order; bounds retry loops. */
  maxAutoRearmsPerDay: number
}

export const DEFAULT_TRIGGER_OPTIONS: Readonly<TriggerOptions> = {
  allowAuctions: false,
  antiSpikeCount: 1,
  hysteresisPct: 0.005,
  renotifyCooldownSec: 1800,
  maxQuoteAgeSec: 30,
  maxAutoRearmsPerDay: 2,
}

/** Per (kind, episode) bookkeeping. Times are ISO strings (JSON column). */
export interface KindMemo {
  /** An 'order' signal was emitted: never another one for this kind in this episode. */
  ordered: boolean
  /** First notify-only signal time. */
  notifiedAt: string | null
  /** Last notify/renotify time, for the cooldown. */
  lastNotifiedAt: string | null
  /** Price has left the level by the hysteresis band since the last notification. */
  left: boolean
  /** Trading day of the last 'deferred' signal: one per day. */
  deferredDay: string | null
}

export interface TriggerMemo {
  v: 1
  /** State to return to when a PAUSED monitor is enabled again. */
  pausedFrom: MonitorState | null
  kinds: Partial<Record<TriggerKind, KindMemo>>
  /** Anti-spike: consecutive eligible quotes beyond each level, reset on a new trading day. */
  streak: Partial<Record<TriggerKind, number>>
  streakDay: string | null
  /** Time of the last quote evaluated: an older or identical quote is ignored. */
  lastQuoteMs: number | null
  /** The exit whose order is working while EXIT_PENDING. */
  exitKind: ExitKind | null
  /** Automatic re-arms (unfilled entry / failed exit) used on `day`. */
  autoRearms: { day: string; count: number } | null
  /** Trading day on which automatic exits were halted after too many failed exit orders. */
  autoExitHaltedDay: string | null
  /** Why the monitor is CLOSED (set whenever it becomes CLOSED; gone with the next episode): the final state always names its reason. */
  closedReason?: { code: string; message: string; messageEn: string; at?: string } | null
  /**
   * Rebound entry (entryTrigger REBOUND): the lowest price (milli) seen since the price entered the
   * zone in this episode; null until the zone is touched. A new episode starts without it.
   */
  reboundLowMilli?: number | null
  /** Staged exits (issue 14): tranche progress and the breakeven stop of the position held; kept across its episodes. */
  exits?: ExitsMemo | null
}

export interface PositionInfo {
  /** Total shares held. */
  volume: number
  /** Shares sellable now (broker can_use_volume; T+1). */
  canUseVolume: number
}

export interface MonitorInput {
  code: string
  enabled: boolean
  state: MonitorState
  /** Increments on every re-arm; (stock, kind, episode) identifies a signal. */
  episode: number
  /** Entry zone in yuan; both null for a monitor that only manages an existing position. */
  entryLow: number | null
  entryHigh: number | null
  takeProfit: number | null
  stopLoss: number | null
  /** Fraction, e.g. 0.05 = exit after a 5 % fall from the highest price since entry. */
  trailingStopPct: number | null
  autoTrade: boolean
  autoStopLoss: boolean
  autoTakeProfit: boolean
  /**
   * The trader cancelled one of this monitor's exits (in DingPan or by hand at the broker): automatic
   * exits are paused until the trader resumes them; exit signals only notify meanwhile.
   */
  exitsPausedByUser?: boolean
  highestSinceEntry: number | null
  /**
   * ZONE (default): buy in [entryLow, entryHigh]. REBOUND (反弹买入): buy once the price has been in
   * the zone and then rebounds reboundPct (fraction) or reboundTicks ticks off its low there.
   */
  entryTrigger?: EntryTrigger
  reboundPct?: number | null
  reboundTicks?: number | null
  position: PositionInfo | null
  /** Machine state from the previous evaluation; null/{} for a new monitor. */
  memo: TriggerMemo | null | Record<string, unknown>
  options?: Partial<TriggerOptions>
  /**
   * Staged exits, the take-profit's exit quantity and the breakeven stop (issue 14). Absent: one
   * take-profit at `takeProfit` selling everything sellable (as before).
   */
  exits?: ExitPlanConfig
}

export interface Signal {
  code: string
  kind: TriggerKind
  episode: number
  action: SignalAction
  side: Side
  /** The quote's last price that fired. */
  price: number
  /** The level crossed (ENTRY: entryHigh, the most the entry will pay; TRAILING_STOP: the tick-aligned trail level). */
  level: number
  quoteTime: Date
  /** Asia/Shanghai trading day of the quote. */
  tradingDay: string
  /** A rebound entry: the most the buy may pay (min(trigger level, entryHigh)); the order's limit is capped at it. */
  maxPrice?: number
  /**
   * Idempotency key. 'order': `code:kind:episode:order` — persist under a unique constraint;
   * 'notify': `…:notify`; 'deferred': `…:deferred:<day>`; 'renotify': `…:renotify:<quote time>`.
   */
  dedupeKey: string
  reason: Reason
}

export interface EvaluateResult {
  state: MonitorState
  highestSinceEntry: number | null
  memo: TriggerMemo
  signals: Signal[]
  /** Why nothing (or less than expected) fired: stale quote, suspended, outside session, … */
  notes: Reason[]
  /** The breakeven stop activated on this quote (told once; memo.exits holds it from now on). */
  breakevenActivated?: { levelMilli: number }
}
