import { redirect } from 'next/navigation'
import { getTranslations } from 'next-intl/server'
import { countUsers } from '@/lib/db/users'
import { currentUser } from '@/lib/auth/session'
import { safeCallbackPath } from '@/lib/auth/request-guard'
import { LocaleSwitch } from '@/app/_components/locale-switch'
import { SignInForm } from './sign-in-form'

export const dynamic = 'force-dynamic'

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if ((await countUsers()) === 0) redirect('/setup')
  const { callbackUrl } = await searchParams
  // Only same-site paths: never bounce a signed-in user to another origin.
  const target = safeCallbackPath(callbackUrl)
  if (await currentUser()) redirect(target)
  const t = await getTranslations('common')
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <div className="mb-6 flex items-center justify-between">
        <div>
          <h1 className="text-2xl font-bold">{t('appName')}</h1>
          <p className="text-sm text-slate-500">{t('tagline')}</p>
        </div>
        <LocaleSwitch signedIn={false} />
      </div>
      <SignInForm callbackUrl={target} />
    </main>
  )
}
