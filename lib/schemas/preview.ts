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

const lenientBool = z
  .union([z.boolean(), z.string(), z.null()])
  .optional()
  .transform((v) => v === true || v === 'true' || v === 'on')

export const quotePreviewSchema = z.object({
  code: z.string().transform((v, ctx) => {
    try {
      return normalizeCode(v)
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: 'code.invalid', params: { detail: e instanceof MarketRuleError ? e.message : String(e) } })
      return z.NEVER
    }
  }),
  entryLow: lenientNumber,
  entryHigh: lenientNumber,
  takeProfit: lenientNumber,
  stopLoss: lenientNumber,
  trailingStopPct: lenientNumber,
  quant: z
    .object({
      autoTrade: lenientBool,
      maxPositionPct: lenientNumber,
      minTradeAmount: z.union([z.string(), z.number(), z.null()]).optional(),
      entryPriceMode: z.enum(PRICE_MODES).optional().catch(undefined),
      entryOffsetTicks: z.union([z.string(), z.number(), z.null()]).optional(),
    })
    .partial()
    .optional()
    .default({}),
})

export type QuotePreviewInput = z.output<typeof quotePreviewSchema>
