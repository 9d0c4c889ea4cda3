import { BOARD_RULES } from './board'
import { shanghaiDate, shanghaiSecondOfDay } from './calendar'
import { parseCode } from './codes'
import { MarketRuleError, reason, type Reason } from './errors'
import { validateMonitorLevels } from './levels'
import { normalizeMemo } from './memo'
import { formatMilli, fromMilli, mulDiv, toMilli, toPpm } from './money'
import { marketPhase, OPENING_AUCTION_FIRM_FROM_SEC } from './phase'
import type { Quote } from './quote'
import { breakevenGainLevelMilli, breakevenStopMilli, planTranches, tranchesDone, type ExitPlanConfig } from './staged-exits'
import { roundMilliToTick } from './ticks'
import {
  DEFAULT_TRIGGER_OPTIONS,
  EXIT_PRIORITY,
  TRIGGER_KINDS,
  sideOfKind,
  type EvaluateResult,
  type ExitKind,
  type KindMemo,
  type MonitorInput,
  type MonitorState,
  type Signal,
  type SignalAction,
  type TriggerKind,
  type TriggerMemo,
  type TriggerOptions,
} from './trigger-types'

/**
 * The per-monitor trigger state machine. `evaluate` is pure: it reads one quote and returns the new
 * state, memo and signals; it never places an order or sends a message.
 *
 * States
 *   WATCHING      entry zone armed. Price in [entryLow, entryHigh] and above the stop →
 *                 ENTRY: auto-trade → 'order' and ENTRY_PENDING; notify-only → 'notify' and stays
 *                 WATCHING (ENTRY recorded for the episode) until the user marks the position as
 *                 managed (markPositionManaged → HOLDING) or re-arms.
 *                 Price at or below the stop (a gap through the zone) never buys and emits nothing:
 *                 a STOP_LOSS signal here would use up the episode's (STOP_LOSS, episode) key before
 *                 there is a position to protect. A note says why.
 *                 entryTrigger REBOUND (反弹买入): the zone arms the entry instead, which fires once
 *                 the price rebounds off the low seen since it entered the zone (trackRebound).
 *   ENTRY_PENDING the buy is working; no signals. applyOrderOutcome moves on.
 *   HOLDING       exits armed, in priority STOP_LOSS > TRAILING_STOP > TAKE_PROFIT, one exit signal per
 *                 quote. Auto exits (autoTrade plus autoStopLoss for stops / autoTakeProfit for TP):
 *                 'order' and EXIT_PENDING when something is sellable, else 'deferred' (once per kind,
 *                 episode and trading day; state stays HOLDING). Notify-only exits: 'notify', then
 *                 'renotify' after leaving the level by the hysteresis band and coming back, no more
 *                 often than the cooldown.
 *   EXIT_PENDING  the sell is working; only a strictly higher-priority exit may still fire (a stop
 *                 while a take-profit limit rests), even though the resting order freezes the shares
 *                 (the broker shows them as not sellable). The worker then cancels the working
 *                 order first, waits for the cancel's confirmation (54, or 53 with the remainder)
 *                 and sends the higher-priority exit for the remaining shares.
 *   CLOSED        terminal until rearm() (episode + 1).
 *   PAUSED        enabled = false; memo.pausedFrom remembers where to resume.
 *
 * Gates (no signal at all): disabled, invalid levels, quote for another code, quote older than
 * maxQuoteAgeSec or from another trading day or from the future, suspended/untradable quote
 * (flag, volume 0 with open 0, last ≤ 0, limit −1), a quote not newer than the last one evaluated,
 * and outside continuous trading unless allowAuctions (then also 09:20–09:25 and 14:57–15:00;
 * 09:15–09:20 indicative prices can be spoofed with orders cancelled before 09:20).
 * Anti-spike: a level must be beyond for antiSpikeCount consecutive eligible quotes.
 *
 * Exactly one 'order' per (kind, episode): memo.kinds[kind].ordered is checked before every order,
 * and the caller's unique (stock, kind, episode) key backs it up. The one exception is an exit the
 * kill switch refused before any order existed (applyOrderOutcome `blocked: 'kill_switch'` arms the
 * kind again): no order was ever created for it, so the next 'order' is still the first one.
 */
export interface EvaluateOptions {
  /** Replays and demos off-hours only: skip the trading-session gate. Never in live trading. */
  ignoreSession?: boolean
}

const STATES: readonly MonitorState[] = ['WATCHING', 'ENTRY_PENDING', 'HOLDING', 'EXIT_PENDING', 'CLOSED', 'PAUSED']

function sessionOk(at: Date, allowAuctions: boolean): boolean {
  const ph = marketPhase(at)
  if (ph === 'continuous') return true
  if (!allowAuctions) return false
  if (ph === 'closing_auction') return true
  if (ph === 'opening_auction') return shanghaiSecondOfDay(at) >= OPENING_AUCTION_FIRM_FROM_SEC
  return false
}

export function isQuoteSuspended(q: Quote): boolean {
  return (
    q.suspended === true ||
    !(typeof q.last === 'number' && Number.isFinite(q.last) && q.last > 0) ||
    (q.volume === 0 && q.open === 0) ||
    q.limitUp === -1 ||
    q.limitDown === -1
  )
}

/** Explicit fields instead of object spreads: this runs for every monitor on every quote. */
function resolveOptions(mo: Partial<TriggerOptions> | undefined): TriggerOptions {
  if (!mo) return DEFAULT_TRIGGER_OPTIONS
  const d = DEFAULT_TRIGGER_OPTIONS
  return {
    allowAuctions: mo.allowAuctions ?? d.allowAuctions,
    antiSpikeCount: mo.antiSpikeCount ?? d.antiSpikeCount,
    hysteresisPct: mo.hysteresisPct ?? d.hysteresisPct,
    renotifyCooldownSec: mo.renotifyCooldownSec ?? d.renotifyCooldownSec,
    maxQuoteAgeSec: mo.maxQuoteAgeSec ?? d.maxQuoteAgeSec,
    maxAutoRearmsPerDay: mo.maxAutoRearmsPerDay ?? d.maxAutoRearmsPerDay,
  }
}


/** Everything the signal helpers need from one evaluation (one object instead of per-call closures). */
interface Ctx {
  monitor: MonitorInput
  quote: Quote
  memo: TriggerMemo
  signals: Signal[]
  code: string
  dec: 2 | 3
  p: number
  low: number | null
  high: number | null
  tp: number | null
  sl: number | null
  trail: number | null
  highMilli: number | null
  qt: number
  nowMs: number
  now: Date
  day: string
  o: TriggerOptions
  /** Formatted lazily: only a notification needs it. */
  nowIso: string | null
}

function fmtM(dec: 2 | 3, m: number): string {
  return formatMilli(m, dec)
}

function milliOrNull(v: number | null): number | null {
  return v === null ? null : toMilli(v)
}

function band(lvl: number, hPpm: number): number {
  return mulDiv(lvl, hPpm, 1_000_000, 'ceil')
}

function nowIsoOf(c: Ctx): string {
  return (c.nowIso ??= c.now.toISOString())
}

function kindMemo(memo: TriggerMemo, k: TriggerKind): KindMemo {
  const existing = memo.kinds[k]
  if (existing) return existing
  const fresh: KindMemo = { ordered: false, notifiedAt: null, lastNotifiedAt: null, left: false, deferredDay: null }
  memo.kinds[k] = fresh
  return fresh
}

function notifyAction(c: Ctx, k: TriggerKind): 'notify' | 'renotify' | null {
  const km = c.memo.kinds[k]
  if (!km || km.notifiedAt === null) return 'notify'
  const last = km.lastNotifiedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(km.lastNotifiedAt)
  if (km.left && c.nowMs - last >= c.o.renotifyCooldownSec * 1000) return 'renotify'
  return null
}

function levelOf(c: Ctx, k: TriggerKind): number {
  if (k === 'ENTRY') return reboundLevelOf(c) ?? (c.high as number)
  if (k === 'STOP_LOSS') return c.sl as number
  if (k === 'TAKE_PROFIT') return c.tp as number
  return c.trail as number
}

function describe(c: Ctx, k: TriggerKind): [string, string] {
  const { code, dec } = c
  const lv = fmtM(dec, levelOf(c, k))
  const px = fmtM(dec, c.p)
  switch (k) {
    case 'ENTRY': {
      const lowSeen = c.memo.reboundLowMilli
      if (c.monitor.entryTrigger === 'REBOUND' && typeof lowSeen === 'number') {
        return [`${code} 价格 ${px} 自区间内低点 ${fmtM(dec, lowSeen)} 反弹至触发价 ${lv} 以上 (反弹买入)`, `${code} price ${px} rebounded from the low of ${fmtM(dec, lowSeen)} seen in the zone to the trigger level ${lv} or above (rebound entry)`]
      }
      return [`${code} 价格 ${px} 进入买入区间 [${fmtM(dec, c.low as number)}, ${fmtM(dec, c.high as number)}]`, `${code} price ${px} entered the entry zone [${fmtM(dec, c.low as number)}, ${fmtM(dec, c.high as number)}]`]
    }
    case 'STOP_LOSS':
      return [`${code} 价格 ${px} ≤ 止损价 ${lv}`, `${code} price ${px} ≤ stop-loss ${lv}`]
    case 'TAKE_PROFIT':
      return [`${code} 价格 ${px} ≥ 止盈价 ${lv}`, `${code} price ${px} ≥ take-profit ${lv}`]
    default: {
      const pct = ((c.monitor.trailingStopPct as number) * 100).toFixed(2).replace(/\.?0+$/, '')
      return [
        `${code} 价格 ${px} ≤ 跟踪止损价 ${lv} (最高价 ${fmtM(dec, c.highMilli as number)} 回落 ${pct}%)`,
        `${code} price ${px} ≤ trailing stop ${lv} (${pct} % below the high of ${fmtM(dec, c.highMilli as number)})`,
      ]
    }
  }
}

const SIGNAL_CODE: Record<TriggerKind, string> = { ENTRY: 'ENTRY_ZONE_REACHED', STOP_LOSS: 'STOP_LOSS_HIT', TAKE_PROFIT: 'TAKE_PROFIT_HIT', TRAILING_STOP: 'TRAILING_STOP_HIT' }
const ACTION_SUFFIX: Record<SignalAction, [string, string]> = {
  order: ['; 自动下单', '; placing an order'],
  notify: ['; 仅提醒', '; notification only'],
  renotify: ['; 再次提醒', '; reminder'],
  deferred: ['', ''],
}

function emit(c: Ctx, k: TriggerKind, action: SignalAction, why?: Reason): void {
  const [zh, en] = describe(c, k)
  const key = `${c.code}:${k}:${c.monitor.episode}:${action}`
  const dedupeKey = action === 'order' || action === 'notify' ? key : action === 'deferred' ? `${key}:${c.day}` : `${key}:${c.quote.time.toISOString()}`
  const r: Reason = why ? reason(why.code, `${zh}; ${why.message}`, `${en}; ${why.messageEn}`) : reason(SIGNAL_CODE[k], `${zh}${ACTION_SUFFIX[action][0]}`, `${en}${ACTION_SUFFIX[action][1]}`)
  const sig: Signal = { code: c.code, kind: k, episode: c.monitor.episode, action, side: sideOfKind(k), price: fromMilli(c.p), level: fromMilli(levelOf(c, k)), quoteTime: new Date(c.qt), tradingDay: c.day, dedupeKey, reason: r }
  const rebound = k === 'ENTRY' ? reboundLevelOf(c) : null
  // A rebound entry never pays more than its trigger level, nor more than entryHigh.
  if (rebound !== null) sig.maxPrice = fromMilli(Math.min(rebound, c.high as number))
  c.signals.push(sig)
  const km = kindMemo(c.memo, k)
  if (action === 'order') km.ordered = true
  else if (action === 'deferred') km.deferredDay = c.day
  else {
    km.notifiedAt = km.notifiedAt ?? nowIsoOf(c)
    km.lastNotifiedAt = nowIsoOf(c)
    km.left = false
  }
}

/**
 * `superseding`: a lower-priority exit of ours is working (EXIT_PENDING) and holds the shares frozen,
 * so the broker shows them as not sellable: this exit still orders — the worker cancels the working
 * one first, waits for the cancel's confirmation and sends this one for the remaining shares.
 */
function planExit(c: Ctx, k: ExitKind, halted: boolean, superseding = false): { action: SignalAction; why?: Reason } | null {
  const { monitor, memo, day } = c
  const configured = monitor.autoTrade && (k === 'TAKE_PROFIT' ? monitor.autoTakeProfit : monitor.autoStopLoss)
  const auto = configured && monitor.exitsPausedByUser !== true
  if (auto && !halted) {
    const km = memo.kinds[k]
    if (km?.ordered) return null
    const pos = monitor.position
    if (pos && Number.isSafeInteger(pos.canUseVolume) && pos.canUseVolume > 0) return { action: 'order' }
    if (superseding && pos && Number.isSafeInteger(pos.volume) && pos.volume > 0) return { action: 'order' }
    if (km?.deferredDay === day) return null
    if (!pos) {
      return { action: 'deferred', why: reason('POSITION_UNKNOWN', '持仓未知, 暂不下单; 取得券商持仓后再执行', 'the position is unknown, so no order yet; the exit proceeds once the broker position is known') }
    }
    if (!(pos.volume > 0)) {
      return { action: 'deferred', why: reason('NO_POSITION', '券商持仓为0, 无可卖股份; 请核对持仓', 'the broker reports no shares, nothing to sell; check the position') }
    }
    return {
      action: 'deferred',
      why: reason(
        'T1_NOT_SELLABLE',
        `今日无可卖股份 (T+1: 持仓${pos.volume}股, 可卖0股), 下一交易日可卖且仍满足条件时卖出`,
        `nothing sellable today (T+1: ${pos.volume} shares held, 0 sellable); the exit proceeds on the next trading day if the condition still holds`,
      ),
    }
  }
  const a = notifyAction(c, k)
  if (!a) return null
  if (configured && !auto) {
    return { action: a, why: reason('AUTO_EXIT_PAUSED_BY_USER', '你撤销了卖单, 自动卖出已暂停, 恢复前仅提醒', 'you cancelled an exit order, so automatic exits are paused; until you resume them they only notify') }
  }
  if (auto && halted) {
    return { action: a, why: reason('AUTO_EXIT_HALTED', '今日自动卖出已多次失败, 已停止自动下单, 请手动处理', 'automatic exits failed repeatedly today and are halted; handle this exit manually') }
  }
  return { action: a }
}

export function evaluate(monitor: MonitorInput, quote: Quote, now: Date, opts: EvaluateOptions = {}): EvaluateResult {
  const o: TriggerOptions = resolveOptions(monitor.options)
  const memo: TriggerMemo = normalizeMemo(monitor.memo)
  let state: MonitorState = monitor.state
  let highest: number | null = monitor.highestSinceEntry
  const signals: Signal[] = []
  const notes: Reason[] = []

  if (!STATES.includes(state)) {
    notes.push(reason('STATE_INVALID', `未知的监控状态 ${String(state)}, 不触发`, `unknown monitor state ${String(state)}; nothing fires`))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }

  if (!monitor.enabled) {
    if (state !== 'PAUSED') {
      memo.pausedFrom = state
      state = 'PAUSED'
    }
    notes.push(reason('PAUSED', '监控已暂停', 'monitor is paused'))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  if (state === 'PAUSED') {
    const back = memo.pausedFrom
    memo.pausedFrom = null
    if (back === null) {
      // Without the pre-pause state we cannot tell whether a position is open; CLOSED sends nothing.
      state = 'CLOSED'
      const why = reason('RESUME_STATE_UNKNOWN', '恢复监控时找不到暂停前的状态, 已设为已结束; 请检查持仓后重新启用', 'the state before the pause is unknown, so the monitor is now CLOSED; check the position and re-arm it')
      memo.closedReason = why
      notes.push(why)
      return { state, highestSinceEntry: highest, memo, signals, notes }
    }
    state = back
  }
  if (state === 'CLOSED') {
    notes.push(reason('CLOSED', '本轮已结束, 需重新启用 (rearm) 才会再次触发', 'this episode is closed; re-arm the monitor to trigger again'))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }

  const bad = validateMonitorLevels(monitor, o, state)
  if (bad.length) {
    notes.push(...bad)
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }

  let code: string
  let tick: number
  try {
    const parsed = parseCode(monitor.code)
    code = parsed.code
    tick = BOARD_RULES[parsed.board].tickMilli
  } catch (e) {
    if (e instanceof MarketRuleError) {
      notes.push(e.toReason())
      return { state, highestSinceEntry: highest, memo, signals, notes }
    }
    throw e
  }
  const dec: 2 | 3 = tick === 1 ? 3 : 2

  let quoteCode = String(quote.code)
  try {
    quoteCode = parseCode(quote.code).code
  } catch {
    // reported below as a mismatch
  }
  if (quoteCode !== code) {
    notes.push(reason('QUOTE_CODE_MISMATCH', `行情代码 ${quote.code} 与监控代码 ${code} 不一致`, `quote is for ${quote.code}, the monitor is for ${code}`))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }

  const qt = quote.time instanceof Date ? quote.time.getTime() : NaN
  const nowMs = now instanceof Date ? now.getTime() : NaN
  if (!Number.isFinite(qt) || !Number.isFinite(nowMs)) {
    notes.push(reason('TIME_INVALID', '行情时间或当前时间无效', 'quote time or current time is invalid'))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  const ageMs = nowMs - qt
  if (ageMs > o.maxQuoteAgeSec * 1000) {
    notes.push(reason('QUOTE_STALE', `行情已过时 ${Math.round(ageMs / 1000)} 秒 (上限 ${o.maxQuoteAgeSec} 秒), 不触发`, `quote is ${Math.round(ageMs / 1000)} s old (limit ${o.maxQuoteAgeSec} s); nothing fires`))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  if (-ageMs > o.maxQuoteAgeSec * 1000) {
    notes.push(reason('QUOTE_FROM_FUTURE', `行情时间比当前时间晚 ${Math.round(-ageMs / 1000)} 秒 (时钟不同步?), 不触发`, `quote time is ${Math.round(-ageMs / 1000)} s ahead of now (clock skew?); nothing fires`))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  const day = shanghaiDate(quote.time)
  if (day !== shanghaiDate(now)) {
    notes.push(reason('QUOTE_STALE', `行情属于 ${day}, 不是今天 ${shanghaiDate(now)}`, `quote is from ${day}, not today ${shanghaiDate(now)}`))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  if (quote.limitUp !== null && quote.limitDown !== null && quote.limitUp > 0 && quote.limitDown > 0 && (quote.last > quote.limitUp || quote.last < quote.limitDown)) {
    // A last price outside the day's own limit band is bad data: no level decision rests on it.
    notes.push(reason('QUOTE_OUT_OF_BAND', `${code} 最新价 ${quote.last} 超出当日涨跌停 [${quote.limitDown}, ${quote.limitUp}], 行情异常, 不触发`, `${code} last price ${quote.last} is outside today's limit band [${quote.limitDown}, ${quote.limitUp}]: bad data, nothing fires`))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  if (isQuoteSuspended(quote)) {
    notes.push(reason('QUOTE_NOT_TRADABLE', `${code} 停牌或无有效成交价, 不触发`, `${code} is suspended or has no valid traded price; nothing fires`))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  if (memo.lastQuoteMs !== null && qt <= memo.lastQuoteMs) {
    notes.push(reason('QUOTE_NOT_NEWER', '行情时间不晚于上次评估的行情, 忽略', 'quote is not newer than the last one evaluated; ignored'))
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }
  if (!opts.ignoreSession) {
    try {
      if (!sessionOk(quote.time, o.allowAuctions) || !sessionOk(now, o.allowAuctions)) {
        notes.push(
          reason(
            'OUTSIDE_SESSION',
            o.allowAuctions ? '不在交易时段 (连续竞价或09:20后的集合竞价), 不触发' : '不在连续竞价时段 (09:30–11:30, 13:00–14:57), 不触发',
            o.allowAuctions ? 'outside trading (continuous trading or the auctions after 09:20); nothing fires' : 'outside continuous trading (09:30–11:30, 13:00–14:57); nothing fires',
          ),
        )
        return { state, highestSinceEntry: highest, memo, signals, notes }
      }
    } catch (e) {
      if (e instanceof MarketRuleError) {
        notes.push(e.toReason())
        return { state, highestSinceEntry: highest, memo, signals, notes }
      }
      throw e
    }
  }
  memo.lastQuoteMs = qt

  const p = toMilli(quote.last)
  const low = milliOrNull(monitor.entryLow)
  const high = milliOrNull(monitor.entryHigh)
  let tp = milliOrNull(monitor.takeProfit)
  let sl = milliOrNull(monitor.stopLoss)

  const holding = state === 'HOLDING' || state === 'EXIT_PENDING'
  let highMilli: number | null = null
  if (holding) {
    highMilli = highest !== null && Number.isFinite(highest) && highest > 0 ? Math.max(toMilli(highest), p) : p
    highest = fromMilli(highMilli)
  }
  // price ≤ highest·(1 − pct) ⇔ price ≤ that value floored to the tick, for any tick-aligned price.
  const trail =
    holding && monitor.trailingStopPct !== null && highMilli !== null
      ? roundMilliToTick(mulDiv(highMilli, 1_000_000 - toPpm(monitor.trailingStopPct), 1_000_000, 'floor'), tick, 'down')
      : null

  // Staged exits and the breakeven stop (issue 14), only while a position is held: the take-profit
  // is the next tranche's level (none once all are done), the stop-loss at least the breakeven level.
  let breakevenActivated: { levelMilli: number } | undefined
  if (holding && monitor.exits && highMilli !== null) {
    const st = stagedExits(monitor, memo, code, highMilli, nowIsoOf0(now))
    tp = st.tp
    if (st.breakevenMilli !== null) sl = sl === null ? st.breakevenMilli : Math.max(sl, st.breakevenMilli)
    breakevenActivated = st.activated
  } else if (holding && memo.exits) {
    // Staged exits were switched off while holding: their progress no longer applies.
    memo.exits = null
  }

  const slHit = sl !== null && p <= sl
  const hit: Record<TriggerKind, boolean> = {
    ENTRY: low !== null && high !== null && p >= low && p <= high && !slHit,
    STOP_LOSS: slHit,
    TRAILING_STOP: trail !== null && p <= trail,
    TAKE_PROFIT: tp !== null && p >= tp,
  }
  // Rebound entry (反弹买入): while WATCHING it replaces the zone test (see trackRebound).
  if (state === 'WATCHING' && monitor.entryTrigger === 'REBOUND') hit.ENTRY = trackRebound(monitor, memo, p, low, high, slHit, tick, notes)

  if (memo.streakDay !== day) {
    memo.streak = {}
    memo.streakDay = day
  }
  const confirmed: Record<TriggerKind, boolean> = { ENTRY: false, STOP_LOSS: false, TRAILING_STOP: false, TAKE_PROFIT: false }
  for (const k of TRIGGER_KINDS) {
    const n = hit[k] ? Math.min((memo.streak[k] ?? 0) + 1, 1_000_000) : 0
    if (n > 0) memo.streak[k] = n
    else if (memo.streak[k] !== undefined) delete memo.streak[k]
    confirmed[k] = n >= o.antiSpikeCount
  }

  // Hysteresis: a notified level counts as "left" once the price is beyond it by the band.
  const hPpm = toPpm(o.hysteresisPct)
  const away: Record<TriggerKind, boolean> = {
    ENTRY: low !== null && high !== null && (p < low - band(low, hPpm) || p > high + band(high, hPpm)),
    STOP_LOSS: sl !== null && p > sl + band(sl, hPpm),
    TRAILING_STOP: trail !== null && p > trail + band(trail, hPpm),
    TAKE_PROFIT: tp !== null && p < tp - band(tp, hPpm),
  }
  for (const k of TRIGGER_KINDS) {
    const km = memo.kinds[k]
    if (km && km.notifiedAt !== null && away[k]) km.left = true
  }

  const ctx: Ctx = { monitor, quote, memo, signals, code, dec, p, low, high, tp, sl, trail, highMilli, qt, nowMs, now, day, o, nowIso: null }
  if (state === 'WATCHING') {
    if (slHit) {
      notes.push(reason('ENTRY_BLOCKED_BELOW_STOP', `价格 ${fmtM(dec, p)} 已在止损价 ${fmtM(dec, sl as number)} 或以下, 不买入`, `price ${fmtM(dec, p)} is at or below the stop-loss ${fmtM(dec, sl as number)}; no entry`))
    }
    if (confirmed.ENTRY) {
      if (monitor.autoTrade) {
        if (!kindMemo(memo, 'ENTRY').ordered) {
          emit(ctx, 'ENTRY', 'order')
          state = 'ENTRY_PENDING'
        }
      } else {
        const a = notifyAction(ctx, 'ENTRY')
        if (a) emit(ctx, 'ENTRY', a)
      }
    }
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }

  if (state === 'ENTRY_PENDING') {
    if (slHit) {
      notes.push(reason('STOP_HIT_WHILE_ENTRY_PENDING', `买单未完成时价格 ${fmtM(dec, p)} 已跌至止损价 ${fmtM(dec, sl as number)} 或以下; 应撤销未成交的买单`, `price ${fmtM(dec, p)} reached the stop-loss ${fmtM(dec, sl as number)} while the entry order is still working; cancel the unfilled buy`))
    }
    return { state, highestSinceEntry: highest, memo, signals, notes }
  }

  // HOLDING or EXIT_PENDING
  const halted = memo.autoExitHaltedDay === day
  const working = state === 'EXIT_PENDING' && memo.exitKind !== null ? EXIT_PRIORITY.indexOf(memo.exitKind) : EXIT_PRIORITY.length
  const candidates: ExitKind[] = []
  for (let i = 0; i < working; i++) if (confirmed[EXIT_PRIORITY[i]!]) candidates.push(EXIT_PRIORITY[i]!)
  const plans = candidates.map((k) => ({ k, plan: planExit(ctx, k, halted, state === 'EXIT_PENDING') }))
  // A real order wins; otherwise only the highest-priority level may speak, so one quote never
  // produces a stop notice and a take-profit notice together.
  const chosen = plans.find((x) => x.plan?.action === 'order') ?? (plans[0]?.plan ? plans[0] : undefined)
  if (chosen && chosen.plan) {
    emit(ctx, chosen.k, chosen.plan.action, chosen.plan.why)
    if (chosen.plan.action === 'order') {
      state = 'EXIT_PENDING'
      memo.exitKind = chosen.k
    }
  }
  if (halted) notes.push(reason('AUTO_EXIT_HALTED', '今日自动卖出已暂停 (失败次数达到上限)', 'automatic exits are halted for today (failure limit reached)'))
  return breakevenActivated ? { state, highestSinceEntry: highest, memo, signals, notes, breakevenActivated } : { state, highestSinceEntry: highest, memo, signals, notes }
}

function nowIsoOf0(now: Date): string {
  return now.toISOString()
}

/**
 * Staged exits (staged-exits.ts): plans the tranches on the position held (the base is the volume
 * when the first exit is planned, raised by later buy fills while no tranche is done), counts the
 * tranches done (held volume at or below their target) and returns the take-profit level of the next
 * tranche (null once all are done: the rest waits for the stops). Breakeven: activates once a tranche
 * has sold shares, or the highest price since entry reached cost + gainBp; the level is cost plus
 * round-trip fees on the shares held, on the tick rounded up, and stays for the position.
 */
function stagedExits(monitor: MonitorInput, memo: TriggerMemo, code: string, highMilli: number, nowIso: string): { tp: number | null; breakevenMilli: number | null; activated?: { levelMilli: number } } {
  const cfg = monitor.exits as ExitPlanConfig
  const pos = monitor.position
  const vol = pos && Number.isSafeInteger(pos.volume) && pos.volume > 0 ? pos.volume : null
  let ex = memo.exits ?? null
  if (vol !== null && (!ex || (ex.done === 0 && vol > ex.baseQty))) {
    ex = { baseQty: vol, targets: [], done: 0, breakevenMilli: ex?.breakevenMilli ?? null, breakevenAt: ex?.breakevenAt ?? null }
  }
  if (ex) {
    // Re-planned every time from the configuration (an edit while holding applies to the rest).
    ex.targets = planTranches(code, ex.baseQty, cfg.tranches)
    if (vol !== null) ex.done = tranchesDone(ex.targets, vol, ex.done)
    else ex.done = Math.min(ex.done, ex.targets.length)
    memo.exits = ex
  }
  const done = ex?.done ?? 0
  const next = cfg.tranches[done]
  const tp = next ? next.levelMilli : null
  let activated: { levelMilli: number } | undefined
  if (ex && ex.breakevenMilli === null && cfg.breakeven && cfg.costMilli !== null && cfg.costMilli > 0 && vol !== null) {
    const sold = ex.done > 0 && vol < ex.baseQty
    const gained = cfg.breakeven.gainBp !== null && highMilli >= breakevenGainLevelMilli(code, cfg.costMilli, cfg.breakeven.gainBp)
    if (sold || gained) {
      ex.breakevenMilli = breakevenStopMilli(code, cfg.costMilli, vol, cfg.fees)
      ex.breakevenAt = nowIso
      activated = { levelMilli: ex.breakevenMilli }
    }
  }
  return { tp, breakevenMilli: ex?.breakevenMilli ?? null, ...(activated ? { activated } : {}) }
}

/**
 * Rebound entry (反弹买入, entryTrigger REBOUND). The zone [entryLow, entryHigh] arms it: from the
 * first eligible quote inside the zone, memo.reboundLowMilli keeps the lowest price seen in this
 * episode — inside the zone, or below entryLow but above the stop-loss. It buys once the price is at
 * or above the trigger level: that low plus reboundTicks ticks, or plus reboundPct of it rounded up
 * to the tick. Rules:
 *   - never before the zone was touched in this episode (no low yet: nothing fires);
 *   - at or below the stop-loss nothing buys (as for the zone entry), and the low is forgotten: the
 *     price must come back into the zone, so a rebound is never measured from below the stop;
 *   - price cap (Signal.maxPrice): the buy never pays more than the trigger level, and never more
 *     than entryHigh when the trigger level is above it (maxPrice = min(trigger level, entryHigh));
 *     the signal's level is the trigger level;
 *   - a new episode starts without a low (memoForNewEpisode), so every episode needs its own dip.
 * Anti-spike counts consecutive quotes at or above the trigger level. The trailing stop is the exit
 * counterpart (回落卖出: sell after a fall of N % from the high since entry).
 */
export function reboundTriggerMilli(lowMilli: number, tickMilli: number, reboundPct: number | null | undefined, reboundTicks: number | null | undefined): number | null {
  if (typeof reboundTicks === 'number' && Number.isSafeInteger(reboundTicks) && reboundTicks > 0) return lowMilli + reboundTicks * tickMilli
  if (typeof reboundPct === 'number' && Number.isFinite(reboundPct) && reboundPct > 0) {
    return roundMilliToTick(lowMilli + mulDiv(lowMilli, toPpm(reboundPct), 1_000_000, 'ceil'), tickMilli, 'up')
  }
  return null
}

function reboundLevelOf(c: Ctx): number | null {
  const lowSeen = c.memo.reboundLowMilli
  if (c.monitor.entryTrigger !== 'REBOUND' || typeof lowSeen !== 'number') return null
  return reboundTriggerMilli(lowSeen, c.dec === 3 ? 1 : 10, c.monitor.reboundPct, c.monitor.reboundTicks)
}

function trackRebound(monitor: MonitorInput, memo: TriggerMemo, p: number, low: number | null, high: number | null, slHit: boolean, tick: number, notes: Reason[]): boolean {
  if (low === null || high === null) return false
  if (slHit) {
    memo.reboundLowMilli = null
    return false
  }
  const seen = typeof memo.reboundLowMilli === 'number' ? memo.reboundLowMilli : null
  if (p >= low && p <= high) memo.reboundLowMilli = seen === null ? p : Math.min(seen, p)
  else if (p < low && seen !== null) memo.reboundLowMilli = Math.min(seen, p)
  const lowSeen = memo.reboundLowMilli
  if (typeof lowSeen !== 'number') return false
  const level = reboundTriggerMilli(lowSeen, tick, monitor.reboundPct, monitor.reboundTicks)
  if (level === null) {
    notes.push(reason('REBOUND_UNSET', '反弹买入未设置反弹幅度 (百分比或跳数), 不买入', 'rebound entry has no rebound size (percent or ticks); no entry'))
    return false
  }
  return p >= level
}
