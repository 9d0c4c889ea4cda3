import { reason, type Reason } from './errors'
import { isMilliExact, toMilli } from './money'
import type { MonitorInput, MonitorState, TriggerOptions } from './trigger-types'

/**
 * Consistency checks on a monitor's levels and options, run by the form on save and by evaluate
 * before every quote (a misconfigured monitor never trades): SL < entryLow ≤ entryHigh < TP, every
 * level a positive price with ≤ 3 decimals, a sane trailing percentage.
 *
 * Once a position is held (HOLDING / EXIT_PENDING) the entry zone no longer matters, and traders
 * routinely raise the stop above their entry to lock in profit; the checks relating SL/TP to the
 * entry zone are then skipped so such an edit never switches the stop-loss off. SL < TP still holds.
 */
const LEVEL_NAMES: Readonly<Record<string, [string, string]>> = {
  entryLow: ['买入区间下限', 'entry zone low'],
  entryHigh: ['买入区间上限', 'entry zone high'],
  takeProfit: ['止盈价', 'take-profit'],
  stopLoss: ['止损价', 'stop-loss'],
}
const LEVEL_KEYS = ['entryLow', 'entryHigh', 'takeProfit', 'stopLoss'] as const

export function validateMonitorLevels(
  m: Pick<MonitorInput, 'entryLow' | 'entryHigh' | 'takeProfit' | 'stopLoss' | 'trailingStopPct' | 'episode'>,
  options?: TriggerOptions,
  state?: MonitorState,
): Reason[] {
  const holding = state === 'HOLDING' || state === 'EXIT_PENDING'
  const out: Reason[] = []
  const names = LEVEL_NAMES
  for (const key of LEVEL_KEYS) {
    const v = m[key]
    if (v === null) continue
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || !isMilliExact(v)) {
      out.push(reason('LEVEL_INVALID', `${names[key][0]}必须是正数且最多3位小数, 收到 ${String(v)}`, `${names[key][1]} must be a positive price with at most 3 decimals, got ${String(v)}`))
    }
  }
  if (out.length) return out
  const { entryLow, entryHigh, takeProfit: tp, stopLoss: sl } = m
  if ((entryLow === null) !== (entryHigh === null)) {
    out.push(reason('ENTRY_ZONE_INCOMPLETE', '买入区间的上下限必须同时填写或同时留空', 'set both ends of the entry zone, or neither'))
  }
  if (entryLow !== null && entryHigh !== null && toMilli(entryLow) > toMilli(entryHigh)) {
    out.push(reason('ENTRY_ZONE_INVERTED', `买入区间下限 ${entryLow} 高于上限 ${entryHigh}`, `entry zone low ${entryLow} is above its high ${entryHigh}`))
  }
  if (!holding && sl !== null && entryLow !== null && toMilli(sl) >= toMilli(entryLow)) {
    out.push(reason('STOP_NOT_BELOW_ENTRY', `止损价 ${sl} 必须低于买入区间下限 ${entryLow}`, `stop-loss ${sl} must be below the entry zone low ${entryLow}`))
  }
  if (!holding && tp !== null && entryHigh !== null && toMilli(tp) <= toMilli(entryHigh)) {
    out.push(reason('TAKE_PROFIT_NOT_ABOVE_ENTRY', `止盈价 ${tp} 必须高于买入区间上限 ${entryHigh}`, `take-profit ${tp} must be above the entry zone high ${entryHigh}`))
  }
  if (sl !== null && tp !== null && toMilli(sl) >= toMilli(tp)) {
    out.push(reason('STOP_NOT_BELOW_TAKE_PROFIT', `止损价 ${sl} 必须低于止盈价 ${tp}`, `stop-loss ${sl} must be below take-profit ${tp}`))
  }
  const trail = m.trailingStopPct
  if (trail !== null && (typeof trail !== 'number' || !Number.isFinite(trail) || trail <= 0 || trail >= 0.5)) {
    out.push(reason('TRAILING_PCT_INVALID', `跟踪止损比例须在 0 到 50% 之间 (如 0.05 表示 5%), 收到 ${String(trail)}`, `trailing-stop fraction must be between 0 and 0.5 (0.05 = 5 %), got ${String(trail)}`))
  }
  if (!Number.isSafeInteger(m.episode) || m.episode < 0) {
    out.push(reason('EPISODE_INVALID', `轮次编号无效: ${String(m.episode)}`, `invalid episode number: ${String(m.episode)}`))
  }
  if (options) {
    const o = options
    if (!Number.isSafeInteger(o.antiSpikeCount) || o.antiSpikeCount < 1 || o.antiSpikeCount > 100) {
      out.push(reason('OPTION_INVALID', `防抖确认次数须为1到100的整数, 收到 ${String(o.antiSpikeCount)}`, `anti-spike count must be an integer from 1 to 100, got ${String(o.antiSpikeCount)}`))
    }
    if (!Number.isFinite(o.hysteresisPct) || o.hysteresisPct < 0 || o.hysteresisPct > 0.2) {
      out.push(reason('OPTION_INVALID', `回差比例须在 0 到 20% 之间, 收到 ${String(o.hysteresisPct)}`, `hysteresis fraction must be between 0 and 0.2, got ${String(o.hysteresisPct)}`))
    }
    if (!Number.isFinite(o.renotifyCooldownSec) || o.renotifyCooldownSec < 0) {
      out.push(reason('OPTION_INVALID', `重复提醒冷却时间无效: ${String(o.renotifyCooldownSec)}`, `invalid re-notify cooldown: ${String(o.renotifyCooldownSec)}`))
    }
    if (!Number.isFinite(o.maxQuoteAgeSec) || o.maxQuoteAgeSec <= 0) {
      out.push(reason('OPTION_INVALID', `行情最大延迟须大于0秒, 收到 ${String(o.maxQuoteAgeSec)}`, `maximum quote age must be above 0 seconds, got ${String(o.maxQuoteAgeSec)}`))
    }
    if (!Number.isSafeInteger(o.maxAutoRearmsPerDay) || o.maxAutoRearmsPerDay < 0) {
      out.push(reason('OPTION_INVALID', `每日自动重置次数须为非负整数, 收到 ${String(o.maxAutoRearmsPerDay)}`, `automatic re-arms per day must be a non-negative integer, got ${String(o.maxAutoRearmsPerDay)}`))
    }
  }
  return out
}
