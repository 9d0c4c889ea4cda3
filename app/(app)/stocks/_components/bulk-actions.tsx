'use client'
/**
 * Bulk actions on the stock list: select several stocks, then enable, disable, switch auto-trade off
 * or archive them (archive asks first). Each stock's outcome is shown; a refusal (an open order blocks
 * archiving) names the stock and the reason.
 */
import { useState } from 'react'
import { useRouter } from 'next/navigation'
import { useTranslations } from 'next-intl'

export interface BulkStock {
  id: number
  code: string
  name: string
  enabled: boolean
  autoTrade: boolean
}

type Action = 'enable' | 'disable' | 'autoTradeOff' | 'archive'
interface Answer {
  results: Array<{ id: number; ok: boolean; changed?: boolean; message?: string }>
  changed: number
  failed: number
}

export function BulkActions({ stocks }: { stocks: BulkStock[] }) {
  const t = useTranslations('watchlist.bulk')
  const router = useRouter()
  const [selected, setSelected] = useState<Set<number>>(new Set())
  const [busy, setBusy] = useState(false)
  const [answer, setAnswer] = useState<{ action: Action; a: Answer } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [confirmArchive, setConfirmArchive] = useState(false)
  const toggle = (id: number) => setSelected((s) => {
    const n = new Set(s)
    if (n.has(id)) n.delete(id)
    else n.add(id)
    return n
  })
  const byId = new Map(stocks.map((s) => [s.id, s]))

  async function run(action: Action) {
    setBusy(true)
    setError(null)
    setAnswer(null)
    setConfirmArchive(false)
    try {
      const res = await fetch('/api/stocks/bulk', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [...selected], action }) })
      const body = (await res.json().catch(() => null)) as (Answer & { message?: string; fields?: Record<string, string[]> }) | null
      if (!res.ok || !body) {
        setError(body?.fields ? Object.values(body.fields).flat().join(' ') : (body?.message ?? `HTTP ${res.status}`))
        return
      }
      setAnswer({ action, a: body })
      router.refresh()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const btn = 'rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50 disabled:opacity-50'
  const none = selected.size === 0 || busy
  return (
    <details className="mt-4 rounded-lg border border-slate-200 bg-white p-3" data-testid="bulk-actions">
      <summary className="cursor-pointer font-medium">{t('title')}</summary>
      <fieldset className="mt-2">
        <legend className="sr-only">{t('select')}</legend>
        <div className="mb-2 flex flex-wrap gap-2 text-sm">
          <button type="button" className={btn} onClick={() => setSelected(new Set(stocks.map((s) => s.id)))}>
            {t('all')}
          </button>
          <button type="button" className={btn} onClick={() => setSelected(new Set())}>
            {t('none')}
          </button>
          <span className="self-center text-slate-600" aria-live="polite">
            {t('selected', { count: selected.size })}
          </span>
        </div>
        <ul className="grid max-h-64 grid-cols-1 gap-1 overflow-y-auto text-sm sm:grid-cols-2 lg:grid-cols-3">
          {stocks.map((s) => (
            <li key={s.id}>
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={selected.has(s.id)} onChange={() => toggle(s.id)} data-testid={`bulk-select-${s.code}`} />
                <span>
                  {s.code} {s.name}
                  <span className="ml-1 text-xs text-slate-500">
                    {s.enabled ? t('stateOn') : t('stateOff')}
                    {s.autoTrade ? ` · ${t('autoOn')}` : ''}
                  </span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <div className="mt-2 flex flex-wrap gap-2">
        <button type="button" className={btn} disabled={none} onClick={() => run('enable')} data-testid="bulk-enable">
          {t('enable')}
        </button>
        <button type="button" className={btn} disabled={none} onClick={() => run('disable')} data-testid="bulk-disable">
          {t('disable')}
        </button>
        <button type="button" className={btn} disabled={none} onClick={() => run('autoTradeOff')} data-testid="bulk-autotrade-off">
          {t('autoTradeOff')}
        </button>
        {confirmArchive ? (
          <span className="flex flex-wrap items-center gap-2 text-sm">
            {t('archiveConfirm', { count: selected.size })}
            <button type="button" className="rounded bg-red-700 px-2 py-1 text-white hover:bg-red-800" disabled={busy} onClick={() => run('archive')} data-testid="bulk-archive-confirm">
              {t('archive')}
            </button>
            <button type="button" className={btn} onClick={() => setConfirmArchive(false)}>
              {t('cancel')}
            </button>
          </span>
        ) : (
          <button type="button" className={btn} disabled={none} onClick={() => setConfirmArchive(true)} data-testid="bulk-archive">
            {t('archive')}
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
      {answer && (
        <div role="status" className="mt-2 text-sm" data-testid="bulk-result">
          <p>{t('done', { changed: answer.a.changed, failed: answer.a.failed })}</p>
          {answer.a.results.filter((r) => !r.ok).length > 0 && (
            <ul className="list-disc pl-5 text-red-700">
              {answer.a.results
                .filter((r) => !r.ok)
                .map((r) => (
                  <li key={r.id}>
                    {byId.get(r.id)?.code ?? `#${r.id}`}: {r.message}
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
    </details>
  )
}
