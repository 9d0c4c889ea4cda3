'use client'
/**
 * 设置 → 交易日历. Shows a year: covered or provisional, each weekday closure and make-up day with
 * the layer it came from, what the worker observed, and the exchange-feed status. Admins import
 * the official notice: preview (every line with its dates or error) → save, only when nothing is
 * wrong and the text is what was previewed.
 */
import { useState, type ChangeEvent } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import { calendarImportSchema, calendarPreviewSchema } from '@/lib/schemas/calendar'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import type { FieldErrors } from '@/lib/errors'
import type { CalendarOverview, ImportPreview } from '@/lib/services/runtime/calendar'
import { formatTime } from '@/lib/format'
import { ConfirmButton } from '@/app/_components/live/confirm-button'
import { fetchJson } from '@/app/_components/live/fmt'

type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T
type Overview = Json<CalendarOverview>

const card = 'space-y-3 rounded-lg border border-slate-200 bg-white p-4'
const input = 'mt-1 w-full rounded border border-slate-300 px-3 py-2 text-base sm:text-sm focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500'
const th = 'px-2 py-1 text-left font-medium text-slate-600'
const td = 'px-2 py-1 align-top'

export function CalendarManager({ initial, isAdmin }: { initial: Overview; isAdmin: boolean }) {
  const t = useTranslations('calendar')
  const te = useTranslations('errors')
  const locale = useLocale()
  const [view, setView] = useState<Overview>(initial)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [text, setText] = useState('')
  const [source, setSource] = useState('')
  const [complete, setComplete] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [preview, setPreview] = useState<{ text: string; result: ImportPreview } | null>(null)
  const [busy, setBusy] = useState<'preview' | 'save' | null>(null)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const year = view.year

  async function load(y: number) {
    setLoading(true)
    setLoadError(null)
    try {
      setView(await fetchJson<Overview>(`/api/settings/calendar?year=${y}`))
      setPreview(null)
      setMessage(null)
    } catch (e) {
      setLoadError((e as Error).message)
    } finally {
      setLoading(false)
    }
  }

  const fieldErrors = (issues: Parameters<typeof issuesToFieldErrors>[0]) => issuesToFieldErrors(issues, (k, p) => te(k as never, p as never))

  async function runPreview() {
    setMessage(null)
    const parsed = calendarPreviewSchema.safeParse({ year, text })
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error.issues))
      return
    }
    setErrors({})
    setBusy('preview')
    try {
      const result = await fetchJson<ImportPreview>('/api/settings/calendar/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ year, text }) })
      setPreview({ text, result })
    } catch (e) {
      setErrors(((e as { body?: { fields?: FieldErrors } }).body?.fields ?? {}) as FieldErrors)
      setMessage({ ok: false, text: (e as Error).message })
    } finally {
      setBusy(null)
    }
  }

  async function save() {
    setMessage(null)
    const values = { year, text, source, complete }
    const parsed = calendarImportSchema.safeParse(values)
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error.issues))
      return
    }
    setErrors({})
    setBusy('save')
    try {
      const res = await fetchJson<{ saved: number }>('/api/settings/calendar', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(values) })
      setMessage({ ok: true, text: t('saved', { count: res.saved }) })
      setText('')
      setPreview(null)
      setComplete(false)
      await load(year)
      setMessage({ ok: true, text: t('saved', { count: res.saved }) })
    } catch (e) {
      setErrors(((e as { body?: { fields?: FieldErrors } }).body?.fields ?? {}) as FieldErrors)
      setMessage({ ok: false, text: (e as Error).message })
    } finally {
      setBusy(null)
    }
  }

  async function remove(body: { date: string } | { year: number; unmarkComplete: true }) {
    try {
      await fetchJson('/api/settings/calendar', { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      await load(year)
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message })
    }
  }

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0]
    if (!file) return
    setText(await file.text())
    setPreview(null)
  }

  const weekday = (d: string) => t(`weekdays.${new Date(`${d}T00:00:00Z`).getUTCDay()}` as never)
  const origin = (o: string) => t(`origin.${o}` as never)
  const adminRow = (date: string) => view.rows.find((r) => r.date === date && r.origin === 'admin')
  const observed = view.rows.filter((r) => r.origin === 'observed')
  const previewCurrent = preview !== null && preview.text === text
  const canSave = previewCurrent && preview.result.errorCount === 0 && busy === null
  const adminYear = view.years.find((y) => y.origin === 'admin')

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold text-slate-900">{t('title')}</h1>
      <p className="text-sm text-slate-600">{t('intro')}</p>

      <div className="flex items-center gap-2" role="group" aria-label={t('year')}>
        <button type="button" className="rounded border border-slate-300 px-3 py-1 text-sm" onClick={() => load(year - 1)} disabled={loading} data-testid="calendar-prev-year">
          ‹ {t('prevYear')}
        </button>
        <span className="min-w-16 text-center text-lg font-semibold" data-testid="calendar-year">
          {year}
        </span>
        <button type="button" className="rounded border border-slate-300 px-3 py-1 text-sm" onClick={() => load(year + 1)} disabled={loading} data-testid="calendar-next-year">
          {t('nextYear')} ›
        </button>
        {loading && <span className="text-sm text-slate-500">{t('loading')}</span>}
        {loadError && (
          <span role="alert" className="text-sm text-red-700">
            {t('loadFailed', { message: loadError })}
          </span>
        )}
      </div>

      <div className={card} data-testid="calendar-status" data-covered={view.summary.covered ? 'yes' : 'no'}>
        {view.summary.covered ? (
          <p className="font-medium text-slate-900">{t('covered', { year, source: view.summary.coveredBy?.source ?? '' })}</p>
        ) : (
          <p className="font-medium text-amber-800">{t('provisional', { year })}</p>
        )}
        <p className="text-sm text-slate-600">{t('counts', { trading: view.summary.tradingDays, provisional: view.summary.provisionalDays })}</p>
        <p className="text-sm text-slate-600" data-testid="calendar-today">
          {t('today', { day: view.today.date, state: view.today.trading ? t('todayTrading') : t('todayClosed') })}
          {view.today.provisional && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">{t('provisionalTag')}</span>} · {origin(view.today.origin)}
        </p>
        <p className="text-sm text-slate-600">
          <span className="font-medium">{t('feed')}: </span>
          {view.feed === null
            ? t('feedNever')
            : view.feed.ok
              ? t('feedOk', { time: formatTime(view.feed.lastOkAt, locale) })
              : t('feedFailed', { time: formatTime(view.feed.lastErrorAt, locale), error: view.feed.lastError ?? '' })}
        </p>
        {isAdmin && adminYear && (
          <ConfirmButton
            label={t('unmark')}
            title={t('unmark')}
            body={t('unmarkConfirm', { year })}
            confirmLabel={t('unmark')}
            tone="danger"
            testId="calendar-unmark"
            onConfirm={() => remove({ year, unmarkComplete: true })}
          />
        )}
      </div>

      <div className={card}>
        <h2 className="font-semibold">{t('closures', { count: view.summary.closures.length })}</h2>
        {view.summary.closures.length === 0 ? (
          <p className="text-sm text-slate-500">{t('closuresEmpty')}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="calendar-closures">
              <thead>
                <tr>
                  <th className={th}>{t('cols.date')}</th>
                  <th className={th}>{t('cols.weekday')}</th>
                  <th className={th}>{t('cols.origin')}</th>
                  <th className={th}>{t('cols.source')}</th>
                  {isAdmin && <th className={th}>{t('cols.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {view.summary.closures.map((c) => {
                  const own = adminRow(c.date)
                  return (
                    <tr key={c.date} className="border-t border-slate-100" data-date={c.date} data-origin={c.origin}>
                      <td className={`${td} tabular-nums`}>{c.date}</td>
                      <td className={td}>{weekday(c.date)}</td>
                      <td className={td}>
                        {origin(c.origin)}
                        {c.provisional && <span className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-900">{t('provisionalTag')}</span>}
                      </td>
                      <td className={`${td} break-words text-slate-600`}>{c.origin === 'rule' ? t('ruleSource') : c.source}</td>
                      {isAdmin && (
                        <td className={td}>
                          {own && (
                            <ConfirmButton
                              label={t('remove')}
                              title={t('remove')}
                              body={t('removeConfirm', { date: c.date })}
                              confirmLabel={t('remove')}
                              tone="danger"
                              testId={`calendar-remove-${c.date}`}
                              onConfirm={() => remove({ date: c.date })}
                            />
                          )}
                        </td>
                      )}
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        <h3 className="pt-2 font-medium">{t('makeups')}</h3>
        {view.summary.makeups.length === 0 ? (
          <p className="text-sm text-slate-500">{t('makeupsEmpty')}</p>
        ) : (
          <ul className="text-sm text-slate-700" data-testid="calendar-makeups">
            {view.summary.makeups.map((m) => (
              <li key={m.date}>
                <span className="tabular-nums">{m.date}</span> {weekday(m.date)} · {origin(m.origin)} · <span className="text-slate-500">{m.source}</span>
              </li>
            ))}
          </ul>
        )}
        <h3 className="pt-2 font-medium">{t('observed')}</h3>
        {observed.length === 0 ? (
          <p className="text-sm text-slate-500">{t('observedEmpty')}</p>
        ) : (
          <ul className="text-sm text-slate-700" data-testid="calendar-observed">
            {observed.map((r) => (
              <li key={r.date}>
                <span className="tabular-nums">{r.date}</span> {weekday(r.date)} · {t(`status.${r.status}` as never)} · <span className="text-slate-500">{r.source}</span>
              </li>
            ))}
          </ul>
        )}
      </div>

      <div className={card}>
        <h2 className="font-semibold">{t('import')}</h2>
        {!isAdmin ? (
          <p className="text-sm text-slate-500">{t('adminOnly')}</p>
        ) : (
          <form
            className="space-y-3"
            noValidate
            onSubmit={(e) => {
              e.preventDefault()
              void (canSave ? save() : runPreview())
            }}
          >
            <p className="text-sm text-slate-600">{t('importHelp')}</p>
            <label className="block" htmlFor="calendar-text">
              <span className="text-sm font-medium text-slate-700">{t('text')}</span>
              <textarea
                id="calendar-text"
                name="text"
                rows={8}
                className={`${input} font-mono`}
                value={text}
                aria-invalid={errors.text ? true : undefined}
                aria-describedby={errors.text ? 'calendar-text-error' : undefined}
                onChange={(e) => setText(e.target.value)}
              />
              <FieldError id="calendar-text" messages={errors.text} />
            </label>
            <label className="block text-sm" htmlFor="calendar-file">
              <span className="font-medium text-slate-700">{t('file')}</span>
              <input id="calendar-file" type="file" accept=".ics,.txt,.csv,text/calendar,text/plain" className="mt-1 block text-sm" onChange={onFile} />
            </label>
            <label className="block" htmlFor="calendar-source">
              <span className="text-sm font-medium text-slate-700">{t('source')}</span>
              <input
                id="calendar-source"
                name="source"
                className={input}
                value={source}
                aria-invalid={errors.source ? true : undefined}
                aria-describedby={errors.source ? 'calendar-source-error' : undefined}
                onChange={(e) => setSource(e.target.value)}
              />
              <FieldError id="calendar-source" messages={errors.source} />
            </label>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={complete} onChange={(e) => setComplete(e.target.checked)} data-testid="calendar-complete" />
              {t('complete', { year })}
            </label>
            <div className="flex gap-2">
              <button type="button" onClick={() => void runPreview()} disabled={busy !== null} data-testid="calendar-preview" className="rounded bg-slate-700 px-4 py-2 text-sm font-medium text-white hover:bg-slate-800 disabled:opacity-50">
                {busy === 'preview' ? t('previewing') : t('preview')}
              </button>
              <button type="button" onClick={() => void save()} disabled={!canSave} data-testid="calendar-save" className="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50">
                {busy === 'save' ? t('saving') : t('save')}
              </button>
            </div>
            {message && (
              <p role={message.ok ? 'status' : 'alert'} className={`text-sm ${message.ok ? 'text-emerald-800' : 'text-red-700'}`} data-testid="calendar-message">
                {message.text}
              </p>
            )}
            {preview && (
              <div className="space-y-2" data-testid="calendar-preview-result" data-errors={preview.result.errorCount}>
                {!previewCurrent && <p className="text-sm text-amber-800">{t('previewStale')}</p>}
                <p className="text-sm font-medium" role="status">
                  {t('previewSummary', { lines: preview.result.rows.length, days: preview.result.entries.length, errors: preview.result.errorCount })}
                </p>
                <div className="overflow-x-auto">
                  <table className="w-full text-sm">
                    <thead>
                      <tr>
                        <th className={th}>{t('rowCols.line')}</th>
                        <th className={th}>{t('rowCols.text')}</th>
                        <th className={th}>{t('rowCols.dates')}</th>
                        <th className={th}>{t('rowCols.result')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.result.rows.map((r) => (
                        <tr key={r.line} className={`border-t border-slate-100 ${r.error ? 'bg-red-50' : ''}`} data-line={r.line} data-error={r.error?.code ?? ''}>
                          <td className={`${td} tabular-nums`}>{r.line}</td>
                          <td className={`${td} break-all font-mono text-xs`}>{r.text}</td>
                          <td className={`${td} text-xs`}>
                            {r.entries.map((e) => {
                              const cur = preview.result.current[e.date]
                              const change = !cur ? 'same' : e.status === 'closed' ? (cur.trading ? 'toClosed' : 'same') : cur.trading ? 'same' : 'toOpen'
                              return (
                                <span key={e.date} className="mr-2 inline-block tabular-nums">
                                  {e.date} {weekday(e.date)} {t(`status.${e.status}` as never)}
                                  {change !== 'same' && <span className="ml-1 text-sky-800">({t(`change.${change}` as never)})</span>}
                                </span>
                              )
                            })}
                          </td>
                          <td className={`${td} text-xs`}>
                            {r.error ? (
                              <span className="text-red-700">{locale === 'en' ? r.error.messageEn : r.error.message}</span>
                            ) : r.warning ? (
                              <span className="text-amber-800">{locale === 'en' ? r.warning.messageEn : r.warning.message}</span>
                            ) : (
                              <span className="text-emerald-800">{t('rowOk')}</span>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            )}
          </form>
        )}
      </div>
    </div>
  )
}

function FieldError({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages) return null
  return (
    <span id={`${id}-error`} data-testid={`error-${id}`} className="mt-1 block text-xs text-red-600">
      {messages.join('；')}
    </span>
  )
}
