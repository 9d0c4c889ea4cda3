'use client'
import { useState } from 'react'
import { useRouter } from 'next/navigation'
import { signIn } from 'next-auth/react'
import { useTranslations } from 'next-intl'
import { setupSchema } from '@/lib/schemas/auth'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import type { FieldErrors } from '@/lib/errors'

export function SetupForm() {
  const t = useTranslations('common.auth')
  const te = useTranslations('errors')
  const [fields, setFields] = useState<FieldErrors>({})
  const [formError, setFormError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const router = useRouter()

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const raw = Object.fromEntries(new FormData(e.currentTarget).entries())
    const parsed = setupSchema.safeParse(raw)
    if (!parsed.success) {
      setFields(issuesToFieldErrors(parsed.error.issues, (k, p) => te(k as never, p as never)))
      return
    }
    setBusy(true)
    setFields({})
    setFormError(null)
    const res = await fetch('/api/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(raw) })
    const body = await res.json().catch(() => ({}))
    if (!res.ok) {
      setBusy(false)
      setFields(body.fields ?? {})
      setFormError(body.message ?? String(res.status))
      return
    }
    await signIn('credentials', { email: parsed.data.email, password: parsed.data.password, redirect: false })
    router.push('/')
    router.refresh()
  }

  const field = (name: 'email' | 'password' | 'passwordConfirm', label: string, type: string, autoComplete: string) => (
    <label className="block">
      <span className="text-sm text-slate-700">{label}</span>
      <input
        name={name}
        type={type}
        autoComplete={autoComplete}
        aria-invalid={!!fields[name]}
        aria-describedby={fields[name] ? `${name}-error` : undefined}
        className="mt-1 w-full rounded border border-slate-300 px-3 py-2 focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500"
      />
      {fields[name] && (
        <span id={`${name}-error`} className="mt-1 block text-sm text-red-600">
          {fields[name].join('；')}
        </span>
      )}
    </label>
  )

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold">{t('setupTitle')}</h2>
      <p className="text-sm text-slate-600">{t('setupIntro')}</p>
      {field('email', t('email'), 'email', 'username')}
      {field('password', t('password'), 'password', 'new-password')}
      {field('passwordConfirm', t('passwordConfirm'), 'password', 'new-password')}
      {formError && (
        <p role="alert" className="text-sm text-red-600">
          {formError}
        </p>
      )}
      <button type="submit" disabled={busy} className="w-full rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
        {t('createAdmin')}
      </button>
    </form>
  )
}
