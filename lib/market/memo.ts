import { normalizeExitsMemo } from './staged-exits'
import type { KindMemo, MonitorState, TriggerKind, TriggerMemo } from './trigger-types'

const STATES: readonly MonitorState[] = ['WATCHING', 'ENTRY_PENDING', 'HOLDING', 'EXIT_PENDING', 'CLOSED', 'PAUSED']
const KINDS: readonly TriggerKind[] = ['ENTRY', 'TAKE_PROFIT', 'STOP_LOSS', 'TRAILING_STOP']

export function emptyMemo(): TriggerMemo {
  return { v: 1, pausedFrom: null, kinds: {}, streak: {}, streakDay: null, lastQuoteMs: null, exitKind: null, autoRearms: null, autoExitHaltedDay: null }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/**
 * Reads a memo from a JSON column defensively and always returns a fresh object (evaluate never
 * mutates its input). Unknown fields are dropped; a missing or mangled memo becomes empty, which can
 * at worst repeat a notification — never an order, because orders are also unique per
 * (stock, kind, episode) in the database.
 */
export function normalizeMemo(raw: unknown): TriggerMemo {
  const m = emptyMemo()
  if (typeof raw !== 'object' || raw === null) return m
  const r = raw as Record<string, unknown>
  if (typeof r.pausedFrom === 'string' && (STATES as readonly string[]).includes(r.pausedFrom) && r.pausedFrom !== 'PAUSED') {
    m.pausedFrom = r.pausedFrom as MonitorState
  }
  const kinds = (typeof r.kinds === 'object' && r.kinds !== null ? r.kinds : {}) as Record<string, unknown>
  const streak = (typeof r.streak === 'object' && r.streak !== null ? r.streak : {}) as Record<string, unknown>
  for (const k of KINDS) {
    const km = kinds[k]
    if (typeof km === 'object' && km !== null) {
      const o = km as Record<string, unknown>
      const entry: KindMemo = {
        ordered: o.ordered === true,
        notifiedAt: str(o.notifiedAt),
        lastNotifiedAt: str(o.lastNotifiedAt),
        left: o.left === true,
        deferredDay: str(o.deferredDay),
      }
      m.kinds[k] = entry
    }
    const s = streak[k]
    if (typeof s === 'number' && Number.isSafeInteger(s) && s > 0) m.streak[k] = s
  }
  m.streakDay = str(r.streakDay)
  // Epoch ms (cheap to compare on every quote); memos written before kept an ISO string.
  if (typeof r.lastQuoteMs === 'number' && Number.isFinite(r.lastQuoteMs)) m.lastQuoteMs = r.lastQuoteMs
  else if (typeof r.lastQuoteAt === 'string' && Number.isFinite(Date.parse(r.lastQuoteAt))) m.lastQuoteMs = Date.parse(r.lastQuoteAt)
  if (r.exitKind === 'STOP_LOSS' || r.exitKind === 'TRAILING_STOP' || r.exitKind === 'TAKE_PROFIT') m.exitKind = r.exitKind
  const ar = r.autoRearms as Record<string, unknown> | null | undefined
  if (ar && typeof ar.day === 'string' && typeof ar.count === 'number' && Number.isSafeInteger(ar.count) && ar.count >= 0) {
    m.autoRearms = { day: ar.day, count: ar.count }
  }
  m.autoExitHaltedDay = str(r.autoExitHaltedDay)
  const cr = r.closedReason as Record<string, unknown> | null | undefined
  if (cr && typeof cr.code === 'string' && typeof cr.message === 'string' && typeof cr.messageEn === 'string') {
    m.closedReason = { code: cr.code, message: cr.message, messageEn: cr.messageEn, ...(typeof cr.at === 'string' ? { at: cr.at } : {}) }
  }
  if (typeof r.reboundLowMilli === 'number' && Number.isSafeInteger(r.reboundLowMilli) && r.reboundLowMilli > 0) m.reboundLowMilli = r.reboundLowMilli
  const ex = normalizeExitsMemo(r.exits)
  if (ex) m.exits = ex
  return m
}

/**
 * Memo for a new episode: per-kind history and streaks go, pause and daily retry budgets stay.
 * `keepExits`: the position is still held (an exit ended with shares left), so the staged-exit
 * progress (memo.exits: tranches done, breakeven) carries over; otherwise it goes with the position.
 */
export function memoForNewEpisode(m: TriggerMemo, keepExits = false): TriggerMemo {
  const next: TriggerMemo = { ...emptyMemo(), pausedFrom: m.pausedFrom, lastQuoteMs: m.lastQuoteMs, autoRearms: m.autoRearms, autoExitHaltedDay: m.autoExitHaltedDay }
  if (keepExits && m.exits) next.exits = { ...m.exits, targets: [...m.exits.targets] }
  return next
}
