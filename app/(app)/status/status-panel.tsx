'use client'
import { useLocale, useTranslations } from 'next-intl'
import useSWR from 'swr'
import type { StatusView } from '@/lib/services/status-view'
import { formatTime } from '@/lib/format'
import { HealthDot, useAge } from '@/app/_components/live/badges'
import { clockTime, dayTime, fetchJson } from '@/app/_components/live/fmt'

const PHASES = ['closed', 'pre_open', 'opening_auction', 'continuous', 'lunch_break', 'closing_auction', 'unknown'] as const
type Phase = (typeof PHASES)[number]
const asPhase = (p: string): Phase => ((PHASES as readonly string[]).includes(p) ? (p as Phase) : 'unknown')

export function StatusPanel({ initial }: { initial: StatusView }) {
  const t = useTranslations('status')
  const tl = useTranslations('live')
  const locale = useLocale()
  const age = useAge()
  const { data, error } = useSWR<StatusView>('/api/status', (u: string) => fetchJson<StatusView>(u), { fallbackData: initial, refreshInterval: 5_000, revalidateOnMount: false, keepPreviousData: true })
  const d = data ?? initial
  const card = 'rounded-lg border border-slate-200 bg-white p-3'
  const serviceName = (n: string) => (n === 'bridge' ? t('service.bridge') : n.startsWith('quotes:') ? t('service.quotes', { provider: n.slice(7) }) : n)

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

      <section className={card} aria-labelledby="services-title">
        <h2 id="services-title" className="mb-2 text-sm font-semibold">
          {t('services')}
        </h2>
        {d.services.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="services-empty">
            {t('servicesEmpty')}
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm" data-testid="services-table">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th className="py-1 pr-3">{t('serviceCols.name')}</th>
                  <th className="py-1 pr-3">{t('serviceCols.status')}</th>
                  <th className="py-1 pr-3">{t('serviceCols.lastOk')}</th>
                  <th className="py-1 pr-3">{t('serviceCols.lastError')}</th>
                  <th className="py-1 pr-3">{t('serviceCols.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {d.services.map((s) => (
                  <tr key={s.name} className="border-t border-slate-100 align-top" data-testid={`service-${s.name}`} data-status={s.status}>
                    <td className="py-1 pr-3 font-medium">{serviceName(s.name)}</td>
                    <td className="py-1 pr-3">
                      <span className="flex items-center gap-1.5">
                        <HealthDot tone={s.status === 'up' ? 'ok' : 'bad'} />
                        {s.status === 'up' || s.status === 'down' ? t(`statusValue.${s.status}`) : s.status}
                      </span>
                    </td>
                    <td className="whitespace-nowrap py-1 pr-3 text-xs">{formatTime(s.lastOkAt, locale)}</td>
                    <td className="py-1 pr-3 text-xs">
                      {s.lastErrorAt ? (
                        <>
                          <div className="whitespace-nowrap">{formatTime(s.lastErrorAt, locale)}</div>
                          {s.lastError && <div className="max-w-md break-all text-red-700">{s.lastError}</div>}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="whitespace-nowrap py-1 pr-3 text-xs">{clockTime(s.updatedAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className={card} aria-labelledby="errors-title">
        <h2 id="errors-title" className="mb-2 text-sm font-semibold">
          {t('lastErrors')}
        </h2>
        {d.lastErrors.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="errors-empty">
            {t('lastErrorsEmpty')}
          </p>
        ) : (
          <ul className="space-y-1 text-sm" data-testid="errors-list">
            {d.lastErrors.map((b) => (
              <li key={b.id} className="rounded bg-red-50 px-2 py-1">
                <span className="text-xs text-slate-600">{formatTime(b.startedAt, locale)} · {tl(`phase.${asPhase(b.phase)}`)}</span>
                <div className="break-all text-red-800">{b.errorText ?? `${b.errors}`}</div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className={card} aria-labelledby="beats-title">
        <h2 id="beats-title" className="mb-2 text-sm font-semibold">
          {t('heartbeats', { count: d.heartbeats.length })}
        </h2>
        {d.heartbeats.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="heartbeats-empty">
            {t('heartbeatsEmpty')}
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-xs tabular" data-testid="heartbeats-table">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="py-1 pr-3">{t('cols.time')}</th>
                  <th className="py-1 pr-3">{t('cols.marketTime')}</th>
                  <th className="py-1 pr-3">{t('cols.phase')}</th>
                  <th className="py-1 pr-3 text-right">{t('cols.duration')}</th>
                  <th className="py-1 pr-3 text-right">{t('cols.monitors')}</th>
                  <th className="py-1 pr-3 text-right">{t('cols.quotes')}</th>
                  <th className="py-1 pr-3 text-right">{t('cols.signals')}</th>
                  <th className="py-1 pr-3 text-right">{t('cols.orders')}</th>
                  <th className="py-1 pr-3 text-right">{t('cols.errors')}</th>
                </tr>
              </thead>
              <tbody>
                {d.heartbeats.map((b) => (
                  <tr key={b.id} className={`border-t border-slate-100 ${b.errors ? 'bg-red-50' : ''}`} title={b.errorText ?? undefined}>
                    <td className="whitespace-nowrap py-1 pr-3">{dayTime(b.startedAt, true)}</td>
                    <td className="whitespace-nowrap py-1 pr-3">
                      {dayTime(b.marketTime, true)} <span className="text-slate-400">{b.clockMode === 'sim' ? tl('clock.sim') : ''}</span>
                    </td>
                    <td className="whitespace-nowrap py-1 pr-3">{tl(`phase.${asPhase(b.phase)}`)}</td>
                    <td className="py-1 pr-3 text-right">{b.durationMs == null ? '—' : t('ms', { ms: b.durationMs })}</td>
                    <td className="py-1 pr-3 text-right">{b.monitors}</td>
                    <td className="py-1 pr-3 text-right">{b.quotes}</td>
                    <td className="py-1 pr-3 text-right">{b.signals}</td>
                    <td className="py-1 pr-3 text-right">{b.orders}</td>
                    <td className={`py-1 pr-3 text-right ${b.errors ? 'font-semibold text-red-700' : ''}`}>{b.errors}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  )
}
