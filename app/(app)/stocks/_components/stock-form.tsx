'use client'
/**
 * "添加股票监测" / edit form. Validates with the same zod schema as the API before sending, and
 * shows the API's field-level errors when the server refuses.
 */
import { useRouter } from 'next/navigation'
import { useState, type ReactNode } from 'react'
import { useTranslations } from 'next-intl'
import { PRICE_MODES, stockInputSchema, type StockFormValues } from '@/lib/schemas/stock'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import type { FieldErrors } from '@/lib/errors'

type QuantKey = keyof NonNullable<StockFormValues['quant']>
export interface FormState {
  code: string
  name: string
  entryLow: string
  entryHigh: string
  takeProfit: string
  stopLoss: string
  trailingStopPct: string
  enabled: boolean
  notes: string
  quant: Record<QuantKey, string | boolean>
}

export const EMPTY_FORM: FormState = {
  code: '',
  name: '',
  entryLow: '',
  entryHigh: '',
  takeProfit: '',
  stopLoss: '',
  trailingStopPct: '',
  enabled: true,
  notes: '',
  quant: {
    autoTrade: false,
    maxPositionPct: '0.2',
    autoStopLoss: true,
    autoTakeProfit: true,
    minTradeAmount: '5000',
    entryPriceMode: 'BEST_OPPOSITE',
    entryOffsetTicks: '0',
    exitPriceMode: 'BEST_OPPOSITE',
    exitOffsetTicks: '0',
    stopLossPriceMode: 'BEST_OPPOSITE',
    stopLossOffsetTicks: '3',
    unfilledTimeoutSec: '120',
    maxReprices: '2',
    allowAuctions: false,
    antiSpikeCount: '1',
    hysteresisPct: '0.005',
    renotifyCooldownSec: '600',
  },
}

const input =
  'mt-1 w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500 disabled:bg-slate-100'

export function StockForm({
  initial,
  stockId,
  preview,
}: {
  initial: FormState
  stockId?: number
  /** Optional live panel rendered beside the levels (quote preview), fed the current values. */
  preview?: (values: FormState) => ReactNode
}) {
  const t = useTranslations('stocks.form')
  const ts = useTranslations('stocks')
  const tc = useTranslations('common')
  const te = useTranslations('errors')
  const router = useRouter()
  const [values, setValues] = useState<FormState>(initial)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [busy, setBusy] = useState(false)
  const [banner, setBanner] = useState<string | null>(null)
  const editing = stockId !== undefined

  const set = (name: keyof FormState, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }))
  const setQ = (name: QuantKey, value: string | boolean) => setValues((v) => ({ ...v, quant: { ...v.quant, [name]: value } }))

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault()
    setBanner(null)
    const parsed = stockInputSchema.safeParse(values)
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues, (k, p) => te(k as never, p as never)))
      setBanner(te('validation.failed'))
      return
    }
    setErrors({})
    setBusy(true)
    try {
      const res = await fetch(editing ? `/api/stocks/${stockId}` : '/api/stocks', {
        method: editing ? 'PUT' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(values),
      })
      const body = await res.json().catch(() => ({}))
      if (!res.ok) {
        setErrors(body.fields ?? {})
        setBanner(body.message ?? `HTTP ${res.status}`)
        return
      }
      router.push('/stocks')
      router.refresh()
    } catch (err) {
      setBanner((err as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const err = (path: string) =>
    errors[path] ? (
      <span id={`${path}-error`} className="mt-1 block text-xs text-red-600" data-testid={`error-${path}`}>
        {errors[path].join('；')}
      </span>
    ) : null
  const aria = (path: string) => ({ 'aria-invalid': !!errors[path], 'aria-describedby': errors[path] ? `${path}-error` : `${path}-hint` })
  const hint = (path: string, text?: string) =>
    text ? (
      <span id={`${path}-hint`} className="mt-0.5 block text-xs text-slate-500">
        {text}
      </span>
    ) : null

  const text = (name: 'code' | 'name' | 'entryLow' | 'entryHigh' | 'takeProfit' | 'stopLoss' | 'trailingStopPct', label: string, help?: string, extra: Record<string, unknown> = {}) => (
    <label className="block">
      <span className="text-sm font-medium text-slate-700">{label}</span>
      <input id={name} name={name} value={values[name]} onChange={(e) => set(name, e.target.value)} className={input} {...aria(name)} {...extra} />
      {hint(name, help)}
      {err(name)}
    </label>
  )
  const qText = (name: QuantKey, label: string, help?: string) => (
    <label className="block">
      <span className="text-sm font-medium text-slate-700">{label}</span>
      <input id={`quant.${name}`} name={`quant.${name}`} inputMode="decimal" value={String(values.quant[name])} onChange={(e) => setQ(name, e.target.value)} className={input} {...aria(`quant.${name}`)} />
      {hint(`quant.${name}`, help)}
      {err(`quant.${name}`)}
    </label>
  )
  const qCheck = (name: QuantKey, label: string, help?: string) => (
    <label className="flex items-start gap-2">
      <input type="checkbox" id={`quant.${name}`} name={`quant.${name}`} checked={values.quant[name] === true} onChange={(e) => setQ(name, e.target.checked)} className="mt-1 h-4 w-4" />
      <span>
        <span className="text-sm font-medium text-slate-700">{label}</span>
        {hint(`quant.${name}`, help)}
      </span>
    </label>
  )
  const qMode = (mode: QuantKey, offset: QuantKey, label: string) => (
    <div className="grid grid-cols-3 gap-2">
      <label className="col-span-2 block">
        <span className="text-sm font-medium text-slate-700">{label}</span>
        <select id={`quant.${mode}`} name={`quant.${mode}`} value={String(values.quant[mode])} onChange={(e) => setQ(mode, e.target.value)} className={input} {...aria(`quant.${mode}`)}>
          {PRICE_MODES.map((m) => (
            <option key={m} value={m}>
              {ts(`priceMode.${m}`)}
            </option>
          ))}
        </select>
        {err(`quant.${mode}`)}
      </label>
      {qText(offset, t('offsetTicks'))}
    </div>
  )

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" data-testid="stock-form">
      {banner && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {banner}
        </p>
      )}
      <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{t('basics')}</legend>
        {text('code', t('code'), t('codeHint'), { disabled: editing, autoComplete: 'off', autoFocus: !editing })}
        {text('name', t('name'))}
      </fieldset>

      <div className="grid gap-4 lg:grid-cols-3">
        <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:col-span-2">
          <legend className="px-1 text-sm font-semibold">{t('levels')}</legend>
          {text('entryLow', t('entryLow'), t('entryHint'), { inputMode: 'decimal' })}
          {text('entryHigh', t('entryHigh'), undefined, { inputMode: 'decimal' })}
          {text('takeProfit', t('takeProfit'), t('takeProfitHint'), { inputMode: 'decimal' })}
          {text('stopLoss', t('stopLoss'), t('stopLossHint'), { inputMode: 'decimal' })}
          {text('trailingStopPct', t('trailingStopPct'), t('trailingHint'), { inputMode: 'decimal' })}
          <label className="flex items-center gap-2 self-end">
            <input type="checkbox" id="enabled" name="enabled" checked={values.enabled} onChange={(e) => set('enabled', e.target.checked)} className="h-4 w-4" />
            <span className="text-sm font-medium text-slate-700">{t('enabled')}</span>
          </label>
          <label className="block sm:col-span-2">
            <span className="text-sm font-medium text-slate-700">{t('notes')}</span>
            <textarea id="notes" name="notes" rows={2} value={values.notes} onChange={(e) => set('notes', e.target.value)} className={input} {...aria('notes')} />
            {err('notes')}
          </label>
        </fieldset>
        {preview && <aside className="rounded-lg border border-slate-200 bg-white p-4">{preview(values)}</aside>}
      </div>

      <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{t('quant')}</legend>
        <p className="text-sm text-slate-600 sm:col-span-2">{t('quantIntro')}</p>
        {qCheck('autoTrade', t('autoTrade'), t('autoTradeHint'))}
        {qText('maxPositionPct', t('maxPositionPct'), t('maxPositionHint'))}
        {qCheck('autoStopLoss', t('autoStopLoss'), t('autoStopLossHint'))}
        {qCheck('autoTakeProfit', t('autoTakeProfit'), t('autoTakeProfitHint'))}
        {qText('minTradeAmount', t('minTradeAmount'), t('minTradeAmountHint'))}
        <div />
        {qMode('entryPriceMode', 'entryOffsetTicks', t('entryPriceMode'))}
        {qMode('exitPriceMode', 'exitOffsetTicks', t('exitPriceMode'))}
        {qMode('stopLossPriceMode', 'stopLossOffsetTicks', t('stopLossPriceMode'))}
        <p className="self-center text-xs text-slate-500">{t('priceModeHint')}</p>
        {qText('unfilledTimeoutSec', t('unfilledTimeoutSec'), t('unfilledHint'))}
        {qText('maxReprices', t('maxReprices'))}
        <details className="sm:col-span-2">
          <summary className="cursor-pointer text-sm font-medium text-slate-700">{t('advanced')}</summary>
          <div className="mt-3 grid gap-4 sm:grid-cols-2">
            {qCheck('allowAuctions', t('allowAuctions'))}
            {qText('antiSpikeCount', t('antiSpikeCount'))}
            {qText('hysteresisPct', t('hysteresisPct'), t('hysteresisHint'))}
            {qText('renotifyCooldownSec', t('renotifyCooldownSec'))}
          </div>
        </details>
      </fieldset>

      <div className="flex gap-3">
        <button type="submit" disabled={busy} className="rounded bg-sky-600 px-4 py-2 font-medium text-white hover:bg-sky-700 disabled:opacity-60">
          {busy ? tc('actions.saving') : tc('actions.save')}
        </button>
        <button type="button" onClick={() => router.back()} className="rounded border border-slate-300 px-4 py-2 text-slate-700 hover:bg-slate-50">
          {tc('actions.cancel')}
        </button>
      </div>
    </form>
  )
}
