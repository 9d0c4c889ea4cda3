/**
 * The "添加股票监测" schema: one definition for the form, the API and the type.
 * Prices are checked against the code's tick (2 decimals for stocks, 3 for funds) and the
 * level order stop-loss < entry low ≤ entry high < take-profit.
 */
import { z } from 'zod'
import { boardOf, MarketRuleError, normalizeCode } from '@/lib/market'
import { boolField, intField, optionalText, priceField, ratioField } from './fields'

export const PRICE_MODES = ['TRIGGER_PRICE', 'LATEST_OFFSET', 'BEST_OPPOSITE', 'MARKET'] as const
export type PriceModeValue = (typeof PRICE_MODES)[number]

const codeField = z.string().transform((v, ctx) => {
  try {
    return normalizeCode(v)
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      message: 'code.invalid',
      params: { detail: e instanceof MarketRuleError ? e.message : String(e) },
    })
    return z.NEVER
  }
})

export const quantConfigSchema = z.object({
  autoTrade: boolField.default(false),
  maxPositionPct: ratioField.default(0.2),
  autoStopLoss: boolField.default(true),
  autoTakeProfit: boolField.default(true),
  minTradeAmount: intField(0, 100_000_000).default(5000),
  entryPriceMode: z.enum(PRICE_MODES, { message: 'enum.invalid' }).default('BEST_OPPOSITE'),
  entryOffsetTicks: intField(0, 50).default(0),
  exitPriceMode: z.enum(PRICE_MODES, { message: 'enum.invalid' }).default('BEST_OPPOSITE'),
  exitOffsetTicks: intField(0, 50).default(0),
  stopLossPriceMode: z.enum(PRICE_MODES, { message: 'enum.invalid' }).default('BEST_OPPOSITE'),
  stopLossOffsetTicks: intField(0, 50).default(3),
  unfilledTimeoutSec: intField(10, 3600).default(120),
  maxReprices: intField(0, 5).default(2),
  allowAuctions: boolField.default(false),
  antiSpikeCount: intField(1, 10).default(1),
  hysteresisPct: z.coerce
    .number({ message: 'ratio.notNumber' })
    .refine((n) => Number.isFinite(n) && n > 0 && n <= 0.2, { message: 'hysteresis.range' })
    .default(0.005),
  renotifyCooldownSec: intField(0, 86_400).default(600),
})

export const stockInputSchema = z
  .object({
    code: codeField,
    name: z.string().trim().min(1, { message: 'name.required' }).max(40, { message: 'text.tooLong' }),
    entryLow: priceField,
    entryHigh: priceField,
    takeProfit: priceField,
    stopLoss: priceField,
    trailingStopPct: z
      .union([z.literal(''), z.null(), ratioField])
      .optional()
      .transform((v) => (v === '' || v === null || v === undefined ? null : v)),
    enabled: boolField.default(true),
    notes: optionalText(500),
    quant: quantConfigSchema.default(quantConfigSchema.parse({})),
  })
  .superRefine((s, ctx) => {
    const maxDecimals = boardOf(s.code) === 'FUND' ? 3 : 2
    const prices = ['entryLow', 'entryHigh', 'takeProfit', 'stopLoss'] as const
    let decimalsOk = true
    for (const f of prices) {
      if (s[f].decimals > maxDecimals) {
        decimalsOk = false
        ctx.addIssue({ code: 'custom', path: [f], message: 'price.tooManyDecimals', params: { max: maxDecimals } })
      }
    }
    if (!decimalsOk) return
    if (!(s.stopLoss.value < s.entryLow.value)) {
      ctx.addIssue({ code: 'custom', path: ['stopLoss'], message: 'levels.stopLossBelowEntry' })
    }
    if (!(s.entryLow.value <= s.entryHigh.value)) {
      ctx.addIssue({ code: 'custom', path: ['entryHigh'], message: 'levels.entryOrder' })
    }
    if (!(s.entryHigh.value < s.takeProfit.value)) {
      ctx.addIssue({ code: 'custom', path: ['takeProfit'], message: 'levels.takeProfitAboveEntry' })
    }
  })
  .transform((s) => ({
    ...s,
    entryLow: s.entryLow.value,
    entryHigh: s.entryHigh.value,
    takeProfit: s.takeProfit.value,
    stopLoss: s.stopLoss.value,
  }))

/** What the form sends (strings allowed). */
export type StockFormValues = z.input<typeof stockInputSchema>
/** What the API and services work with: normalised code, prices in yuan (≤ tick decimals). */
export type StockInput = z.output<typeof stockInputSchema>

export const autoTradeToggleSchema = z.object({ autoTrade: boolField })
