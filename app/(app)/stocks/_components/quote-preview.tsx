'use client'
/**
 * The form's live quote preview (fills StockForm's `preview` slot): current price, today's limit
 * prices, where each level sits, a warning for a level outside today's band, and the entry order
 * auto-trade would send if it fired now. Refreshes while the form is open; every failure is shown.
 */
import { useEffect, useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import useSWR from 'swr'
import type { QuotePreview } from '@/lib/services/views/quote-preview'
import { formatPrice, formatTime } from '@/lib/format'
import { clockTime, fetchJson, money, signedPct, trendClass } from '@/app/_components/live/fmt'
import type { FormState } from './stock-form'

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms)
    return () => clearTimeout(id)
  }, [value, ms])
  return v
}

/**
 * A code typed to the end (6 digits, an optional sh/sz/bj prefix or .SH/.SZ/.BJ suffix): only then
 * is the preview asked, so a half-typed code sends nothing (and logs no 400).
 */
export const COMPLETE_CODE = /^\s*(?:(?:sh|sz|bj)\.?)?\d{6}(?:\.(?:sh|sz|bj))?\s*$/i

export function QuotePreviewPanel({ values, onName, simulated = false }: { values: FormState; onName?: (name: string) => void; simulated?: boolean }) {
  const t = useTranslations('preview')
  const locale = useLocale()
  const body = useDebounced(
    JSON.stringify({
      code: values.code,
      entryLow: values.entryLow,
      entryHigh: values.entryHigh,
      takeProfit: values.takeProfit,
      stopLoss: values.stopLoss,
      takeProfitPct: values.takeProfitPct,
      stopLossPct: values.stopLossPct,
      brokerAccountId: values.brokerAccountId,
      quant: {
        autoTrade: values.quant.autoTrade,
        maxPositionPct: values.quant.maxPositionPct,
        minTradeAmount: values.quant.minTradeAmount,
        entryPriceMode: values.quant.entryPriceMode,
        entryOffsetTicks: values.quant.entryOffsetTicks,
      },
    }),
    400,
  )
  // Judged on the debounced body, not the field: a request carries the code as it was 400 ms ago.
  const codeReady = COMPLETE_CODE.test((JSON.parse(body) as { code: string }).code) && COMPLETE_CODE.test(values.code)
  const { data, error, isLoading } = useSWR<QuotePreview>(codeReady ? ['/api/quotes/preview', body] : null, ([url, b]: [string, string]) =>
    fetchJson<QuotePreview>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b }),
    { refreshInterval: 5_000, keepPreviousData: true },
  )
  // The stock name comes with the quote: fill the form's name field (the form keeps a typed one).
  const digits = values.code.match(/\d{6}/)?.[0]
  const quoteName = codeReady && data?.code.startsWith(digits ?? '-') ? data.quote?.name?.trim() : undefined
  useEffect(() => {
    if (quoteName) onName?.(quoteName)
  }, [quoteName, onName])

  return (
    <div className="space-y-2 text-sm" data-testid="quote-preview" aria-live="polite">
      <h2 className="font-semibold">{t('title')}</h2>
      {!codeReady && <p className="text-slate-600">{t('needCode')}</p>}
      {codeReady && isLoading && !data && (
        <p role="status" className="text-slate-500" data-testid="preview-loading">
          {t('loading')}
        </p>
      )}
      {codeReady && error && (
        <p role="alert" className="text-red-700" data-testid="preview-error">
          {t('failed', { message: (error as Error).message })}
        </p>
      )}
      {codeReady && data && simulated && (
        <p data-testid="preview-simulated" className="rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900">
          {t('simulated')}
        </p>
      )}
      {codeReady && data && <PreviewBody d={data} locale={locale} />}
    </div>
  )
}

function PreviewBody({ d, locale }: { d: QuotePreview; locale: string }) {
  const t = useTranslations('preview')
  const p = (v: number | null | undefined) => formatPrice(d.code, v)
  return (
    <>
      {d.quote ? (
        <div data-testid="preview-quote" data-source={d.source}>
          <div className="flex items-baseline gap-3">
            <span className="text-xs text-slate-500">{t('last')}</span>
            <span className={`text-2xl font-semibold tabular ${trendClass(d.quote.changePct)}`} data-testid="preview-last">
              {p(d.quote.last)}
            </span>
            <span className={`tabular ${trendClass(d.quote.changePct)}`}>{signedPct(d.quote.changePct)}</span>
          </div>
          <p className={`text-xs ${d.source === 'live' ? 'text-slate-500' : 'text-amber-800'}`}>
            {t(d.source === 'live' ? 'live' : 'snapshot', { source: d.quote.source, time: formatTime(d.quote.time, locale) })}
          </p>
          {d.quote.suspended && <p className="text-xs font-medium text-amber-800">{t('suspended')}</p>}
        </div>
      ) : (
        <p role="alert" className="text-red-700" data-testid="preview-no-quote">
          {d.liveError ? t('none', { message: d.liveError }) : t('noneNoError')}
        </p>
      )}
      {d.quote && d.source !== 'live' && d.liveError && <p className="text-xs text-amber-800">{t('liveError', { message: d.liveError })}</p>}

      {d.quote && (
        <div className="text-xs" data-testid="preview-limits">
          <span className="text-slate-500">{t('limits')}: </span>
          {d.limits ? (
            <>
              <span className="text-up">{t('limitUp', { price: p(d.limits.up) })}</span> / <span className="text-down">{t('limitDown', { price: p(d.limits.down) })}</span>
            </>
          ) : (
            <span>{d.limitsError ?? t('limitsUnknown')}</span>
          )}
        </div>
      )}

      {d.levels.length > 0 && (
        <div>
          <h3 className="text-xs font-medium text-slate-600">{t('levels')}</h3>
          <ul className="mt-1 space-y-0.5 tabular">
            {d.levels.map((l) => (
              <li key={l.key} data-testid={`preview-level-${l.key}`} data-outside={l.outsideBand ?? ''}>
                <span className="inline-block w-16 text-slate-600">{t(`level.${l.key}`)}</span> <span className="font-medium">{p(l.price)}</span>
                {l.ofCost != null && <span className="ml-1 text-xs text-slate-500" data-testid={`preview-of-cost-${l.key}`}>({signedPct(l.ofCost)})</span>}
                {l.pct != null && <span className="ml-2 text-xs text-slate-500">{t('pct', { pct: signedPct(l.pct) })}</span>}
                {l.outsideBand && d.limits && (
                  <div role="alert" className="text-xs font-medium text-amber-800">
                    {l.outsideBand === 'above' ? t('outsideAbove', { limit: p(d.limits.up) }) : t('outsideBelow', { limit: p(d.limits.down) })}
                  </div>
                )}
              </li>
            ))}
          </ul>
          {d.inZone && <p className="mt-1 text-xs font-medium text-sky-800">{t('inZone')}</p>}
        </div>
      )}

      <div className="rounded bg-slate-50 p-2" data-testid="preview-order" data-status={d.order.status}>
        <h3 className="text-xs font-medium text-slate-600">{t('order')}</h3>
        {d.order.status === 'ok' && (
          <>
            <p className="font-medium text-up">
              {t('orderOk', { quantity: d.order.quantity, priceType: d.order.priceType === 'limit' ? t('limitOrder') : t('marketOrder'), price: p(d.order.price), value: money(d.order.value), fees: money(d.order.fees) })}
            </p>
            {d.order.notes.map((n) => (
              <p key={n} className="text-xs text-slate-500">
                {n}
              </p>
            ))}
          </>
        )}
        {d.order.status === 'refused' && <p className="text-amber-800">{t('orderRefused', { message: d.order.message })}</p>}
        {d.order.status === 'no_quote' && <p className="text-slate-600">{t('orderNoQuote')}</p>}
        {d.order.status === 'account_unknown' && <p className="font-medium text-amber-800">{t('orderAccountUnknown')}</p>}
        {d.order.status === 'quant_invalid' && <p className="text-amber-800">{t('orderQuantInvalid')}</p>}
        {d.account && (
          <p className="mt-1 text-xs text-slate-500">
            {t('account', { total: money(d.account.totalAsset), cash: money(d.account.cash), time: formatTime(d.account.takenAt, locale) })}
            {d.heldVolume > 0 ? ` · ${t('held', { qty: d.heldVolume })}` : ''}
          </p>
        )}
        {!d.autoTrade && <p className="mt-1 text-xs text-slate-600">{t('autoOff')}</p>}
      </div>
      <p className="text-right text-xs text-slate-500">{clockTime(d.at, locale)}</p>
    </>
  )
}
