/**
 * The settings page's forms. Same ranges as the stored schemas in lib/services/runtime/runtime-settings.ts
 * and broker-config.ts (the services parse with those too, so whatever is stored is what the worker
 * accepts), with messages that are i18n keys for field-level errors.
 */
import { z } from 'zod'
import { boolField, intField, optionalText, percentField } from './fields'

export const QUOTE_PROVIDERS = ['tencent', 'sina', 'eastmoney'] as const

const decimal = (min: number, max: number, exclusiveMin = false) =>
  z.coerce
    .number({ message: 'number.notNumber' })
    .refine((n) => Number.isFinite(n), { message: 'number.notNumber' })
    .refine((n) => (exclusiveMin ? n > min : n >= min) && n <= max, { message: exclusiveMin ? 'number.rangeExclusive' : 'number.range', params: { min, max } })

/** '' or null → null (no cap). */
const optionalMoney = z
  .union([z.literal(''), z.null(), decimal(0, 1_000_000_000)])
  .optional()
  .transform((v) => (v === '' || v === null || v === undefined ? null : v))

export const riskFormSchema = z.object({
  /** Typed as a percentage (80 or "80%" means 80 %), stored as the fraction (0.8) the worker reads. */
  maxExposurePct: percentField(100, 'exposure.range'),
  maxOrderValue: optionalMoney,
  maxOrdersPerMinute: intField(1, 600),
  maxActiveOrdersPerStock: intField(1, 20),
  duplicateWindowSec: intField(0, 3600),
  maxDailyRealizedLoss: optionalMoney,
  maxQuoteAgeSec: intField(1, 3600),
})
export type RiskFormInput = z.input<typeof riskFormSchema>

export const monitorFormSchema = z.object({
  intervalSeconds: intField(1, 3600),
  quoteProviders: z
    .array(z.enum(QUOTE_PROVIDERS, { message: 'enum.invalid' }), { message: 'providers.empty' })
    .min(1, { message: 'providers.empty' })
    .max(3, { message: 'providers.empty' })
    .refine((a) => new Set(a).size === a.length, { message: 'providers.duplicate' }),
})

export const brokerFormSchema = z
  .object({
    mode: z.enum(['paper', 'qmt'], { message: 'enum.invalid' }),
    host: z.string().trim().max(200, { message: 'text.tooLong' }).default(''),
    port: intField(1, 65535).default(8000),
    accountId: z.string().trim().max(64, { message: 'text.tooLong' }).default(''),
    /** Write-only: empty keeps the stored token. */
    token: z.string().trim().max(256, { message: 'text.tooLong' }).optional(),
    timeoutMs: intField(500, 120_000).default(8000),
    /** Change the bridge, account or token although DingPan orders are at the bridge (they become UNKNOWN, still reconciled). */
    confirmWorkingOrders: boolField.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.mode === 'qmt' && !b.host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'host.required' })
    if (b.mode === 'qmt' && b.host && !/^[A-Za-z0-9.\-:[\]]+$/.test(b.host)) ctx.addIssue({ code: 'custom', path: ['host'], message: 'host.invalid' })
  })

export const killSwitchFormSchema = z.object({ on: boolField, reason: optionalText(200) })

/** The admin's "cancel all working orders": the body must say so explicitly. */
export const cancelAllOrdersSchema = z.object({ confirm: z.literal(true, { message: 'order.confirmRequired' }) })
