'use client'
/**
 * The orders table, kept live (the worker moves statuses and adds fills). Cancel sends the request
 * to the bridge and shows exactly what it answered; the order's state is never changed here.
 */
import Link from 'next/link'
import { BrokerText } from '@/app/_components/live/broker-text'
import { LiveAnnouncer } from '@/app/_components/live/announcer'
import { useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import useSWR from 'swr'
import { useLiveInterval } from '@/app/_components/live/live-updates'
import type { OrderList, OrderView } from '@/lib/services/views/orders-view'
import type { CancelReport } from '@/lib/services/trading/order-cancel'
import { formatPrice, formatTime } from '@/lib/format'
import { ConfirmButton } from '@/app/_components/live/confirm-button'
import { clockTime, dayTime, fetchJson } from '@/app/_components/live/fmt'
import { DataTable } from '@/app/_components/data-table'
import { AccountBadge } from '@/app/_components/account-badge'
import { Pagination } from '@/app/_components/pagination'
import { ExportForm } from '@/app/_components/export-form'

const STATUS_TONE: Record<string, string> = {
  FILLED: 'bg-red-50 text-up',
  PARTIALLY_FILLED: 'bg-red-50 text-up',
  REJECTED: 'bg-red-100 text-red-800',
  FAILED: 'bg-red-100 text-red-800',
  UNKNOWN: 'bg-amber-100 text-amber-900',
  CANCELLED: 'bg-slate-200 text-slate-700',
  CANCELLING: 'bg-amber-50 text-amber-900',
}

export function OrdersView({ initial, query }: { initial: OrderList; query: string }) {
  const t = useTranslations('orders')
  const tl = useTranslations('live')
  const locale = useLocale()
  const key = `/api/orders${query ? `?${query}` : ''}`
  const { data, error, mutate } = useSWR<OrderList>(key, (u: string) => fetchJson<OrderList>(u), { fallbackData: initial, refreshInterval: useLiveInterval(5_000), revalidateOnMount: false, keepPreviousData: true })
  const d = data ?? initial
  const [results, setResults] = useState<Record<number, { ok: boolean; text: string }>>({})
  const pageHref = (page: number) => {
    const sp = new URLSearchParams(query)
    sp.set('page', String(page))
    return `/orders?${sp.toString()}`
  }

  async function cancel(o: OrderView) {
    let text: string
    let ok = false
    try {
      const res = await fetch(`/api/orders/${o.id}/cancel`, { method: 'POST' })
      const body = (await res.json().catch(() => null)) as (CancelReport & { message?: string }) | null
      if (body?.bridge) {
        ok = body.bridge.outcome === 'requested'
        text = ok
          ? t(body.recorded ? 'cancelRequested' : 'cancelRequestedNotRecorded', { message: body.bridge.message })
          : t('cancelFailed', { outcome: body.bridge.outcome, message: body.bridge.message })
      } else {
        text = t('cancelError', { message: body?.message ?? `HTTP ${res.status}` })
      }
    } catch (e) {
      text = t('cancelError', { message: (e as Error).message })
    }
    setResults((r) => ({ ...r, [o.id]: { ok, text } }))
    await mutate()
  }

  return (
    <div className="space-y-2">
      <ExportForm kinds={['orders', 'fills', 'notifications', 'pnl']} />
      {error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {tl('refreshFailed', { message: (error as Error).message, time: clockTime(new Date(), locale) })}
        </p>
      )}
      <LiveAnnouncer
        testId="orders-announcer"
        items={d.items.map((o) => ({ key: o.id, signature: `${o.status}|${o.filledQuantity}`, text: `${o.code} ${tl(`side.${o.side}`)} ${o.quantity}: ${tl(`orderStatus.${o.status}`)}` }))}
      />
      <DataTable
        testId="orders-table"
        phoneCards
        rows={d.items}
        rowKey={(o) => o.id}
        rowProps={(o) => ({ 'data-testid': `order-row-${o.id}`, 'data-code': o.code, 'data-status': o.status, 'data-xt-status': o.xtStatus ?? '', className: 'align-top' })}
        empty={
          <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600" data-testid="orders-empty">
            {t('empty')}
          </p>
        }
        columns={[
          { header: t('columns.time'), className: 'whitespace-nowrap text-xs', cell: (o) => formatTime(o.marketAt, locale) },
          {
            header: t('columns.stock'),
            cell: (o) => (
              <>
                <Link href={`/stocks/${o.stock.id}`} className="font-medium text-sky-800 hover:underline">
                  {o.code}
                </Link>
                <div className="text-xs text-slate-600">
                  {o.stock.name}
                  {o.stock.archived ? ` (${t('archived')})` : ''}
                </div>
                <AccountBadge account={o.account} paperText={t('account.paper')} liveText={t('account.live')} testId={`order-account-${o.id}`} />
              </>
            ),
          },
          {
            header: t('columns.order'),
            className: 'whitespace-nowrap',
            cell: (o) => (
              <>
                <div className={`font-medium ${o.side === 'BUY' ? 'text-up' : 'text-down'}`}>
                  {tl(`side.${o.side}`)} {o.quantity}
                </div>
                <div className="text-xs text-slate-600">{o.limitPrice != null && o.priceType === 'LIMIT' ? t('limit', { price: formatPrice(o.code, o.limitPrice) }) : t('market')}</div>
                <div className="text-xs text-slate-500">
                  {tl(`kind.${o.kind}`)}
                  {o.attempt > 1 ? ` · ${t('attempt', { attempt: o.attempt })}` : ''}
                </div>
              </>
            ),
          },
          {
            header: t('columns.status'),
            cell: (o) => (
              <>
                <div data-testid={`order-xt-${o.id}`}>
                  {o.xtStatus != null ? (
                    <span className="font-medium">{t('xtStatus', { name: locale === 'zh' ? o.xtStatusName! : o.xtStatusNameEn!, code: o.xtStatus })}</span>
                  ) : (
                    <span className="text-slate-500">{t('noXtStatus')}</span>
                  )}
                </div>
                <span data-testid={`order-status-${o.id}`} className={`mt-0.5 inline-block rounded px-1.5 py-0.5 text-xs ${STATUS_TONE[o.status] ?? 'bg-slate-100'}`}>
                  {t('internal', { status: tl(`orderStatus.${o.status}`) })}
                </span>
                <BrokerText parts={[o.statusMsg, o.errorMessage]} className="mt-0.5 max-w-xs text-xs text-red-700" testId={`order-msg-${o.id}`} />
                {o.cancelRequestedAt && (
                  <div className="mt-0.5 text-xs text-slate-500">
                    {t('cancelPending', { by: o.cancelledBy ? tl(`cancelledBy.${o.cancelledBy}` as never) : '—', time: dayTime(o.cancelRequestedAt, true) })}
                  </div>
                )}
              </>
            ),
          },
          {
            header: t('columns.filled'),
            className: 'whitespace-nowrap',
            cell: (o) => (
              <>
                <div>{t('filledOf', { filled: o.filledQuantity, quantity: o.quantity })}</div>
                {o.avgFillPrice != null && <div className="text-xs text-slate-600">{t('avg', { price: formatPrice(o.code, o.avgFillPrice) })}</div>}
                {o.fills.length > 0 && (
                  <details className="mt-0.5 text-xs">
                    <summary className="cursor-pointer text-sky-700">{t('fills', { count: o.fills.length })}</summary>
                    <ul className="mt-1 space-y-0.5 text-slate-600">
                      {o.fills.map((f) => (
                        <li key={f.id}>{t('fill', { time: dayTime(f.tradedAt, true), quantity: f.quantity, price: formatPrice(o.code, f.price), id: f.tradedId })}</li>
                      ))}
                    </ul>
                  </details>
                )}
              </>
            ),
          },
          {
            header: t('columns.ids'),
            className: 'text-xs',
            cell: (o) => (
              <>
                <div>
                  <span className="text-slate-500">{t('client')} </span>
                  <code data-testid={`order-client-${o.id}`}>{o.clientOrderId}</code>
                </div>
                <div>
                  <span className="text-slate-500">{t('bridge')} </span>
                  <code data-testid={`order-bridge-${o.id}`}>{o.bridgeOrderId ?? '—'}</code>
                </div>
              </>
            ),
          },
          {
            header: t('columns.actions'),
            cell: (o) => (
              <>
                {o.cancellable && (
                  <ConfirmButton
                    testId={`order-cancel-${o.id}`}
                    tone="danger"
                    label={t('cancel')}
                    title={t('cancelTitle')}
                    body={t('cancelConfirm', { side: tl(`side.${o.side}`), code: o.code, quantity: o.quantity, bridge: o.bridgeOrderId ?? '—' })}
                    confirmLabel={t('cancel')}
                    onConfirm={() => cancel(o)}
                  />
                )}
                {results[o.id] && (
                  <p role={results[o.id]!.ok ? 'status' : 'alert'} data-testid={`cancel-result-${o.id}`} className={`mt-1 max-w-xs text-xs ${results[o.id]!.ok ? 'text-sky-800' : 'text-red-700'}`}>
                    {results[o.id]!.text}
                  </p>
                )}
              </>
            ),
          },
        ]}
      />
      <Pagination total={d.total} page={d.page} pageSize={d.pageSize} href={pageHref} />
    </div>
  )
}
