/**
 * The add/edit form's live quote preview. Only the code must be valid; the levels and the quant
 * fields are what the trader is typing, so a half-typed value is simply left out (the form's own
 * schema reports it), never an error here.
 */
import { z } from 'zod'
import { MarketRuleError, normalizeCode } from '@/lib/market'
import { PRICE_MODES } from './stock'

const lenientNumber = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((v) => {
    if (v == null || typeof v === 'boolean') return null
    const s = typeof v === 'number' ? String(v) : v.trim()
    if (s === '' || !/^\d+(\.\d+)?$/.test(s)) return null
    const n = Number(s)
    return Number.isFinite(n) && n > 0 ? n : null
  })

/** A percentage as typed (5 = 5 %), as the fraction the services use; half-typed is null. */
const lenientPercent = lenientNumber.transform((n) => (n == null ? null : Math.round(n * 100) / 10_000))

const lenientBool = z
  .union([z.boolean(), z.string(), z.null()])
  .optional()
  .transform((v) => v === true || v === 'true' || v === 'on')

export const quotePreviewSchema = z.object({
  code: z.string().transform((v, ctx) => {
    try {
      return normalizeCode(v)
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: 'code.invalid', params: { detail: e instanceof MarketRuleError ? e.message : String(e), detailEn: e instanceof MarketRuleError ? e.messageEn : String(e) } })
      return z.NEVER
    }
  }),
  entryLow: lenientNumber,
  entryHigh: lenientNumber,
  takeProfit: lenientNumber,
  stopLoss: lenientNumber,
  trailingStopPct: lenientPercent,
  /** Take-profit / stop-loss as a percentage of cost (used when the price field is empty). */
  takeProfitPct: lenientPercent,
  stopLossPct: lenientPercent,
  /** The account the form has chosen (issue 13): the order is sized against its snapshot; absent = the user's default. */
  brokerAccountId: z
    .union([z.string(), z.number(), z.null()])
    .optional()
    .transform((v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : NaN
      return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null
    }),
  quant: z
    .object({
      autoTrade: lenientBool,
      maxPositionPct: lenientPercent,
      minTradeAmount: z.union([z.string(), z.number(), z.null()]).optional(),
      entryPriceMode: z.enum(PRICE_MODES).optional().catch(undefined),
      entryOffsetTicks: z.union([z.string(), z.number(), z.null()]).optional(),
    })
    .partial()
    .optional()
    .default({}),
})

export type QuotePreviewInput = z.output<typeof quotePreviewSchema>
