'use client'
import { useState } from 'react'
import { useTranslations } from 'next-intl'

/** One click flips auto-trade; the switch moves at once and rolls back if the server refuses. */
export function AutoTradeSwitch({ stockId, code, initial, disabled }: { stockId: number; code: string; initial: boolean; disabled?: boolean }) {
  const t = useTranslations('stocks')
  const [on, setOn] = useState(initial)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function toggle() {
    const next = !on
    setOn(next)
    setBusy(true)
    setError(null)
    try {
      const res = await fetch(`/api/stocks/${stockId}/auto-trade`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ autoTrade: next }),
      })
      if (!res.ok) {
        const body = await res.json().catch(() => ({}))
        throw new Error(body.message ?? `HTTP ${res.status}`)
      }
    } catch (e) {
      setOn(!next)
      setError(t('toggleFailed', { message: (e as Error).message }))
    } finally {
      setBusy(false)
    }
  }

  return (
    <span className="inline-flex flex-col">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-label={`${code} ${on ? t('autoTradeOn') : t('autoTradeOff')}`}
        data-testid={`auto-trade-${code}`}
        disabled={disabled || busy}
        onClick={toggle}
        className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 disabled:opacity-50 ${on ? 'bg-sky-600' : 'bg-slate-300'}`}
      >
        <span className={`inline-block h-5 w-5 transform rounded-full bg-white shadow transition ${on ? 'translate-x-5' : 'translate-x-0.5'}`} />
      </button>
      <span className="mt-0.5 text-xs text-slate-500">{on ? t('autoTradeOn') : t('autoTradeOff')}</span>
      {error && (
        <span role="alert" className="text-xs text-red-600">
          {error}
        </span>
      )}
    </span>
  )
}
