'use client'
/** A page that failed to render says so, with the error, and offers a retry — never a blank page. */
import { useTranslations } from 'next-intl'

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations('live')
  const tc = useTranslations('common.actions')
  return (
    <div role="alert" data-testid="page-error" className="space-y-2 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
      <p className="font-medium">{t('loadFailed', { message: error.message || 'error' })}</p>
      {error.digest && <p className="text-xs text-red-700">digest {error.digest}</p>}
      <button type="button" onClick={reset} className="rounded border border-red-300 bg-white px-3 py-1.5 text-red-800 hover:bg-red-100">
        {tc('retry')}
      </button>
    </div>
  )
}
