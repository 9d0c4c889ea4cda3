'use client'
/**
 * The stock form's staged-exit section (issue 14): the take-profit's exit quantity (all, % of the
 * position, shares — stops always sell everything sellable), take-profit tranches 2 and 3 (a price
 * or +% of cost, and the % of the position each sells), the breakeven stop, and a live preview of the
 * tranche sizes (lib/market planTranches: whole lots, odd remainder with the last, small slices merged).
 */
import type { ReactNode } from 'react'
import { useTranslations } from 'next-intl'
import { planTranches, normalizeCode, type ExitQuantityMode, type TrancheSpec } from '@/lib/market'
import { EXIT_QTY_MODES } from '@/lib/schemas/stock'
import type { FormState } from './stock-form'

type TopKey = 'takeProfit2' | 'takeProfit2Pct' | 'takeProfit2SharePct' | 'takeProfit3' | 'takeProfit3Pct' | 'takeProfit3SharePct' | 'breakevenGainPct'

export interface StagedExitsFieldsProps {
  values: FormState
  set: (name: keyof FormState, value: string | boolean) => void
  setQ: (name: 'exitQtyMode' | 'exitPct' | 'exitShares', value: string) => void
  err: (path: string) => ReactNode
  aria: (path: string) => Record<string, unknown>
  inputClass: string
}

const num = (v: unknown): number | null => {
  const s = typeof v === 'string' ? v.trim().replace(/\s*[%％]$/, '') : ''
  const n = s === '' ? NaN : Number(s)
  return Number.isFinite(n) && n > 0 ? n : null
}

/** Tranche sizes for the preview: the entry's fixed shares when set, else 1 000 shares as an example. */
export function previewTranches(values: FormState): { base: number; slices: number[]; rest: number } | null {
  let code: string
  try {
    code = normalizeCode(values.code)
  } catch {
    code = '600000.SH'
  }
  const q = values.quant
  const first: ExitQuantityMode | null =
    q.exitQtyMode === 'PCT' ? (num(q.exitPct) === null ? null : { kind: 'PCT', bp: Math.round(num(q.exitPct)! * 100) }) : q.exitQtyMode === 'SHARES' ? (num(q.exitShares) === null ? null : { kind: 'SHARES', shares: Math.floor(num(q.exitShares)!) }) : { kind: 'ALL' }
  if (!first) return null
  const tranches: Pick<TrancheSpec, 'qty'>[] = [{ qty: first }]
  for (const share of [values.takeProfit2SharePct, values.takeProfit3SharePct]) {
    const s = num(share)
    if (s === null || first.kind === 'ALL') break
    tranches.push({ qty: { kind: 'PCT', bp: Math.round(s * 100) } })
  }
  const entryShares = q.entryQtyMode === 'SHARES' ? num(q.entryQty) : null
  const base = entryShares !== null ? Math.floor(entryShares) : 1000
  const targets = planTranches(code, base, tranches)
  const slices = targets.map((t, i) => (i === 0 ? base : targets[i - 1]!) - t)
  return { base, slices, rest: targets[targets.length - 1] ?? base }
}

export function StagedExitsFields({ values, set, setQ, err, aria, inputClass }: StagedExitsFieldsProps) {
  const t = useTranslations('stocks.form.exits')
  const field = (name: TopKey, label: string, percent: boolean) => (
    <label className="block">
      <span className="text-sm font-medium text-slate-700">{label}</span>
      <span className="relative block">
        <input id={name} name={name} inputMode="decimal" value={String(values[name] ?? '')} onChange={(e) => set(name, e.target.value)} className={inputClass} {...aria(name)} />
        {percent && (
          <span aria-hidden="true" data-testid={`unit-${name}`} className="pointer-events-none absolute inset-y-0 right-3 mt-1 flex items-center text-sm text-slate-500">
            %
          </span>
        )}
      </span>
      {err(name)}
    </label>
  )
  const mode = String(values.quant.exitQtyMode ?? 'ALL')
  const pv = previewTranches(values)
  return (
    <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3" data-testid="staged-exits">
      <legend className="px-1 text-sm font-semibold">{t('legend')}</legend>
      <label className="block">
        <span className="text-sm font-medium text-slate-700">{t('exitQtyMode')}</span>
        <select id="quant.exitQtyMode" name="quant.exitQtyMode" value={mode} onChange={(e) => setQ('exitQtyMode', e.target.value)} className={inputClass} {...aria('quant.exitQtyMode')}>
          {EXIT_QTY_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`modes.${m}`)}
            </option>
          ))}
        </select>
        <span id="quant.exitQtyMode-hint" className="mt-0.5 block text-xs text-slate-500">
          {t('stopsSellAll')}
        </span>
        {err('quant.exitQtyMode')}
      </label>
      {mode === 'PCT' && (
        <label className="block">
          <span className="text-sm font-medium text-slate-700">{t('exitPct')}</span>
          <span className="relative block">
            <input id="quant.exitPct" name="quant.exitPct" inputMode="decimal" value={String(values.quant.exitPct ?? '')} onChange={(e) => setQ('exitPct', e.target.value)} className={inputClass} {...aria('quant.exitPct')} />
            <span aria-hidden="true" data-testid="unit-quant.exitPct" className="pointer-events-none absolute inset-y-0 right-3 mt-1 flex items-center text-sm text-slate-500">
              %
            </span>
          </span>
          {err('quant.exitPct')}
        </label>
      )}
      {mode === 'SHARES' && (
        <label className="block">
          <span className="text-sm font-medium text-slate-700">{t('exitShares')}</span>
          <input id="quant.exitShares" name="quant.exitShares" inputMode="numeric" value={String(values.quant.exitShares ?? '')} onChange={(e) => setQ('exitShares', e.target.value)} className={inputClass} {...aria('quant.exitShares')} />
          {err('quant.exitShares')}
        </label>
      )}
      <div className={mode === 'ALL' ? 'sm:col-span-2' : ''} />
      {[2, 3].map((n) => (
        <div key={n} className="contents">
          {field(`takeProfit${n}` as TopKey, t('trancheLevel', { n }), false)}
          {field(`takeProfit${n}Pct` as TopKey, t('trancheLevelPct', { n }), true)}
          {field(`takeProfit${n}SharePct` as TopKey, t('trancheShare', { n }), true)}
        </div>
      ))}
      <label className="flex items-center gap-2 self-end">
        <input type="checkbox" id="breakevenStop" name="breakevenStop" checked={values.breakevenStop === true} onChange={(e) => set('breakevenStop', e.target.checked)} className="h-4 w-4" />
        <span className="text-sm font-medium text-slate-700">{t('breakevenStop')}</span>
      </label>
      {field('breakevenGainPct', t('breakevenGainPct'), true)}
      <p className="self-end text-xs text-slate-500">{t('breakevenHint')}</p>
      <p className="text-sm text-slate-700 sm:col-span-3" data-testid="staged-exits-preview" aria-live="polite">
        {pv ? t('preview', { base: pv.base, slices: pv.slices.join(' / '), rest: pv.rest }) : t('previewIncomplete')}
      </p>
    </fieldset>
  )
}
