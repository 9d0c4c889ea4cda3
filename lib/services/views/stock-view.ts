/** What the browser sees of a monitored stock: prices in yuan, ratios as fractions, no internals. */
import { formatWindowTime, fromMilli, normalizeMemo, takeProfitFromCostMilli } from '@/lib/market'
import type { StockRow } from '@/lib/db/stocks'
import { tradedLevelsMilli } from '@/lib/services/trading/shapes'

/** Why a monitor is CLOSED (or paused while closed): the final state always names its reason. */
export function closedReasonOf(row: Pick<StockRow, 'state' | 'triggerMemo'>): { code: string; message: string; messageEn: string } | null {
  const memo = normalizeMemo(row.triggerMemo)
  const closed = row.state === 'CLOSED' || (row.state === 'PAUSED' && memo.pausedFrom === 'CLOSED')
  return closed ? (memo.closedReason ?? null) : null
}

export function toStockView(row: StockRow) {
  const q = row.quantConfig
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    /** The broker account the monitor trades on (issue 13). */
    brokerAccountId: row.brokerAccountId,
    entryLow: fromMilli(row.entryLowMilli),
    entryHigh: fromMilli(row.entryHighMilli),
    // The levels traded on: a level relative to cost resolved against the cost once held.
    takeProfit: fromMilli(tradedLevelsMilli(row).takeProfitMilli),
    stopLoss: fromMilli(tradedLevelsMilli(row).stopLossMilli),
    trailingStopPct: row.trailingStopBp == null ? null : row.trailingStopBp / 10_000,
    /** Take-profit / stop-loss as a fraction of cost (+x / -y), null when absolute. */
    takeProfitPct: row.takeProfitBp == null ? null : row.takeProfitBp / 10_000,
    stopLossPct: row.stopLossBp == null ? null : row.stopLossBp / 10_000,
    /** Validity (issue 14): last valid Shanghai day, the trading days it was set from, the daily entry window 'HH:MM'. */
    validUntil: row.validUntilDay,
    validTradingDays: row.validTradingDays,
    entryWindowStart: row.entryWindowStartMin == null ? null : formatWindowTime(row.entryWindowStartMin),
    entryWindowEnd: row.entryWindowEndMin == null ? null : formatWindowTime(row.entryWindowEndMin),
    /** Rebound entry (反弹买入) and the re-arm policy after a completed exit (issue 14); reboundPct a fraction. */
    entryTrigger: (row.entryTrigger === 'REBOUND' ? 'REBOUND' : 'ZONE') as 'ZONE' | 'REBOUND',
    reboundPct: row.reboundBp == null ? null : row.reboundBp / 10_000,
    reboundTicks: row.reboundTicks,
    rearmPolicy: (row.rearmPolicy === 'COOLDOWN' || row.rearmPolicy === 'NEXT_DAY' ? row.rearmPolicy : 'CLOSE') as 'CLOSE' | 'COOLDOWN' | 'NEXT_DAY',
    rearmCooldownMin: row.rearmCooldownMin,
    enabled: row.enabled,
    notes: row.notes,
    state: row.state,
    closedReason: closedReasonOf(row),
    episode: row.episode,
    stateChangedAt: row.stateChangedAt.toISOString(),
    highestSinceEntry: row.highestSinceEntryMilli == null ? null : fromMilli(row.highestSinceEntryMilli),
    positionQty: row.positionQty,
    positionSellableQty: row.positionSellableQty,
    exitsPausedAt: row.exitsPausedAt?.toISOString() ?? null,
    exitsPausedWhy: row.exitsPausedWhy,
    lastSignalKind: row.lastSignalKind,
    lastSignalAt: row.lastSignalAt?.toISOString() ?? null,
    version: row.version,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    quant: q
      ? {
          autoTrade: q.autoTrade,
          maxPositionPct: q.maxPositionBp / 10_000,
          autoStopLoss: q.autoStopLoss,
          autoTakeProfit: q.autoTakeProfit,
          minTradeAmount: q.minTradeAmountYuan,
          entryPriceMode: q.entryPriceMode,
          entryOffsetTicks: q.entryOffsetTicks,
          exitPriceMode: q.exitPriceMode,
          exitOffsetTicks: q.exitOffsetTicks,
          stopLossPriceMode: q.stopLossPriceMode,
          stopLossOffsetTicks: q.stopLossOffsetTicks,
          unfilledTimeoutSec: q.unfilledTimeoutSec,
          maxReprices: q.maxReprices,
          allowAuctions: q.allowAuctions,
          antiSpikeCount: q.antiSpikeCount,
          hysteresisPct: q.hysteresisBp / 10_000,
          renotifyCooldownSec: q.renotifyCooldownSec,
          entryQtyMode: q.entryQtyMode as 'PCT_ASSETS' | 'AMOUNT' | 'SHARES',
          entryQty: q.entryQty,
          exitQtyMode: q.exitQtyMode as 'ALL' | 'PCT' | 'SHARES',
          exitQty: q.exitQty,
        }
      : null,
    exits: exitsViewOf(row),
  }
}

/**
 * Staged exits and the breakeven stop (issue 14) as the browser sees them: the take-profit's exit
 * quantity, tranches 2 and 3 (level in yuan, % of cost when set so, share of the position), the
 * tranches done of the position held, and the breakeven stop (configured; its level once active).
 */
export function exitsViewOf(row: StockRow) {
  const memo = normalizeMemo(row.triggerMemo)
  const held = ['HOLDING', 'EXIT_PENDING'].includes(row.state === 'PAUSED' ? (memo.pausedFrom ?? '') : row.state)
  const tranches: Array<{ level: number | null; pct: number | null; share: number }> = []
  for (const [milli, bp, share] of [
    [row.takeProfit2Milli, row.takeProfit2Bp, row.takeProfit2ShareBp],
    [row.takeProfit3Milli, row.takeProfit3Bp, row.takeProfit3ShareBp],
  ] as const) {
    if (share == null) break
    const cost = held ? (row.entryCostMilli ?? row.positionCostMilli ?? null) : null
    const level = bp != null && cost != null ? takeProfitFromCostMilli(row.code, cost, bp) : milli
    tranches.push({ level: level == null ? null : fromMilli(level), pct: bp == null ? null : bp / 10_000, share: share / 10_000 })
  }
  const ex = held ? (memo.exits ?? null) : null
  return {
    exitQtyMode: (row.quantConfig?.exitQtyMode ?? 'ALL') as 'ALL' | 'PCT' | 'SHARES',
    exitQty: row.quantConfig?.exitQty ?? 0,
    tranches,
    tranchesDone: ex?.done ?? 0,
    baseQty: ex?.baseQty ?? null,
    breakevenStop: row.breakevenStop,
    breakevenGainPct: row.breakevenGainBp == null ? null : row.breakevenGainBp / 10_000,
    breakevenLevel: ex?.breakevenMilli == null ? null : fromMilli(ex.breakevenMilli),
    breakevenAt: ex?.breakevenAt ?? null,
  }
}

export type StockView = ReturnType<typeof toStockView>

/**
 * One row of the stock list: what a list shows (levels, state, the auto-trade switch), not the
 * whole quant configuration — that is on GET /api/stocks/{id}. Keeps a 1,000-stock list small.
 */
export function toStockListItem(row: StockRow) {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    entryLow: fromMilli(row.entryLowMilli),
    entryHigh: fromMilli(row.entryHighMilli),
    // The levels traded on: a level relative to cost resolved against the cost once held.
    takeProfit: fromMilli(tradedLevelsMilli(row).takeProfitMilli),
    stopLoss: fromMilli(tradedLevelsMilli(row).stopLossMilli),
    trailingStopPct: row.trailingStopBp == null ? null : row.trailingStopBp / 10_000,
    /** Take-profit / stop-loss as a fraction of cost (+x / -y), null when absolute. */
    takeProfitPct: row.takeProfitBp == null ? null : row.takeProfitBp / 10_000,
    stopLossPct: row.stopLossBp == null ? null : row.stopLossBp / 10_000,
    enabled: row.enabled,
    state: row.state,
    closedReason: closedReasonOf(row),
    episode: row.episode,
    positionQty: row.positionQty,
    exitsPausedAt: row.exitsPausedAt?.toISOString() ?? null,
    lastSignalKind: row.lastSignalKind,
    lastSignalAt: row.lastSignalAt?.toISOString() ?? null,
    version: row.version,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    quant: { autoTrade: row.quantConfig?.autoTrade ?? false },
  }
}

export type StockListItem = ReturnType<typeof toStockListItem>
