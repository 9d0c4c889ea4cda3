'use client'
/**
 * "添加股票监测" / edit form. Validates with the same zod schema as the API before sending, and
 * shows the API's field-level errors when the server refuses.
 */
import { useRouter } from 'next/navigation'
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { useTranslations } from 'next-intl'
import { ENTRY_QTY_MODES, PRICE_MODES, stockInputSchema, type StockFormValues } from '@/lib/schemas/stock'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import type { FieldErrors } from '@/lib/errors'
import { StagedExitsFields } from './staged-exits-fields'
import { EntryRearmFields } from './entry-rearm-fields'

type QuantKey = keyof NonNullable<StockFormValues['quant']>
export interface FormState {
  code: string
  name: string
  entryLow: string
  entryHigh: string
  takeProfit: string
  stopLoss: string
  /** Take-profit / stop-loss as a percentage of cost (+x / -y %), instead of a price. */
  takeProfitPct: string
  stopLossPct: string
  trailingStopPct: string
  /** Staged exits (issue 14): tranches 2 and 3 (price or % of cost, and the % of the position), the breakeven stop. */
  takeProfit2?: string
  takeProfit2Pct?: string
  takeProfit2SharePct?: string
  takeProfit3?: string
  takeProfit3Pct?: string
  takeProfit3SharePct?: string
  breakevenStop?: boolean
  breakevenGainPct?: string
  /** Validity: a last day (YYYY-MM-DD) or N trading days; a daily entry window 'HH:MM'. */
  validUntil: string
  validTradingDays: string
  entryWindowStart: string
  entryWindowEnd: string
  /** Rebound entry (反弹买入): ZONE | REBOUND, its rebound as a percent or ticks; the re-arm policy after a completed exit. */
  entryTrigger?: string
  reboundPct?: string
  reboundTicks?: string
  rearmPolicy?: string
  rearmCooldownMin?: string
  enabled: boolean
  notes: string
  /** The broker account (issue 13); empty = the user's default account. */
  brokerAccountId: string
  quant: Record<QuantKey, string | boolean>
}

/** An account the form may put the monitor on: paper (模拟) or live (实盘), and whether it is shared read-only. */
export interface AccountOption {
  id: number
  name: string
  paper: boolean
  readOnly: boolean
}

export const EMPTY_FORM: FormState = {
  code: '',
  name: '',
  entryLow: '',
  entryHigh: '',
  takeProfit: '',
  stopLoss: '',
  takeProfitPct: '',
  stopLossPct: '',
  trailingStopPct: '',
  validUntil: '',
  validTradingDays: '',
  entryWindowStart: '',
  entryWindowEnd: '',
  enabled: true,
  notes: '',
  brokerAccountId: '',
  quant: {
    autoTrade: false,
    maxPositionPct: '20',
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
    hysteresisPct: '0.5',
    renotifyCooldownSec: '600',
    entryQtyMode: 'PCT_ASSETS',
    entryQty: '0',
    exitQtyMode: 'ALL',
    exitPct: '',
    exitShares: '',
  },
}

/** Percent fields are typed as percentages (5 = 5 %); the unit sits inside the field's right edge. */
const percentUnit = (path: string) => (
  <span aria-hidden="true" data-testid={`unit-${path}`} className="pointer-events-none absolute inset-y-0 right-3 mt-1 flex items-center text-sm text-slate-500">
    %
  </span>
)

const input =
  'mt-1 w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500 disabled:bg-slate-100'

export function StockForm({
  initial,
  stockId,
  preview,
  accounts = [],
}: {
  initial: FormState
  stockId?: number
  /** The accounts the user can put a monitor on; the select is shown when there is more than one. */
  accounts?: AccountOption[]
  /**
   * Optional live panel rendered beside the levels (quote preview), fed the current values; it
   * reports the quote's stock name so an empty name field is filled from the code.
   */
  preview?: (values: FormState, onName: (name: string) => void) => ReactNode
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
  // Bumped on every refused save: the first invalid field is scrolled to and focused after render.
  const [refused, setRefused] = useState(0)
  const formRef = useRef<HTMLFormElement>(null)
  // The name was typed by the trader (or came with the stock): the quote's name never overwrites it.
  const [nameTyped, setNameTyped] = useState(initial.name.trim() !== '')
  const editing = stockId !== undefined

  useEffect(() => {
    if (refused === 0) return
    const form = formRef.current
    const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>('[data-testid="form-error-summary"]')
    if (!first) return
    const details = first.closest('details')
    if (details && !details.open) details.open = true
    first.scrollIntoView({ block: 'center' })
    first.focus({ preventScroll: true })
  }, [refused])

  const fillName = (name: string) => {
    if (nameTyped || !name) return
    setValues((v) => (v.name === name ? v : { ...v, name }))
  }

  const set = (name: keyof FormState, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }))
  const setQ = (name: QuantKey, value: string | boolean) => setValues((v) => ({ ...v, quant: { ...v.quant, [name]: value } }))

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault()
    setBanner(null)
    const parsed = stockInputSchema.safeParse(values)
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues, (k, p) => te(k as never, p as never)))
      setBanner(te('validation.failed'))
      setRefused((n) => n + 1)
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
        setRefused((n) => n + 1)
        return
      }
      // The list says what was saved (a status line screen readers announce).
      router.push(`/stocks?${editing ? 'saved' : 'created'}=${encodeURIComponent(String(body.id ?? stockId ?? ''))}`)
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

  const text = (name: 'code' | 'name' | 'entryLow' | 'entryHigh' | 'takeProfit' | 'stopLoss' | 'takeProfitPct' | 'stopLossPct' | 'trailingStopPct' | 'validUntil' | 'validTradingDays' | 'entryWindowStart' | 'entryWindowEnd', label: string, help?: string, extra: Record<string, unknown> = {}) => (
    <label className="block">
      <span className="text-sm font-medium text-slate-700">{label}</span>
      <input
        id={name}
        name={name}
        value={values[name]}
        onChange={(e) => {
          if (name === 'name') setNameTyped(e.target.value.trim() !== '')
          set(name, e.target.value)
        }}
        className={input}
        {...aria(name)}
        {...extra}
      />
      {hint(name, help)}
      {err(name)}
    </label>
  )
  const qText = (name: QuantKey, label: string, help?: string) => (
    <label className="block">
      <span className="text-sm font-medium text-slate-700">{label}</span>
      <span className="relative block">
        <input id={`quant.${name}`} name={`quant.${name}`} inputMode="decimal" value={String(values.quant[name])} onChange={(e) => setQ(name, e.target.value)} className={input} {...aria(`quant.${name}`)} />
        {name.endsWith('Pct') && percentUnit(`quant.${name}`)}
      </span>
      {hint(`quant.${name}`, help)}
      {err(`quant.${name}`)}
    </label>
  )
  const qCheck = (name: QuantKey, label: string, help?: string) => (
    <label className="flex items-start gap-2">
      <input type="checkbox" id={`quant.${name}`} name={`quant.${name}`} checked={values.quant[name] === true} onChange={(e) => setQ(name, e.target.checked)} className="mt-1 h-4 w-4" {...aria(`quant.${name}`)} />
      <span>
        <span className="text-sm font-medium text-slate-700">{label}</span>
        {hint(`quant.${name}`, help)}
        {err(`quant.${name}`)}
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

  const fieldLabel = (path: string): string => {
    const key = path.startsWith('quant.') ? path.slice(6) : path
    return t.has(key as never) ? t(key as never) : path
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-6" data-testid="stock-form">
      {/* Error summary: announced by screen readers (role=alert) and linking to each invalid field. */}
      <div aria-live="assertive" role="alert" data-testid="form-error-summary" tabIndex={-1} className={banner ? 'rounded bg-red-50 px-3 py-2 text-sm text-red-700' : 'sr-only'}>
        {banner && (
          <>
            <p className="font-medium">{banner}</p>
            {Object.keys(errors).filter((k) => k !== '_form').length > 0 && (
              <ul className="mt-1 list-disc pl-5">
                {Object.entries(errors)
                  .filter(([k]) => k !== '_form')
                  .map(([k, msgs]) => (
                    <li key={k}>
                      <a href={`#${k}`} className="underline" onClick={(ev) => {
                        ev.preventDefault()
                        const el = document.getElementById(k)
                        el?.closest('details')?.setAttribute('open', '')
                        el?.focus()
                      }}>
                        {fieldLabel(k)}
                      </a>
                      : {msgs.join('；')}
                    </li>
                  ))}
              </ul>
            )}
          </>
        )}
      </div>
      <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{t('basics')}</legend>
        {text('code', t('code'), t('codeHint'), { disabled: editing, autoComplete: 'off', autoFocus: !editing })}
        {text('name', t('name'))}
        {accounts.length > 1 && (
          <label className="block sm:col-span-2">
            <span className="text-sm font-medium text-slate-700">{t('brokerAccountId')}</span>
            <select id="brokerAccountId" name="brokerAccountId" data-testid="account-select" value={values.brokerAccountId} onChange={(e) => set('brokerAccountId', e.target.value)} className={input} {...aria('brokerAccountId')}>
              {accounts.map((a) => (
                <option key={a.id} value={String(a.id)}>
                  {a.name} · {a.paper ? ts('account.paper') : ts('account.live')}
                  {a.readOnly ? ` · ${ts('account.readOnly')}` : ''}
                </option>
              ))}
            </select>
            {hint('brokerAccountId', t('brokerAccountIdHint'))}
            {err('brokerAccountId')}
          </label>
        )}
        {accounts.length === 1 && (
          <p className="text-sm text-slate-600 sm:col-span-2" data-testid="account-single">
            {t('brokerAccountId')}: {accounts[0].name} · {accounts[0].paper ? ts('account.paper') : ts('account.live')}
            {err('brokerAccountId')}
          </p>
        )}
      </fieldset>

      <div className="grid gap-4 lg:grid-cols-3">
        <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:col-span-2">
          <legend className="px-1 text-sm font-semibold">{t('levels')}</legend>
          {text('entryLow', t('entryLow'), t('entryHint'), { inputMode: 'decimal' })}
          {text('entryHigh', t('entryHigh'), undefined, { inputMode: 'decimal' })}
          {text('takeProfit', t('takeProfit'), t('takeProfitHint'), { inputMode: 'decimal' })}
          {text('stopLoss', t('stopLoss'), t('stopLossHint'), { inputMode: 'decimal' })}
          {text('takeProfitPct', t('takeProfitPct'), t('takeProfitPctHint'), { inputMode: 'decimal' })}
          {text('stopLossPct', t('stopLossPct'), t('stopLossPctHint'), { inputMode: 'decimal' })}
          {text('trailingStopPct', t('trailingStopPct'), t('trailingHint'), { inputMode: 'decimal' })}
          {text('validUntil', t('validUntil'), t('validUntilHint'), { type: 'date' })}
          {text('validTradingDays', t('validTradingDays'), t('validTradingDaysHint'), { inputMode: 'numeric' })}
          {text('entryWindowStart', t('entryWindowStart'), t('entryWindowHint'), { type: 'time' })}
          {text('entryWindowEnd', t('entryWindowEnd'), undefined, { type: 'time' })}
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
        {preview && <aside className="rounded-lg border border-slate-200 bg-white p-4">{preview(values, fillName)}</aside>}
      </div>

      <EntryRearmFields values={values} set={set} err={err} aria={aria} inputClass={input} />

      <StagedExitsFields values={values} set={set} setQ={setQ} err={err} aria={aria} inputClass={input} />

      <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{t('quant')}</legend>
        <p className="text-sm text-slate-600 sm:col-span-2">{t('quantIntro')}</p>
        {qCheck('autoTrade', t('autoTrade'), t('autoTradeHint'))}
        {qText('maxPositionPct', t('maxPositionPct'), t('maxPositionHint'))}
        {qCheck('autoStopLoss', t('autoStopLoss'), t('autoStopLossHint'))}
        {qCheck('autoTakeProfit', t('autoTakeProfit'), t('autoTakeProfitHint'))}
        {qText('minTradeAmount', t('minTradeAmount'), t('minTradeAmountHint'))}
        <div className="grid grid-cols-3 gap-2">
          <label className="col-span-2 block">
            <span className="text-sm font-medium text-slate-700">{t('entryQtyMode')}</span>
            <select id="quant.entryQtyMode" name="quant.entryQtyMode" value={String(values.quant.entryQtyMode)} onChange={(e) => setQ('entryQtyMode', e.target.value)} className={input} {...aria('quant.entryQtyMode')}>
              {ENTRY_QTY_MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`entryQtyModes.${m}`)}
                </option>
              ))}
            </select>
            {err('quant.entryQtyMode')}
          </label>
          {values.quant.entryQtyMode !== 'PCT_ASSETS' && (
            <label className="block">
              <span className="text-sm font-medium text-slate-700">{t('entryQty')}</span>
              <span className="relative block">
                <input id="quant.entryQty" name="quant.entryQty" inputMode="numeric" value={String(values.quant.entryQty)} onChange={(e) => setQ('entryQty', e.target.value)} className={input} {...aria('quant.entryQty')} />
                <span aria-hidden="true" data-testid="unit-quant.entryQty" className="pointer-events-none absolute inset-y-0 right-3 mt-1 flex items-center text-sm text-slate-500">
                  {values.quant.entryQtyMode === 'AMOUNT' ? t('unitYuan') : t('unitShares')}
                </span>
              </span>
              {hint('quant.entryQty', t('entryQtyHint'))}
              {err('quant.entryQty')}
            </label>
          )}
        </div>
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
        <button type="submit" disabled={busy} className="rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
          {busy ? tc('actions.saving') : tc('actions.save')}
        </button>
        <button type="button" onClick={() => router.back()} className="rounded border border-slate-300 px-4 py-2 text-slate-700 hover:bg-slate-50">
          {tc('actions.cancel')}
        </button>
      </div>
    </form>
  )
}
