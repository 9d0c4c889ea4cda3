import type { StockView } from '@/lib/services/views/stock-view'
import { formatPrice } from '@/lib/format'
import { EMPTY_FORM, type FormState } from './stock-form'

/** An existing monitor as form values (prices with the code's decimals). */
export function formStateOf(s: StockView): FormState {
  const q = s.quant
  return {
    code: s.code,
    name: s.name,
    entryLow: formatPrice(s.code, s.entryLow),
    entryHigh: formatPrice(s.code, s.entryHigh),
    takeProfit: formatPrice(s.code, s.takeProfit),
    stopLoss: formatPrice(s.code, s.stopLoss),
    trailingStopPct: s.trailingStopPct == null ? '' : String(s.trailingStopPct),
    enabled: s.enabled,
    notes: s.notes ?? '',
    quant: q
      ? {
          autoTrade: q.autoTrade,
          maxPositionPct: String(q.maxPositionPct),
          autoStopLoss: q.autoStopLoss,
          autoTakeProfit: q.autoTakeProfit,
          minTradeAmount: String(q.minTradeAmount),
          entryPriceMode: q.entryPriceMode,
          entryOffsetTicks: String(q.entryOffsetTicks),
          exitPriceMode: q.exitPriceMode,
          exitOffsetTicks: String(q.exitOffsetTicks),
          stopLossPriceMode: q.stopLossPriceMode,
          stopLossOffsetTicks: String(q.stopLossOffsetTicks),
          unfilledTimeoutSec: String(q.unfilledTimeoutSec),
          maxReprices: String(q.maxReprices),
          allowAuctions: q.allowAuctions,
          antiSpikeCount: String(q.antiSpikeCount),
          hysteresisPct: String(q.hysteresisPct),
          renotifyCooldownSec: String(q.renotifyCooldownSec),
        }
      : EMPTY_FORM.quant,
  }
}
