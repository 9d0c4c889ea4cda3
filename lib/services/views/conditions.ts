/**
 * A monitor's conditions as the dashboard and the detail page show them (issue 14): validity (the
 * last valid Shanghai day, given directly or resolved from N trading days when saved; expired once
 * the market clock's day is past it, with why), the daily entry window (Asia/Shanghai), the entry
 * quantity mode with its value, the entry trigger (zone, or a rebound of r % / n ticks off the low
 * in the zone) and the re-arm policy after a completed exit. Only what is configured: the worker
 * decides what it does with it. Percentages come out as fractions like every view (0.05 = 5 %).
 */
import { formatWindowTime, isExpired } from '@/lib/market'
import type { StockRow } from '@/lib/db/stocks'
import { closedReasonOf } from './stock-view'
import { effectiveState } from '../trading/shapes'

type Row = Pick<
  StockRow,
  | 'state'
  | 'triggerMemo'
  | 'validUntilDay'
  | 'validTradingDays'
  | 'entryWindowStartMin'
  | 'entryWindowEndMin'
  | 'entryTrigger'
  | 'reboundBp'
  | 'reboundTicks'
  | 'rearmPolicy'
  | 'rearmCooldownMin'
> & { quantConfig: Pick<NonNullable<StockRow['quantConfig']>, 'entryQtyMode' | 'entryQty' | 'maxPositionBp'> | null }

export interface Reason {
  code: string
  message: string
  messageEn: string
}

/** Why an expired monitor shows as expired, by what expiry does in its state (lib/market/validity.ts). */
const EXPIRED_WHY: Record<string, Reason> = {
  watching: { code: 'expiredWatching', message: '有效期已过, 不再开仓; 监控即将结束 (未持仓)', messageEn: 'validity ended: no new entry; the monitor holds nothing and is being closed' },
  holding: { code: 'expiredHolding', message: '有效期已过, 不再开仓; 持仓的止盈止损继续生效', messageEn: 'validity ended: no new entry; the exits keep protecting the position' },
  entryPending: { code: 'expiredEntryPending', message: '有效期已过, 不再开仓; 在途买单照常处理', messageEn: 'validity ended: no new entry; the working buy order is settled as usual' },
  closed: { code: 'expiredClosed', message: '有效期已过 (监控已结束)', messageEn: 'validity ended (the monitor had already closed)' },
}

export function conditionsOf(row: Row, now: Date | null) {
  const until = row.validUntilDay
  // Unknown without a market clock: never shown as expired on a guess.
  const expired = until == null ? false : now ? isExpired({ validUntilDay: until }, now) : null
  let reason: Reason | null = null
  if (expired) {
    const closed = closedReasonOf(row)
    const s = effectiveState(row)
    reason =
      s === 'CLOSED'
        ? closed?.code === 'expired'
          ? closed
          : EXPIRED_WHY.closed!
        : s === 'HOLDING' || s === 'EXIT_PENDING'
          ? EXPIRED_WHY.holding!
          : s === 'ENTRY_PENDING'
            ? EXPIRED_WHY.entryPending!
            : EXPIRED_WHY.watching!
  }
  const q = row.quantConfig
  const mode = (q?.entryQtyMode ?? 'PCT_ASSETS') as 'PCT_ASSETS' | 'AMOUNT' | 'SHARES'
  const rebound = row.entryTrigger === 'REBOUND'
  const policy = (['CLOSE', 'COOLDOWN', 'NEXT_DAY'].includes(row.rearmPolicy) ? row.rearmPolicy : 'CLOSE') as 'CLOSE' | 'COOLDOWN' | 'NEXT_DAY'
  return {
    /** null = valid without an end. */
    validity: until == null ? null : { until, tradingDays: row.validTradingDays, expired, reason },
    /** The daily entry window [start, end) 'HH:MM' Asia/Shanghai; null = all day. */
    window: row.entryWindowStartMin != null && row.entryWindowEndMin != null ? { start: formatWindowTime(row.entryWindowStartMin), end: formatWindowTime(row.entryWindowEndMin) } : null,
    /** Entry quantity: % of total assets (pct, a fraction), a fixed amount (yuan) or fixed shares; null without a quant configuration. */
    entryQty: q
      ? {
          mode,
          pct: mode === 'PCT_ASSETS' ? q.maxPositionBp / 10_000 : null,
          amount: mode === 'AMOUNT' ? q.entryQty : null,
          shares: mode === 'SHARES' ? q.entryQty : null,
          /** The position cap (a fraction of total assets) AMOUNT and SHARES stay within. */
          capPct: q.maxPositionBp / 10_000,
        }
      : null,
    entryTrigger: rebound
      ? { mode: 'REBOUND' as const, reboundPct: row.reboundBp == null ? null : row.reboundBp / 10_000, reboundTicks: row.reboundTicks }
      : { mode: 'ZONE' as const, reboundPct: null, reboundTicks: null },
    rearm: { policy, cooldownMin: policy === 'COOLDOWN' ? row.rearmCooldownMin : null },
  }
}

export type MonitorConditions = ReturnType<typeof conditionsOf>
