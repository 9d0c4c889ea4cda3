/**
 * The re-arm policy applied by the worker (issue 14; the decision is lib/market rearm-policy.ts): a
 * monitor CLOSED by a completed exit (EXIT_FILLED) watches again — WATCHING, episode + 1 — after its
 * cooldown (COOLDOWN) or on the next trading day (NEXT_DAY), in one transaction with a
 * MONITOR_REARMED notification (one per episode) and an audit entry. Never an archived, disabled or
 * expired monitor, nor while the kill switch (global, or the monitor's account's) is on. The write
 * is conditional on the row being as loaded (version, state CLOSED, episode), so two workers never
 * re-arm it twice; the daily automatic re-arm budget bounds how often a whipsaw can re-arm.
 */
import { decideRearm, isExpired, normalizeMemo, policyRearm, type RearmDecision } from '@/lib/market'
import { writeTx } from '@/lib/db/tx'
import { assertLease } from '@/lib/db/lease'
import { getDb } from '@/lib/db/client'
import { writeAudit } from '@/lib/db/audit'
import { loadMonitor, type MonitorRow } from '@/lib/db/monitors'
import { asLocale } from '@/lib/i18n/config'
import { notify } from '../notifications'
import { StaleMonitorError, type LeaseIdentity } from './signals'
import { validityOf } from './validity'

type RearmRow = Pick<MonitorRow, 'enabled' | 'archivedAt' | 'state' | 'rearmPolicy' | 'rearmCooldownMin' | 'triggerMemo' | 'stateChangedAt' | 'validUntilDay' | 'entryWindowStartMin' | 'entryWindowEndMin'>

/** Whether the policy re-arms this monitor now (kill switch: global or the account's). */
export function rearmDecision(row: RearmRow, now: Date, killSwitchOn: boolean, maxPerDay?: number): RearmDecision {
  if (row.state !== 'CLOSED' || !row.enabled || row.archivedAt) return { action: 'never', code: 'REARM_NOT_CLOSED', message: '', messageEn: '' }
  if (row.rearmPolicy !== 'COOLDOWN' && row.rearmPolicy !== 'NEXT_DAY') return { action: 'never', code: 'REARM_POLICY_CLOSE', message: '', messageEn: '' }
  if (isExpired(validityOf(row), now)) return { action: 'never', code: 'expired', message: '', messageEn: '' }
  if (killSwitchOn) return { action: 'wait', code: 'KILL_SWITCH', message: '总开关已关闭交易', messageEn: 'the kill switch is on' }
  const memo = normalizeMemo(row.triggerMemo as never)
  const at = memo.closedReason?.at
  const closedAt = at && Number.isFinite(Date.parse(at)) ? new Date(at) : row.stateChangedAt
  return decideRearm({
    policy: row.rearmPolicy,
    cooldownMin: row.rearmCooldownMin,
    closedReasonCode: memo.closedReason?.code,
    closedAt,
    now,
    autoRearms: memo.autoRearms,
    maxPerDay: maxPerDay ?? 2,
  })
}

/** Re-arms the monitor by its policy, once: state, notification and audit in one transaction. */
export async function policyRearmMonitor(lease: LeaseIdentity, row: MonitorRow, now: Date, killSwitchOn: boolean): Promise<boolean> {
  return writeTx(getDb(), async (tx) => {
    await assertLease(tx, lease.leaseName, lease.holderId, lease.fencingToken)
    const current = await loadMonitor(tx, row.id)
    if (!current || current.version !== row.version || current.state !== 'CLOSED' || current.episode !== row.episode) throw new StaleMonitorError(row.id)
    if (rearmDecision(current, now, killSwitchOn).action !== 'rearm') return false
    const r = policyRearm({ state: current.state, episode: current.episode, highestSinceEntry: null, memo: normalizeMemo(current.triggerMemo as never) }, now)
    if ('ok' in r) return false
    // Conditional on the row as read: a second worker (or a user edit) meanwhile makes this a no-op.
    const res = await tx.monitoredStock.updateMany({
      where: { id: current.id, version: current.version, state: 'CLOSED', episode: current.episode },
      data: { state: r.state, episode: r.episode, highestSinceEntryMilli: null, triggerMemo: r.memo as object, stateChangedAt: new Date() },
    })
    if (res.count !== 1) throw new StaleMonitorError(row.id)
    await writeAudit(tx, {
      actor: 'worker',
      action: 'stock.policyRearm',
      entity: 'MonitoredStock',
      entityId: current.id,
      before: { state: current.state, episode: current.episode, closedReason: normalizeMemo(current.triggerMemo as never).closedReason ?? null },
      after: { state: r.state, episode: r.episode, policy: current.rearmPolicy, cooldownMin: current.rearmCooldownMin, reason: r.reason.code, at: now.toISOString() },
    })
    await notify(tx, {
      userId: current.userId,
      locale: asLocale(row.user.locale),
      at: now,
      type: 'MONITOR_REARMED',
      params: { code: current.code, name: current.name, episode: r.episode },
      stockId: current.id,
      dedupeKey: `rearmed:${current.id}:${r.episode}`,
    })
    return true
  })
}
