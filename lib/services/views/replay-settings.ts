/**
 * The monitor's quant settings as the replay engine takes them: the same mapping the worker applies
 * to a stored monitor (lib/services/trading/monitor-input.ts toMonitorInput for the trigger options,
 * signals.ts pricingFor / entryModeOf and the sizing caps for orders, shapes.ts tradedLevelsMilli for
 * relative levels). Views may not import trading's write paths (lint rule), so this pure adapter
 * restates the mapping from the form's values (the quant schema's output: percentages as fractions);
 * tests/web/replay-settings.test.ts checks it against toMonitorInput and pricingFor on a stored row.
 * Values are rounded to what the database stores (basis points) so a replay of the form before
 * saving equals a replay of the saved monitor.
 */
import type { EntryQuantityMode, ExitQuantityMode, PricingSpec, RelativeLevels, TriggerKind, TriggerOptions } from '@/lib/market'
import type { z } from 'zod'
import type { quantConfigSchema } from '@/lib/schemas/stock'

export type QuantValues = z.output<typeof quantConfigSchema>

export interface ReplaySettings {
  options: Partial<TriggerOptions>
  pricing: Record<TriggerKind, PricingSpec>
  maxPositionPct: number
  minTradeAmount: number
  entryMode: EntryQuantityMode
  /** The take-profit's exit quantity (monitor-input exitModeOf): all, bp of the position or shares. */
  exitMode: ExitQuantityMode
  autoStopLoss: boolean
  autoTakeProfit: boolean
  unfilledTimeoutSec: number
  relative: RelativeLevels
}

const bp = (fraction: number) => Math.round(fraction * 10_000)

export function replaySettingsOf(q: QuantValues, rel: { takeProfitPct: number | null; stopLossPct: number | null }): ReplaySettings {
  return {
    // toMonitorInput: options (maxQuoteAgeSec is the replay's own; allowAuctions has no effect on a replay, which ignores sessions).
    options: {
      allowAuctions: q.allowAuctions,
      antiSpikeCount: q.antiSpikeCount,
      hysteresisPct: bp(q.hysteresisPct) / 10_000,
      renotifyCooldownSec: q.renotifyCooldownSec,
    },
    // pricingFor: entry, take-profit (exit), stop-loss and trailing stop (stop-loss pricing).
    pricing: {
      ENTRY: { mode: q.entryPriceMode, offsetTicks: q.entryOffsetTicks },
      TAKE_PROFIT: { mode: q.exitPriceMode, offsetTicks: q.exitOffsetTicks },
      STOP_LOSS: { mode: q.stopLossPriceMode, offsetTicks: q.stopLossOffsetTicks },
      TRAILING_STOP: { mode: q.stopLossPriceMode, offsetTicks: q.stopLossOffsetTicks },
    },
    maxPositionPct: bp(q.maxPositionPct) / 10_000,
    minTradeAmount: q.minTradeAmount,
    // entryModeOf
    entryMode: q.entryQtyMode === 'AMOUNT' && q.entryQty > 0 ? { kind: 'AMOUNT', yuan: q.entryQty } : q.entryQtyMode === 'SHARES' && q.entryQty > 0 ? { kind: 'SHARES', shares: q.entryQty } : { kind: 'PCT_ASSETS' },
    // exitModeOf (stored as bp of the position or shares)
    exitMode: q.exitQtyMode === 'PCT' && q.exitPct != null && bp(q.exitPct) > 0 ? { kind: 'PCT', bp: bp(q.exitPct) } : q.exitQtyMode === 'SHARES' && q.exitShares != null && q.exitShares > 0 ? { kind: 'SHARES', shares: q.exitShares } : { kind: 'ALL' },
    autoStopLoss: q.autoStopLoss,
    autoTakeProfit: q.autoTakeProfit,
    unfilledTimeoutSec: q.unfilledTimeoutSec,
    relative: { takeProfitBp: rel.takeProfitPct === null ? null : bp(rel.takeProfitPct), stopLossBp: rel.stopLossPct === null ? null : bp(rel.stopLossPct) },
  }
}
