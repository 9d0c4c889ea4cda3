/**
 * The "添加股票监测" schema: one definition for the form, the API and the type.
 * Prices are checked against the code's tick (2 decimals for stocks, 3 for funds) and the
 * level order stop-loss < entry low ≤ entry high < take-profit.
 */
import { z } from 'zod'
import { boardOf, checkManagedQuantity, fromMilli, parseWindowTime, validWindow, MarketRuleError, normalizeCode, stopLossFromCostMilli, takeProfitFromCostMilli, toMilli } from '@/lib/market'
import { boolField, dayField, intField, optionalPercentField, optionalText, percentField, priceField } from './fields'

export const PRICE_MODES = ['TRIGGER_PRICE', 'LATEST_OFFSET', 'BEST_OPPOSITE', 'MARKET'] as const
export const ENTRY_QTY_MODES = ['PCT_ASSETS', 'AMOUNT', 'SHARES'] as const
export const EXIT_QTY_MODES = ['ALL', 'PCT', 'SHARES'] as const
export type PriceModeValue = (typeof PRICE_MODES)[number]

const codeField = z.string().transform((v, ctx) => {
  try {
    return normalizeCode(v)
  } catch (e) {
    ctx.addIssue({
      code: 'custom',
      message: 'code.invalid',
      params: { detail: e instanceof MarketRuleError ? e.message : String(e), detailEn: e instanceof MarketRuleError ? e.messageEn : String(e) },
    })
    return z.NEVER
  }
})

export const quantConfigSchema = z.object({
  autoTrade: boolField.default(false),
  // Percentages are typed as percentages (20 = 20 %) and come out as fractions (0.2).
  maxPositionPct: percentField(100).default(0.2),
  autoStopLoss: boolField.default(true),
  autoTakeProfit: boolField.default(true),
  minTradeAmount: intField(0, 100_000_000).default(5000),
  entryPriceMode: z.enum(PRICE_MODES, { message: 'enum.invalid' }).default('BEST_OPPOSITE'),
  entryOffsetTicks: intField(0, 50).default(0),
  exitPriceMode: z.enum(PRICE_MODES, { message: 'enum.invalid' }).default('BEST_OPPOSITE'),
  exitOffsetTicks: intField(0, 50).default(0),
  stopLossPriceMode: z.enum(PRICE_MODES, { message: 'enum.invalid' }).default('BEST_OPPOSITE'),
  stopLossOffsetTicks: intField(0, 50).default(3),
  unfilledTimeoutSec: intField(10, 3600).default(120),
  maxReprices: intField(0, 5).default(2),
  allowAuctions: boolField.default(false),
  antiSpikeCount: intField(1, 10).default(1),
  hysteresisPct: percentField(20, 'hysteresis.range').default(0.005),
  renotifyCooldownSec: intField(0, 86_400).default(600),
  // Entry quantity (issue 14): % of total assets (maxPositionPct), a fixed amount in yuan, or fixed
  // shares (entryQty is yuan or shares); the amount and the shares stay within the cap and the cash.
  entryQtyMode: z.enum(ENTRY_QTY_MODES, { message: 'enum.invalid' }).default('PCT_ASSETS'),
  entryQty: intField(0, 100_000_000).default(0),
  // Exit quantity of the take-profit (tranche 1) (issue 14): all, a percentage of the position
  // (typed as percent) or shares. Stops always sell everything sellable.
  exitQtyMode: z.enum(EXIT_QTY_MODES, { message: 'enum.invalid' }).default('ALL'),
  exitPct: optionalPercentField(100),
  exitShares: z.preprocess((v) => (v == null || (typeof v === 'string' && v.trim() === '') ? null : v), intField(1, 100_000_000).nullable().optional()).transform((v) => v ?? null),
})

/** A price that may be left empty (a level given relative to cost instead): null when empty. */
const optionalPriceField = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v == null || (typeof v === 'string' && v.trim() === '')) return null
    const r = priceField.safeParse(v)
    if (r.success) return r.data
    for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, params: 'params' in i ? (i.params as Record<string, unknown>) : undefined })
    return z.NEVER
  })

/** Empty input (form field left blank) as null; otherwise the given field. */
const blankAsNull = <T extends z.ZodTypeAny>(field: T) =>
  z.preprocess((v) => (v == null || (typeof v === 'string' && v.trim() === '') ? null : v), field.nullable().optional()).transform((v) => (v ?? null) as z.output<T> | null)

/** A time of day 'HH:MM' (Asia/Shanghai) as minutes since midnight. */
const windowTimeField = z.string().transform((v, ctx) => {
  const min = parseWindowTime(v)
  if (min === null) {
    ctx.addIssue({ code: 'custom', message: 'validity.timeFormat' })
    return z.NEVER
  }
  return min
})

export const stockInputSchema = z
  .object({
    code: codeField,
    name: z.string().trim().min(1, { message: 'name.required' }).max(40, { message: 'text.tooLong' }),
    entryLow: priceField,
    entryHigh: priceField,
    // Take-profit and stop-loss: an absolute price, or a percentage of cost (+x % / -y % of the
    // average fill price, resolved to a tick when the entry fills) — one of the two.
    takeProfit: optionalPriceField,
    stopLoss: optionalPriceField,
    takeProfitPct: optionalPercentField(1000),
    stopLossPct: optionalPercentField(99),
    trailingStopPct: optionalPercentField(100),
    // Staged exits (issue 14): take-profit tranches 2 and 3, each a price or +% of cost, and the share
    // of the position it sells (percent). Tranche 1 is the take-profit with the exit quantity.
    takeProfit2: optionalPriceField,
    takeProfit2Pct: optionalPercentField(1000),
    takeProfit2SharePct: optionalPercentField(100),
    takeProfit3: optionalPriceField,
    takeProfit3Pct: optionalPercentField(1000),
    takeProfit3SharePct: optionalPercentField(100),
    // Breakeven stop (保本): after the first tranche fills, or once the price gained this % over cost.
    breakevenStop: boolField.default(false),
    breakevenGainPct: optionalPercentField(1000),
    // Validity (issue 14): through a day, or for N trading days from the day it is saved; and an
    // optional daily entry window 'HH:MM'–'HH:MM' (Asia/Shanghai) outside which no entry triggers.
    validUntil: blankAsNull(dayField),
    validTradingDays: blankAsNull(intField(1, 250)),
    entryWindowStart: blankAsNull(windowTimeField),
    entryWindowEnd: blankAsNull(windowTimeField),
    // Rebound entry (反弹买入, issue 14): ZONE buys in the zone; REBOUND buys once the price has been in
    // the zone and rebounds reboundPct (percent) or reboundTicks ticks off its low there — one of the two.
    entryTrigger: z.enum(['ZONE', 'REBOUND']).default('ZONE'),
    reboundPct: optionalPercentField(50),
    reboundTicks: blankAsNull(intField(1, 1000)),
    // After a completed exit: CLOSE stays closed; COOLDOWN watches again after rearmCooldownMin
    // minutes; NEXT_DAY on the next trading day.
    rearmPolicy: z.enum(['CLOSE', 'COOLDOWN', 'NEXT_DAY']).default('CLOSE'),
    rearmCooldownMin: blankAsNull(intField(1, 1440)),
    enabled: boolField.default(true),
    notes: optionalText(500),
    // The broker account the monitor trades on (issue 13); absent = the user's default account on
    // create, the monitor's current account on update.
    brokerAccountId: blankAsNull(intField(1, 2_147_483_647)),
    quant: quantConfigSchema.default(quantConfigSchema.parse({})),
  })
  // A missing take-profit / stop-loss (neither a price nor a percentage) is reported together with
  // every other field's error, not only once the rest is valid: `when` runs it despite them.
  .superRefine(
    (s, ctx) => {
      // Runs even when the input is not an object at all (then there is nothing to add).
      if (typeof s !== 'object' || s === null) return
      for (const path of ['takeProfit', 'stopLoss'] as const) {
        if (s[path] === null && s[`${path}Pct`] === null) ctx.addIssue({ code: 'custom', path: [path], message: 'price.required' })
      }
    },
    { when: () => true },
  )
  .transform((s, ctx) => {
    // A relative level resolves provisionally against the entry zone (take-profit from its high,
    // stop-loss from its low): the stored absolute level until the entry fills.
    const both = (abs: { value: number; decimals: number } | null, pct: number | null, path: 'takeProfit' | 'stopLoss') => {
      if (abs !== null && pct !== null) ctx.addIssue({ code: 'custom', path: [`${path}Pct`], message: 'levels.absOrRelative' })
    }
    both(s.takeProfit, s.takeProfitPct, 'takeProfit')
    both(s.stopLoss, s.stopLossPct, 'stopLoss')
    if (s.validUntil !== null && s.validTradingDays !== null) ctx.addIssue({ code: 'custom', path: ['validTradingDays'], message: 'validity.dateOrDays' })
    if (s.quant.entryQtyMode !== 'PCT_ASSETS' && !(s.quant.entryQty > 0)) ctx.addIssue({ code: 'custom', path: ['quant', 'entryQty'], message: 'quantity.required' })
    const stagedExits = stagedExitColumns(s, ctx)
    if (s.entryTrigger === 'REBOUND' && s.reboundPct !== null && s.reboundTicks !== null) ctx.addIssue({ code: 'custom', path: ['reboundTicks'], message: 'rebound.oneOf' })
    if (s.entryTrigger === 'REBOUND' && s.reboundPct === null && s.reboundTicks === null) ctx.addIssue({ code: 'custom', path: ['reboundPct'], message: 'rebound.required' })
    if (s.rearmPolicy === 'COOLDOWN' && s.rearmCooldownMin === null) ctx.addIssue({ code: 'custom', path: ['rearmCooldownMin'], message: 'rearm.cooldownRequired' })
    if (!validWindow(s.entryWindowStart, s.entryWindowEnd)) ctx.addIssue({ code: 'custom', path: [s.entryWindowStart === null ? 'entryWindowStart' : 'entryWindowEnd'], message: 'validity.window' })
    const bp = (p: number) => Math.round(p * 10_000)
    const takeProfit = s.takeProfit ?? { value: s.takeProfitPct === null ? NaN : fromMilli(takeProfitFromCostMilli(s.code, toMilli(s.entryHigh.value), bp(s.takeProfitPct))), decimals: 0 }
    const stopLoss = s.stopLoss ?? { value: s.stopLossPct === null ? NaN : fromMilli(stopLossFromCostMilli(s.code, toMilli(s.entryLow.value), bp(s.stopLossPct))), decimals: 0 }
    return { ...s, takeProfit, stopLoss, stagedExits }
  })
  .superRefine((s, ctx) => {
    if (Number.isNaN(s.takeProfit.value) || Number.isNaN(s.stopLoss.value)) return
    const maxDecimals = boardOf(s.code) === 'FUND' ? 3 : 2
    const prices = ['entryLow', 'entryHigh', 'takeProfit', 'stopLoss'] as const
    let decimalsOk = true
    for (const f of prices) {
      if (s[f].decimals > maxDecimals) {
        decimalsOk = false
        ctx.addIssue({ code: 'custom', path: [f], message: 'price.tooManyDecimals', params: { max: maxDecimals } })
      }
    }
    if (!decimalsOk) return
    if (!(s.stopLoss.value < s.entryLow.value)) {
      ctx.addIssue({ code: 'custom', path: ['stopLoss'], message: 'levels.stopLossBelowEntry' })
    }
    if (!(s.entryLow.value <= s.entryHigh.value)) {
      ctx.addIssue({ code: 'custom', path: ['entryHigh'], message: 'levels.entryOrder' })
    }
    if (!(s.entryHigh.value < s.takeProfit.value)) {
      ctx.addIssue({ code: 'custom', path: ['takeProfit'], message: 'levels.takeProfitAboveEntry' })
    }
  })
  .transform((s) => ({
    ...s,
    entryLow: s.entryLow.value,
    entryHigh: s.entryHigh.value,
    takeProfit: s.takeProfit.value,
    stopLoss: s.stopLoss.value,
  }))

type Tranche = { abs: { value: number; decimals: number } | null; pct: number | null; share: number | null }

/**
 * Staged exits and the exit quantity (issue 14) as columns, with field-level errors: the exit
 * quantity needs its percent or shares; a tranche needs a level (price or % of cost, one of the two)
 * and a share; tranche 3 needs tranche 2; tranches need a partial first exit (not all); the shares
 * together at most 100 %; levels ascending above the take-profit (so above the entry zone). A level
 * as % of cost is compared provisionally against the entry zone's high, like the take-profit.
 */
function stagedExitColumns(
  s: {
    code: string
    entryHigh: { value: number }
    takeProfit: { value: number; decimals: number } | null
    takeProfitPct: number | null
    takeProfit2: Tranche['abs']
    takeProfit2Pct: number | null
    takeProfit2SharePct: number | null
    takeProfit3: Tranche['abs']
    takeProfit3Pct: number | null
    takeProfit3SharePct: number | null
    quant: { exitQtyMode: (typeof EXIT_QTY_MODES)[number]; exitPct: number | null; exitShares: number | null }
  },
  ctx: z.RefinementCtx,
) {
  const q = s.quant
  if (q.exitQtyMode === 'PCT' && q.exitPct === null) ctx.addIssue({ code: 'custom', path: ['quant', 'exitPct'], message: 'exits.quantityRequired' })
  if (q.exitQtyMode === 'SHARES' && q.exitShares === null) ctx.addIssue({ code: 'custom', path: ['quant', 'exitShares'], message: 'exits.quantityRequired' })
  const bp = (p: number) => Math.round(p * 10_000)
  const provisional = (abs: Tranche['abs'], pct: number | null): number | null => {
    if (abs) return toMilli(abs.value)
    if (pct === null) return null
    try {
      return takeProfitFromCostMilli(s.code, toMilli(s.entryHigh.value), bp(pct))
    } catch {
      return null
    }
  }
  const tranches: Tranche[] = [
    { abs: s.takeProfit2, pct: s.takeProfit2Pct, share: s.takeProfit2SharePct },
    { abs: s.takeProfit3, pct: s.takeProfit3Pct, share: s.takeProfit3SharePct },
  ]
  let prevLevel = provisional(s.takeProfit, s.takeProfitPct)
  let shares = q.exitQtyMode === 'PCT' && q.exitPct !== null ? q.exitPct : 0
  const out = { takeProfit2Milli: null as number | null, takeProfit2Bp: null as number | null, takeProfit2ShareBp: null as number | null, takeProfit3Milli: null as number | null, takeProfit3Bp: null as number | null, takeProfit3ShareBp: null as number | null }
  let previousSet = true
  tranches.forEach((t, i) => {
    const n = i + 2
    const set = t.abs !== null || t.pct !== null || t.share !== null
    if (!set) {
      previousSet = false
      return
    }
    const f = (suffix: '' | 'Pct' | 'SharePct') => `takeProfit${n}${suffix}`
    const maxDecimals = boardOf(s.code) === 'FUND' ? 3 : 2
    if (t.abs !== null && t.abs.decimals > maxDecimals) {
      ctx.addIssue({ code: 'custom', path: [f('')], message: 'price.tooManyDecimals', params: { max: maxDecimals } })
      return
    }
    if (!previousSet) ctx.addIssue({ code: 'custom', path: [f('')], message: 'exits.trancheOrder' })
    if (q.exitQtyMode === 'ALL') ctx.addIssue({ code: 'custom', path: ['quant', 'exitQtyMode'], message: 'exits.firstNotAll' })
    if (t.abs !== null && t.pct !== null) ctx.addIssue({ code: 'custom', path: [f('Pct')], message: 'levels.absOrRelative' })
    if (t.abs === null && t.pct === null) ctx.addIssue({ code: 'custom', path: [f('')], message: 'price.required' })
    if (t.share === null) ctx.addIssue({ code: 'custom', path: [f('SharePct')], message: 'exits.quantityRequired' })
    else {
      shares += t.share
      if (shares > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: [f('SharePct')], message: 'exits.sharesOver100' })
    }
    const level = provisional(t.abs, t.pct)
    if (level !== null && prevLevel !== null && !(level > prevLevel)) ctx.addIssue({ code: 'custom', path: [t.abs !== null ? f('') : f('Pct')], message: 'exits.levelsAscending' })
    if (level !== null) prevLevel = level
    if (n === 2) {
      out.takeProfit2Milli = level
      out.takeProfit2Bp = t.abs === null && t.pct !== null ? bp(t.pct) : null
      out.takeProfit2ShareBp = t.share === null ? null : bp(t.share)
    } else {
      out.takeProfit3Milli = level
      out.takeProfit3Bp = t.abs === null && t.pct !== null ? bp(t.pct) : null
      out.takeProfit3ShareBp = t.share === null ? null : bp(t.share)
    }
  })
  return out
}

/** What the form sends (strings allowed). */
export type StockFormValues = z.input<typeof stockInputSchema>
/** What the API and services work with: normalised code, prices in yuan (≤ tick decimals). */
export type StockInput = z.output<typeof stockInputSchema>

export const autoTradeToggleSchema = z.object({ autoTrade: boolField })

/**
 * "Mark as managed" (POST /api/stocks/:id/manage-position and the stock page's dialog): how many
 * of the shares the broker holds DingPan manages; absent = the whole position.
 */
export const manageQuantitySchema = z.object({ quantity: intField(1, 2_147_483_647).optional() })
export type ManageQuantityInput = z.output<typeof manageQuantitySchema>

/**
 * The same schema with the holding known: at most what is held, and whole lots unless it is the
 * whole position (odd shares can only be sold all at once) — lib/market checkManagedQuantity.
 */
export function manageQuantityFor(code: string, held: number) {
  return manageQuantitySchema.superRefine((v, ctx) => {
    const quantity = v.quantity ?? held
    const r = checkManagedQuantity(code, quantity, held)
    if (r.ok) return
    ctx.addIssue({
      code: 'custom',
      path: ['quantity'],
      message: r.code === 'QTY_ABOVE_HELD' ? 'stock.manageQtyAboveHeld' : r.code === 'QTY_NOT_SELLABLE_LOTS' ? 'stock.manageQtyLot' : 'int.notInteger',
      params: { quantity, held, lot: r.lot },
    })
  })
}
