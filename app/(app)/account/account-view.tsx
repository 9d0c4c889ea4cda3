'use client'
import Link from 'next/link'
import { useLocale, useTranslations } from 'next-intl'
import useSWR from 'swr'
import { useLiveInterval } from '@/app/_components/live/live-updates'
import type { AccountNumbers, AccountPageData, PositionRow } from '@/lib/services/views/account-view'
import { formatPrice, formatTime } from '@/lib/format'
import { fetchJson, money, trendClass } from '@/app/_components/live/fmt'
import { DataTable } from '@/app/_components/data-table'
import { PnlPanel } from '@/app/_components/pnl-panel'
import { ExportForm } from '@/app/_components/export-form'
import { AccountBadge } from '@/app/_components/account-badge'

/** `account`: the broker account chosen with ?account=<id> (checked visible by the page), else the user's default. */
export function AccountView({ account = null }: { account?: number | null }) {
  const t = useTranslations('account')
  const tl = useTranslations('live')
  const locale = useLocale()
  const apiUrl = account ? `/api/account?account=${account}` : '/api/account'
  const { data, error, isLoading, isValidating, mutate } = useSWR<AccountPageData>(apiUrl, (u: string) => fetchJson<AccountPageData>(u), { refreshInterval: useLiveInterval(15_000), keepPreviousData: true })
  return (
    <section className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">{t('title')}</h1>
        <button type="button" onClick={() => mutate()} disabled={isValidating} className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50">
          {isValidating ? t('loading') : t('refresh')}
        </button>
      </div>
      {isLoading && !data && (
        <p role="status" data-testid="account-loading" className="rounded-lg border border-slate-200 bg-white p-6 text-center text-slate-600">
          {t('loading')}
        </p>
      )}
      {error && (
        <p role="alert" data-testid="account-error" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {tl('loadFailed', { message: (error as Error).message })}
        </p>
      )}
      {data && data.accounts.length > 1 && (
        <nav aria-label={t('accountFilter')} className="flex flex-wrap items-center gap-2 text-sm" data-testid="account-filter">
          <span className="text-slate-600">{t('accountFilter')}:</span>
          {data.accounts.map((a) => (
            <a key={a.id} href={`/account?account=${a.id}`} aria-current={data.account?.id === a.id ? 'page' : undefined} className={`rounded px-2 py-0.5 ${data.account?.id === a.id ? 'bg-sky-100 font-medium text-sky-900' : 'text-sky-700 hover:underline'}`}>
              {a.name} · {a.paper ? t('paper') : t('live')}
            </a>
          ))}
        </nav>
      )}
      {data?.account && (
        <p className="text-sm" data-testid="account-shown">
          <AccountBadge account={data.account} paperText={t('paper')} liveText={t('live')} />
        </p>
      )}
      {data && !data.live && (
        <p className="text-sm text-slate-600" data-testid="account-none">
          {t('noAccount')}
        </p>
      )}
      {data && data.live && (
        <>
          {data.live.ok ? (
            <div data-testid="account-live" className="space-y-3">
              <p className="text-sm text-slate-600">
                {t('liveAt', { time: formatTime(data.live.at, locale) })}
                {data.live.accountId ? ` · ${t('accountId', { id: data.live.accountId })}` : ''}
              </p>
              <Numbers a={data.live.account} testId="account-numbers" />
              <Positions rows={data.live.positions} testId="account-positions" />
            </div>
          ) : (
            <div className="space-y-3">
              <p role="alert" data-testid="account-bridge-down" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {t('bridgeDown', { stage: t(`stage.${data.live.stage}`), message: data.live.message })}
              </p>
              {data.snapshot ? (
                <div data-testid="account-snapshot" className="space-y-3 rounded-lg border border-dashed border-amber-300 bg-amber-50/40 p-3">
                  <p className="text-sm font-medium text-amber-900">{t('snapshotTitle', { time: formatTime(data.snapshot.takenAt, locale) })}</p>
                  <Numbers a={data.snapshot.account} testId="snapshot-numbers" />
                  <Positions rows={data.snapshot.positions} testId="snapshot-positions" />
                </div>
              ) : (
                <p className="text-sm text-slate-600" data-testid="account-no-snapshot">
                  {t('noSnapshot')}
                </p>
              )}
            </div>
          )}
        </>
      )}
      <PnlPanel />
      <ExportForm kinds={['pnl', 'fills', 'orders', 'notifications']} />
    </section>
  )
}

function Numbers({ a, testId }: { a: AccountNumbers; testId: string }) {
  const t = useTranslations('account')
  const item = (label: string, v: number, id: string) => (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2">
      <div className="text-xs text-slate-500">{label}</div>
      <div className="text-lg font-semibold tabular" data-testid={`${testId}-${id}`}>
        {money(v)}
      </div>
    </div>
  )
  return (
    <div className="grid grid-cols-2 gap-2 md:grid-cols-4" data-testid={testId}>
      {item(t('totalAsset'), a.totalAsset, 'total')}
      {item(t('cash'), a.cash, 'cash')}
      {item(t('frozenCash'), a.frozenCash, 'frozen')}
      {item(t('marketValue'), a.marketValue, 'market')}
    </div>
  )
}

function Positions({ rows, testId }: { rows: PositionRow[]; testId: string }) {
  const t = useTranslations('account')
  return (
    <div>
      <h2 className="mb-1 font-semibold">{t('positions')}</h2>
      <DataTable
        testId={testId}
        rows={rows}
        rowKey={(p) => p.code}
        rowProps={(p) => ({ 'data-testid': `position-${p.code}` })}
        empty={<p className="text-sm text-slate-600">{t('noPositions')}</p>}
        columns={[
          {
            header: t('columns.stock'),
            cell: (p) => (
              <>
                {p.stockId ? (
                  <Link href={`/stocks/${p.stockId}`} className="font-medium text-sky-800 hover:underline">
                    {p.code}
                  </Link>
                ) : (
                  <span className="font-medium">{p.code}</span>
                )}
                {p.name && <div className="text-xs text-slate-600">{p.name}</div>}
              </>
            ),
          },
          { header: t('columns.volume'), numeric: true, cell: (p) => p.volume },
          { header: t('columns.canUse'), numeric: true, className: 'font-medium', cellProps: (p) => ({ 'data-testid': `position-canuse-${p.code}` }), cell: (p) => p.canUseVolume },
          { header: t('columns.avgPrice'), numeric: true, cell: (p) => formatPrice(p.code, p.avgPrice) },
          { header: t('columns.marketValue'), numeric: true, cell: (p) => money(p.marketValue) },
          { header: t('columns.pnl'), numeric: true, className: (p) => trendClass(p.unrealizedPnl), cell: (p) => money(p.unrealizedPnl) },
          { header: t('columns.managed'), className: 'text-xs', cell: (p) => (p.managedQty != null ? t('managed', { qty: p.managedQty }) : <span className="text-slate-500">{t('notMonitored')}</span>) },
        ]}
      />
      <p className="mt-1 text-xs text-slate-500">{t('t1Hint')}</p>
    </div>
  )
}
