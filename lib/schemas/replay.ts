/**
 * The replay (回放/试算) request: levels from the form or the stock page, a range (last 20 / 60 / 250
 * trading days or two dates), a bar size, the cash to size entries from, and up to four variants.
 * Levels are optional (a replay of a stop alone is fine); their order and decimals are checked by
 * the service with lib/market's own validation.
 * `source` picks where the bars come from: auto (Tencent, then Eastmoney), one of them only, or
 * 'stored' — DingPan's own 1-minute bars, what the worker saw live (kept about ten days).
 * `quant` carries the monitor's (or the form's) quant settings, parsed by the stock form's own
 * schema, and takeProfitPct / stopLossPct the relative levels: the replay then prices, sizes,
 * filters and times out orders as the worker would for that monitor. Without `quant` the replay
 * uses lib/market's defaults.
 */
import { z } from 'zod'
import { MarketRuleError, normalizeCode } from '@/lib/market'
import { dayField, intField, optionalPercentField, priceField } from './fields'
import { quantConfigSchema } from './stock'

export const REPLAY_RANGES = ['20', '60', '250', 'dates'] as const
export const REPLAY_BARS = ['day', 'm60', 'm30', 'm15', 'm5', 'm1'] as const
export const REPLAY_SOURCES = ['auto', 'tencent', 'eastmoney', 'stored'] as const
export type ReplaySource = (typeof REPLAY_SOURCES)[number]
/**
 * Calendar days DingPan keeps its stored 1-minute bars: the worker's pre-open step prunes older
 * ones (pruneBars(now − 10 days) in lib/services/trading/worker.ts). Replay from stored bars says so.
 */
export const STORED_BAR_DAYS = 10
export type ReplayBarSize = (typeof REPLAY_BARS)[number]
/** Longest date range (calendar days) a replay accepts. */
export const REPLAY_MAX_SPAN_DAYS = 800
export const REPLAY_MAX_VARIANTS = 4

const codeField = z.string().transform((v, ctx) => {
  try {
    return normalizeCode(v)
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: 'code.invalid', params: { detail: e instanceof MarketRuleError ? e.message : String(e), detailEn: e instanceof MarketRuleError ? e.messageEn : String(e) } })
    return z.NEVER
  }
})

const optPrice = z
  .union([z.literal(''), z.null(), priceField])
  .optional()
  .transform((v) => (v && typeof v === 'object' ? v.value : null))
/** The trailing stop typed as a percentage (5 = 5 %), used as a fraction. */
const optRatio = optionalPercentField(100)

const levelFields = { entryLow: optPrice, entryHigh: optPrice, takeProfit: optPrice, stopLoss: optPrice, trailingStopPct: optRatio }

export const replayVariantSchema = z.object({
  label: z.string().trim().min(1, { message: 'replay.labelRequired' }).max(20, { message: 'text.tooLong' }),
  ...levelFields,
})

export const replayRequestSchema = z
  .object({
    code: codeField,
    ...levelFields,
    range: z.enum(REPLAY_RANGES, { message: 'enum.invalid' }).default('60'),
    start: dayField.optional(),
    end: dayField.optional(),
    bar: z.enum(REPLAY_BARS, { message: 'enum.invalid' }).default('day'),
    cash: intField(1000, 100_000_000).default(100_000),
    source: z.enum(REPLAY_SOURCES, { message: 'enum.invalid' }).default('auto'),
    takeProfitPct: optionalPercentField(1000),
    stopLossPct: optionalPercentField(99),
    quant: quantConfigSchema.optional(),
    variants: z.array(replayVariantSchema).max(REPLAY_MAX_VARIANTS, { message: 'replay.tooManyVariants' }).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.range !== 'dates') return
    if (!s.start) ctx.addIssue({ code: 'custom', path: ['start'], message: 'replay.datesRequired' })
    if (!s.end) ctx.addIssue({ code: 'custom', path: ['end'], message: 'replay.datesRequired' })
    if (s.start && s.end) {
      if (s.start > s.end) ctx.addIssue({ code: 'custom', path: ['end'], message: 'replay.datesOrder' })
      else if ((Date.parse(s.end) - Date.parse(s.start)) / 86_400_000 > REPLAY_MAX_SPAN_DAYS) ctx.addIssue({ code: 'custom', path: ['end'], message: 'replay.rangeTooLong', params: { days: REPLAY_MAX_SPAN_DAYS } })
    }
  })

export type ReplayRequest = z.output<typeof replayRequestSchema>
