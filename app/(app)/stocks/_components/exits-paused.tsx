'use client'
import { useState } from 'react'
import { useTranslations } from 'next-intl'
import { dayTime, fetchJson } from '@/app/_components/live/fmt'

/**
 * The mark of a monitor whose automatic exits the trader's own cancel paused, with the one-click
 * "resume automatic exits" (POST /api/stocks/:id/resume-exits). `compact` is the dashboard's
 * badge-sized form; otherwise the stock page's banner with the reason.
 */
export function ExitsPaused({
  stockId,
  code,
  pausedAt,
  why,
  compact,
  onResumed,
}: {
  stockId: number
  code: string
  pausedAt: string
  why: string | null
  compact?: boolean
  onResumed?: () => void | Promise<unknown>
}) {
  const t = useTranslations('stocks.exitsPaused')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function resume() {
    setBusy(true)
    setError(null)
    try {
      await fetchJson(`/api/stocks/${stockId}/resume-exits`, { method: 'POST' })
      await onResumed?.()
    } catch (e) {
      setError(t('failed', { message: (e as Error).message }))
    } finally {
      setBusy(false)
    }
  }

  const reason = why === 'manual_cancel' ? t('manual_cancel', { time: dayTime(pausedAt) }) : t('user_cancel', { time: dayTime(pausedAt) })
  const button = (
    <button
      type="button"
      data-testid={`resume-exits-${code}`}
      disabled={busy}
      onClick={resume}
      className="rounded border border-amber-400 bg-white px-2 py-0.5 text-xs text-amber-900 hover:bg-amber-100 disabled:opacity-50"
    >
      {busy ? t('resuming') : t('resume')}
    </button>
  )
  if (compact) {
    return (
      <div className="mt-1 flex flex-wrap items-center gap-1" data-testid={`exits-paused-${code}`}>
        <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900" title={reason}>
          {t('badge')}
        </span>
        {button}
        {error && (
          <span role="alert" className="text-xs text-red-700">
            {error}
          </span>
        )}
      </div>
    )
  }
  return (
    <div role="status" data-testid={`exits-paused-${code}`} className="flex flex-wrap items-center gap-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <strong>{t('badge')}</strong>
      <span>{reason}</span>
      {button}
      {error && (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      )}
    </div>
  )
}
