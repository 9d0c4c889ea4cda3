'use client'
import { useRouter } from 'next/navigation'
import { useLocale, useTranslations } from 'next-intl'
import { LOCALE_COOKIE } from '@/lib/i18n/config'

/** Switches between Chinese (default) and English; remembered in a cookie and, signed in, on the account. */
export function LocaleSwitch({ signedIn }: { signedIn: boolean }) {
  const locale = useLocale()
  const t = useTranslations('common.nav')
  const router = useRouter()
  const next = locale === 'zh' ? 'en' : 'zh'
  return (
    <button
      type="button"
      className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
      onClick={async () => {
        document.cookie = `${LOCALE_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`
        if (signedIn) {
          await fetch('/api/me/locale', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: next }) }).catch(() => undefined)
        }
        router.refresh()
      }}
    >
      {t('language')}
    </button>
  )
}
