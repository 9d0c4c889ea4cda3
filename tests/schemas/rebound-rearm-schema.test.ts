// Stock schema (issue 14): the rebound entry's size typed as percent (stored as a fraction) or
// ticks — exactly one when REBOUND, with field-level errors — and the re-arm policy's cooldown.
import { describe, expect, it } from 'vitest'
import { stockInputSchema } from '@/lib/schemas/stock'

const base = { code: '600000', name: '浦发银行', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50' }
const messages = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]))

describe('rebound entry and re-arm policy fields', () => {
  it('defaults: zone entry, stay closed', () => {
    const s = stockInputSchema.parse(base)
    expect(s).toMatchObject({ entryTrigger: 'ZONE', reboundPct: null, reboundTicks: null, rearmPolicy: 'CLOSE', rearmCooldownMin: null })
  })

  it('rebound as percent (1.5 means 1.5 %) or as ticks', () => {
    expect(stockInputSchema.parse({ ...base, entryTrigger: 'REBOUND', reboundPct: '1.5' })).toMatchObject({ entryTrigger: 'REBOUND', reboundPct: 0.015, reboundTicks: null })
    expect(stockInputSchema.parse({ ...base, entryTrigger: 'REBOUND', reboundPct: '', reboundTicks: '3' })).toMatchObject({ reboundPct: null, reboundTicks: 3 })
  })

  it('exactly one of percent / ticks when REBOUND, on the field', () => {
    expect(messages(stockInputSchema.safeParse({ ...base, entryTrigger: 'REBOUND', reboundPct: '1', reboundTicks: '3' }))).toEqual({ reboundTicks: 'rebound.oneOf' })
    expect(messages(stockInputSchema.safeParse({ ...base, entryTrigger: 'REBOUND' }))).toEqual({ reboundPct: 'rebound.required' })
    expect(messages(stockInputSchema.safeParse({ ...base, entryTrigger: 'REBOUND', reboundPct: '80' }))).toEqual({ reboundPct: 'percent.range' })
    expect(messages(stockInputSchema.safeParse({ ...base, entryTrigger: 'REBOUND', reboundTicks: '0' })).reboundTicks).toBeDefined()
    expect(messages(stockInputSchema.safeParse({ ...base, entryTrigger: 'SOMETIMES' })).entryTrigger).toBeDefined()
    // A zone entry ignores leftover rebound fields (they are not stored).
    expect(stockInputSchema.safeParse({ ...base, entryTrigger: 'ZONE', reboundPct: '1', reboundTicks: '3' }).success).toBe(true)
  })

  it('COOLDOWN needs its minutes; NEXT_DAY and CLOSE do not', () => {
    expect(messages(stockInputSchema.safeParse({ ...base, rearmPolicy: 'COOLDOWN' }))).toEqual({ rearmCooldownMin: 'rearm.cooldownRequired' })
    expect(stockInputSchema.parse({ ...base, rearmPolicy: 'COOLDOWN', rearmCooldownMin: '45' })).toMatchObject({ rearmPolicy: 'COOLDOWN', rearmCooldownMin: 45 })
    expect(stockInputSchema.parse({ ...base, rearmPolicy: 'NEXT_DAY' })).toMatchObject({ rearmPolicy: 'NEXT_DAY' })
    expect(messages(stockInputSchema.safeParse({ ...base, rearmPolicy: 'COOLDOWN', rearmCooldownMin: '0' })).rearmCooldownMin).toBeDefined()
    expect(messages(stockInputSchema.safeParse({ ...base, rearmPolicy: 'LOOP' })).rearmPolicy).toBeDefined()
  })
})
