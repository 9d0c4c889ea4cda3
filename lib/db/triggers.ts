/**
 * Trigger events: one per (stock, kind, episode) — the idempotency key of the whole system.
 * A trigger first recorded as DEFERRED (T+1) or NOTIFIED (notify-only) may later be claimed once
 * for an order; any other existing trigger means the signal was already acted on.
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

const CLAIMABLE: TriggerOutcomeValue[] = ['DEFERRED', 'NOTIFIED']

/** For an order: creates the trigger, or claims a deferred/notified one. null = already acted on. */
export async function claimTriggerForOrder(tx: Tx, data: TriggerData) {
  const key = { stockId_kind_episode: { stockId: data.stockId, kind: data.kind, episode: data.episode } }
  const existing = await tx.triggerEvent.findUnique({ where: key })
  if (!existing) return tx.triggerEvent.create({ data: { ...data, outcome: 'PENDING' } })
  const claimed = await tx.triggerEvent.updateMany({
    where: { id: existing.id, outcome: { in: CLAIMABLE } },
    data: { outcome: 'PENDING', priceMilli: data.priceMilli, levelMilli: data.levelMilli, quoteTime: data.quoteTime, autoTrade: data.autoTrade, fencingToken: data.fencingToken },
  })
  return claimed.count === 1 ? tx.triggerEvent.findUnique({ where: { id: existing.id } }) : null
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
