'use client'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { useTranslations } from 'next-intl'
import { formatPct, formatPrice } from '@/lib/format'
import type { StockView } from '@/lib/services/views/stock-view'
import { DataTable } from '@/app/_components/data-table'
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
      <DataTable
        smallHeader={false}
        rows={stocks}
        rowKey={(s) => s.id}
        rowProps={(s) => ({ 'data-testid': `stock-row-${s.code}` })}
        columns={[
          {
            header: t('columns.stock'),
            cell: (s) => (
              <>
                <Link href={`/stocks/${s.id}`} className="font-medium text-sky-800 hover:underline">
                  {s.code}
                </Link>
                <div className="text-slate-500">{s.name}</div>
              </>
            ),
          },
          {
            header: t('columns.entry'),
            cell: (s) => (
              <>
                {formatPrice(s.code, s.entryLow)} – {formatPrice(s.code, s.entryHigh)}
              </>
            ),
          },
          { header: t('columns.takeProfit'), className: 'text-up', cell: (s) => formatPrice(s.code, s.takeProfit) },
          { header: t('columns.stopLoss'), className: 'text-down', cell: (s) => formatPrice(s.code, s.stopLoss) },
          { header: t('columns.trailing'), cell: (s) => (s.trailingStopPct == null ? tc('none') : formatPct(s.trailingStopPct, 1)) },
          {
            header: t('columns.state'),
            cell: (s) => (
              <>
                <span className="rounded bg-slate-100 px-2 py-0.5 text-xs">{t(`state.${s.state}`)}</span>
                {!s.enabled && !s.archivedAt && <span className="ml-1 rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-800">{t('disabled')}</span>}
                {s.archivedAt && <span className="ml-1 rounded bg-slate-200 px-2 py-0.5 text-xs">{t('archived')}</span>}
              </>
            ),
          },
          { header: t('columns.autoTrade'), cell: (s) => <AutoTradeSwitch stockId={s.id} code={s.code} initial={s.quant?.autoTrade ?? false} disabled={!!s.archivedAt} /> },
          {
            header: t('columns.actions'),
            className: 'space-x-2 whitespace-nowrap',
            cell: (s) =>
              !s.archivedAt && (
                <>
                  <Link href={`/stocks/${s.id}/edit`} className="text-sky-700 hover:underline">
                    {tc('actions.edit')}
                  </Link>
                  <button type="button" onClick={() => archive(s)} className="text-slate-600 hover:underline">
                    {tc('actions.archive')}
                  </button>
                </>
              ),
          },
        ]}
      />
    </div>
  )
}
