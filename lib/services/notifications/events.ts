/**
 * Every kind of notification DingPan emits, with its default severity. Titles and bodies live in
 * lib/i18n/messages/{zh,en}/events.json under the same names.
 */
export const EVENT_TYPES = {
  TRIGGER_ENTRY: 'INFO',
  /** A rebound entry (反弹买入): the price rebounded off its low in the zone. */
  TRIGGER_REBOUND_ENTRY: 'INFO',
  TRIGGER_TAKE_PROFIT: 'WARNING',
  TRIGGER_STOP_LOSS: 'CRITICAL',
  TRIGGER_TRAILING_STOP: 'WARNING',
  TRIGGER_RENOTIFY: 'INFO',
  T1_DEFERRED: 'WARNING',
  RISK_REJECTED: 'WARNING',
  KILL_SWITCH_BLOCKED: 'WARNING',
  NOT_SIZED: 'WARNING',
  SIZING_WAITS: 'WARNING',
  ORDER_SUBMITTED: 'INFO',
  ORDER_FILLED: 'INFO',
  ORDER_PARTIALLY_FILLED: 'INFO',
  ORDER_REJECTED: 'CRITICAL',
  ORDER_CANCELLED: 'WARNING',
  ORDER_UNFILLED_TIMEOUT: 'WARNING',
  /** A buy at limit-up / a sell at limit-down rests in the queue of a locked board: not timed out. */
  ORDER_QUEUED_AT_LIMIT: 'WARNING',
  /** A stop cancels a resting lower-priority exit before it is sent. */
  EXIT_SUPERSEDED: 'WARNING',
  ORDER_UNKNOWN: 'CRITICAL',
  ORDER_FAILED: 'CRITICAL',
  /** An intent dropped before it was sent (kill switch, auto-trade off, paused, archived, an earlier session). */
  ORDER_WITHDRAWN: 'WARNING',
  ORDER_RECONCILED: 'WARNING',
  ORDER_REPRICED: 'INFO',
  EXITS_HALTED: 'CRITICAL',
  /** An entry filled: the take-profit / stop-loss set as a percentage of cost resolved to prices. */
  LEVELS_RESOLVED: 'INFO',
  /** The breakeven stop (保本) activated: the stop-loss is raised to cost plus round-trip fees. */
  BREAKEVEN_ACTIVE: 'INFO',
  /** A monitor past its validity with nothing held closed (reason 'expired'); history kept. */
  MONITOR_EXPIRED: 'INFO',
  /** A monitor closed by a completed exit watches again by its re-arm policy (cooldown / next trading day). */
  MONITOR_REARMED: 'INFO',
  /** The trader cancelled an exit (in DingPan or by hand at the broker): automatic exits wait for a resume. */
  EXITS_PAUSED: 'WARNING',
  /** The broker holds fewer shares than the monitor manages (sold outside DingPan): managed reduced. */
  POSITION_RECONCILED: 'WARNING',
  BRIDGE_DOWN: 'CRITICAL',
  BRIDGE_UP: 'INFO',
  /** The bridge answers but shows none of our working orders (MiniQMT logged out): nothing is changed. */
  BRIDGE_BLIND: 'CRITICAL',
  /** An order with DingPan's remark at the counter that the database does not know. */
  ORDER_UNTRACKED: 'CRITICAL',
  QUOTES_STALE: 'WARNING',
  QUOTES_DOWN: 'CRITICAL',
  /** An ex-rights / ex-dividend day (除权除息): the monitors of the code wait for the trader's decision on adjusted levels. */
  EX_RIGHTS_DETECTED: 'CRITICAL',
  WORKER_STALLED: 'CRITICAL',
  /** Stored by versions before the provisional calendar; kept so old notifications still render. */
  CALENDAR_MISSING: 'CRITICAL',
  CALENDAR_PROVISIONAL: 'WARNING',
  CALENDAR_NEXT_YEAR_MISSING: 'WARNING',
  CALENDAR_DAY_CLOSED: 'WARNING',
  CALENDAR_UPDATED: 'INFO',
  CALENDAR_FETCHED: 'INFO',
  CALENDAR_FETCH_FAILED: 'WARNING',
  /** A Web Push channel's browser subscription is gone (the push service answered 404/410): the channel was disabled. */
  PUSH_SUBSCRIPTION_GONE: 'WARNING',
  DAILY_SUMMARY: 'INFO',
  TEST: 'INFO',
} as const

export type EventType = keyof typeof EVENT_TYPES
export type EventSeverity = (typeof EVENT_TYPES)[EventType]

export function isEventType(v: string): v is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_TYPES, v)
}

/**
 * Channel routing: a channel's `events` is a list of event types, `"*"` for all, or
 * `"severity:WARNING"` meaning that severity and above.
 */
const RANK = { INFO: 0, WARNING: 1, CRITICAL: 2 } as const

/**
 * A rebound entry is an entry: a channel routed to TRIGGER_ENTRY (by name, or stored with the trading
 * preset before TRIGGER_REBOUND_ENTRY existed) receives it too.
 */
const ALSO_WANTED_AS: Partial<Record<string, string>> = { TRIGGER_REBOUND_ENTRY: 'TRIGGER_ENTRY' }

export function channelWants(events: unknown, type: string, severity: keyof typeof RANK): boolean {
  if (!Array.isArray(events)) return false
  const alias = ALSO_WANTED_AS[type]
  for (const e of events) {
    if (e === '*' || e === type || (alias !== undefined && e === alias)) return true
    if (typeof e === 'string' && e.startsWith('severity:')) {
      const min = e.slice('severity:'.length) as keyof typeof RANK
      if (min in RANK && RANK[severity] >= RANK[min]) return true
    }
  }
  return false
}
