import { useTranslations } from 'next-intl'

/**
 * Shown while a page's server component loads (navigation between the app's pages). Each page
 * folder's loading.tsx re-exports it: the (app) group itself has none, so /stocks/999 can answer
 * with a real 404 status instead of a streamed loading state.
 */
export default function PageLoading() {
  const t = useTranslations('common.actions')
  return (
    <p role="status" aria-live="polite" data-testid="page-loading" className="animate-pulse rounded-lg border border-slate-200 bg-white p-6 text-center text-slate-500">
      {t('loading')}
    </p>
  )
}
