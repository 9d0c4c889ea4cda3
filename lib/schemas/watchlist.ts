/** Watchlist import (text to preview, or edited rows to check / save) and bulk actions on stocks. */
import { z } from 'zod'
import { boolField, intField } from './fields'

const cell = z.union([z.string().max(500, { message: 'text.tooLong' }), z.number(), z.boolean(), z.null()])

export const watchlistImportSchema = z
  .object({
    text: z.string().max(500_000, { message: 'text.tooLong' }).optional(),
    rows: z
      .array(z.object({ line: intField(1, 1_000_000).optional(), values: z.record(z.string().max(40), cell) }))
      .max(2_000, { message: 'import.tooManyRows' })
      .optional(),
    commit: boolField.default(false),
  })
  .superRefine((b, ctx) => {
    if ((b.text === undefined) === (b.rows === undefined)) ctx.addIssue({ code: 'custom', path: ['text'], message: 'import.textOrRows' })
    else if (b.text !== undefined && b.text.trim() === '') ctx.addIssue({ code: 'custom', path: ['text'], message: 'import.textRequired' })
  })

export type WatchlistImportInput = z.output<typeof watchlistImportSchema>

export const BULK_ACTIONS = ['enable', 'disable', 'autoTradeOff', 'archive'] as const
export type BulkAction = (typeof BULK_ACTIONS)[number]

export const stockBulkSchema = z.object({
  ids: z
    .array(intField(1, 2_147_483_647))
    .min(1, { message: 'ids.empty' })
    .max(500, { message: 'ids.tooMany' })
    .transform((ids) => [...new Set(ids)]),
  action: z.enum(BULK_ACTIONS, { message: 'enum.invalid' }),
})
