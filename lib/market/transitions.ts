import { shanghaiDate } from './calendar'
import { MarketRuleError, reason, type Reason } from './errors'
import { memoForNewEpisode, normalizeMemo } from './memo'
import { fromMilli, toMilli } from './money'
import {
  DEFAULT_TRIGGER_OPTIONS,
  type MonitorInput,
  type MonitorState,
  type TriggerKind,
  type TriggerMemo,
} from './trigger-types'
import type { Side } from './types'

/**
 * Transitions the worker applies when something other than a quote happens: an order reaches a
 * terminal state, the user re-arms, marks a position as managed, or pauses/resumes.
 *
 * Order outcomes (call once per order, when it is terminal and reconciled — never for 'unknown'):
 *   entry (buy)
 *     any fill > 0 (filled or partly filled then cancelled)  → HOLDING. A fill is a position the
 *       monitor bought, so its stops must protect it: same episode from ENTRY_PENDING / WATCHING /
 *       HOLDING; a new episode from CLOSED (that episode's exits are used up); from EXIT_PENDING it
 *       stays EXIT_PENDING and the exit's outcome re-arms whatever remains.
 *     no fill, cancelled by our unfilled-order timeout       → WATCHING, episode + 1, if the daily
 *       auto re-arm budget (options.maxAutoRearmsPerDay) allows; otherwise CLOSED.
 *     no fill, rejected / failed / cancelled by the user or the system → CLOSED (user must re-arm):
 *       a rejection (废单: funds, cage, hours) would most likely repeat, so it must not loop.
 *   exit (sell)
 *     filled and nothing left (remainingVolume 0, or not reported) → CLOSED.
 *     filled but shares remain (bought today, or above the per-order maximum) → HOLDING, episode + 1,
 *       not counted against the budget (each round sells shares, so it cannot loop forever).
 *     cancelled by the trader (cancelledBy 'user': in DingPan, or by hand at the broker) → HOLDING,
 *       episode + 1, no budget used; the caller pauses automatic exits until the trader resumes them.
 *     cancelled by DingPan for a higher-priority exit ('superseded') with shares left → stays
 *       EXIT_PENDING (the higher exit, already recorded, is sent for the rest); no budget used.
 *     cancelled by our unfilled timeout (only ever to re-price it: onUnfilledTimeout) → HOLDING,
 *       episode + 1, no budget used: an exit is never given up for resting unfilled.
 *     cancelled / partly cancelled / rejected / failed with shares left → HOLDING, episode + 1 so the
 *       exit can fire again with a fresh price, within the daily budget. Once the budget is used up,
 *       automatic exits are halted for the rest of the trading day (memo.autoExitHaltedDay): exit
 *       signals become notifications until the next trading day. Exits retry (unlike entries)
 *       because an unprotected position is the bigger risk; the budget bounds the orders per day.
 *     blocked before it reached the market (`blocked`), nothing filled — no budget is used, since
 *       nothing was tried at the exchange:
 *       'kill_switch' (refused when the signal came, no order exists) → HOLDING, same episode, that
 *         exit armed again: it fires (and is refused, told once) on every quote while trading is off,
 *         and orders on the first quote after trading is switched back on;
 *       'withdrawn' (an intent dropped before sending: kill switch, auto-trade off, paused, archived,
 *         from an earlier session) → HOLDING, episode + 1.
 *     Entries ignore `blocked`: a blocked entry closes like any failed one (the user re-arms).
 * A PAUSED monitor keeps its pause: the transition is applied to memo.pausedFrom.
 */
export type OrderOutcome = 'filled' | 'partially_cancelled' | 'cancelled' | 'rejected' | 'failed'

export interface OrderOutcomeInput {
  side: Side
  /** Which trigger created the order (informational; the side decides the transition). */
  kind?: TriggerKind
  filledQuantity: number
  /** Average fill price in yuan (entries: seeds highestSinceEntry). */
  avgPrice?: number | null
  outcome: OrderOutcome
  /** Shares still held after this order, from the broker (exits). */
  remainingVolume?: number | null
  /** Who cancelled a 'cancelled' / 'partially_cancelled' order. Only 'timeout' may auto re-arm an entry. */
  cancelledBy?: 'timeout' | 'user' | 'system' | 'superseded'
  /** The order never reached the market for a reason outside it (see above); exits only. */
  blocked?: 'kill_switch' | 'withdrawn'
  now: Date
}

export type MonitorCore = Pick<MonitorInput, 'state' | 'episode' | 'highestSinceEntry' | 'memo' | 'options'>

export interface TransitionResult {
  state: MonitorState
  episode: number
  episodeChanged: boolean
  highestSinceEntry: number | null
  memo: TriggerMemo
  /** What happened, for the audit log and notifications. */
  reason: Reason
}

export type TransitionRefusal = { ok: false } & Reason

function effective(m: MonitorCore, memo: TriggerMemo): MonitorState {
  return m.state === 'PAUSED' ? (memo.pausedFrom ?? 'PAUSED') : m.state
}

function result(m: MonitorCore, memo: TriggerMemo, next: MonitorState, episode: number, highest: number | null, r: Reason): TransitionResult {
  // The final state always names its reason (shown beside 已结束 / CLOSED).
  if (next === 'CLOSED') memo.closedReason = { code: r.code, message: r.message, messageEn: r.messageEn }
  else if (memo.closedReason !== undefined) delete memo.closedReason
  if (m.state === 'PAUSED') {
    memo.pausedFrom = next
    return { state: 'PAUSED', episode, episodeChanged: episode !== m.episode, highestSinceEntry: highest, memo, reason: r }
  }
  return { state: next, episode, episodeChanged: episode !== m.episode, highestSinceEntry: highest, memo, reason: r }
}

function takeRearm(memo: TriggerMemo, day: string, max: number): boolean {
  const used = memo.autoRearms && memo.autoRearms.day === day ? memo.autoRearms.count : 0
  if (used >= max) return false
  memo.autoRearms = { day, count: used + 1 }
  return true
}

export function applyOrderOutcome(monitor: MonitorCore, o: OrderOutcomeInput): TransitionResult {
  const memo = normalizeMemo(monitor.memo)
  const opts = { ...DEFAULT_TRIGGER_OPTIONS, ...(monitor.options ?? {}) }
  const day = shanghaiDate(o.now)
  const filled = Number.isSafeInteger(o.filledQuantity) && o.filledQuantity > 0 ? o.filledQuantity : 0
  const s = effective(monitor, memo)
  const ep = monitor.episode

  if (o.side === 'buy') {
    if (filled > 0) {
      let highest = monitor.highestSinceEntry
      if (typeof o.avgPrice === 'number' && Number.isFinite(o.avgPrice) && o.avgPrice > 0) {
        highest = fromMilli(Math.max(toMilli(o.avgPrice), highest !== null && highest > 0 ? toMilli(highest) : 0))
      }
      const filledReason = reason('ENTRY_FILLED', `买入成交${filled}股, 开始监控止盈止损`, `entry filled ${filled} shares; exits are now armed`)
      if (s === 'EXIT_PENDING') {
        // A late buy fill while a sell works: the sell's own outcome re-arms for whatever remains.
        return result(monitor, memo, 'EXIT_PENDING', ep, monitor.highestSinceEntry, reason('ENTRY_FILLED_DURING_EXIT', `卖单在途时收到买入成交${filled}股; 卖单结束后剩余持仓将重新监控`, `a buy fill of ${filled} shares arrived while an exit order works; remaining shares are re-armed when the exit ends`))
      }
      if (s === 'HOLDING') return result(monitor, memo, 'HOLDING', ep, highest, filledReason)
      if (s === 'CLOSED') {
        // This episode's exits are used up; the new shares need fresh stops, so start a new episode.
        const fresh = memoForNewEpisode(memo)
        return result(monitor, fresh, 'HOLDING', ep + 1, highest, filledReason)
      }
      // ENTRY_PENDING, or WATCHING after a timeout re-arm raced with a late fill: no exit has fired in this episode.
      memo.exitKind = null
      memo.exits = null
      return result(monitor, memo, 'HOLDING', ep, highest, filledReason)
    }
    if (s !== 'ENTRY_PENDING') {
      return result(monitor, memo, s, ep, monitor.highestSinceEntry, reason('OUTCOME_IGNORED', `买单未成交, 但监控状态为 ${s}, 状态不变`, `entry order ended unfilled but the monitor is ${s}; no change`))
    }
    if ((o.outcome === 'cancelled' || o.outcome === 'partially_cancelled') && o.cancelledBy === 'timeout') {
      if (takeRearm(memo, day, opts.maxAutoRearmsPerDay)) {
        const fresh = memoForNewEpisode(memo)
        return result(monitor, fresh, 'WATCHING', ep + 1, null, reason('ENTRY_TIMEOUT_REARMED', `买单超时未成交已撤销, 重新监控 (第${ep + 1}轮)`, `entry order timed out unfilled and was cancelled; watching again (episode ${ep + 1})`))
      }
      return result(monitor, memo, 'CLOSED', ep, null, reason('AUTO_REARM_LIMIT', `买单超时未成交, 今日自动重置次数已达上限 ${opts.maxAutoRearmsPerDay}, 本轮结束`, `entry order timed out unfilled and today's automatic re-arm limit (${opts.maxAutoRearmsPerDay}) is used up; monitor closed`))
    }
    const what: Record<OrderOutcome, [string, string]> = {
      filled: ['成交0股', 'filled 0 shares'],
      partially_cancelled: ['被撤销', 'was cancelled'],
      cancelled: ['被撤销', 'was cancelled'],
      rejected: ['被拒绝 (废单)', 'was rejected'],
      failed: ['下单失败', 'failed'],
    }
    return result(monitor, memo, 'CLOSED', ep, null, reason('ENTRY_NOT_FILLED', `买单${what[o.outcome][0]}, 未成交; 本轮结束, 需手动重新启用`, `entry order ${what[o.outcome][1]} without a fill; monitor closed until you re-arm it`))
  }

  // sell
  const remaining = typeof o.remainingVolume === 'number' && Number.isFinite(o.remainingVolume) ? Math.max(0, o.remainingVolume) : null
  if (filled > 0 && (remaining === 0 || (remaining === null && o.outcome === 'filled'))) {
    memo.exitKind = null
    memo.exits = null
    return result(monitor, memo, 'CLOSED', ep, monitor.highestSinceEntry, reason('EXIT_FILLED', `卖出成交${filled}股, 已清仓, 本轮结束`, `exit filled ${filled} shares; position closed, episode finished`))
  }
  // Staged exits: the tranches done advance with the shares still held (written with this outcome,
  // in the order's final transaction); the progress carries into the next episode while held.
  if (memo.exits && filled > 0 && remaining !== null) {
    let d = memo.exits.done
    while (d < memo.exits.targets.length && remaining <= memo.exits.targets[d]!) d++
    memo.exits = { ...memo.exits, done: d }
  }
  if (o.outcome === 'filled' && filled > 0) {
    const fresh = memoForNewEpisode(memo, true)
    return result(monitor, fresh, 'HOLDING', ep + 1, monitor.highestSinceEntry, reason('EXIT_FILLED_REMAINDER', `卖出成交${filled}股, 仍持有${remaining}股, 继续监控 (第${ep + 1}轮)`, `exit filled ${filled} shares, ${remaining} still held; exits re-armed (episode ${ep + 1})`))
  }
  if (s !== 'EXIT_PENDING') {
    return result(monitor, memo, s, ep, monitor.highestSinceEntry, reason('OUTCOME_IGNORED', `卖单结束 (${o.outcome}), 但监控状态为 ${s}, 状态不变`, `exit order ended (${o.outcome}) but the monitor is ${s}; no change`))
  }
  if (filled === 0 && o.blocked === 'kill_switch') {
    const kind = o.kind && o.kind !== 'ENTRY' ? o.kind : memo.exitKind
    if (kind) {
      const km = memo.kinds[kind]
      if (km) km.ordered = false
    }
    memo.exitKind = null
    return result(monitor, memo, 'HOLDING', ep, monitor.highestSinceEntry, reason('EXIT_BLOCKED', '总开关已关闭交易, 卖单未发出; 恢复交易后条件仍满足时卖出 (不计入自动重试次数)', 'the kill switch is on, so the exit was not sent; it sells once trading is back on and the condition still holds (no retry used)'))
  }
  const fresh = memoForNewEpisode(memo, true)
  if (o.cancelledBy === 'user' && (o.outcome === 'cancelled' || o.outcome === 'partially_cancelled')) {
    // The trader's own cancel wins: the caller pauses automatic exits until the trader resumes them.
    return result(monitor, fresh, 'HOLDING', ep + 1, monitor.highestSinceEntry, reason('EXIT_CANCELLED_BY_USER', `你撤销了卖单 (成交${filled}股), 自动卖出已暂停, 恢复后条件仍满足时再卖出 (第${ep + 1}轮)`, `you cancelled the exit order (${filled} filled); automatic exits are paused until you resume them (episode ${ep + 1})`))
  }
  if (filled === 0 && o.blocked === 'withdrawn') {
    return result(monitor, fresh, 'HOLDING', ep + 1, monitor.highestSinceEntry, reason('EXIT_WITHDRAWN', `卖单发出前已撤回, 条件仍满足时重新下单 (第${ep + 1}轮, 不计入自动重试次数)`, `the exit was withdrawn before it was sent; it is placed again while the condition holds (episode ${ep + 1}, no retry used)`))
  }
  if ((o.outcome === 'cancelled' || o.outcome === 'partially_cancelled') && o.cancelledBy === 'timeout') {
    // An exit is never given up for resting unfilled: the timeout cancelled it only to re-price it
    // (see onUnfilledTimeout), so it is placed again at the fresh price and uses no retry budget.
    return result(monitor, fresh, 'HOLDING', ep + 1, monitor.highestSinceEntry, reason('EXIT_TIMEOUT_REPRICE', `卖单超时未完全成交 (成交${filled}股), 已撤单改价, 条件仍满足时以新价格重新下单 (第${ep + 1}轮, 不计入自动重试次数)`, `exit order timed out (${filled} filled) and was cancelled to re-price; it is placed again at a fresh price while the condition holds (episode ${ep + 1}, no retry used)`))
  }
  if ((o.outcome === 'cancelled' || o.outcome === 'partially_cancelled') && o.cancelledBy === 'superseded') {
    // Cancelled by DingPan for a higher-priority exit (a stop over a resting take-profit): that exit
    // is already pending and is sent for the remaining shares once this cancel is confirmed.
    return result(monitor, memo, 'EXIT_PENDING', ep, monitor.highestSinceEntry, reason('EXIT_SUPERSEDED', `卖单已为更高优先级的卖出撤销 (成交${filled}股), 优先卖出对剩余股份发出`, `exit order cancelled for a higher-priority exit (${filled} filled); that exit goes out for the remaining shares`))
  }
  if (takeRearm(fresh, day, opts.maxAutoRearmsPerDay)) {
    return result(monitor, fresh, 'HOLDING', ep + 1, monitor.highestSinceEntry, reason('EXIT_RETRY', `卖单未完全成交 (${o.outcome}, 成交${filled}股), 条件仍满足时将重新下单 (第${ep + 1}轮)`, `exit order not completed (${o.outcome}, ${filled} filled); it will be re-sent while the condition holds (episode ${ep + 1})`))
  }
  fresh.autoExitHaltedDay = day
  return result(
    monitor,
    fresh,
    'HOLDING',
    ep + 1,
    monitor.highestSinceEntry,
    reason('AUTO_EXIT_HALTED', `卖单再次未完成 (${o.outcome}), 今日自动卖出次数已达上限, 改为仅提醒, 请手动处理`, `exit order not completed again (${o.outcome}); today's automatic exit limit is reached, exits only notify now — handle it manually`),
  )
}

/** CLOSED (or WATCHING) → WATCHING with a new episode and a clean memo. Refused while a position or order is open. */
export function rearm(monitor: MonitorCore): TransitionResult | TransitionRefusal {
  const memo = normalizeMemo(monitor.memo)
  const s = effective(monitor, memo)
  if (s !== 'CLOSED' && s !== 'WATCHING') {
    return { ok: false, ...reason('REARM_NOT_ALLOWED', `状态为 ${s} 时不能重新启用 (有持仓或委托在途)`, `cannot re-arm while ${s} (a position or order is open)`) }
  }
  const fresh = memoForNewEpisode(memo)
  // The user's explicit re-arm also clears the automatic-retry bookkeeping.
  fresh.autoRearms = null
  fresh.autoExitHaltedDay = null
  return result(monitor, fresh, 'WATCHING', monitor.episode + 1, null, reason('REARMED', `已重新启用, 第${monitor.episode + 1}轮`, `re-armed; episode ${monitor.episode + 1}`))
}

/**
 * The re-arm policy's automatic re-arm (rearm-policy.ts decides when): CLOSED → WATCHING with a new
 * episode and a clean memo, like rearm(), but it keeps and uses the daily automatic re-arm budget
 * (refused once it is used up) instead of clearing it.
 */
export function policyRearm(monitor: MonitorCore, now: Date): TransitionResult | TransitionRefusal {
  const memo = normalizeMemo(monitor.memo)
  const s = effective(monitor, memo)
  if (s !== 'CLOSED') {
    return { ok: false, ...reason('REARM_NOT_ALLOWED', `状态为 ${s} 时不能自动重新启用`, `cannot re-arm automatically while ${s}`) }
  }
  const opts = { ...DEFAULT_TRIGGER_OPTIONS, ...(monitor.options ?? {}) }
  const fresh = memoForNewEpisode(memo)
  if (!takeRearm(fresh, shanghaiDate(now), opts.maxAutoRearmsPerDay)) {
    return { ok: false, ...reason('AUTO_REARM_LIMIT', `今日自动重新启用次数已达上限 ${opts.maxAutoRearmsPerDay}`, `today's automatic re-arm limit (${opts.maxAutoRearmsPerDay}) is used up`) }
  }
  return result(monitor, fresh, 'WATCHING', monitor.episode + 1, null, reason('POLICY_REARMED', `卖出完成后按策略自动重新启用, 第${monitor.episode + 1}轮`, `re-armed automatically after the completed exit, as the policy says; episode ${monitor.episode + 1}`))
}

/**
 * The user declares an existing position as managed by this monitor (a notify-only entry they
 * executed by hand, or shares bought elsewhere). WATCHING → HOLDING keeps the episode (no exit has
 * fired in it); CLOSED → HOLDING starts a new one.
 */
export function markPositionManaged(monitor: MonitorCore, opts: { avgPrice?: number | null } = {}): TransitionResult | TransitionRefusal {
  const memo = normalizeMemo(monitor.memo)
  const s = effective(monitor, memo)
  if (s === 'ENTRY_PENDING' || s === 'EXIT_PENDING') {
    return { ok: false, ...reason('ORDER_IN_FLIGHT', `有委托在途 (${s}), 请等委托结束后再标记持仓`, `an order is in flight (${s}); wait until it ends before marking the position`) }
  }
  if (s === 'HOLDING') {
    return result(monitor, memo, 'HOLDING', monitor.episode, monitor.highestSinceEntry, reason('ALREADY_HOLDING', '已在管理该持仓', 'the position is already managed'))
  }
  const avg = opts.avgPrice
  const highest = typeof avg === 'number' && Number.isFinite(avg) && avg > 0 ? fromMilli(toMilli(avg)) : null
  if (s === 'CLOSED') {
    const fresh = memoForNewEpisode(memo)
    return result(monitor, fresh, 'HOLDING', monitor.episode + 1, highest, reason('POSITION_MANAGED', `开始管理已有持仓 (第${monitor.episode + 1}轮)`, `now managing the existing position (episode ${monitor.episode + 1})`))
  }
  if (s !== 'WATCHING') {
    throw new MarketRuleError('STATE_INVALID', `未知的监控状态 ${s}`, `unknown monitor state ${s}`)
  }
  memo.exitKind = null
  return result(monitor, memo, 'HOLDING', monitor.episode, highest, reason('POSITION_MANAGED', '开始管理已有持仓', 'now managing the existing position'))
}

/** enabled=false → PAUSED (remembering the state); enabled=true → back to that state. evaluate() does the same. */
export function setEnabled(monitor: MonitorCore, enabled: boolean): TransitionResult {
  const memo = normalizeMemo(monitor.memo)
  if (!enabled) {
    if (monitor.state !== 'PAUSED') memo.pausedFrom = monitor.state
    return { state: 'PAUSED', episode: monitor.episode, episodeChanged: false, highestSinceEntry: monitor.highestSinceEntry, memo, reason: reason('PAUSED', '监控已暂停', 'monitor paused') }
  }
  if (monitor.state !== 'PAUSED') {
    return { state: monitor.state, episode: monitor.episode, episodeChanged: false, highestSinceEntry: monitor.highestSinceEntry, memo, reason: reason('RESUMED', '监控已在运行', 'monitor already running') }
  }
  const back = memo.pausedFrom ?? 'CLOSED'
  memo.pausedFrom = null
  return {
    state: back,
    episode: monitor.episode,
    episodeChanged: false,
    highestSinceEntry: monitor.highestSinceEntry,
    memo,
    reason: reason('RESUMED', `监控已恢复, 状态 ${back}`, `monitor resumed in state ${back}`),
  }
}
