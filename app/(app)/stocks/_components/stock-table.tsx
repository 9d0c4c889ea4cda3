'use client'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { useTranslations } from 'next-intl'
import { formatPct, formatPrice } from '@/lib/format'
import { percentText } from '@/lib/schemas/fields'
import type { StockView } from '@/lib/services/views/stock-view'
import { DataTable } from '@/app/_components/data-table'
import { AutoTradeSwitch } from './auto-trade-switch'
import { AccountBadge, type AccountLabel } from '@/app/_components/account-badge'

/**
 * `accounts`: the accounts the user sees (issue 13), to name each monitor's account, paper or live.
 * Rendered with no rows too (the page shows its empty state beside it): restoring the last archived
 * stock empties the list, and its notice must stay on screen.
 */
export function StockTable({ stocks, accounts = [], defaultAccountId = null }: { stocks: StockView[]; accounts?: AccountLabel[]; defaultAccountId?: number | null }) {
  const t = useTranslations('stocks')
  const tc = useTranslations('common')
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  async function restore(s: StockView) {
    setError(null)
    setNotice(null)
    const res = await fetch(`/api/stocks/${s.id}/unarchive`, { method: 'POST' })
    if (!res.ok) {
      const body = await res.json().catch(() => ({}))
      setError(body.message ?? `HTTP ${res.status}`)
      return
    }
    setNotice(t('restored', { code: s.code }))
    router.refresh()
  }

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
      <p role="status" data-testid="restore-notice" className={notice ? 'mb-2 rounded border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900' : 'sr-only'}>
        {notice ?? ''}
      </p>
      {stocks.length > 0 && (
        <DataTable
          smallHeader={false}
          phoneCards
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
                  <AccountBadge account={accounts.find((a) => a.id === (s.brokerAccountId ?? defaultAccountId)) ?? null} paperText={t('account.paper')} liveText={t('account.live')} testId={`stock-account-${s.code}`} />
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
            // A level set relative to cost shows the price it resolves to and its percentage.
            { header: t('columns.takeProfit'), className: 'text-up', cell: (s) => (s.takeProfitPct != null ? `${formatPrice(s.code, s.takeProfit)} (${tc('ofCost', { pct: `+${percentText(s.takeProfitPct)}%` })})` : formatPrice(s.code, s.takeProfit)) },
            { header: t('columns.stopLoss'), className: 'text-down', cell: (s) => (s.stopLossPct != null ? `${formatPrice(s.code, s.stopLoss)} (${tc('ofCost', { pct: `-${percentText(s.stopLossPct)}%` })})` : formatPrice(s.code, s.stopLoss)) },
            { header: t('columns.trailing'), cell: (s) => (s.trailingStopPct == null ? tc('none') : formatPct(s.trailingStopPct, 1)) },
            {
              header: t('columns.state'),
              cell: (s) =>
                s.archivedAt ? (
                  // An archived monitor is not watched at all: say that, not the state it was left in.
                  <span data-testid={`stock-state-${s.code}`} data-state="ARCHIVED">
                    <span className="rounded bg-slate-200 px-2 py-0.5 text-xs text-slate-800">{t('archived')}</span>
                    <span className="ml-1 text-xs text-slate-700">{t('notMonitoring')}</span>
                  </span>
                ) : (
                  <span data-testid={`stock-state-${s.code}`} data-state={s.state}>
                    <span className="rounded bg-slate-100 px-2 py-0.5 text-xs">{t(`state.${s.state}`)}</span>
                    {!s.enabled && <span className="ml-1 rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900">{t('disabled')}</span>}
                  </span>
                ),
            },
            {
              header: t('columns.autoTrade'),
              cell: (s) =>
                s.archivedAt ? (
                  <span className="text-xs text-slate-700" data-testid={`auto-trade-archived-${s.code}`}>
                    {t('notMonitoring')}
                  </span>
                ) : (
                  <AutoTradeSwitch stockId={s.id} code={s.code} initial={s.quant?.autoTrade ?? false} />
                ),
            },
            {
              header: t('columns.actions'),
              className: 'space-x-2 whitespace-nowrap',
              cell: (s) =>
                s.archivedAt ? (
                  <button type="button" data-testid={`restore-${s.code}`} onClick={() => restore(s)} className="text-sky-800 hover:underline">
                    {t('restore')}
                  </button>
                ) : (
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
      )}
    </div>
  )
}
