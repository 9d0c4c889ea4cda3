import { isTradingDay as calendarIsTradingDay, shanghaiDate } from './calendar'
import { reason, type Reason } from './errors'

/**
 * Re-arm policy after a completed exit (issue 14). Pure: every instant and the calendar are passed in.
 *   CLOSE     (default) the monitor stays CLOSED until the trader re-arms it (as before);
 *   COOLDOWN  it watches again (WATCHING, episode + 1) once `cooldownMin` minutes of market time
 *             have passed since it closed;
 *   NEXT_DAY  it watches again on the next trading day, at the first cycle of that day.
 * Only a completed exit re-arms (closedReason EXIT_FILLED): never an entry that failed, an expired
 * monitor, a close after a failure or one the trader asked for. A re-arm is only due on a trading day
 * and uses the monitor's daily automatic re-arm budget (memo.autoRearms, the one unfilled entries
 * and failed exits use, options.maxAutoRearmsPerDay): a whipsaw cannot loop more than that per day;
 * once it is used up the monitor waits for the next trading day.
 */
export type RearmPolicy = 'CLOSE' | 'COOLDOWN' | 'NEXT_DAY'

export const REARM_POLICIES: readonly RearmPolicy[] = ['CLOSE', 'COOLDOWN', 'NEXT_DAY']

/** The closed reason after which a policy may re-arm: the exit sold everything. */
export const REARMABLE_CLOSE = 'EXIT_FILLED'

export interface RearmPolicyInput {
  policy: string | null | undefined
  /** COOLDOWN: minutes after the close. */
  cooldownMin: number | null | undefined
  /** memo.closedReason.code of the CLOSED monitor. */
  closedReasonCode: string | null | undefined
  /** When it closed (market time). */
  closedAt: Date | null
  now: Date
  /** memo.autoRearms: automatic re-arms used on a day. */
  autoRearms: { day: string; count: number } | null | undefined
  maxPerDay: number
  /** The trading calendar (default lib/market/calendar's). */
  isTradingDay?: (day: string) => boolean
}

export type RearmDecision = { action: 'rearm' } | ({ action: 'wait' } & Reason) | ({ action: 'never' } & Reason)

export function decideRearm(i: RearmPolicyInput): RearmDecision {
  const policy = i.policy
  if (policy !== 'COOLDOWN' && policy !== 'NEXT_DAY') return { action: 'never', ...reason('REARM_POLICY_CLOSE', '重新启用策略为不自动重启', 'the re-arm policy is to stay closed') }
  if (i.closedReasonCode !== REARMABLE_CLOSE) {
    return { action: 'never', ...reason('REARM_NOT_AFTER_EXIT', '只有卖出完成后才会自动重新启用', 'only a completed exit re-arms automatically') }
  }
  const closedMs = i.closedAt instanceof Date ? i.closedAt.getTime() : NaN
  const nowMs = i.now instanceof Date ? i.now.getTime() : NaN
  if (!Number.isFinite(closedMs) || !Number.isFinite(nowMs)) return { action: 'never', ...reason('TIME_INVALID', '结束时间或当前时间无效', 'the close time or the current time is invalid') }
  const today = shanghaiDate(i.now)
  const trading = i.isTradingDay ?? calendarIsTradingDay
  if (!trading(today)) return { action: 'wait', ...reason('REARM_NOT_TRADING_DAY', '非交易日, 不重新启用', 'not a trading day; no re-arm') }
  if (policy === 'COOLDOWN') {
    const min = i.cooldownMin
    if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 0) return { action: 'never', ...reason('REARM_COOLDOWN_UNSET', '冷却时间未设置', 'no cooldown is set') }
    if (nowMs - closedMs < min * 60_000) return { action: 'wait', ...reason('REARM_COOLDOWN', `冷却中 (${min} 分钟)`, `cooling down (${min} min)`) }
  } else if (today <= shanghaiDate(i.closedAt as Date)) {
    return { action: 'wait', ...reason('REARM_NEXT_DAY', '下一交易日重新启用', 're-arms on the next trading day') }
  }
  const used = i.autoRearms && i.autoRearms.day === today ? i.autoRearms.count : 0
  if (used >= i.maxPerDay) {
    return { action: 'wait', ...reason('AUTO_REARM_LIMIT', `今日自动重新启用次数已达上限 ${i.maxPerDay}`, `today's automatic re-arm limit (${i.maxPerDay}) is used up`) }
  }
  return { action: 'rearm' }
}
