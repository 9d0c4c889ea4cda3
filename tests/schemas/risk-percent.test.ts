/**
 * The total exposure limit is typed as a percentage (80 means 80 %, "80%" accepted) in the settings
 * form and the API; the stored value stays the fraction the worker reads (0.8), so nothing stored
 * changes meaning, and the form shows a stored 0.8 as 80.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { riskFormSchema } from '@/lib/schemas/settings'
import { riskSettingsSchema } from '@/lib/services/runtime/runtime-settings'
import { percentText } from '@/lib/schemas/fields'

const rest = { maxOrderValue: '', maxOrdersPerMinute: 10, maxActiveOrdersPerStock: 1, duplicateWindowSec: 60, maxDailyRealizedLoss: '', maxQuoteAgeSec: 15 }
const exposure = (v: unknown) => riskFormSchema.safeParse({ ...rest, maxExposurePct: v })

describe('maxExposurePct typed as a percentage', () => {
  it('reads 80 as 80 % (0.8 stored) and 0.8 as 0.8 % (0.008 stored)', () => {
    expect(exposure(80).data?.maxExposurePct).toBe(0.8)
    expect(exposure('80').data?.maxExposurePct).toBe(0.8)
    expect(exposure('80%').data?.maxExposurePct).toBe(0.8)
    expect(exposure(' 80 ％').data?.maxExposurePct).toBe(0.8)
    expect(exposure(0.8).data?.maxExposurePct).toBe(0.008)
    expect(exposure('0.8').data?.maxExposurePct).toBe(0.008)
    expect(exposure(100).data?.maxExposurePct).toBe(1)
    // What the form gives is what the stored schema (and so the worker) accepts.
    expect(riskSettingsSchema.parse(exposure('80%').data).maxExposurePct).toBe(0.8)
  })

  it('refuses 0, above 100, finer than 0.01 % and non-numbers with the field-level message', () => {
    const msg = (v: unknown) => exposure(v).error?.issues.find((i) => i.path[0] === 'maxExposurePct')?.message
    expect(msg(0)).toBe('exposure.range')
    expect(msg('120')).toBe('exposure.range')
    expect(msg(-5)).toBe('exposure.range')
    expect(msg('0.001')).toBe('percent.precision')
    expect(msg('abc')).toBe('percent.notNumber')
    expect(msg('')).toBe('percent.notNumber')
  })

  it('the edit form shows the stored fraction as the percentage, which parses back to it', () => {
    expect(percentText(0.8)).toBe('80')
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (bp) => {
        expect(exposure(percentText(bp / 10_000)).data?.maxExposurePct).toBe(bp / 10_000)
      }),
    )
  })
})
