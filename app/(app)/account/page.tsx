import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { AccountView } from './account-view'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '账户 / Account' }

/** The account is read live from the broker by the client (it may take the bridge's timeout), with a loading state. */
export default async function AccountPage() {
  await pageUser()
  return <AccountView />
}
