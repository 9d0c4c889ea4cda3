/**
 * Queries of the P&L view and of the export: a range of Asia/Shanghai days (inclusive), checked in
 * order and at most 366 days long for exports, with field-level messages (i18n keys under `errors`).
 */
import { z } from 'zod'
import { dayField, intField } from './fields'

const MS_DAY = 86_400_000
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / MS_DAY)

export const pnlQuerySchema = z
  .object({
    from: dayField.optional(),
    to: dayField.optional(),
    stockId: intField(1, 2_147_483_647).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'date.rangeOrder' })
  })

export type PnlQuery = z.output<typeof pnlQuerySchema>

export const EXPORT_KINDS = ['orders', 'fills', 'notifications', 'pnl'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]
export const EXPORT_MAX_DAYS = 366

export const exportQuerySchema = z
  .object({
    kind: z.enum(EXPORT_KINDS, { message: 'enum.invalid' }),
    format: z.enum(['csv', 'json'], { message: 'enum.invalid' }).default('csv'),
    from: dayField,
    to: dayField,
  })
  .superRefine((q, ctx) => {
    if (q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'date.rangeOrder' })
    else if (daysBetween(q.from, q.to) >= EXPORT_MAX_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: 'date.rangeTooLong', params: { max: EXPORT_MAX_DAYS } })
  })

export type ExportQuery = z.output<typeof exportQuerySchema>
