'use client'
/**
 * Realised P&L (fees included, entry fills matched FIFO to exit fills): today, this month and all
 * time, then by month, day, stock and round trip for a chosen range of Asia/Shanghai days. Used on
 * the account page (all stocks) and the stock page (`stockId`). Red = profit, green = loss.
 */
import Link from 'next/link'
import { useState } from 'react'
import { useTranslations } from 'next-intl'
import useSWR from 'swr'
import type { PnlFigure, PnlReportData } from '@/lib/services/views/pnl-view'
import { DataTable } from '@/app/_components/data-table'
import { dayTime, fetchJson, money, trendClass } from '@/app/_components/live/fmt'

const signed = (v: number | null | undefined) => (v == null ? '—' : `${v > 0 ? '+' : ''}${money(v)}`)

export function PnlPanel({ stockId }: { stockId?: number }) {
  const t = useTranslations('pnl')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const qs = new URLSearchParams()
  if (from) qs.set('from', from)
  if (to) qs.set('to', to)
  if (stockId) qs.set('stockId', String(stockId))
  const url = `/api/pnl${qs.size ? `?${qs}` : ''}`
  const { data, error } = useSWR<PnlReportData>(url, (u: string) => fetchJson<PnlReportData>(u), { refreshInterval: 30_000, keepPreviousData: true })
  const fieldErrors = (error as (Error & { body?: { fields?: Record<string, string[]> } }) | undefined)?.body?.fields
  const card = (label: string, f: PnlFigure | null | undefined, id: string) => (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2">
      <div className="text-xs text-slate-500">{label}</div>
      <div className={`text-lg font-semibold tabular ${trendClass(f?.pnl ?? 0)}`} data-testid={`pnl-${id}`}>
        {signed(f?.pnl ?? 0)}
      </div>
      <div className="text-xs text-slate-500">{t('feesAndExits', { fees: money(f?.fees ?? 0), exits: f?.exits ?? 0 })}</div>
    </div>
  )
  const unpriced = data?.total.unpricedQty ?? 0
  return (
    <section className="space-y-3" data-testid="pnl-panel" aria-labelledby="pnl-title">
      <h2 id="pnl-title" className="text-lg font-semibold">
        {stockId ? t('titleStock') : t('title')}
      </h2>
      {data && (
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
          {card(t('today', { day: data.today }), data.headline.today, 'today')}
          {card(t('month', { month: data.today.slice(0, 7) }), data.headline.month, 'month')}
          {card(t('allTime'), data.headline.total, 'total')}
        </div>
      )}
      <form className="flex flex-wrap items-end gap-2 text-sm" onSubmit={(e) => e.preventDefault()}>
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">{t('from')}</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} className="rounded border border-slate-300 px-2 py-1" data-testid="pnl-from" aria-invalid={!!fieldErrors?.from} />
        </label>
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">{t('to')}</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} className="rounded border border-slate-300 px-2 py-1" data-testid="pnl-to" aria-invalid={!!fieldErrors?.to} aria-describedby={fieldErrors?.to ? 'pnl-to-error' : undefined} />
        </label>
        {(from || to) && (
          <button type="button" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50" onClick={() => (setFrom(''), setTo(''))}>
            {t('allDays')}
          </button>
        )}
      </form>
      {error && (
        <p role="alert" id="pnl-to-error" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="pnl-error">
          {fieldErrors ? Object.values(fieldErrors).flat().join(' ') : (error as Error).message}
        </p>
      )}
      {data && (
        <>
          <p className="text-sm">
            {t('rangeTotal')} <span className={`font-semibold tabular ${trendClass(data.total.pnl)}`} data-testid="pnl-range-total">{signed(data.total.pnl)}</span>
            <span className="text-slate-500"> · {t('winsLosses', { wins: data.total.wins, losses: data.total.losses })}</span>
          </p>
          <div className="grid gap-3 lg:grid-cols-2">
            <div>
              <h3 className="mb-1 font-medium">{t('byMonth')}</h3>
              <DataTable
                testId="pnl-by-month"
                rows={[...data.byMonth].reverse()}
                rowKey={(r) => r.month}
                empty={<p className="text-sm text-slate-600">{t('none')}</p>}
                columns={[
                  { header: t('columns.month'), cell: (r) => r.month },
                  { header: t('columns.pnl'), numeric: true, className: (r) => trendClass(r.pnl), cell: (r) => signed(r.pnl) },
                  { header: t('columns.fees'), numeric: true, cell: (r) => money(r.fees) },
                  { header: t('columns.exits'), numeric: true, cell: (r) => r.exits },
                ]}
              />
            </div>
            <div>
              <h3 className="mb-1 font-medium">{t('byDay')}</h3>
              <DataTable
                testId="pnl-by-day"
                rows={[...data.byDay].reverse().slice(0, 31)}
                rowKey={(r) => r.day}
                empty={<p className="text-sm text-slate-600">{t('none')}</p>}
                columns={[
                  { header: t('columns.day'), cell: (r) => r.day },
                  { header: t('columns.pnl'), numeric: true, className: (r) => trendClass(r.pnl), cell: (r) => signed(r.pnl) },
                  { header: t('columns.fees'), numeric: true, cell: (r) => money(r.fees) },
                  { header: t('columns.exits'), numeric: true, cell: (r) => r.exits },
                ]}
              />
            </div>
          </div>
          {!stockId && (
            <div>
              <h3 className="mb-1 font-medium">{t('byStock')}</h3>
              <DataTable
                testId="pnl-by-stock"
                rows={data.byStock}
                rowKey={(r) => r.stockId}
                empty={<p className="text-sm text-slate-600">{t('none')}</p>}
                columns={[
                  {
                    header: t('columns.stock'),
                    cell: (r) => (
                      <>
                        <Link href={`/stocks/${r.stockId}`} className="font-medium text-sky-800 hover:underline">
                          {r.code}
                        </Link>
                        {r.name && <div className="text-xs text-slate-600">{r.name}</div>}
                      </>
                    ),
                  },
                  { header: t('columns.pnl'), numeric: true, className: (r) => trendClass(r.pnl), cell: (r) => signed(r.pnl) },
                  { header: t('columns.fees'), numeric: true, cell: (r) => money(r.fees) },
                  { header: t('columns.quantity'), numeric: true, cell: (r) => r.quantity },
                  { header: t('columns.winsLosses'), numeric: true, cell: (r) => `${r.wins} / ${r.losses}` },
                ]}
              />
            </div>
          )}
          <div>
            <h3 className="mb-1 font-medium">{t('roundTrips')}</h3>
            <DataTable
              testId="pnl-round-trips"
              rows={[...data.roundTrips].reverse()}
              rowKey={(r) => `${r.stockId}-${r.index}`}
              rowProps={(r) => ({ 'data-testid': `pnl-trip-${r.code}-${r.index}` })}
              empty={<p className="text-sm text-slate-600">{t('none')}</p>}
              columns={[
                { header: t('columns.stock'), cell: (r) => (<>{r.code}{r.name && <div className="text-xs text-slate-600">{r.name}</div>}</>) },
                { header: t('columns.opened'), cell: (r) => dayTime(r.openedAt) },
                { header: t('columns.closed'), cell: (r) => (r.closedAt ? dayTime(r.closedAt) : '—') },
                { header: t('columns.status'), cell: (r) => `${t(`status.${r.status}`)}${r.openingPosition ? ` · ${t('openingPosition')}` : ''}` },
                { header: t('columns.qty'), numeric: true, cell: (r) => `${r.entryQty} → ${r.exitQty}` },
                { header: t('columns.fees'), numeric: true, cell: (r) => money(r.fees) },
                { header: t('columns.pnl'), numeric: true, className: (r) => trendClass(r.pnl), cell: (r) => signed(r.pnl) },
              ]}
            />
          </div>
          <p className="text-xs text-slate-500">
            {t('feesNote')}
            {unpriced > 0 && <span data-testid="pnl-unpriced"> {t('unpriced', { qty: unpriced })}</span>}
          </p>
        </>
      )}
    </section>
  )
}
