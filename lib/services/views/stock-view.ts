/** What the browser sees of a monitored stock: prices in yuan, ratios as fractions, no internals. */
import { fromMilli } from '@/lib/market'
import type { StockRow } from '@/lib/db/stocks'

export function toStockView(row: StockRow) {
  const q = row.quantConfig
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    entryLow: fromMilli(row.entryLowMilli),
    entryHigh: fromMilli(row.entryHighMilli),
    takeProfit: fromMilli(row.takeProfitMilli),
    stopLoss: fromMilli(row.stopLossMilli),
    trailingStopPct: row.trailingStopBp == null ? null : row.trailingStopBp / 10_000,
    enabled: row.enabled,
    notes: row.notes,
    state: row.state,
    episode: row.episode,
    stateChangedAt: row.stateChangedAt.toISOString(),
    highestSinceEntry: row.highestSinceEntryMilli == null ? null : fromMilli(row.highestSinceEntryMilli),
    positionQty: row.positionQty,
    positionSellableQty: row.positionSellableQty,
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
        }
      : null,
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
    takeProfit: fromMilli(row.takeProfitMilli),
    stopLoss: fromMilli(row.stopLossMilli),
    trailingStopPct: row.trailingStopBp == null ? null : row.trailingStopBp / 10_000,
    enabled: row.enabled,
    state: row.state,
    episode: row.episode,
    positionQty: row.positionQty,
    lastSignalKind: row.lastSignalKind,
    lastSignalAt: row.lastSignalAt?.toISOString() ?? null,
    version: row.version,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    quant: { autoTrade: row.quantConfig?.autoTrade ?? false },
  }
}

export type StockListItem = ReturnType<typeof toStockListItem>
