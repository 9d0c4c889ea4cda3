// Staged exits in the stock form (issue 14): the live preview of the tranche sizes, and a saved
// monitor's staged exits survive the round trip view → form values → schema (editing keeps them).
import { describe, expect, it } from 'vitest'
import { stockInputSchema } from '@/lib/schemas/stock'
import { previewTranches } from '@/app/(app)/stocks/_components/staged-exits-fields'
import { EMPTY_FORM, type FormState } from '@/app/(app)/stocks/_components/stock-form'
import { formStateOf } from '@/app/(app)/stocks/_components/form-state'
import type { StockView } from '@/lib/services/views/stock-view'

const form = (over: Partial<FormState>, quant: Record<string, string | boolean> = {}): FormState => ({
  ...EMPTY_FORM,
  code: '600000',
  name: 'TEST',
  entryLow: '9.00',
  entryHigh: '9.10',
  takeProfit: '9.30',
  stopLoss: '8.50',
  ...over,
  quant: { ...EMPTY_FORM.quant, ...quant },
})

describe('staged exits form', () => {
  it('preview: whole lots per tranche, the rest for the stops; the entry shares when fixed', () => {
    expect(previewTranches(form({ takeProfit2SharePct: '30', takeProfit3SharePct: '30' }, { exitQtyMode: 'PCT', exitPct: '30' }))).toEqual({ base: 1000, slices: [300, 300, 300], rest: 100 })
    expect(previewTranches(form({ takeProfit2SharePct: '50' }, { exitQtyMode: 'PCT', exitPct: '50', entryQtyMode: 'SHARES', entryQty: '1050' }))).toEqual({ base: 1050, slices: [500, 550], rest: 0 })
    expect(previewTranches(form({}, { exitQtyMode: 'PCT', exitPct: '' }))).toBeNull()
    expect(previewTranches(form({}))).toEqual({ base: 1000, slices: [1000], rest: 0 })
  })

  it('a saved monitor with tranches and breakeven edits back to the same columns', () => {
    const values = form({ takeProfit2: '9.50', takeProfit2SharePct: '30', takeProfit3Pct: '8', takeProfit3SharePct: '25', breakevenStop: true, breakevenGainPct: '3' }, { exitQtyMode: 'PCT', exitPct: '30' })
    const parsed = stockInputSchema.parse(values)
    expect(parsed.stagedExits).toEqual({ takeProfit2Milli: 9_500, takeProfit2Bp: null, takeProfit2ShareBp: 3000, takeProfit3Milli: 9_830, takeProfit3Bp: 800, takeProfit3ShareBp: 2500 })
    // The view of that row (what the edit page starts from).
    const view = {
      code: '600000.SH',
      name: 'TEST',
      entryLow: 9,
      entryHigh: 9.1,
      takeProfit: 9.3,
      stopLoss: 8.5,
      takeProfitPct: null,
      stopLossPct: null,
      trailingStopPct: null,
      validUntil: null,
      validTradingDays: null,
      entryWindowStart: null,
      entryWindowEnd: null,
      enabled: true,
      notes: null,
      brokerAccountId: null,
      quant: { ...stockInputSchema.parse(values).quant, entryQty: 0, exitQtyMode: 'PCT', exitQty: 3000, minTradeAmount: 5000 },
      exits: { exitQtyMode: 'PCT', exitQty: 3000, tranches: [{ level: 9.5, pct: null, share: 0.3 }, { level: 9.83, pct: 0.08, share: 0.25 }], tranchesDone: 0, baseQty: null, breakevenStop: true, breakevenGainPct: 0.03, breakevenLevel: null, breakevenAt: null },
    } as unknown as StockView
    const again = stockInputSchema.parse(formStateOf(view))
    expect(again.stagedExits).toEqual(parsed.stagedExits)
    expect(again.quant).toMatchObject({ exitQtyMode: 'PCT', exitPct: 0.3 })
    expect(again).toMatchObject({ breakevenStop: true, breakevenGainPct: 0.03 })
  })
})

describe('replay settings', () => {
  it('the replay trades the take-profit with the monitor exit quantity', async () => {
    const { replaySettingsOf } = await import('@/lib/services/views/replay-settings')
    const { quantConfigSchema } = await import('@/lib/schemas/stock')
    const rel = { takeProfitPct: null, stopLossPct: null }
    expect(replaySettingsOf(quantConfigSchema.parse({ exitQtyMode: 'PCT', exitPct: '30' }), rel).exitMode).toEqual({ kind: 'PCT', bp: 3000 })
    expect(replaySettingsOf(quantConfigSchema.parse({ exitQtyMode: 'SHARES', exitShares: '500' }), rel).exitMode).toEqual({ kind: 'SHARES', shares: 500 })
    expect(replaySettingsOf(quantConfigSchema.parse({}), rel).exitMode).toEqual({ kind: 'ALL' })
  })
})
