'use client'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { useTranslations } from 'next-intl'
import { formatPct, formatPrice } from '@/lib/format'
import type { StockView } from '@/lib/services/stock-view'
import { AutoTradeSwitch } from './auto-trade-switch'

export function StockTable({ stocks }: { stocks: StockView[] }) {
  const t = useTranslations('stocks')
  const tc = useTranslations('common')
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)

  async function archive(s: StockView) {
    if (!window.confirm(t('archiveConfirm', { code: s.code, name: s.name }))) return
    setError(null)
    const res = await fetch(`/api/stocks/${s.id}`, { method: 'DELETE' })
    if (!res.ok) {
      const body = await res.json().catch(() => ({}))
      setError(body.message ?? `HTTP ${res.status}`)
      return
    }
    router.refresh()
  }

  return (
    <div>
      {error && (
        <p role="alert" className="mb-2 rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              <th className="px-3 py-2">{t('columns.stock')}</th>
              <th className="px-3 py-2">{t('columns.entry')}</th>
              <th className="px-3 py-2">{t('columns.takeProfit')}</th>
              <th className="px-3 py-2">{t('columns.stopLoss')}</th>
              <th className="px-3 py-2">{t('columns.trailing')}</th>
              <th className="px-3 py-2">{t('columns.state')}</th>
              <th className="px-3 py-2">{t('columns.autoTrade')}</th>
              <th className="px-3 py-2">{t('columns.actions')}</th>
            </tr>
          </thead>
          <tbody className="tabular">
            {stocks.map((s) => (
              <tr key={s.id} data-testid={`stock-row-${s.code}`} className="border-t border-slate-100">
                <td className="px-3 py-2">
                  <Link href={`/stocks/${s.id}`} className="font-medium text-sky-800 hover:underline">
                    {s.code}
                  </Link>
                  <div className="text-slate-500">{s.name}</div>
                </td>
                <td className="px-3 py-2">
                  {formatPrice(s.code, s.entryLow)} – {formatPrice(s.code, s.entryHigh)}
                </td>
                <td className="px-3 py-2 text-up">{formatPrice(s.code, s.takeProfit)}</td>
                <td className="px-3 py-2 text-down">{formatPrice(s.code, s.stopLoss)}</td>
                <td className="px-3 py-2">{s.trailingStopPct == null ? tc('none') : formatPct(s.trailingStopPct, 1)}</td>
                <td className="px-3 py-2">
                  <span className="rounded bg-slate-100 px-2 py-0.5 text-xs">{t(`state.${s.state}`)}</span>
                  {!s.enabled && !s.archivedAt && <span className="ml-1 rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-800">{t('disabled')}</span>}
                  {s.archivedAt && <span className="ml-1 rounded bg-slate-200 px-2 py-0.5 text-xs">{t('archived')}</span>}
                </td>
                <td className="px-3 py-2">
                  <AutoTradeSwitch stockId={s.id} code={s.code} initial={s.quant?.autoTrade ?? false} disabled={!!s.archivedAt} />
                </td>
                <td className="space-x-2 whitespace-nowrap px-3 py-2">
                  {!s.archivedAt && (
                    <>
                      <Link href={`/stocks/${s.id}/edit`} className="text-sky-700 hover:underline">
                        {tc('actions.edit')}
                      </Link>
                      <button type="button" onClick={() => archive(s)} className="text-slate-600 hover:underline">
                        {tc('actions.archive')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
