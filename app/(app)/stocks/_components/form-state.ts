import type { StockView } from '@/lib/services/views/stock-view'
import { formatPrice } from '@/lib/format'
import { percentText } from '@/lib/schemas/fields'
import { EMPTY_FORM, type FormState } from './stock-form'

/** An existing monitor as form values (prices with the code's decimals). */
export function formStateOf(s: StockView): FormState {
  const q = s.quant
  return {
    code: s.code,
    name: s.name,
    entryLow: formatPrice(s.code, s.entryLow),
    entryHigh: formatPrice(s.code, s.entryHigh),
    // Stored as fractions, typed as percentages: 0.05 is shown as 5.
    // A level relative to cost is edited as its percentage; its price field stays empty.
    takeProfit: s.takeProfitPct != null ? '' : formatPrice(s.code, s.takeProfit),
    stopLoss: s.stopLossPct != null ? '' : formatPrice(s.code, s.stopLoss),
    takeProfitPct: percentText(s.takeProfitPct),
    stopLossPct: percentText(s.stopLossPct),
    trailingStopPct: percentText(s.trailingStopPct),
    // Staged exits (issue 14): a tranche set as % of cost is edited as its percentage.
    takeProfit2: s.exits.tranches[0] && s.exits.tranches[0].pct == null ? formatPrice(s.code, s.exits.tranches[0].level) : '',
    takeProfit2Pct: percentText(s.exits.tranches[0]?.pct ?? null),
    takeProfit2SharePct: percentText(s.exits.tranches[0]?.share ?? null),
    takeProfit3: s.exits.tranches[1] && s.exits.tranches[1].pct == null ? formatPrice(s.code, s.exits.tranches[1].level) : '',
    takeProfit3Pct: percentText(s.exits.tranches[1]?.pct ?? null),
    takeProfit3SharePct: percentText(s.exits.tranches[1]?.share ?? null),
    breakevenStop: s.exits.breakevenStop,
    breakevenGainPct: percentText(s.exits.breakevenGainPct),
    // Set as N trading days: edited as N (re-saving counts them from the day it is saved again).
    validUntil: s.validTradingDays != null ? '' : (s.validUntil ?? ''),
    validTradingDays: s.validTradingDays == null ? '' : String(s.validTradingDays),
    entryWindowStart: s.entryWindowStart ?? '',
    entryWindowEnd: s.entryWindowEnd ?? '',
    entryTrigger: s.entryTrigger,
    reboundPct: percentText(s.reboundPct),
    reboundTicks: s.reboundTicks == null ? '' : String(s.reboundTicks),
    rearmPolicy: s.rearmPolicy,
    rearmCooldownMin: s.rearmCooldownMin == null ? '' : String(s.rearmCooldownMin),
    enabled: s.enabled,
    notes: s.notes ?? '',
    brokerAccountId: s.brokerAccountId == null ? '' : String(s.brokerAccountId),
    quant: q
      ? {
          autoTrade: q.autoTrade,
          maxPositionPct: percentText(q.maxPositionPct),
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
          hysteresisPct: percentText(q.hysteresisPct),
          renotifyCooldownSec: String(q.renotifyCooldownSec),
          entryQtyMode: q.entryQtyMode,
          entryQty: String(q.entryQty),
          exitQtyMode: q.exitQtyMode,
          exitPct: q.exitQtyMode === 'PCT' ? percentText(q.exitQty / 10_000) : '',
          exitShares: q.exitQtyMode === 'SHARES' ? String(q.exitQty) : '',
        }
      : EMPTY_FORM.quant,
  }
}
