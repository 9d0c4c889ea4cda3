import Link from 'next/link'
import { useTranslations } from 'next-intl'

/** DingPan's own "not found" answer, in the UI's language (sent with HTTP 404). */
export function NotFoundPage() {
  const t = useTranslations('common.notFound')
  return (
    <div data-testid="not-found" className="mx-auto max-w-xl space-y-2 rounded-lg border border-slate-200 bg-white p-6">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <p className="text-slate-700">{t('body')}</p>
      <Link href="/" className="inline-block text-sky-800 underline">
        {t('home')}
      </Link>
    </div>
  )
}
