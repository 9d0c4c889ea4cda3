/** Maps a stored monitor (+ the broker position) onto lib/market's MonitorInput. */
import { fromMilli, legalExitQuantity, takeProfitFromCostMilli, type ExitPlanConfig, type ExitQuantityMode, type FeeRates, type MonitorInput, type PositionInfo, type TrancheSpec, type TriggerKind } from '@/lib/market'
import type { MonitorRow } from '@/lib/db/monitors'
import { effectiveState, tradedLevelsMilli } from './shapes'

export interface TriggerEnv {
  maxQuoteAgeSec: number
  auctions: boolean
  /** The account's fee rates (the breakeven stop covers the fees of both sides). */
  fees?: Partial<FeeRates>
}

/** The take-profit's exit quantity (issue 14): all (default), bp of the position, or shares. */
export function exitModeOf(q: Pick<NonNullable<MonitorRow['quantConfig']>, 'exitQtyMode' | 'exitQty'> | null | undefined): ExitQuantityMode {
  if (q?.exitQtyMode === 'PCT' && q.exitQty > 0) return { kind: 'PCT', bp: q.exitQty }
  if (q?.exitQtyMode === 'SHARES' && q.exitQty > 0) return { kind: 'SHARES', shares: q.exitQty }
  return { kind: 'ALL' }
}

/**
 * Staged exits, the take-profit's exit quantity and the breakeven stop as lib/market's
 * ExitPlanConfig; undefined when none is set (one take-profit selling everything, as before).
 * Tranche 1 is the take-profit (its level as traded, its quantity the exit quantity mode); tranches
 * 2 and 3 an absolute level or +bp of cost (before a fill: of the entry zone's high), and a share bp.
 */
export function exitPlanOf(row: MonitorRow, takeProfitMilli: number, costMilli: number | null, fees?: Partial<FeeRates>): ExitPlanConfig | undefined {
  const first = exitModeOf(row.quantConfig)
  const base = costMilli ?? row.entryHighMilli
  const more: TrancheSpec[] = []
  for (const [milli, bp, share] of [
    [row.takeProfit2Milli, row.takeProfit2Bp, row.takeProfit2ShareBp],
    [row.takeProfit3Milli, row.takeProfit3Bp, row.takeProfit3ShareBp],
  ] as const) {
    if (share == null || share <= 0) break
    const level = bp != null && base > 0 ? takeProfitFromCostMilli(row.code, base, bp) : milli
    if (level == null) break
    more.push({ levelMilli: level, qty: { kind: 'PCT', bp: share } })
  }
  if (first.kind === 'ALL' && more.length === 0 && !row.breakevenStop) return undefined
  return {
    tranches: [{ levelMilli: takeProfitMilli, qty: first }, ...(first.kind === 'ALL' ? [] : more)],
    breakeven: row.breakevenStop ? { gainBp: row.breakevenGainBp ?? null } : null,
    costMilli,
    ...(fees ? { fees } : {}),
  }
}

/**
 * DingPan sells only what it manages: the shares it bought (or that the trader marked as managed),
 * never more than the broker says is held or sellable now (T+1), and only a quantity the exchange
 * accepts: an odd-lot remainder goes out whole when it is all the broker can sell, otherwise only
 * its whole lots (lib/market legalExitQuantity) — never a sell that would be refused again and again.
 */
export function managedPosition(row: Pick<MonitorRow, 'positionQty' | 'code'>, broker: { volume: number; canUseVolume: number } | null | undefined): PositionInfo | null {
  if (!broker) return null
  return { volume: Math.min(row.positionQty, broker.volume), canUseVolume: legalExitQuantity(row.code, row.positionQty, broker.canUseVolume) }
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
  const levels = tradedLevelsMilli(row)
  const st = effectiveState(row)
  const held = st === 'HOLDING' || st === 'EXIT_PENDING'
  const exits = exitPlanOf(row, levels.takeProfitMilli, held ? (row.entryCostMilli ?? row.positionCostMilli ?? null) : null, env.fees)
  return {
    code: row.code,
    enabled: row.enabled,
    state: row.state,
    episode: row.episode,
    entryLow: fromMilli(row.entryLowMilli),
    entryHigh: fromMilli(row.entryHighMilli),
    takeProfit: fromMilli(levels.takeProfitMilli),
    stopLoss: fromMilli(levels.stopLossMilli),
    trailingStopPct: row.trailingStopBp == null ? null : row.trailingStopBp / 10_000,
    autoTrade: q?.autoTrade ?? false,
    autoStopLoss: q?.autoStopLoss ?? true,
    autoTakeProfit: q?.autoTakeProfit ?? true,
    exitsPausedByUser: row.exitsPausedAt != null,
    highestSinceEntry: row.highestSinceEntryMilli == null ? null : fromMilli(row.highestSinceEntryMilli),
    entryTrigger: row.entryTrigger === 'REBOUND' ? 'REBOUND' : 'ZONE',
    reboundPct: row.reboundBp == null ? null : row.reboundBp / 10_000,
    reboundTicks: row.reboundTicks,
    position,
    memo: (row.triggerMemo as MonitorInput['memo']) ?? null,
    options: {
      allowAuctions: env.auctions || (q?.allowAuctions ?? false),
      antiSpikeCount: q?.antiSpikeCount ?? 1,
      hysteresisPct: (q?.hysteresisBp ?? 50) / 10_000,
      renotifyCooldownSec: q?.renotifyCooldownSec ?? 600,
      maxQuoteAgeSec: env.maxQuoteAgeSec,
    },
    ...(exits ? { exits } : {}),
  }
}
