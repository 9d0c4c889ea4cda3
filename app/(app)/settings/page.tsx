import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { env } from '@/lib/env'
import { settingsView } from '@/lib/services/runtime/settings-admin'
import { SettingsForms } from './settings-forms'
import { GuideLink } from './miniqmt-guide/guide-link'
import { PaperNotice } from '@/app/_components/paper-notice'
import { brokerIsPaper } from '@/lib/services/runtime/web-context'
import { listAccounts } from '@/lib/services/runtime/broker-accounts'
import { BrokerAccountsSection } from './broker-accounts-section'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '设置 / Settings' }

export default async function SettingsPage() {
  const user = await pageUser()
  const [view, accounts] = await Promise.all([settingsView(env()), listAccounts(user)])
  return (
    <>
      {brokerIsPaper() && <PaperNotice />}
      <GuideLink />
      <SettingsForms initial={view} isAdmin={user.role === 'ADMIN'} />
      <div className="mx-auto mt-4 max-w-4xl">
        <BrokerAccountsSection initial={accounts} />
      </div>
    </>
  )
}
