'use client'
/**
 * Export the user's orders, fills, notifications or realised P&L as CSV (UTF-8 with BOM, opens in
 * Excel) or JSON for a range of Asia/Shanghai days. Errors are shown on the field they belong to.
 */
import { useId, useState } from 'react'
import { useTranslations } from 'next-intl'

type Kind = 'orders' | 'fills' | 'notifications' | 'pnl'

function shanghaiToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
}

export function ExportForm({ kinds, defaultKind }: { kinds: Kind[]; defaultKind?: Kind }) {
  const t = useTranslations('pnl.export')
  const id = useId()
  const today = shanghaiToday()
  const [kind, setKind] = useState<Kind>(defaultKind ?? kinds[0])
  const [format, setFormat] = useState<'csv' | 'json'>('csv')
  const [from, setFrom] = useState(`${today.slice(0, 7)}-01`)
  const [to, setTo] = useState(today)
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<Record<string, string[]>>({})
  const [message, setMessage] = useState<string | null>(null)

  async function download() {
    setBusy(true)
    setErrors({})
    setMessage(null)
    try {
      const qs = new URLSearchParams({ kind, format, from, to })
      const res = await fetch(`/api/export?${qs}`)
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { message?: string; fields?: Record<string, string[]> } | null
        setErrors(body?.fields ?? {})
        setMessage(body?.fields ? null : (body?.message ?? `HTTP ${res.status}`))
        return
      }
      const blob = await res.blob()
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `dingpan-${kind}.${format}`
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = name
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (e) {
      setMessage((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const err = (field: string) =>
    errors[field]?.length ? (
      <span id={`${id}-${field}-err`} className="text-xs text-red-700" data-testid={`export-error-${field}`}>
        {errors[field].join(' ')}
      </span>
    ) : null
  const field = 'rounded border border-slate-300 px-2 py-1'
  return (
    <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="export-form">
      <summary className="cursor-pointer font-medium">{t('title')}</summary>
      <form
        className="mt-2 flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault()
          void download()
        }}
      >
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">{t('kind')}</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} className={field} data-testid="export-kind">
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`kinds.${k}`)}
              </option>
            ))}
          </select>
          {err('kind')}
        </label>
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">{t('format')}</span>
          <select value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'json')} className={field} data-testid="export-format">
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">{t('from')}</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} className={field} aria-invalid={!!errors.from} aria-describedby={errors.from ? `${id}-from-err` : undefined} data-testid="export-from" />
          {err('from')}
        </label>
        <label className="flex flex-col">
          <span className="text-xs text-slate-600">{t('to')}</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} className={field} aria-invalid={!!errors.to} aria-describedby={errors.to ? `${id}-to-err` : undefined} data-testid="export-to" />
          {err('to')}
        </label>
        <button type="submit" disabled={busy} className="rounded bg-sky-700 px-3 py-1.5 text-white hover:bg-sky-800 disabled:opacity-50" data-testid="export-download">
          {t('download')}
        </button>
      </form>
      {message && (
        <p role="alert" className="mt-2 text-red-700">
          {message}
        </p>
      )}
      <p className="mt-2 text-xs text-slate-500">{t('hint')}</p>
    </details>
  )
}
