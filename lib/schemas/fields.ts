/**
 * Reusable zod fields. Messages are i18n keys under the `errors` namespace, translated by the
 * form (client) and by the API (server) with the same dictionary, so both show the same text.
 */
import { z } from 'zod'

/** A price typed by a user: a positive decimal with at most 3 decimals (the code decides 2 or 3). */
export const priceField = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const s = typeof v === 'number' ? String(v) : v.trim()
    if (s === '') {
      ctx.addIssue({ code: 'custom', message: 'price.required' })
      return z.NEVER
    }
    if (!/^\d+(\.\d+)?$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'price.notNumber' })
      return z.NEVER
    }
    const decimals = s.includes('.') ? s.split('.')[1]!.length : 0
    if (decimals > 3) {
      ctx.addIssue({ code: 'custom', message: 'price.tooManyDecimals', params: { max: 3 } })
      return z.NEVER
    }
    const n = Number(s)
    if (!(n > 0)) {
      ctx.addIssue({ code: 'custom', message: 'price.notPositive' })
      return z.NEVER
    }
    if (n > 100_000) {
      ctx.addIssue({ code: 'custom', message: 'price.tooLarge' })
      return z.NEVER
    }
    return { value: n, decimals }
  })

/** A ratio in (0, 1], e.g. 0.2 for 20%, stored in basis points: finer than 0.01 % is refused, not rounded away. */
export const ratioField = z.coerce
  .number({ message: 'ratio.notNumber' })
  .refine((n) => Number.isFinite(n) && n > 0 && n <= 1, { message: 'ratio.range' })
  .refine((n) => Math.abs(n * 10_000 - Math.round(n * 10_000)) < 1e-6, { message: 'ratio.precision' })

/**
 * A percentage typed as a percentage (5 means 5 %, "5%" is accepted too) in (0, max], returned as
 * the stored fraction (0.05). Storage keeps fractions (basis points in the database), so no stored
 * value changes meaning; only the typed unit does. Finer than 0.01 % is refused, not rounded away.
 */
export const percentField = (max: number, rangeMessage = 'percent.range') =>
  z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const s = typeof v === 'number' ? String(v) : v.trim().replace(/\s*[%％]$/, '')
      const n = s === '' ? NaN : Number(s)
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: 'custom', message: 'percent.notNumber' })
        return z.NEVER
      }
      if (!(n > 0 && n <= max)) {
        ctx.addIssue({ code: 'custom', message: rangeMessage, params: { max } })
        return z.NEVER
      }
      if (Math.abs(n * 100 - Math.round(n * 100)) > 1e-6) {
        ctx.addIssue({ code: 'custom', message: 'percent.precision' })
        return z.NEVER
      }
      // A positive value too small to tell from 0 within the precision (1e-9) would be stored as 0 %.
      if (Math.round(n * 100) <= 0) {
        ctx.addIssue({ code: 'custom', message: rangeMessage, params: { max } })
        return z.NEVER
      }
      return Math.round(n * 100) / 10_000
    })

/** The same, optional: empty or null is null (the field's own message otherwise, not a union's). */
export const optionalPercentField = (max: number) =>
  z
    .union([z.string(), z.number(), z.null()])
    .optional()
    .transform((v, ctx) => {
      if (v == null || (typeof v === 'string' && v.trim() === '')) return null
      const r = percentField(max).safeParse(v)
      if (r.success) return r.data
      for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, params: 'params' in i ? (i.params as Record<string, unknown>) : undefined })
      return z.NEVER
    })

/** A stored fraction shown as the percentage the trader types (0.05 → "5"). */
export function percentText(fraction: number | null | undefined): string {
  if (fraction == null || !Number.isFinite(fraction)) return ''
  return String(Math.round(fraction * 1_000_000) / 10_000)
}

export const boolField = z
  .union([z.boolean(), z.enum(['true', 'false', 'on', 'off'])])
  .transform((v) => v === true || v === 'true' || v === 'on')

export const intField = (min: number, max: number) =>
  z.coerce
    .number({ message: 'int.notNumber' })
    .refine((n) => Number.isInteger(n), { message: 'int.notInteger' })
    .refine((n) => n >= min && n <= max, { message: 'int.range', params: { min, max } })

export const optionalText = (max: number) =>
  z
    .string()
    .max(max, { message: 'text.tooLong' })
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()))

/**
 * A calendar day `YYYY-MM-DD` (Asia/Shanghai), a real date (no 2026-02-31) between 1990 and 2100:
 * a year like 0000 would reach the database as a date it cannot store.
 */
export const dayField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'date.invalid' })
  .refine(
    (s) => {
      const [y, m, d] = s.split('-').map(Number) as [number, number, number]
      const date = new Date(Date.UTC(y, m - 1, d))
      return y >= 1990 && y <= 2100 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
    },
    { message: 'date.invalid' },
  )
