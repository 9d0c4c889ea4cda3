/** Maps a stored monitor (+ the broker position) onto lib/market's MonitorInput. */
import { fromMilli, type MonitorInput, type PositionInfo, type TriggerKind } from '@/lib/market'
import type { MonitorRow } from '@/lib/db/monitors'

export interface TriggerEnv {
  maxQuoteAgeSec: number
  auctions: boolean
}

/**
 * DingPan sells only what it manages: the shares it bought (or that the trader marked as managed),
 * never more than the broker says is held or sellable now (T+1).
 */
export function managedPosition(row: Pick<MonitorRow, 'positionQty'>, broker: { volume: number; canUseVolume: number } | null | undefined): PositionInfo | null {
  if (!broker) return null
  return { volume: Math.min(row.positionQty, broker.volume), canUseVolume: Math.min(row.positionQty, broker.canUseVolume) }
}

/**
 * Whether the monitor lets DingPan place an order of this kind by itself — the rule evaluate()
 * applies when a signal fires, asked again when an intent is sent or re-priced later.
 */
export function autoOrders(q: Pick<NonNullable<MonitorRow['quantConfig']>, 'autoTrade' | 'autoStopLoss' | 'autoTakeProfit'> | null | undefined, kind: TriggerKind): boolean {
  if (!q?.autoTrade) return false
  if (kind === 'ENTRY') return true
  return kind === 'TAKE_PROFIT' ? q.autoTakeProfit : q.autoStopLoss
}

export function toMonitorInput(row: MonitorRow, position: PositionInfo | null, env: TriggerEnv): MonitorInput {
  const q = row.quantConfig
  return {
    code: row.code,
    enabled: row.enabled,
    state: row.state,
    episode: row.episode,
    entryLow: fromMilli(row.entryLowMilli),
    entryHigh: fromMilli(row.entryHighMilli),
    takeProfit: fromMilli(row.takeProfitMilli),
    stopLoss: fromMilli(row.stopLossMilli),
    trailingStopPct: row.trailingStopBp == null ? null : row.trailingStopBp / 10_000,
    autoTrade: q?.autoTrade ?? false,
    autoStopLoss: q?.autoStopLoss ?? true,
    autoTakeProfit: q?.autoTakeProfit ?? true,
    highestSinceEntry: row.highestSinceEntryMilli == null ? null : fromMilli(row.highestSinceEntryMilli),
    position,
    memo: (row.triggerMemo as MonitorInput['memo']) ?? null,
    options: {
      allowAuctions: env.auctions || (q?.allowAuctions ?? false),
      antiSpikeCount: q?.antiSpikeCount ?? 1,
      hysteresisPct: (q?.hysteresisBp ?? 50) / 10_000,
      renotifyCooldownSec: q?.renotifyCooldownSec ?? 600,
      maxQuoteAgeSec: env.maxQuoteAgeSec,
    },
  }
}
