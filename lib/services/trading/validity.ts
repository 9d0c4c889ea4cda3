/**
 * Validity and daily entry windows applied by the worker (issue 14; the checks are lib/market
 * validity.ts). Expiry closes a WATCHING monitor in one transaction — state CLOSED with reason
 * 'expired' in the memo like every CLOSED transition, and a MONITOR_EXPIRED notification — and
 * keeps all history (orders, triggers, notifications are untouched). A HOLDING monitor is never
 * closed by expiry: its exits keep protecting the position. Outside the daily window a monitor
 * that could only enter is not evaluated at all (no entry, and its entry memo is untouched);
 * anything holding a position is always evaluated, so exits fire at any time.
 */
import { entryAllowed, expiryAction, normalizeMemo, type MonitorState, type Validity } from '@/lib/market'
import { writeTx } from '@/lib/db/tx'
import { assertLease } from '@/lib/db/lease'
import { getDb } from '@/lib/db/client'
import { loadMonitor, writeMachineState, type MonitorRow } from '@/lib/db/monitors'
import { asLocale } from '@/lib/i18n/config'
import { notify } from '../notifications'
import { effectiveState } from './shapes'
import { StaleMonitorError, type LeaseIdentity } from './signals'

export function validityOf(row: Pick<MonitorRow, 'validUntilDay' | 'entryWindowStartMin' | 'entryWindowEndMin'>): Validity {
  return { validUntilDay: row.validUntilDay, windowStartMin: row.entryWindowStartMin, windowEndMin: row.entryWindowEndMin }
}

/** What the worker does with this monitor now: evaluate it, skip it (outside the entry window), or expire it. */
export function validityGate(row: MonitorRow, now: Date): 'evaluate' | 'skip' | 'expire' {
  const v = validityOf(row)
  if (row.enabled && expiryAction(row.state as MonitorState, v, now) === 'close') return 'expire'
  // Only a monitor that can do nothing but enter is held back: exits are never suppressed.
  if (effectiveState(row) === 'WATCHING' && !entryAllowed(v, now)) return 'skip'
  return 'evaluate'
}

export const EXPIRED_REASON = { code: 'expired', message: '有效期已过, 监控已结束 (未持仓)', messageEn: 'validity ended; the monitor held nothing and is closed' }

/** Closes an expired WATCHING monitor with its reason and tells the trader, once (one transaction). */
export async function expireMonitor(lease: LeaseIdentity, row: MonitorRow): Promise<void> {
  await writeTx(getDb(), async (tx) => {
    await assertLease(tx, lease.leaseName, lease.holderId, lease.fencingToken)
    const current = await loadMonitor(tx, row.id)
    if (!current || current.archivedAt || current.version !== row.version || current.state !== 'WATCHING' || current.episode !== row.episode) {
      throw new StaleMonitorError(row.id)
    }
    const memo = normalizeMemo(current.triggerMemo as never)
    memo.closedReason = EXPIRED_REASON
    await writeMachineState(tx, current.id, { state: 'CLOSED', episode: current.episode, highestSinceEntryMilli: current.highestSinceEntryMilli, triggerMemo: memo, stateChanged: true })
    await notify(tx, {
      userId: current.userId,
      locale: asLocale(row.user.locale),
      type: 'MONITOR_EXPIRED',
      params: { code: current.code, name: current.name, until: current.validUntilDay ?? '' },
      stockId: current.id,
      dedupeKey: `expired:${current.id}:${current.episode}`,
    })
  })
}
