'use client'
import { useRef, useState } from 'react'
import { useTranslations } from 'next-intl'
import { formatPrice } from '@/lib/format'
import type { StockView } from '@/lib/services/views/stock-view'
import type { QuotePreview } from '@/lib/services/views/quote-preview'
import { fetchJson, money } from '@/app/_components/live/fmt'

type Plan = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; stock: StockView; preview: QuotePreview }

/**
 * The auto-trade switch. Turning it on asks first, in a dialog that shows what would be sent now
 * (the same order the form's preview computes, from the stock's saved levels and the live quote);
 * turning it off (the safe direction) takes one click. The switch rolls back if the server refuses.
 */
export function AutoTradeSwitch({ stockId, code, initial, disabled }: { stockId: number; code: string; initial: boolean; disabled?: boolean }) {
  const t = useTranslations('stocks')
  const tc = useTranslations('common.actions')
  const [on, setOn] = useState(initial)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [plan, setPlan] = useState<Plan>({ state: 'loading' })
  const dialog = useRef<HTMLDialogElement>(null)

  async function put(next: boolean) {
    setOn(next)
    setBusy(true)
    setError(null)
    try {
      const res = await fetch(`/api/stocks/${stockId}/auto-trade`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ autoTrade: next }),
      })
      if (!res.ok) {
        const body = await res.json().catch(() => ({}))
        throw new Error(body.message ?? `HTTP ${res.status}`)
      }
    } catch (e) {
      setOn(!next)
      setError(t('toggleFailed', { message: (e as Error).message }))
    } finally {
      setBusy(false)
    }
  }

  async function askFirst() {
    setError(null)
    setPlan({ state: 'loading' })
    dialog.current?.showModal()
    try {
      const stock = await fetchJson<StockView>(`/api/stocks/${stockId}`)
      const preview = await fetchJson<QuotePreview>('/api/quotes/preview', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          code: stock.code,
          entryLow: stock.entryLow,
          entryHigh: stock.entryHigh,
          takeProfit: stock.takeProfit,
          stopLoss: stock.stopLoss,
          quant: { ...(stock.quant ?? {}), autoTrade: true },
        }),
      })
      setPlan({ state: 'ready', stock, preview })
    } catch (e) {
      setPlan({ state: 'failed', message: (e as Error).message })
    }
  }

  return (
    <span className="inline-flex flex-col">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-label={`${code} ${on ? t('autoTradeOn') : t('autoTradeOff')}`}
        data-testid={`auto-trade-${code}`}
        disabled={disabled || busy}
        onClick={() => (on ? put(false) : askFirst())}
        className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-50 ${on ? 'bg-sky-700' : 'bg-slate-400'}`}
      >
        <span className={`inline-block h-5 w-5 transform rounded-full bg-white shadow transition ${on ? 'translate-x-5' : 'translate-x-0.5'}`} />
      </button>
      <span className="mt-0.5 text-xs text-slate-600">{on ? t('autoTradeOn') : t('autoTradeOff')}</span>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
      <dialog ref={dialog} data-testid={`auto-trade-${code}-dialog`} aria-labelledby={`auto-trade-${code}-title`} className="m-auto w-[min(30rem,92vw)] rounded-lg p-0 text-left shadow-xl backdrop:bg-slate-900/40">
        <div className="space-y-3 p-4 text-sm">
          <h2 id={`auto-trade-${code}-title`} className="text-base font-semibold">
            {t('autoConfirm.title', { code })}
          </h2>
          <p className="text-slate-700">{t('autoConfirm.intro')}</p>
          <div data-testid={`auto-trade-${code}-plan`} data-state={plan.state} aria-live="polite">
            <PlanText plan={plan} />
          </div>
          <div className="flex justify-end gap-2 pt-1">
            <button type="button" autoFocus onClick={() => dialog.current?.close()} className="rounded border border-slate-300 px-3 py-1.5 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
              {tc('cancel')}
            </button>
            <button
              type="button"
              data-testid={`auto-trade-${code}-confirm`}
              disabled={busy}
              onClick={async () => {
                dialog.current?.close()
                await put(true)
              }}
              className="rounded bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-50"
            >
              {t('autoConfirm.confirm')}
            </button>
          </div>
        </div>
      </dialog>
    </span>
  )
}

function PlanText({ plan }: { plan: Plan }) {
  const t = useTranslations('stocks.autoConfirm')
  const tp = useTranslations('preview')
  if (plan.state === 'loading') return <p className="text-slate-600">{t('loading')}</p>
  if (plan.state === 'failed') return <p className="text-red-700">{t('failed', { message: plan.message })}</p>
  const { stock, preview } = plan
  const p = (v: number | null | undefined) => formatPrice(stock.code, v)
  const o = preview.order
  const orderLine =
    o.status === 'ok' ? (
      <p className="font-medium" data-testid="auto-confirm-order">
        {tp('orderOk', { quantity: o.quantity, priceType: o.priceType === 'limit' ? tp('limitOrder') : tp('marketOrder'), price: p(o.price), value: money(o.value), fees: money(o.fees) })}
      </p>
    ) : (
      <p className="font-medium" data-testid="auto-confirm-order">
        {t('noOrder', {
          reason: o.status === 'refused' ? o.message : o.status === 'no_quote' ? tp('orderNoQuote') : o.status === 'account_unknown' ? tp('orderAccountUnknown') : tp('orderQuantInvalid'),
        })}
      </p>
    )
  const holding = stock.state === 'HOLDING' || stock.state === 'EXIT_PENDING'
  return (
    <div className="space-y-1 text-slate-800">
      <p>{t('price', { price: p(preview.quote?.last), low: p(stock.entryLow), high: p(stock.entryHigh) })}</p>
      {holding ? (
        <p data-testid="auto-confirm-when" data-when="holding">{t('holding')}</p>
      ) : stock.state === 'CLOSED' ? (
        <p data-testid="auto-confirm-when" data-when="closed">{t('closed')}</p>
      ) : (
        <>
          <p data-testid="auto-confirm-when" data-when={preview.inZone ? 'now' : 'later'}>
            {preview.inZone ? t('sendNow') : t('sendLater')}
          </p>
          {orderLine}
        </>
      )}
    </div>
  )
}
