'use client'
/**
 * The user's channels: list (type, name, enabled, routed events, last delivery, recent failures),
 * add / edit / delete, and "发送测试" per channel showing exactly what the platform answered.
 */
import { useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import useSWR from 'swr'
import { CHANNEL_TYPES, type ChannelType } from '@/lib/schemas/channels'
import type { ChannelTestResult, ChannelView } from '@/lib/services/notifications'
import { formatTime } from '@/lib/format'
import { ChannelForm } from './channel-form'
import { useEventsSummary } from './events-picker'

const fetcher = (url: string) => fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))

const STATUS_STYLE: Record<string, string> = {
  DELIVERED: 'text-emerald-700',
  FAILED: 'text-red-700',
  PENDING: 'text-amber-700',
  SENDING: 'text-amber-700',
  SKIPPED: 'text-slate-500',
}

export function ChannelsManager({ initial }: { initial: ChannelView[] }) {
  const t = useTranslations('channels')
  const { data, mutate, error } = useSWR<{ items: ChannelView[] }>('/api/channels', fetcher, { fallbackData: { items: initial }, refreshInterval: 15_000 })
  const items = data?.items ?? initial
  const [adding, setAdding] = useState<ChannelType | null>(null)
  const [choosing, setChoosing] = useState(false)
  const [editing, setEditing] = useState<number | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const refresh = () => mutate()

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">{t('title')}</h1>
        {!choosing && adding === null && (
          <button
            type="button"
            data-testid="add-channel"
            onClick={() => {
              setChoosing(true)
              setNotice(null)
            }}
            className="rounded bg-sky-700 px-3 py-2 text-sm font-medium text-white hover:bg-sky-800"
          >
            {t('add')}
          </button>
        )}
      </div>
      <p className="text-sm text-slate-600">{t('intro')}</p>
      {error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {t('errors.network', { message: (error as Error).message })}
        </p>
      )}
      <p aria-live="polite" className="text-sm text-emerald-700">
        {notice}
      </p>

      {(choosing || adding !== null) && (
        <section className="rounded-lg border border-sky-200 bg-sky-50/40 p-3" aria-labelledby="add-title">
          <h2 id="add-title" className="mb-2 font-semibold">
            {t('addTitle')}
          </h2>
          <label className="block max-w-md">
            <span className="text-sm font-medium text-slate-700">{t('chooseType')}</span>
            <select
              id="type"
              data-testid="channel-type"
              value={adding ?? ''}
              onChange={(e) => setAdding(e.target.value ? (e.target.value as ChannelType) : null)}
              className="mt-1 w-full rounded border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm"
              aria-describedby="type-hint"
            >
              <option value="">—</option>
              {/* A Web Push channel is made by "receive push on this browser" (it needs the browser's subscription). */}
              {CHANNEL_TYPES.filter((ty) => ty !== 'WEBPUSH').map((ty) => (
                <option key={ty} value={ty}>
                  {t(`types.${ty}.name`)}
                </option>
              ))}
            </select>
            <span id="type-hint" className="mt-0.5 block text-xs text-slate-500">
              {t('chooseTypeHint')}
            </span>
          </label>
          {adding !== null && (
            <div className="mt-4">
              <ChannelForm
                key={adding}
                type={adding}
                onSaved={async () => {
                  setAdding(null)
                  setChoosing(false)
                  setNotice(t('form.saved'))
                  await refresh()
                }}
                onCancel={() => {
                  setAdding(null)
                  setChoosing(false)
                }}
              />
            </div>
          )}
          {adding === null && (
            <button type="button" onClick={() => setChoosing(false)} className="mt-3 rounded border border-slate-300 px-3 py-1.5 text-sm">
              {t('form.cancel')}
            </button>
          )}
        </section>
      )}

      {items.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">{t('empty')}</p>
      ) : (
        <ul className="space-y-3" data-testid="channel-list">
          {items.map((c) => (
            <li key={c.id} className="rounded-lg border border-slate-200 bg-white p-3" data-testid={`channel-${c.id}`}>
              {editing === c.id ? (
                <>
                  <h2 className="mb-2 font-semibold">{t('editTitle', { name: c.name })}</h2>
                  <ChannelForm
                    type={c.type}
                    channel={c}
                    onSaved={async () => {
                      setEditing(null)
                      setNotice(t('form.saved'))
                      await refresh()
                    }}
                    onCancel={() => setEditing(null)}
                  />
                </>
              ) : (
                <ChannelCard channel={c} onEdit={() => setEditing(c.id)} onChanged={refresh} />
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function ChannelCard({ channel: c, onEdit, onChanged }: { channel: ChannelView; onEdit: () => void; onChanged: () => Promise<unknown> }) {
  const t = useTranslations('channels')
  const locale = useLocale()
  const summary = useEventsSummary()
  const [testing, setTesting] = useState(false)
  const [result, setResult] = useState<ChannelTestResult | { requestError: string } | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [deleteError, setDeleteError] = useState<string | null>(null)
  const last = c.lastDelivery

  async function sendTest() {
    setTesting(true)
    setResult(null)
    try {
      const res = await fetch(`/api/channels/${c.id}/test`, { method: 'POST' })
      const body = await res.json().catch(() => ({}))
      setResult(res.ok ? (body as ChannelTestResult) : { requestError: body.message ?? `HTTP ${res.status}` })
      await onChanged()
    } catch (e) {
      setResult({ requestError: t('errors.network', { message: (e as Error).message }) })
    } finally {
      setTesting(false)
    }
  }

  async function remove() {
    setDeleting(true)
    setDeleteError(null)
    try {
      const res = await fetch(`/api/channels/${c.id}`, { method: 'DELETE' })
      if (!res.ok) {
        const body = await res.json().catch(() => ({}))
        throw new Error(body.message ?? `HTTP ${res.status}`)
      }
      await onChanged()
    } catch (e) {
      setDeleteError((e as Error).message)
      setDeleting(false)
    }
  }

  return (
    <div>
      <div className="flex flex-wrap items-center gap-2">
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{t(`types.${c.type}.name`)}</span>
        <h2 className="font-semibold">{c.name}</h2>
        <span className={`rounded px-1.5 py-0.5 text-xs ${c.enabled ? 'bg-emerald-50 text-emerald-700' : 'bg-slate-100 text-slate-600'}`} data-testid="channel-enabled">
          {c.enabled ? t('list.enabled') : t('list.disabled')}
        </span>
      </div>
      <dl className="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="text-slate-500">{t('list.events')}</dt>
        <dd data-testid="channel-events">{summary(c.events)}</dd>
        <dt className="text-slate-500">{t('list.lastDelivery')}</dt>
        <dd data-testid="channel-last">
          {last ? (
            <>
              <span className={STATUS_STYLE[last.status] ?? ''}>{t(`delivery.${last.status as 'PENDING'}`)}</span>{' '}
              <time className="text-slate-500" dateTime={last.at}>
                {formatTime(new Date(last.at), locale as 'zh' | 'en')}
              </time>
              {last.status !== 'DELIVERED' && last.attempts > 0 && <span className="text-slate-500"> · {t('list.attempts', { attempts: last.attempts })}</span>}
              {last.error && last.status !== 'DELIVERED' && <span className="block break-words text-xs text-red-700">{last.error}</span>}
            </>
          ) : (
            <span className="text-slate-500">{t('list.never')}</span>
          )}
        </dd>
      </dl>
      <p className={`mt-1 text-xs ${c.recent.failed > 0 ? 'text-red-700' : 'text-slate-500'}`}>{t('list.recent', c.recent)}</p>
      {c.secretsUnreadable && (
        <p role="alert" className="mt-1 text-xs text-amber-800">
          {t('list.secretsUnreadable')}
        </p>
      )}

      <div className="mt-3 flex flex-wrap gap-2">
        <button
          type="button"
          onClick={sendTest}
          disabled={testing}
          aria-busy={testing}
          data-testid={`test-${c.id}`}
          className="min-h-10 rounded border border-sky-600 px-3 py-1.5 text-sm font-medium text-sky-700 hover:bg-sky-50 disabled:opacity-60"
        >
          {testing ? t('test.sending') : t('test.button')}
        </button>
        <button type="button" onClick={onEdit} data-testid={`edit-${c.id}`} className="min-h-10 rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
          {t('list.edit')}
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              onClick={remove}
              disabled={deleting}
              data-testid={`confirm-delete-${c.id}`}
              className="min-h-10 rounded bg-red-600 px-3 py-1.5 text-sm text-white hover:bg-red-700 disabled:opacity-60"
            >
              {deleting ? t('list.deleting') : t('list.confirmDelete')}
            </button>
            <button type="button" onClick={() => setConfirming(false)} className="min-h-10 rounded border border-slate-300 px-3 py-1.5 text-sm">
              {t('form.cancel')}
            </button>
            <span className="w-full text-xs text-slate-500">{t('list.deleteHint')}</span>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} data-testid={`delete-${c.id}`} className="min-h-10 rounded border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50">
            {t('list.delete')}
          </button>
        )}
      </div>
      {deleteError && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {deleteError}
        </p>
      )}
      <div aria-live="polite" data-testid={`test-result-${c.id}`}>
        {result && <TestResult result={result} />}
      </div>
    </div>
  )
}

function TestResult({ result }: { result: ChannelTestResult | { requestError: string } }) {
  const t = useTranslations('channels.test')
  if ('requestError' in result) {
    return (
      <p role="alert" className="mt-2 rounded bg-red-50 px-3 py-2 text-sm text-red-700">
        {result.requestError}
      </p>
    )
  }
  const tone = result.ok ? 'bg-emerald-50 text-emerald-800' : 'bg-red-50 text-red-800'
  return (
    <div className={`mt-2 rounded px-3 py-2 text-sm ${tone}`} role={result.ok ? 'status' : 'alert'} data-testid="test-outcome" data-ok={result.ok}>
      <p className="font-medium">
        {result.ok ? t('ok') : result.sent ? t('failed') : t('notSent')}
        {result.status !== undefined && <span className="font-normal"> · {t('status', { status: result.status })}</span>}
        <span className="font-normal"> · {t('duration', { ms: result.durationMs })}</span>
      </p>
      {result.error && <p className="mt-1 break-words">{t('answer', { answer: result.error })}</p>}
    </div>
  )
}
