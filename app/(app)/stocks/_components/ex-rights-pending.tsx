'use client'
import { useState } from 'react'
import useSWR from 'swr'
import { useTranslations } from 'next-intl'
import { formatPrice } from '@/lib/format'
import { fetchJson } from '@/app/_components/live/fmt'
import type { ExRightsView } from '@/lib/services/views/ex-rights-view'

const KEY = '/api/ex-rights'

/**
 * A pending ex-rights adjustment (除权除息) of a monitor: the factor and old → proposed levels, with
 * one click to accept (levels scaled, monitoring resumes) or dismiss (levels kept, monitoring
 * resumes) — POST /api/stocks/:id/ex-rights. Every instance reads the same list (GET /api/ex-rights,
 * one request per page however many rows). `compact` is the dashboard's badge; otherwise the stock
 * page's banner. Renders nothing when the monitor has no pending adjustment.
 */
export function ExRightsPending({ stockId, code, compact, onDecided }: { stockId: number; code: string; compact?: boolean; onDecided?: () => void | Promise<unknown> }) {
  const t = useTranslations('stocks.exRights')
  const { data, mutate } = useSWR<{ pending: ExRightsView[] }>(KEY, (u: string) => fetchJson(u), { refreshInterval: 15_000 })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const a = data?.pending.find((p) => p.stockId === stockId)
  if (!a) return null

  async function decide(decision: 'accept' | 'dismiss') {
    setBusy(true)
    setError(null)
    try {
      await fetchJson(`/api/stocks/${stockId}/ex-rights`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ adjustmentId: a!.id, decision }) })
      await mutate()
      await onDecided?.()
    } catch (e) {
      setError(t('failed', { message: (e as Error).message }))
    } finally {
      setBusy(false)
    }
  }

  const p = (v: number | null) => (v == null ? '—' : formatPrice(code, v))
  const zone = (lo: number | null, hi: number | null) => (lo == null && hi == null ? '—' : `${p(lo)}–${p(hi)}`)
  const rows: Array<[string, string, string]> = [
    [t('entry'), zone(a.old.entryLow, a.old.entryHigh), zone(a.proposed.entryLow, a.proposed.entryHigh)],
    [t('takeProfit'), p(a.old.takeProfit), p(a.proposed.takeProfit)],
    [t('stopLoss'), p(a.old.stopLoss), p(a.proposed.stopLoss)],
  ]
  if (a.old.trailingRef != null) rows.push([t('trailingRef'), p(a.old.trailingRef), p(a.proposed.trailingRef)])
  const summary = t('summary', { storedClose: p(a.storedClose), reference: p(a.reference), factor: a.factor })
  const buttons = (
    <span className="inline-flex flex-wrap gap-1">
      <button
        type="button"
        data-testid={`ex-rights-accept-${code}`}
        disabled={busy}
        onClick={() => decide('accept')}
        className="rounded border border-amber-500 bg-amber-600 px-2 py-0.5 text-xs text-white hover:bg-amber-700 disabled:opacity-50"
      >
        {busy ? t('working') : t('accept')}
      </button>
      <button
        type="button"
        data-testid={`ex-rights-dismiss-${code}`}
        disabled={busy}
        onClick={() => decide('dismiss')}
        className="rounded border border-amber-400 bg-white px-2 py-0.5 text-xs text-amber-900 hover:bg-amber-100 disabled:opacity-50"
      >
        {t('dismiss')}
      </button>
    </span>
  )
  const err = error && (
    <span role="alert" className="text-xs text-red-700">
      {error}
    </span>
  )
  if (compact) {
    const title = `${summary}\n${rows.map(([k, o, n]) => `${k}: ${o} → ${n}`).join('\n')}`
    return (
      <div className="mt-1 flex flex-wrap items-center gap-1" data-testid={`ex-rights-${code}`}>
        <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900" title={title}>
          {t('compact', { factor: a.factor })}
        </span>
        <span className="text-xs text-slate-600">
          {t('stopLoss')} {p(a.old.stopLoss)} → {p(a.proposed.stopLoss)}
        </span>
        {buttons}
        {err}
      </div>
    )
  }
  return (
    <div role="status" data-testid={`ex-rights-${code}`} className="space-y-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <div>
        <strong>{t('title')}</strong>
      </div>
      <p>{summary}</p>
      <table className="text-xs">
        <thead>
          <tr className="text-left text-amber-800">
            <th className="pr-4 font-medium">{t('level')}</th>
            <th className="pr-4 font-medium">{t('old')}</th>
            <th className="font-medium">{t('proposed')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([k, o, n]) => (
            <tr key={k}>
              <td className="pr-4">{k}</td>
              <td className="pr-4 tabular-nums">{o}</td>
              <td className="tabular-nums">→ {n}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs">{t('position')}</p>
      <div className="flex flex-wrap items-center gap-2">
        {buttons}
        {err}
      </div>
    </div>
  )
}
