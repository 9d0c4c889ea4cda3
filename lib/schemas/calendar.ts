/**
 * Settings → trading calendar: the import form (pasted notice lines or an ICS / one-date-per-line
 * file) and the removal of one admin entry. Shared by the form, the API and the service.
 */
import { z } from 'zod'
import { boolField, dayField, intField } from './fields'

export const CALENDAR_IMPORT_MAX_CHARS = 200_000

export const calendarYearField = intField(2000, 2100)

export const calendarImportSchema = z.object({
  year: calendarYearField,
  text: z
    .string({ message: 'calendar.textRequired' })
    .max(CALENDAR_IMPORT_MAX_CHARS, { message: 'text.tooLong' })
    .refine((s) => s.trim() !== '', { message: 'calendar.textRequired' }),
  source: z
    .string({ message: 'calendar.sourceRequired' })
    .trim()
    .min(1, { message: 'calendar.sourceRequired' })
    .max(300, { message: 'text.tooLong' }),
  complete: boolField.default(false),
})
export type CalendarImportInput = z.input<typeof calendarImportSchema>

/** Preview needs no source: it only reads the lines. */
export const calendarPreviewSchema = calendarImportSchema.pick({ year: true, text: true })

export const calendarYearQuerySchema = z.object({ year: calendarYearField })

export const calendarDeleteSchema = z.union([z.object({ date: dayField }), z.object({ year: calendarYearField, unmarkComplete: z.literal(true) })])
