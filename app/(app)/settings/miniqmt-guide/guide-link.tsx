import Link from 'next/link'
import { getTranslations } from 'next-intl/server'

/** The settings page's pointer to the real-money setup guide (docs/miniqmt-setup.md). */
export async function GuideLink() {
  const t = await getTranslations('guide')
  return (
    <p className="mb-3 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900" data-testid="miniqmt-guide-link">
      {t('linkIntro')}{' '}
      <Link href="/settings/miniqmt-guide" className="font-medium underline">
        {t('link')}
      </Link>
    </p>
  )
}
