'use client'
import { useState } from 'react'
import { getSession, signIn } from 'next-auth/react'
import { LOCALE_COOKIE } from '@/lib/i18n/config'
import { useTranslations } from 'next-intl'

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations('common.auth')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    setBusy(true)
    setError(null)
    const res = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    })
    setBusy(false)
    if (res?.ok && !res.error) {
      // The language is the account's, not the browser's: apply the one it chose at sign-in.
      const session = await getSession().catch(() => null)
      const locale = (session?.user as { locale?: string } | undefined)?.locale
      if (locale === 'zh' || locale === 'en') document.cookie = `${LOCALE_COOKIE}=${locale}; path=/; max-age=31536000; samesite=lax`
      window.location.assign(callbackUrl)
      return
    }
    const limited = res?.error?.match(/^RATE_LIMITED:(\d+)/)
    setError(limited ? t('rateLimited', { seconds: Number(limited[1]) }) : t('badCredentials'))
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" noValidate>
      <h2 className="text-lg font-semibold">{t('signInTitle')}</h2>
      <label className="block">
        <span className="text-sm text-slate-700">{t('email')}</span>
        <input name="email" type="email" autoComplete="username" required className="mt-1 w-full rounded border border-slate-300 px-3 py-2 focus:border-sky-500 focus:outline-none" />
      </label>
      <label className="block">
        <span className="text-sm text-slate-700">{t('password')}</span>
        <input name="password" type="password" autoComplete="current-password" required className="mt-1 w-full rounded border border-slate-300 px-3 py-2 focus:border-sky-500 focus:outline-none" />
      </label>
      {error && (
        <p role="alert" data-testid="form-error" className="text-sm text-red-600">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="w-full rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
        {busy ? t('signingIn') : t('signIn')}
      </button>
    </form>
  )
}
