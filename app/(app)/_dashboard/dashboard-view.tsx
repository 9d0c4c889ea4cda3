'use client'
/**
 * 实时监测: the header strip (market phase from the clock in use, worker heartbeat, bridge, kill
 * switch, today's orders) and one row per monitored stock, refreshed every few seconds from
 * /api/dashboard. A failed refresh is shown with the time of the data still on screen.
 */
import Link from 'next/link'
import { useMemo, useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import { CalendarNote } from '@/app/_components/live/calendar-note'
import useSWR from 'swr'
import { useLiveInterval } from '@/app/_components/live/live-updates'
import type { Dashboard, DashboardRow } from '@/lib/services/views/dashboard'
import { formatPrice } from '@/lib/format'
import { percentText } from '@/lib/schemas/fields'
import { AutoTradeSwitch } from '@/app/(app)/stocks/_components/auto-trade-switch'
import { ExitsPaused } from '@/app/(app)/stocks/_components/exits-paused'
import { ExRightsPending } from '@/app/(app)/stocks/_components/ex-rights-pending'
import { FreshnessBadge, HealthDot, MonitorStateBadge, useAge } from '@/app/_components/live/badges'
import { clockTime, dayTime, fetchJson, signedPct, trendClass } from '@/app/_components/live/fmt'
import { DataTable } from '@/app/_components/data-table'
import { FilterField } from '@/app/_components/filters'
import { LiveAnnouncer } from '@/app/_components/live/announcer'
import { AccountBadge } from '@/app/_components/account-badge'
import { ConditionsLine } from '@/app/_components/live/monitor-conditions'

const REFRESH_MS = 3_000
type SortKey = 'default' | 'code' | 'change' | 'zone' | 'state'
const STATE_ORDER = ['EXIT_PENDING', 'ENTRY_PENDING', 'HOLDING', 'WATCHING', 'PAUSED', 'CLOSED']
const pctAbs = (v: number) => signedPct(Math.abs(v)).replace('+', '')

function sortRows(rows: DashboardRow[], key: SortKey, dir: 1 | -1): DashboardRow[] {
  if (key === 'default') return dir === 1 ? rows : [...rows].reverse()
  const val = (r: DashboardRow): number | string => {
    switch (key) {
      case 'code':
        return r.code
      case 'change':
        return r.quote?.changePct ?? Number.NEGATIVE_INFINITY
      case 'zone':
        return r.zone ? Math.abs(r.zone.pct) : Number.POSITIVE_INFINITY
      case 'state':
        return STATE_ORDER.indexOf(r.state)
    }
  }
  return [...rows].sort((a, b) => {
    const x = val(a)
    const y = val(b)
    return (x < y ? -1 : x > y ? 1 : a.id - b.id) * dir
  })
}

export function DashboardView({ initial }: { initial: Dashboard }) {
  const t = useTranslations('dashboard')
  const tc = useTranslations('common')
  const tl = useTranslations('live')
  const locale = useLocale()
  // The account filter (?account=<id>) the page was opened with: the refreshes ask for the same rows.
  const apiUrl = initial.account ? `/api/dashboard?account=${initial.account.id}` : '/api/dashboard'
  const { data, error, mutate } = useSWR<Dashboard>(apiUrl, (u: string) => fetchJson<Dashboard>(u), {
    fallbackData: initial,
    refreshInterval: useLiveInterval(REFRESH_MS),
    revalidateOnMount: false,
    keepPreviousData: true,
  })
  const d = data ?? initial
  const [query, setQuery] = useState('')
  const [sort, setSort] = useState<SortKey>('default')
  const [dir, setDir] = useState<1 | -1>(1)

  const rows = useMemo(() => {
    const q = query.trim().toLowerCase()
    const filtered = q ? d.rows.filter((r) => r.code.toLowerCase().includes(q) || r.name.toLowerCase().includes(q)) : d.rows
    return sortRows(filtered, sort, dir)
  }, [d.rows, query, sort, dir])

  const announcements = useMemo(
    () =>
      d.rows.map((r) => ({
        key: r.id,
        signature: r.lastSignal ? `${r.lastSignal.kind}|${r.lastSignal.at}|${r.lastSignal.outcome ?? ''}` : '',
        text: r.lastSignal
          ? `${r.code} ${r.name}: ${tl(`kind.${r.lastSignal.kind}` as never)}${r.lastSignal.outcome ? ` · ${tl(`outcome.${r.lastSignal.outcome}` as never)}` : ''}`
          : '',
      })),
    [d.rows, tl],
  )

  const sortHeader = (key: SortKey, label: string) => (
    <button
      type="button"
      onClick={() => {
        if (sort === key) setDir((x) => (x === 1 ? -1 : 1))
        else {
          setSort(key)
          setDir(1)
        }
      }}
      className="inline-flex items-center gap-0.5 rounded hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
    >
      {label}
      <span aria-hidden className="text-xs text-slate-500">
        {sort === key ? (dir === 1 ? '▲' : '▼') : '⇅'}
      </span>
    </button>
  )
  const ariaSort = (key: SortKey) => (sort === key ? (dir === 1 ? 'ascending' : 'descending') : 'none') as 'ascending' | 'descending' | 'none'

  return (
    <section className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">{t('title')}</h1>
        {/* One clock per line: in the demo the market (simulated) time, the computer's labelled. */}
        <span className="text-xs text-slate-600" data-testid="dashboard-updated" data-clock={d.clock.mode}>
          {d.clock.mode === 'sim' && d.clock.now
            ? `${tl('updatedMarket', { time: clockTime(d.clock.now, locale) })} · ${tl('wallTime', { time: clockTime(d.generatedAt, locale) })}`
            : tl('updatedAt', { time: clockTime(d.generatedAt, locale) })}
        </span>
      </div>
      {d.accounts.length > 1 && (
        <nav aria-label={t('account.filter')} className="flex flex-wrap items-center gap-2 text-sm" data-testid="dashboard-account-filter">
          <span className="text-slate-600">{t('account.filter')}:</span>
          <Link href="/" aria-current={d.account ? undefined : 'page'} className={`rounded px-2 py-0.5 ${d.account ? 'text-sky-700 hover:underline' : 'bg-sky-100 font-medium text-sky-900'}`}>
            {t('account.all')}
          </Link>
          {d.accounts.map((a) => (
            <Link key={a.id} href={`/?account=${a.id}`} aria-current={d.account?.id === a.id ? 'page' : undefined} className={`rounded px-2 py-0.5 ${d.account?.id === a.id ? 'bg-sky-100 font-medium text-sky-900' : 'text-sky-700 hover:underline'}`}>
              {a.name} · {a.paper ? t('account.paper') : t('account.live')}
            </Link>
          ))}
        </nav>
      )}
      {d.account && (
        <p className="text-sm" data-testid="dashboard-account">
          <AccountBadge account={d.account} paperText={t('account.paper')} liveText={t('account.live')} />
        </p>
      )}
      <HeaderStrip d={d} />
      {/* Triggers and their outcomes, said aloud as they arrive (screen readers). */}
      <LiveAnnouncer items={announcements} />
      {error && (
        <p role="alert" data-testid="dashboard-error" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {tl('refreshFailed', { message: (error as Error).message, time: clockTime(d.generatedAt, locale) })}
        </p>
      )}
      <Banners d={d} />

      {d.rows.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600" data-testid="dashboard-empty">
          <p>{t('empty')}</p>
          <Link href="/stocks/new" className="mt-3 inline-block text-sky-700 hover:underline">
            {t('addFirst')}
          </Link>
        </div>
      ) : (
        <>
          <div className="flex flex-wrap items-end gap-2">
            <FilterField label={t('searchLabel')}>
              <input
                type="search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder={t('searchPlaceholder')}
                data-testid="dashboard-search"
                className="mt-0.5 w-48 rounded border border-slate-300 px-2 py-1.5 text-base sm:text-sm"
              />
            </FilterField>
            <FilterField label={t('sortLabel')}>
              <select
                value={`${sort}:${dir}`}
                onChange={(e) => {
                  const [k, v] = e.target.value.split(':')
                  setSort(k as SortKey)
                  setDir(v === '-1' ? -1 : 1)
                }}
                data-testid="dashboard-sort"
                className="mt-0.5 rounded border border-slate-300 px-2 py-1.5 text-base sm:text-sm"
              >
                {(['default', 'code', 'change', 'zone', 'state'] as const).flatMap((k) =>
                  ([1, -1] as const).map((v) => (
                    <option key={`${k}:${v}`} value={`${k}:${v}`}>
                      {t(`sort.${k}`)} {v === 1 ? '↑' : '↓'}
                    </option>
                  )),
                )}
              </select>
            </FilterField>
            <span className="pb-2 text-xs text-slate-500">{t('count', { shown: rows.length, total: d.rows.length })}</span>
          </div>
          <DataTable
            testId="dashboard-table"
            phoneCards
            frameClassName="relative"
            rows={rows}
            rowKey={(r) => r.id}
            rowProps={(r) => ({ 'data-testid': `dash-row-${r.code}`, className: 'align-top' })}
            empty={<p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center text-slate-600">{t('noMatch', { query })}</p>}
            columns={[
              {
                header: sortHeader('code', t('columns.stock')),
                cardLabel: t('columns.stock'),
                headProps: { className: 'sticky left-0 z-10 bg-slate-50', 'aria-sort': ariaSort('code') },
                className: 'sticky left-0 z-10 bg-white',
                cell: (r) => (
                  <>
                    <Link href={`/stocks/${r.id}`} className="font-medium text-sky-800 hover:underline">
                      {r.code}
                    </Link>
                    <div className="text-slate-600">{r.name}</div>
                    <AccountBadge account={r.account} paperText={t('account.paper')} liveText={t('account.live')} testId={`dash-account-${r.code}`} />
                    {!r.enabled && <span className="rounded bg-amber-100 px-1.5 text-xs text-amber-800">{t('disabled')}</span>}
                    <ConditionsLine c={r.conditions} testId={`dash-cond-${r.code}`} />
                  </>
                ),
              },
              {
                header: t('columns.last'),
                numeric: true,
                className: (r) => `font-semibold ${trendClass(r.quote?.changePct ?? null)}`,
                cellProps: (r) => ({ 'data-testid': `dash-price-${r.code}` }),
                cell: (r) => (
                  <>
                    {formatPrice(r.code, r.quote?.last)}
                    {r.quote?.suspended && <div className="text-xs font-normal text-amber-700">{tl('suspended')}</div>}
                  </>
                ),
              },
              {
                header: sortHeader('change', t('columns.change')),
                cardLabel: t('columns.change'),
                headProps: { 'aria-sort': ariaSort('change') },
                numeric: true,
                className: (r) => trendClass(r.quote?.changePct ?? null),
                cellProps: (r) => ({ 'data-testid': `dash-change-${r.code}` }),
                cell: (r) => signedPct(r.quote?.changePct ?? null),
              },
              {
                header: sortHeader('zone', t('columns.zone')),
                cardLabel: t('columns.zone'),
                headProps: { 'aria-sort': ariaSort('zone') },
                className: 'whitespace-nowrap',
                cellProps: (r) => ({ 'data-testid': `dash-zone-${r.code}`, 'data-where': r.zone?.where ?? 'none' }),
                cell: (r) => (
                  <>
                    <div>
                      {formatPrice(r.code, r.entryLow)} – {formatPrice(r.code, r.entryHigh)}
                    </div>
                    {r.zone && (
                      <div className={`text-xs ${r.zone.where === 'inside' ? 'font-medium text-sky-700' : 'text-slate-500'}`}>
                        {r.zone.where === 'inside' ? t('zone.inside') : t(`zone.${r.zone.where}`, { pct: pctAbs(r.zone.pct) })}
                      </div>
                    )}
                  </>
                ),
              },
              {
                header: t('columns.takeProfit'),
                className: 'whitespace-nowrap',
                cell: (r) => (
                  <>
                    <div className="text-up">{formatPrice(r.code, r.takeProfit)}</div>
                    {r.takeProfitCostPct != null && <div className="text-xs text-slate-500" data-testid="tp-of-cost">{tc('ofCost', { pct: `+${percentText(r.takeProfitCostPct)}%` })}</div>}
                    {r.stagedExits && (
                      <div className="text-xs text-slate-500" data-testid="tp-tranches">
                        {t('tranches', { done: r.stagedExits.done, total: r.stagedExits.total })}
                        {r.stagedExits.breakevenLevel != null && ` · ${t('breakeven', { level: formatPrice(r.code, r.stagedExits.breakevenLevel) })}`}
                      </div>
                    )}
                    <div className="text-xs text-slate-500">{signedPct(r.takeProfitPct)}</div>
                  </>
                ),
              },
              {
                header: t('columns.stopLoss'),
                className: 'whitespace-nowrap',
                cell: (r) => (
                  <>
                    <div className="text-down">{formatPrice(r.code, r.stopLoss)}</div>
                    {r.stopLossCostPct != null && <div className="text-xs text-slate-500" data-testid="sl-of-cost">{tc('ofCost', { pct: `-${percentText(r.stopLossCostPct)}%` })}</div>}
                    <div className="text-xs text-slate-500">{signedPct(r.stopLossPct)}</div>
                    {r.trailingLevel != null && <div className="text-xs text-slate-500">{t('trailing', { level: formatPrice(r.code, r.trailingLevel) })}</div>}
                  </>
                ),
              },
              {
                header: sortHeader('state', t('columns.state')),
                cardLabel: t('columns.state'),
                headProps: { 'aria-sort': ariaSort('state') },
                cell: (r) => (
                  <>
                    <MonitorStateBadge state={r.state} testId={`dash-state-${r.code}`} reason={r.closedReason} />
                    {r.positionQty > 0 && <div className="mt-0.5 text-xs text-slate-500">{t('position', { qty: r.positionQty })}</div>}
                    {r.exitsPausedAt && <ExitsPaused compact stockId={r.id} code={r.code} pausedAt={r.exitsPausedAt} why={r.exitsPausedWhy} onResumed={() => mutate()} />}
                    <ExRightsPending compact stockId={r.id} code={r.code} onDecided={() => mutate()} />
                  </>
                ),
              },
              {
                header: t('columns.autoTrade'),
                cell: (r) => <AutoTradeSwitch key={`${r.id}:${r.autoTrade}`} stockId={r.id} code={r.code} initial={r.autoTrade} />,
              },
              {
                header: t('columns.lastSignal'),
                className: 'whitespace-nowrap text-xs',
                cellProps: (r) => ({ 'data-testid': `dash-signal-${r.code}` }),
                cell: (r) =>
                  r.lastSignal ? (
                    <>
                      <div className="font-medium">{tl(`kind.${r.lastSignal.kind}` as never)}</div>
                      <div className="text-slate-500">
                        {dayTime(r.lastSignal.at)}
                        {r.lastSignal.outcome ? ` · ${tl(`outcome.${r.lastSignal.outcome}` as never)}` : ''}
                      </div>
                    </>
                  ) : (
                    <span className="text-slate-500">—</span>
                  ),
              },
              {
                header: t('columns.freshness'),
                className: 'whitespace-nowrap',
                cell: (r) => (
                  <>
                    <FreshnessBadge state={r.freshness} ageSec={r.quoteAgeSec} time={r.quote?.time ?? null} maxAgeSec={d.maxQuoteAgeSec} testId={`dash-fresh-${r.code}`} />
                    {r.quote && <div className="mt-0.5 text-xs text-slate-500">{clockTime(r.quote.time, locale)}</div>}
                  </>
                ),
              },
            ]}
          />
        </>
      )}
    </section>
  )
}

function HeaderStrip({ d }: { d: Dashboard }) {
  const t = useTranslations('dashboard')
  const tl = useTranslations('live')
  const locale = useLocale()
  const age = useAge()
  const card = 'rounded-lg border border-slate-200 bg-white px-3 py-2'
  const label = 'text-xs text-slate-500'
  return (
    <div className="grid grid-cols-2 gap-2 text-sm md:grid-cols-3 lg:grid-cols-6">
      <div className={card} data-testid="market-phase" data-phase={d.market.phase}>
        <div className={label}>{t('header.market')}</div>
        <div className="font-medium">{tl(`phase.${d.market.phase}`)}</div>
        {d.market.next && (
          <div className="text-xs text-slate-500">
            {t('header.next', { phase: tl(`phase.${d.market.next.phase}`), time: dayTime(d.market.next.at) })}
          </div>
        )}
        {d.market.error && <div className="text-xs text-red-700">{d.market.error}</div>}
        <CalendarNote calendar={d.market.calendar} />
      </div>
      <div className={card} data-testid="market-clock" data-mode={d.clock.mode}>
        <div className={label}>{t('header.clock')}</div>
        <div className="font-medium">
          {tl(`clock.${d.clock.mode}`)}
          {d.clock.estimated ? tl('clock.estimated') : ''}
        </div>
        <div className="text-xs text-slate-500">{d.clock.now ? tl('clock.marketTime', { time: dayTime(d.clock.now, true) }) : '—'}</div>
        {d.clock.error && <div className="text-xs text-red-700">{tl('clock.error', { message: d.clock.error })}</div>}
      </div>
      <div className={card} data-testid="worker-status" data-status={d.worker.status}>
        <div className={label}>{t('header.worker')}</div>
        <div className="flex items-center gap-1.5 font-medium">
          <HealthDot tone={d.worker.status === 'ok' ? 'ok' : d.worker.status === 'stale' ? 'bad' : 'idle'} />
          {tl(`worker.${d.worker.status}`)}
        </div>
        {d.worker.ageSec != null && <div className="text-xs text-slate-500">{tl('ago', { age: age(d.worker.ageSec) })}</div>}
      </div>
      <div className={card} data-testid="bridge-status" data-status={d.bridge.status}>
        <div className={label}>{t('header.bridge')}</div>
        <div className="flex items-center gap-1.5 font-medium">
          <HealthDot tone={d.bridge.status === 'up' ? 'ok' : d.bridge.status === 'down' ? 'bad' : d.bridge.status === 'unconfirmed' ? 'warn' : 'idle'} />
          {tl(`bridge.${d.bridge.status}`)}
        </div>
        {/* Which account's bridge, and plainly whether it is paper (模拟盘) or live (实盘). */}
        <AccountBadge account={d.bridgeAccount} paperText={t('account.paper')} liveText={t('account.live')} testId="bridge-account" />
        {d.bridge.checkedAt && <div className="text-xs text-slate-500">{t('header.checkedAt', { time: clockTime(d.bridge.checkedAt, locale) })}</div>}
      </div>
      <div className={card} data-testid="kill-switch-state" data-state={d.killSwitch.on ? 'on' : 'off'}>
        <div className={label}>{t('header.killSwitch')}</div>
        <div className={`flex items-center gap-1.5 font-medium ${d.killSwitch.on ? 'text-red-700' : ''}`}>
          <HealthDot tone={d.killSwitch.on ? 'bad' : 'ok'} />
          {d.killSwitch.on ? t('header.killOn') : t('header.killOff')}
        </div>
      </div>
      <div className={card}>
        <div className={label}>{t('header.ordersToday')}</div>
        <Link href="/orders" className="text-lg font-semibold text-sky-800 hover:underline" data-testid="orders-today">
          {d.ordersToday ?? '—'}
        </Link>
      </div>
    </div>
  )
}

function Banners({ d }: { d: Dashboard }) {
  const t = useTranslations('dashboard')
  const age = useAge()
  const items: Array<{ key: string; text: string }> = []
  if (d.killSwitch.on) items.push({ key: 'kill', text: t('banner.killOn', { by: d.killSwitch.by ?? '—', time: dayTime(d.killSwitch.at) }) })
  if (d.bridge.status === 'down') items.push({ key: 'bridge', text: t('banner.bridgeDown', { message: d.bridge.lastError ?? '—' }) })
  if (d.bridge.status === 'unconfirmed') items.push({ key: 'bridge-unconfirmed', text: t('banner.bridgeUnconfirmed', { age: age(d.bridge.checkedAgeSec) }) })
  if (d.worker.status === 'stale') items.push({ key: 'worker', text: t('banner.workerStale', { age: age(d.worker.ageSec) }) })
  if (d.worker.status === 'never') items.push({ key: 'worker', text: t('banner.workerNever') })
  if (items.length === 0) return null
  return (
    <ul className="space-y-1" data-testid="dashboard-banners">
      {items.map((b) => (
        <li key={b.key} role="alert" data-testid={`banner-${b.key}`} className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {b.text}
        </li>
      ))}
    </ul>
  )
}
