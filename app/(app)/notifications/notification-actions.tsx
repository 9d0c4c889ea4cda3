'use client'
import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'
import { useTranslations } from 'next-intl'
import { useLiveInterval } from '@/app/_components/live/live-updates'

async function post(url: string, body?: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) })
  if (!res.ok) {
    const b = await res.json().catch(() => ({}))
    throw new Error((b as { message?: string }).message ?? `HTTP ${res.status}`)
  }
}

/** Marks one or all notifications read; a refusal is shown, never swallowed. */
function useMark(url: string, body?: unknown) {
  const t = useTranslations('notifications')
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  async function run() {
    setBusy(true)
    setError(null)
    try {
      await post(url, body)
      router.refresh()
    } catch (e) {
      setError(t('markFailed', { message: (e as Error).message }))
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}

export function MarkReadButton({ id }: { id: number }) {
  const t = useTranslations('notifications')
  const m = useMark('/api/notifications/read', { ids: [id] })
  return (
    <>
      <button type="button" disabled={m.busy} data-testid={`mark-read-${id}`} className="text-xs text-sky-700 hover:underline disabled:opacity-50" onClick={m.run}>
        {t('markRead')}
      </button>
      {m.error && (
        <span role="alert" className="text-xs text-red-700">
          {m.error}
        </span>
      )}
    </>
  )
}

export function MarkAllReadButton() {
  const t = useTranslations('notifications')
  const m = useMark('/api/notifications/read-all')
  return (
    <span className="inline-flex flex-col items-end">
      <button type="button" disabled={m.busy} data-testid="mark-all-read" className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50" onClick={m.run}>
        {t('markAllRead')}
      </button>
      {m.error && (
        <span role="alert" className="mt-1 text-xs text-red-700">
          {m.error}
        </span>
      )}
    </span>
  )
}

/**
 * Keeps the server-rendered history live: re-renders it every few seconds while the tab is
 * visible (new notifications appear at the top of page 1; filters and paging are kept).
 */
export function AutoRefresh({ everyMs = 5_000 }: { everyMs?: number }) {
  const router = useRouter()
  // Slower while the live stream is connected (it re-renders this page on each notification change).
  const interval = useLiveInterval(everyMs)
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh()
    }, interval)
    return () => clearInterval(id)
  }, [router, interval])
  return null
}
