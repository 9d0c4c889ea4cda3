'use client'
import { useLocale, useTranslations } from 'next-intl'
import { CalendarNote } from '@/app/_components/live/calendar-note'
import useSWR from 'swr'
import { useLiveInterval } from '@/app/_components/live/live-updates'
import { AccountBadge } from '@/app/_components/account-badge'
import type { StatusView } from '@/lib/services/views/status-view'
import { formatTime } from '@/lib/format'
import { HealthDot, useAge } from '@/app/_components/live/badges'
import { clockTime, dayTime, fetchJson } from '@/app/_components/live/fmt'
import { DataTable } from '@/app/_components/data-table'
import { Panel } from '@/app/_components/panel'

const PHASES = ['closed', 'pre_open', 'opening_auction', 'continuous', 'lunch_break', 'closing_auction', 'unknown'] as const
type Phase = (typeof PHASES)[number]
const asPhase = (p: string): Phase => ((PHASES as readonly string[]).includes(p) ? (p as Phase) : 'unknown')

export function StatusPanel({ initial }: { initial: StatusView }) {
  const t = useTranslations('status')
  const tl = useTranslations('live')
  const locale = useLocale()
  const age = useAge()
  const { data, error } = useSWR<StatusView>('/api/status', (u: string) => fetchJson<StatusView>(u), { fallbackData: initial, refreshInterval: useLiveInterval(5_000), revalidateOnMount: false, keepPreviousData: true })
  const d = data ?? initial
  const card = 'rounded-lg border border-slate-200 bg-white p-3'
  const serviceName = (n: string) => (n === 'bridge' || n.startsWith('bridge:') ? t('service.bridge') : n.startsWith('quotes:') ? t('service.quotes', { provider: n.slice(7) }) : n)

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">{t('title')}</h1>
        <span className="text-xs text-slate-500">{tl('updatedAt', { time: clockTime(d.generatedAt, locale) })}</span>
      </div>
      {error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {tl('refreshFailed', { message: (error as Error).message, time: clockTime(d.generatedAt, locale) })}
        </p>
      )}
      <div className="grid gap-3 md:grid-cols-2">
        <div className={card} data-testid="status-clock" data-mode={d.clock.mode}>
          <h2 className="text-sm font-semibold">{t('clock')}</h2>
          <p className="text-sm">
            {tl(`clock.${d.clock.mode}`)}
            {d.clock.estimated ? tl('clock.estimated') : ''} · {d.clock.now ? tl('clock.marketTime', { time: dayTime(d.clock.now, true) }) : '—'}
          </p>
          <p className="text-sm">
            {t('phase')}: {tl(`phase.${d.clock.phase}`)}
            {d.clock.next ? ` · ${t('next', { phase: tl(`phase.${d.clock.next.phase}`), time: dayTime(d.clock.next.at) })}` : ''}
          </p>
          {d.clock.error && <p className="text-xs text-red-700">{tl('clock.error', { message: d.clock.error })}</p>}
          {d.clock.calendarError && <p className="text-xs text-red-700">{d.clock.calendarError}</p>}
          <CalendarNote calendar={d.clock.calendar} showSource />
        </div>
        <div className={card} data-testid="status-worker" data-status={d.worker.status}>
          <h2 className="text-sm font-semibold">{t('worker')}</h2>
          <p className="flex items-center gap-1.5 text-sm font-medium">
            <HealthDot tone={d.worker.status === 'ok' ? 'ok' : d.worker.status === 'stale' ? 'bad' : 'idle'} />
            {tl(`worker.${d.worker.status}`)}
          </p>
          {d.worker.lastBeatAt ? (
            <p className="text-xs text-slate-600">{t('lastBeat', { time: formatTime(d.worker.lastBeatAt, locale), age: age(d.worker.ageSec), stale: d.worker.staleAfterSec })}</p>
          ) : (
            <p className="text-xs text-slate-600">{t('noBeat')}</p>
          )}
          {d.leases.map((l) => (
            <p key={l.name} className="break-all text-xs text-slate-500">
              {t('lease', { name: l.name, holder: l.holderId, token: l.fencingToken, renewed: clockTime(l.renewedAt, locale), state: l.held ? t('leaseHeld') : t('leaseExpired') })}
            </p>
          ))}
        </div>
      </div>

      <Panel id="services-title" title={t('services')} smallTitle empty={d.services.length === 0 && { text: t('servicesEmpty'), testId: 'services-empty' }}>
        <DataTable
          look="compact"
          testId="services-table"
          rows={d.services}
          rowKey={(s) => s.name}
          rowProps={(s) => ({ className: 'align-top', 'data-testid': `service-${s.name}`, 'data-status': s.status })}
          columns={[
            {
              header: t('serviceCols.name'),
              className: 'font-medium',
              cell: (s) => (
                <>
                  {serviceName(s.name)}
                  {/* A bridge row names its account and says plainly paper (模拟盘) or live (实盘). */}
                  {s.account && (
                    <div>
                      <AccountBadge account={s.account} paperText={t('accountPaper')} liveText={t('accountLive')} testId={`service-account-${s.name}`} />
                    </div>
                  )}
                </>
              ),
            },
            {
              header: t('serviceCols.status'),
              cell: (s) => (
                <span className="flex items-center gap-1.5">
                  <HealthDot tone={s.status === 'up' ? 'ok' : 'bad'} />
                  {s.status === 'up' || s.status === 'down' ? t(`statusValue.${s.status}`) : s.status}
                </span>
              ),
            },
            { header: t('serviceCols.lastOk'), className: 'whitespace-nowrap text-xs', cell: (s) => formatTime(s.lastOkAt, locale) },
            {
              header: t('serviceCols.lastError'),
              className: 'text-xs',
              cell: (s) =>
                s.lastErrorAt ? (
                  <>
                    <div className="whitespace-nowrap">{formatTime(s.lastErrorAt, locale)}</div>
                    {s.lastError && <div className="max-w-md break-all text-red-700">{s.lastError}</div>}
                  </>
                ) : (
                  '—'
                ),
            },
            { header: t('serviceCols.updated'), className: 'whitespace-nowrap text-xs', cell: (s) => clockTime(s.updatedAt, locale) },
          ]}
        />
      </Panel>

      <Panel id="errors-title" title={t('lastErrors')} smallTitle empty={d.lastErrors.length === 0 && { text: t('lastErrorsEmpty'), testId: 'errors-empty' }}>
        <ul className="space-y-1 text-sm" data-testid="errors-list">
          {d.lastErrors.map((b) => (
            <li key={b.id} className="rounded bg-red-50 px-2 py-1">
              <span className="text-xs text-slate-600">{formatTime(b.startedAt, locale)} · {tl(`phase.${asPhase(b.phase)}`)}</span>
              <div className="break-all text-red-800">{b.errorText ?? `${b.errors}`}</div>
            </li>
          ))}
        </ul>
      </Panel>

      <Panel id="beats-title" title={t('heartbeats', { count: d.heartbeats.length })} smallTitle empty={d.heartbeats.length === 0 && { text: t('heartbeatsEmpty'), testId: 'heartbeats-empty' }}>
        <DataTable
          look="compact"
          testId="heartbeats-table"
          text="xs"
          className="tabular"
          rows={d.heartbeats}
          rowKey={(b) => b.id}
          rowProps={(b) => ({ className: b.errors ? 'bg-red-50' : undefined, title: b.errorText ?? undefined })}
          columns={[
            { header: t('cols.time'), className: 'whitespace-nowrap', cell: (b) => dayTime(b.startedAt, true) },
            {
              header: t('cols.marketTime'),
              className: 'whitespace-nowrap',
              cell: (b) => (
                <>
                  {dayTime(b.marketTime, true)} <span className="text-slate-500">{b.clockMode === 'sim' ? tl('clock.sim') : ''}</span>
                </>
              ),
            },
            { header: t('cols.phase'), className: 'whitespace-nowrap', cell: (b) => tl(`phase.${asPhase(b.phase)}`) },
            { header: t('cols.duration'), numeric: true, cell: (b) => (b.durationMs == null ? '—' : t('ms', { ms: b.durationMs })) },
            { header: t('cols.monitors'), numeric: true, cell: (b) => b.monitors },
            { header: t('cols.quotes'), numeric: true, cell: (b) => b.quotes },
            { header: t('cols.signals'), numeric: true, cell: (b) => b.signals },
            { header: t('cols.orders'), numeric: true, cell: (b) => b.orders },
            { header: t('cols.errors'), numeric: true, className: (b) => (b.errors ? 'font-semibold text-red-700' : ''), cell: (b) => b.errors },
          ]}
        />
      </Panel>
    </section>
  )
}
