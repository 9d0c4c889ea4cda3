import { redirect } from 'next/navigation'
import { getTranslations } from 'next-intl/server'
import { countUsers } from '@/lib/db/users'
import { LocaleSwitch } from '@/app/_components/locale-switch'
import { SetupForm } from './setup-form'

export const dynamic = 'force-dynamic'

export default async function SetupPage() {
  if ((await countUsers()) > 0) redirect('/signin')
  const t = await getTranslations('common')
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <div className="mb-6 flex items-center justify-between">
        <h1 className="text-2xl font-bold">{t('appName')}</h1>
        <LocaleSwitch signedIn={false} />
      </div>
      <SetupForm />
    </main>
  )
}
