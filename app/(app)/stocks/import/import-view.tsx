'use client'
/**
 * Import a watchlist: paste (or open) a CSV or a 同花顺/通达信 code list, preview every row with its
 * own errors, fill in or correct the cells in the preview, check again, and save — only when no
 * row has an error, all rows at once.
 */
import Link from 'next/link'
import { useState } from 'react'
import { useRouter } from 'next/navigation'
import { useTranslations } from 'next-intl'
import type { ImportPreview, ImportPreviewRow } from '@/lib/services/views/watchlist-import'

const FIELDS = ['code', 'name', 'entryLow', 'entryHigh', 'takeProfit', 'stopLoss'] as const

export function ImportView() {
  const t = useTranslations('watchlist.import')
  const router = useRouter()
  const [text, setText] = useState('')
  const [rows, setRows] = useState<ImportPreviewRow[] | null>(null)
  const [summary, setSummary] = useState<{ valid: number; invalid: number; format: string } | null>(null)
  const [formError, setFormError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function send(body: unknown, commit: boolean) {
    setBusy(true)
    setFormError(null)
    try {
      const res = await fetch('/api/stocks/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...(body as object), commit }) })
      const j = (await res.json().catch(() => null)) as (ImportPreview & { message?: string; fields?: Record<string, string[]> }) | null
      if (res.ok && j) {
        if (commit && j.saved) {
          router.push('/stocks')
          router.refresh()
          return
        }
        setRows(j.rows)
        setSummary({ valid: j.valid, invalid: j.invalid, format: j.format })
        return
      }
      // A refused save: the errors per row and field.
      if (j?.fields && rows) {
        const next = rows.map((r) => ({ ...r, errors: {} as Record<string, string[]> }))
        for (const [k, msgs] of Object.entries(j.fields)) {
          const m = /^rows\.(\d+)\.(.+)$/.exec(k)
          if (m && next[Number(m[1])]) next[Number(m[1])].errors[m[2]] = msgs
        }
        setRows(next)
      }
      setFormError(j?.fields && !rows ? Object.values(j.fields).flat().join(' ') : (j?.message ?? `HTTP ${res.status}`))
    } catch (e) {
      setFormError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const edited = () => ({ rows: (rows ?? []).map((r) => ({ line: r.line, values: r.values })) })
  const setCell = (i: number, f: string, v: string) => setRows((rs) => (rs ? rs.map((r, j) => (j === i ? { ...r, values: { ...r.values, [f]: v } } : r)) : rs))

  return (
    <section className="space-y-3">
      <p className="text-sm">
        <Link href="/stocks" className="text-sky-800 hover:underline">
          {t('back')}
        </Link>
      </p>
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <p className="text-sm text-slate-600">{t('intro')}</p>
      <pre className="overflow-x-auto rounded bg-slate-100 p-2 text-xs">{t('example')}</pre>
      <label className="block text-sm">
        <span className="font-medium">{t('textLabel')}</span>
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={8} className="mt-1 block w-full rounded border border-slate-300 p-2 font-mono text-sm" data-testid="import-text" />
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <label className="text-sm">
          <span className="sr-only">{t('file')}</span>
          <input
            type="file"
            accept=".csv,.txt,.ebk,.sel,text/csv,text/plain"
            onChange={async (e) => {
              const f = e.target.files?.[0]
              if (!f) return
              const buf = new Uint8Array(await f.arrayBuffer())
              // Exports from Chinese Windows tools are often GBK: fall back when the bytes are not UTF-8.
              let s: string
              try {
                s = new TextDecoder('utf-8', { fatal: true }).decode(buf)
              } catch {
                s = new TextDecoder('gbk').decode(buf)
              }
              setText(s)
            }}
            data-testid="import-file"
          />
        </label>
        <button type="button" disabled={busy || text.trim() === ''} onClick={() => send({ text }, false)} className="rounded bg-sky-700 px-3 py-1.5 text-sm text-white hover:bg-sky-800 disabled:opacity-50" data-testid="import-preview">
          {t('preview')}
        </button>
      </div>
      {formError && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="import-error">
          {formError}
        </p>
      )}
      {rows && summary && (
        <div className="space-y-2" data-testid="import-rows">
          <p role="status" className="text-sm">
            {t('summary', { valid: summary.valid, invalid: summary.invalid })}
          </p>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full text-sm">
              <thead className="bg-slate-50 text-left text-xs text-slate-600">
                <tr>
                  <th className="px-2 py-1">{t('line')}</th>
                  {FIELDS.map((f) => (
                    <th key={f} className="px-2 py-1">
                      {t(`fields.${f}`)}
                    </th>
                  ))}
                  <th className="px-2 py-1">{t('errors')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => {
                  const bad = Object.keys(r.errors).length > 0
                  return (
                    <tr key={`${r.line}-${i}`} className={bad ? 'bg-red-50' : undefined} data-testid={`import-row-${i}`}>
                      <td className="px-2 py-1 tabular">{r.line}</td>
                      {FIELDS.map((f) => (
                        <td key={f} className="px-1 py-1">
                          <input
                            value={r.values[f] ?? ''}
                            onChange={(e) => setCell(i, f, e.target.value)}
                            aria-label={`${t('line')} ${r.line} ${t(`fields.${f}`)}`}
                            aria-invalid={!!r.errors[f]}
                            className={`w-24 rounded border px-1 py-0.5 ${r.errors[f] ? 'border-red-500' : 'border-slate-300'}`}
                          />
                        </td>
                      ))}
                      <td className="px-2 py-1 text-xs text-red-700">
                        {Object.entries(r.errors).map(([f, msgs]) => (
                          <div key={f}>
                            {f in { code: 1, name: 1, entryLow: 1, entryHigh: 1, takeProfit: 1, stopLoss: 1 } ? `${t(`fields.${f}` as 'fields.code')}: ` : ''}
                            {msgs.join(' ')}
                          </div>
                        ))}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
          <div className="flex flex-wrap gap-2">
            <button type="button" disabled={busy} onClick={() => send(edited(), false)} className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50" data-testid="import-recheck">
              {t('recheck')}
            </button>
            <button type="button" disabled={busy || summary.invalid > 0 || rows.length === 0} onClick={() => send(edited(), true)} className="rounded bg-emerald-700 px-3 py-1.5 text-sm text-white hover:bg-emerald-800 disabled:opacity-50" data-testid="import-save">
              {t('save', { count: rows.length })}
            </button>
          </div>
          <p className="text-xs text-slate-500">{t('saveHint')}</p>
        </div>
      )}
    </section>
  )
}
