/**
 * Trigger events: one per (stock, kind, episode) — the idempotency key of the whole system.
 * A trigger first recorded as DEFERRED (T+1) or NOTIFIED (notify-only), or refused by the kill
 * switch before any order existed (an exit re-armed in the same episode), may later be claimed for
 * an order; any other existing trigger, or one with an order, means the signal was already acted on.
 */
import type { Tx } from './tx'

export type TriggerKindValue = 'ENTRY' | 'TAKE_PROFIT' | 'STOP_LOSS' | 'TRAILING_STOP'
export type TriggerOutcomeValue = 'PENDING' | 'ORDERED' | 'NOTIFIED' | 'DEFERRED' | 'RISK_REJECTED' | 'KILL_SWITCH' | 'NOT_SIZED' | 'FILLED' | 'FAILED' | 'CANCELLED'

export interface TriggerData {
  stockId: number
  kind: TriggerKindValue
  episode: number
  priceMilli: number
  levelMilli: number
  quoteTime: Date
  autoTrade: boolean
  fencingToken: number
}

const CLAIMABLE: TriggerOutcomeValue[] = ['DEFERRED', 'NOTIFIED', 'KILL_SWITCH']

/**
 * For an order: creates the trigger, or claims a deferred / notified / kill-switch-refused one that
 * has no order. null = already acted on. `claimedFrom`: the outcome it was claimed from (null: new).
 */
export async function claimTriggerForOrder(tx: Tx, data: TriggerData) {
  const key = { stockId_kind_episode: { stockId: data.stockId, kind: data.kind, episode: data.episode } }
  const existing = await tx.triggerEvent.findUnique({ where: key })
  if (!existing) return { ...(await tx.triggerEvent.create({ data: { ...data, outcome: 'PENDING' } })), claimedFrom: null }
  const claimed = await tx.triggerEvent.updateMany({
    // A trigger that ever had an order is never claimed again: its attempts are final.
    where: { id: existing.id, outcome: { in: CLAIMABLE }, orders: { none: {} } },
    data: { outcome: 'PENDING', priceMilli: data.priceMilli, levelMilli: data.levelMilli, quoteTime: data.quoteTime, autoTrade: data.autoTrade, fencingToken: data.fencingToken },
  })
  if (claimed.count !== 1) return null
  const row = await tx.triggerEvent.findUnique({ where: { id: existing.id } })
  return row ? { ...row, claimedFrom: existing.outcome as TriggerOutcomeValue } : null
}

/** For a notification or a deferral: records the trigger once; returns it either way. */
export async function recordTrigger(tx: Tx, data: TriggerData, outcome: 'NOTIFIED' | 'DEFERRED', reason?: string) {
  const key = { stockId_kind_episode: { stockId: data.stockId, kind: data.kind, episode: data.episode } }
  const existing = await tx.triggerEvent.findUnique({ where: key })
  if (existing) return existing
  return tx.triggerEvent.create({ data: { ...data, outcome, reason: reason ?? null } })
}

export async function setTriggerOutcome(tx: Tx, id: number, outcome: TriggerOutcomeValue, reason?: string | null) {
  await tx.triggerEvent.update({ where: { id }, data: { outcome, ...(reason !== undefined ? { reason } : {}) } })
}
